"""The clerk's inbox and outbox pages: a delivered document accepted from the inbox page."""
import json

from sqlalchemy import select

from recordsys.exchange.models import InboxEntry
from tests.conftest import login
from tests.exchange.conftest import FINANCE, OFFICE
from tests.exchange.test_flow import run_jobs


def test_inbox_page_accept_and_outbox_page(run, outgoing, trusted, testapp, tx, session_factory, settings):
    assert run("exchange", "send", outgoing, "--to", OFFICE, "--to", FINANCE).exit_code == 0
    run_jobs(session_factory, settings)
    login(testapp, "vanthu")
    page = testapp.get(f"/orgs/{OFFICE}/exchange/inbox")
    assert "Về việc triển khai chuyển đổi số" in page.text and "received" in page.text
    form = next(f for f in page.forms.values() if "decision" in f.fields)
    done = form.submit("decision", value="accept").follow()
    assert "đã vào sổ số" in done.text
    with tx() as session:
        entry = session.scalar(select(InboxEntry).where(InboxEntry.state == "accepted"))
        assert entry.organization.code == OFFICE and entry.registered_document_id
    assert testapp.get(f"/orgs/{FINANCE}/exchange/inbox", status="*").status_int in (403, 404)
    run_jobs(session_factory, settings)
    outbox = testapp.get(f"/orgs/{OFFICE}/exchange/outbox")
    assert f"{OFFICE}: 03" in outbox.text and f"{FINANCE}: 01" in outbox.text
    assert json.loads(run("exchange", "status", outgoing, "--json").stdout)["recipients"]


def test_document_page_offers_the_allowed_statuses_and_the_inbox_names_the_business_type(
        run, outgoing, trusted, testapp, tx, session_factory, settings, demo):
    from recordsys.core.models import User
    from recordsys.core.services import create_token

    assert run("exchange", "send", outgoing, "--to", OFFICE).exit_code == 0
    run_jobs(session_factory, settings)
    [entry] = [json.loads(line) for line in run("exchange", "inbox", "--json").stdout.splitlines()]
    registered = json.loads(run("exchange", "accept", entry["id"], "--json").stdout)["registered_document_id"]
    login(testapp, "vanthu")
    page = testapp.get(f"/orgs/{OFFICE}/exchange/documents/{registered}")
    assert "04 · Phân công xử lý" in page.text or "04 · " in page.text
    form = next(f for f in page.forms.values() if "code" in f.fields and "inbox_id" not in f.fields)
    done = form.submit("code", value="05").follow()
    assert "Đã gửi trạng thái 05" in done.text and 'value="04"' not in done.text and 'value="06"' in done.text

    sender_page = testapp.get(f"/orgs/{OFFICE}/exchange/documents/{outgoing}")
    ask = next(f for f in sender_page.forms.values() if f.fields.get("to"))
    ask["description"] = "Thu hồi để sửa lỗi thể thức"
    assert "Đã gửi trạng thái 13" in ask.submit("code", value="13").follow().text
    run_jobs(session_factory, settings)
    inbox = testapp.get(f"/orgs/{OFFICE}/exchange/inbox")
    assert "Thu hồi văn bản" in inbox.text and "Văn bản mới" in inbox.text and "Đồng ý (15)" in inbox.text

    with tx() as session:
        token = create_token(session, session.scalar(select(User).where(User.username == "vanthu")), "máy")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    api = f"/api/v1/orgs/{OFFICE}/exchange/documents/{registered}/status"
    state = testapp.get(api, headers=headers).json
    assert state["allowed"]["receiver"] == ["06"] and [r["codes"] for r in state["allowed"]["requests"]] == [["15", "16"]]
    refused = testapp.post(api, json.dumps({"code": "16"}), headers={**headers, "Accept-Language": "vi"}, status=422)
    assert "cần lý do" in refused.json["detail"]
    testapp.post(api, json.dumps({"code": "05", "to": "x"}), headers=headers, status=422)
    testapp.post(api, json.dumps({"code": "16", "inbox_id": "abc"}), headers=headers, status=400)
    answered = testapp.post(api, json.dumps({"code": "16", "description": "Văn bản đang được xử lý"}), headers=headers)
    assert answered.json["state"] == "refused" and answered.json["status_code"] == "16"
    run_jobs(session_factory, settings)
    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    assert [s["status_code"] for s in history["by_recipient"][OFFICE]] == ["01", "03", "05", "16"]


def test_replaced_file_stays_readable_on_the_document_page(run, demo, trusted, corpus, testapp, tx, tmp_path):
    import dataclasses

    from recordsys.core.audit import AuditEvent
    from recordsys.exchange.codes import BusinessDocType
    from recordsys.exchange.edxml import write_document_envelope
    from recordsys.exchange.model import Attachment, Business, Organization
    from tests.exchange import samples

    original = samples.document(recipients=(Organization(OFFICE, "Văn phòng UBND tỉnh Khánh Hòa"),), attachments=(
        Attachment("15-QĐ-UBND.pdf", "application/pdf", corpus.valid.read_bytes()),))
    replacement = dataclasses.replace(
        original, code_number="16", subject="Về việc thành lập Đoàn kiểm tra (thay thế Quyết định 15/QĐ-UBND)",
        business=Business(BusinessDocType.REPLACE, "Thay thế do sai thành phần Đoàn",
                          replaced_document_ids=(original.effective_document_id,)),
        attachments=(Attachment("16-QĐ-UBND.pdf", "application/pdf", corpus.two_signatures.read_bytes()),))
    ids = []
    for name, env in (("15.edxml", original), ("16.edxml", replacement)):
        path = tmp_path / name
        path.write_bytes(write_document_envelope(env))
        [row] = [json.loads(line) for line in run("exchange", "receive", path, "--json").stdout.splitlines()]
        ids.append(json.loads(run("exchange", "accept", row["inbox_ids"][0], "--json").stdout)["registered_document_id"])
    assert ids[0] == ids[1]  # the same document, its file replaced
    login(testapp, "vanthu")
    inbox = testapp.get(f"/orgs/{OFFICE}/exchange/inbox")
    assert "Thay thế văn bản" in inbox.text and "Văn bản mới" in inbox.text
    page = testapp.get(f"/orgs/{OFFICE}/exchange/documents/{ids[0]}")
    assert "Các phiên bản trước" in page.text and "15-QĐ-UBND.pdf" in page.text
    old = page.click(href=f"/exchange/documents/{ids[0]}/versions/1")
    assert old.body == corpus.valid.read_bytes()
    testapp.get(f"/orgs/{OFFICE}/exchange/documents/{ids[0]}/versions/2", status=404)
    with tx() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "document.download")).all()
