"""The sender's side of business types 2 (update), 3 (replacement) and 1 (revocation): a clerk of the
agency that sent a document sends them to its earlier recipients through the outbox; the receiving
agency's inbox entry is linked to the earlier document, and accepting it applies it. Bad input is
refused with a clear reason and leaves nothing in the outbox."""
import json

import pytest
from sqlalchemy import func, select

from recordsys.core import audit
from recordsys.core.audit import AuditEvent
from recordsys.exchange import rules
from recordsys.exchange.codes import BusinessDocType, StatusCode
from recordsys.exchange.models import OutboxMessage
from recordsys.exchange.reading import read_envelope
from recordsys.ingest.models import Document
from tests.exchange.conftest import FINANCE, HOME_AFFAIRS, OFFICE
from tests.exchange.test_flow import DOCUMENT_ID, lines, run_jobs

UPDATE, REPLACE, REVOKE = BusinessDocType.UPDATE, BusinessDocType.REPLACE, BusinessDocType.REVOKE
NEW_SUBJECT = "Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ năm 2026 (đính chính thời hạn)"


def test_rules_for_follow_ups():
    for kind in (UPDATE, REPLACE, REVOKE):
        assert rules.followup_refusal(kind, False, []) == "not-recipient"
        assert rules.followup_refusal(kind, True, []) is None
        assert rules.followup_refusal(kind, True, ["01", "03", "05"]) is None
        assert rules.followup_refusal(kind, True, ["01", "02"]) == "refused"
        assert rules.followup_refusal(kind, True, ["01", "03", rules.SENT[REVOKE]]) == "revoked"
        assert rules.followup_refusal(kind, True, ["01", "03", "13", "15"]) == "revoked"  # given back
        assert rules.followup_refusal(kind, True, ["01", "03", "13", "16"]) is None
        assert rules.followup_refusal(kind, True, ["01", "03", rules.SENT[UPDATE], "15"]) is None
    with pytest.raises(ValueError):
        rules.followup_refusal(BusinessDocType.NEW, True, [])


def test_answers_pair_with_the_oldest_open_request():
    update, replace = rules.SENT[UPDATE], rules.SENT[REPLACE]
    assert rules.answered(["01", update, "13", "15"]) == ([(update, "15")], ["13"])
    assert rules.answered(["01", update, "13", "15", "16"]) == ([(update, "15"), ("13", "16")], [])
    assert rules.answered(["15"]) == ([], [])
    # an agreed update is no take-back: 13 may still be asked
    assert rules.sender_codes(True, ["01", "03", update, "15"]) == (StatusCode.REVOKE_REQUESTED,)
    assert rules.sender_codes(True, ["01", "03", update, "13", "15"]) == ()  # 13 still open
    assert rules.sender_codes(True, ["01", "03", replace, "16", "13", "15"]) == ()  # given back
    assert rules.sender_codes(True, ["01", "03", rules.SENT[REVOKE]]) == ()


def _sent_and_accepted(run, outgoing, session_factory, settings, to=(HOME_AFFAIRS, FINANCE)):
    """Our document sent to ``to`` and accepted there: {organ: (inbox id, registered document id)}."""
    args = [a for organ in to for a in ("--to", organ)]
    assert run("exchange", "send", outgoing, *args).exit_code == 0
    run_jobs(session_factory, settings)
    out = {}
    for row in lines(run("exchange", "inbox", "--json")):
        accepted = run("exchange", "accept", row["id"], "--json")
        assert accepted.exit_code == 0, accepted.output
        out[row["organization"]] = (row["id"], json.loads(accepted.stdout)["registered_document_id"])
    run_jobs(session_factory, settings)
    return out


def _outbox_count(tx):
    with tx() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def _envelope(tx, storage_path, message_id):
    from recordsys.storage import LocalFileStorage

    with tx() as session:
        sha = session.get(OutboxMessage, message_id).sha256
    with LocalFileStorage(storage_path).open(sha) as handle:
        return read_envelope(handle.read())


def test_update_reaches_the_receiver_linked_and_is_applied(run, outgoing, trusted, session_factory, settings, tx):
    earlier = _sent_and_accepted(run, outgoing, session_factory, settings)
    sent = run("exchange", "send-update", outgoing, "--set", f"subject={NEW_SUBJECT}", "--set", "signer=Trần Quốc Hùng",
               "--to", HOME_AFFAIRS, "--reason", "Đính chính trích yếu", "--as", "vanthu", "--json")
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.stdout)
    assert result["to"] == [HOME_AFFAIRS] and result["edxml_document_ids"] == [DOCUMENT_ID]
    assert {c["field"] for c in result["changes"]} == {"subject", "signer"}
    envelope = _envelope(tx, settings["storage.path"], result["message_ids"][0])
    assert envelope.valid and envelope.envelope.business.doc_type == UPDATE
    assert envelope.envelope.document_id == DOCUMENT_ID and envelope.envelope.business.document_id == DOCUMENT_ID
    assert [r.document_id for r in envelope.envelope.response_for] == [DOCUMENT_ID]
    assert envelope.envelope.business.update.document_info and envelope.attachments == ()
    with tx() as session:  # our own document follows what we sent
        ours = session.get(Document, outgoing)
        assert ours.subject == NEW_SUBJECT and ours.signer == "Trần Quốc Hùng"
        assert [f["business_type"] for f in ours.extra["exchange_followups"]] == [2]
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "exchange.update.send")).all()
        assert event.actor == "vanthu" and event.object_id == str(outgoing)

    run_jobs(session_factory, settings)
    [request] = [r for r in lines(run("exchange", "inbox", "--json")) if r["request"]]
    assert request["organization"] == HOME_AFFAIRS and request["business_type"] == 2
    assert request["related_inbox_id"] == earlier[HOME_AFFAIRS][0] and request["document_id"] == DOCUMENT_ID
    changed = {c["field"]: c["new"] for c in request["verdict"]["request"]["changes"]}
    assert changed == {"subject": NEW_SUBJECT, "signer": "Trần Quốc Hùng"}
    assert run("exchange", "accept", request["id"], "--actor", "vanthu").exit_code == 0
    run_jobs(session_factory, settings)
    with tx() as session:
        theirs = session.get(Document, earlier[HOME_AFFAIRS][1])
        assert theirs.subject == NEW_SUBJECT and theirs.signer == "Trần Quốc Hùng"
        assert session.get(Document, earlier[FINANCE][1]).subject != NEW_SUBJECT  # not asked
        assert audit.verify(session).intact
    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    assert [s["status_code"] for s in history["by_recipient"][HOME_AFFAIRS]] == ["01", "03", "15"]
    assert history["allowed"]["sender"] == {HOME_AFFAIRS: ["13"], FINANCE: ["13"]}  # an agreed update is no take-back
    assert history["allowed"]["business"] == {HOME_AFFAIRS: [1, 2, 3], FINANCE: [1, 2, 3]}


def test_replacement_carries_the_new_checked_file(run, outgoing, trusted, session_factory, settings, tx, corpus):
    earlier = _sent_and_accepted(run, outgoing, session_factory, settings)
    with tx() as session:
        old_sha = session.get(Document, outgoing).file.sha256
    sent = run("exchange", "send-replacement", outgoing, "--file", corpus.two_signatures, "--set",
               "number_and_symbol=126/UBND-VP", "--reason", "Thay thế do sai thành phần", "--as", "vanthu", "--json")
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.stdout)
    new_id = f"{OFFICE},2026/11/27,126/UBND-VP"
    assert sorted(result["to"]) == sorted([HOME_AFFAIRS, FINANCE]) and result["edxml_document_ids"] == [new_id]
    envelope = _envelope(tx, settings["storage.path"], result["message_ids"][0]).envelope
    assert envelope.business.doc_type == REPLACE and envelope.business.replaced_document_ids == (DOCUMENT_ID,)
    assert envelope.effective_document_id == new_id
    with tx() as session:
        ours = session.get(Document, outgoing)
        assert ours.number_and_symbol == "126/UBND-VP" and ours.file.sha256 != old_sha
        assert [v["sha256"] for v in ours.extra["versions"]] == [old_sha]

    run_jobs(session_factory, settings)
    requests = {r["organization"]: r for r in lines(run("exchange", "inbox", "--json")) if r["request"]}
    assert {o: (r["business_type"], r["related_inbox_id"]) for o, r in requests.items()} == {
        HOME_AFFAIRS: (3, earlier[HOME_AFFAIRS][0]), FINANCE: (3, earlier[FINANCE][0])}
    assert requests[HOME_AFFAIRS]["verdict"]["attachments"][0]["accepted"]
    assert run("exchange", "accept", requests[HOME_AFFAIRS]["id"]).exit_code == 0
    assert run("exchange", "refuse", requests[FINANCE]["id"], "--reason", "Đã triển khai").exit_code == 0
    run_jobs(session_factory, settings)
    with tx() as session:
        theirs = session.get(Document, earlier[HOME_AFFAIRS][1])
        assert theirs.number_and_symbol == "126/UBND-VP" and theirs.file.sha256 == session.get(Document, outgoing).file.sha256
        assert session.get(Document, earlier[FINANCE][1]).file.sha256 == old_sha
    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    assert new_id in history["edxml_document_ids"]  # the answers to the replacement are ours
    assert [s["status_code"] for s in history["by_recipient"][HOME_AFFAIRS]] == ["01", "03", "15"]
    assert [s["status_code"] for s in history["by_recipient"][FINANCE]] == ["01", "03", "16"]


def test_revocation_then_nothing_more(run, outgoing, trusted, session_factory, settings, tx):
    earlier = _sent_and_accepted(run, outgoing, session_factory, settings)
    no_reason = run("exchange", "revoke", outgoing, "--reason", " ", "--as", "vanthu")
    assert no_reason.exit_code != 0 and "lý do" in no_reason.output
    sent = run("exchange", "revoke", outgoing, "--reason", "Ban hành nhầm", "--to", FINANCE, "--as", "vanthu", "--json")
    assert sent.exit_code == 0, sent.output
    envelope = _envelope(tx, settings["storage.path"], json.loads(sent.stdout)["message_ids"][0]).envelope
    assert envelope.business.doc_type == REVOKE and [r.document_id for r in envelope.response_for] == [DOCUMENT_ID]
    run_jobs(session_factory, settings)
    states = {r["id"]: r["state"] for r in lines(run("exchange", "inbox", "--json"))}
    assert states == {earlier[HOME_AFFAIRS][0]: "accepted", earlier[FINANCE][0]: "revoked"}
    allowed = json.loads(run("exchange", "status", outgoing, "--json").stdout)["allowed"]
    assert allowed["business"] == {HOME_AFFAIRS: [1, 2, 3], FINANCE: []} and allowed["sender"][FINANCE] == []
    with tx() as session:
        assert session.get(Document, earlier[FINANCE][1]) is not None  # the record is kept

    before = _outbox_count(tx)
    again = run("exchange", "send-update", outgoing, "--set", "subject=Khác", "--to", FINANCE, "--as", "vanthu")
    assert again.exit_code != 0 and "đã bị thu hồi" in again.output
    twice = run("exchange", "revoke", outgoing, "--reason", "Lần hai", "--to", FINANCE, "--as", "vanthu")
    assert twice.exit_code != 0
    asked = run("exchange", "send-status", outgoing, "--code", "13", "--description", "x", "--to", FINANCE)
    assert asked.exit_code != 0
    assert _outbox_count(tx) == before
    # without --to: only those it may still go to
    rest = run("exchange", "revoke", outgoing, "--reason", "Ban hành nhầm", "--as", "vanthu", "--json")
    assert json.loads(rest.stdout)["to"] == [HOME_AFFAIRS]


def test_bad_input_is_refused_and_nothing_is_queued(run, outgoing, trusted, session_factory, settings, tx, corpus):
    never = run("exchange", "send-update", outgoing, "--set", "subject=Mới", "--as", "vanthu")
    assert never.exit_code != 0 and "chưa từng được gửi" in never.output
    _sent_and_accepted(run, outgoing, session_factory, settings, to=(HOME_AFFAIRS,))
    before = _outbox_count(tx)
    with tx() as session:
        subject = session.get(Document, outgoing).subject
    cases = {
        "unknown field": ("send-update", outgoing, "--set", "colour=đỏ", "--as", "vanthu"),
        "no equals": ("send-update", outgoing, "--set", "subject", "--as", "vanthu"),
        "bad date": ("send-update", outgoing, "--set", "issued_date=30/11/2026", "--as", "vanthu"),
        "nothing changes": ("send-update", outgoing, "--set", f"subject={subject}", "--as", "vanthu"),
        "not a recipient": ("send-update", outgoing, "--set", "subject=Mới", "--to", FINANCE, "--as", "vanthu"),
        "not a clerk": ("send-update", outgoing, "--set", "subject=Mới", "--as", "chuyenvien"),
        "no such user": ("revoke", outgoing, "--reason", "x", "--as", "khong-co"),
        "no document": ("revoke", 9999, "--reason", "x", "--as", "vanthu"),
        "unsigned file": ("send-replacement", outgoing, "--file", corpus.unsigned, "--as", "vanthu"),
        "broken signature": ("send-replacement", outgoing, "--file", corpus.invalid, "--as", "vanthu"),
        "same file": ("send-replacement", outgoing, "--file", corpus.valid, "--as", "vanthu"),
    }
    outputs = {}
    for name, args in cases.items():
        result = run("exchange", *args)
        assert result.exit_code != 0, name
        outputs[name] = result.output
    assert "colour" in outputs["unknown field"] and "subject" in outputs["unknown field"]
    assert "không phải nơi nhận trước đây" in outputs["not a recipient"]
    assert "không phải văn thư" in outputs["not a clerk"]
    assert "không đạt kiểm tra" in outputs["unsigned file"] and "không đạt kiểm tra" in outputs["broken signature"]
    assert _outbox_count(tx) == before
    with tx() as session:
        ours = session.get(Document, outgoing)
        assert ours.subject == subject and not ours.extra.get("versions") and not ours.extra.get("exchange_followups")


def test_api_sends_update_replacement_and_revocation_for_the_sending_agency_only(
        run, outgoing, trusted, session_factory, settings, tx, testapp, corpus):
    import base64

    from recordsys.core.models import User
    from recordsys.core.services import create_token

    earlier = _sent_and_accepted(run, outgoing, session_factory, settings, to=(HOME_AFFAIRS, FINANCE))
    with tx() as session:
        tokens = {u: create_token(session, session.scalar(select(User).where(User.username == u)), "máy")
                  for u in ("vanthu", "chuyenvien")}
    headers = {"Authorization": f"Bearer {tokens['vanthu']}", "Content-Type": "application/json",
               "Accept-Language": "vi"}
    base = f"/api/v1/orgs/{OFFICE}/exchange/documents/{outgoing}"
    before = _outbox_count(tx)
    specialist = {**headers, "Authorization": f"Bearer {tokens['chuyenvien']}"}
    testapp.post(f"{base}/update", json.dumps({"set": {"subject": "Mới"}}), headers=specialist, status=403)
    testapp.post(f"/api/v1/orgs/{HOME_AFFAIRS}/exchange/documents/{outgoing}/update",
                 json.dumps({"set": {"subject": "Mới"}}), headers=headers, status=[403, 404])
    bad = testapp.post(f"{base}/update", json.dumps({"set": {"colour": "đỏ"}}), headers=headers, status=422)
    assert bad.json["field"] == "set" and "colour" in bad.json["detail"]
    testapp.post(f"{base}/update", json.dumps({"set": "subject=x"}), headers=headers, status=400)
    testapp.post(f"{base}/update", json.dumps({"set": {"subject": "Mới"}, "extra": 1}), headers=headers, status=400)
    unsigned = {"file": base64.b64encode(corpus.unsigned.read_bytes()).decode(), "file_name": "moi.pdf"}
    refused = testapp.post(f"{base}/replacement", json.dumps(unsigned), headers=headers, status=422)
    assert refused.json["code"] == "file-refused"
    testapp.post(f"{base}/replacement", json.dumps({"file": "không phải base64!"}), headers=headers, status=422)
    testapp.post(f"{base}/revoke", json.dumps({"reason": ""}), headers=headers, status=422)
    assert _outbox_count(tx) == before

    updated = testapp.post(f"{base}/update", json.dumps({"set": {"subject": NEW_SUBJECT}, "to": HOME_AFFAIRS}),
                           headers=headers)
    assert updated.json["to"] == [HOME_AFFAIRS] and updated.json["business_type"] == 2
    replaced = testapp.post(f"{base}/replacement", json.dumps({
        "file": base64.b64encode(corpus.two_signatures.read_bytes()).decode(), "file_name": "125-UBND-VP-moi.pdf",
        "reason": "Thay tệp", "to": FINANCE}), headers=headers)
    assert replaced.json["to"] == [FINANCE] and replaced.json["business_type"] == 3
    revoked = testapp.post(f"{base}/revoke", json.dumps({"reason": "Ban hành nhầm", "to": FINANCE}), headers=headers)
    assert revoked.json["business_type"] == 1
    assert _outbox_count(tx) == before + 3
    run_jobs(session_factory, settings)
    rows = lines(run("exchange", "inbox", "--json"))
    requests = sorted((r["organization"], r["request"], r["related_inbox_id"]) for r in rows if r["request"])
    assert requests == [(HOME_AFFAIRS, "update", earlier[HOME_AFFAIRS][0]), (FINANCE, "replace", earlier[FINANCE][0])]
    assert {r["id"]: r["state"] for r in rows if not r["request"]}[earlier[FINANCE][0]] == "revoked"
    with tx() as session:
        assert session.get(Document, outgoing).original_name == "125-UBND-VP-moi.pdf"


def test_clerk_sends_update_replacement_and_revocation_from_the_document_page(
        run, outgoing, trusted, session_factory, settings, tx, testapp, corpus):
    """The web forms of the document's exchange page: each refusal is shown and queues nothing."""
    from webtest import Upload

    from tests.conftest import login

    earlier = _sent_and_accepted(run, outgoing, session_factory, settings, to=(HOME_AFFAIRS, FINANCE))
    login(testapp, "vanthu")
    url = f"/orgs/{OFFICE}/exchange/documents/{outgoing}"
    page = testapp.get(url)
    forms = {kind: next(f for f in page.forms.values() if f.action.endswith(f"/{kind}"))
             for kind in ("update", "replacement", "revoke")}
    assert "Gửi cập nhật văn bản" in page.text and "Thu hồi văn bản" in page.text
    before = _outbox_count(tx)

    forms["revoke"]["reason"] = "  "
    assert "Thu hồi văn bản cần có lý do. / A revocation needs a reason." in forms["revoke"].submit().follow().text
    replacement = forms["replacement"]
    replacement["file"] = Upload("moi.pdf", corpus.unsigned.read_bytes(), "application/pdf")
    refused = replacement.submit().follow()
    assert "nothing was sent" in refused.text and _outbox_count(tx) == before  # the revocation neither
    with tx() as session:
        assert session.get(Document, outgoing).original_name != "moi.pdf"

    update = forms["update"]
    update["subject"] = NEW_SUBJECT
    update["reason"] = "Đính chính thời hạn"
    update.set("to", False, index=1)  # the first recipient only
    done = update.submit().follow()
    assert f"Đã gửi bản cập nhật tới {HOME_AFFAIRS}" in done.text and _outbox_count(tx) == before + 1
    with tx() as session:
        assert session.get(Document, outgoing).subject == NEW_SUBJECT

    replacement = next(f for f in done.forms.values() if f.action.endswith("/replacement"))
    replacement["file"] = Upload("125-UBND-VP-moi.pdf", corpus.two_signatures.read_bytes(), "application/pdf")
    replacement["reason"] = "Thay tệp"
    assert "Đã gửi văn bản thay thế tới" in replacement.submit().follow().text

    revoke = next(f for f in testapp.get(url).forms.values() if f.action.endswith("/revoke"))
    revoke["reason"] = "Ban hành nhầm"
    revoked = revoke.submit().follow()
    assert f"Đã gửi yêu cầu thu hồi tới {HOME_AFFAIRS}, {FINANCE}" in revoked.text
    assert not any(f.action.endswith(("/update", "/replacement", "/revoke")) for f in revoked.forms.values())
    assert _outbox_count(tx) == before + 3
    run_jobs(session_factory, settings)
    states = {r["id"]: r["state"] for r in lines(run("exchange", "inbox", "--json")) if not r["request"]}
    assert states[earlier[HOME_AFFAIRS][0]] == states[earlier[FINANCE][0]] == "revoked"
    testapp.post(f"{url}/rename", {"csrf_token": "x"}, status=404)


@pytest.fixture
def hub_url(app):
    """This application serving the hub protocol on a local port (as in ``test_axis_client``)."""
    import threading
    from wsgiref.simple_server import make_server

    from tests.exchange.test_axis_client import _Quiet

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/axis"
    server.shutdown()
    server.server_close()


def test_update_and_revocation_through_the_hub(run, outgoing, hub_url, tx, session_factory, settings):
    """To an organ on another member system of the hub: the same envelopes over ``sendEdoc``, held
    in that member's received list."""
    from recordsys.exchange.hub import add_member
    from recordsys.exchange.models import HubMessage
    from tests.exchange.test_axis_client import member_settings
    from tests.exchange.test_hub import MINISTRY

    with tx() as session:
        secret = add_member(session, "00.41.W00", [OFFICE], None, actor="test")
        add_member(session, "00.09.W00", [MINISTRY], None, actor="test")
    member = member_settings(settings, hub_url, "00.41.W00", secret)
    assert run("exchange", "send", outgoing, "--to", MINISTRY).exit_code == 0
    assert run_jobs(session_factory, member) == 1
    updated = run("exchange", "send-update", outgoing, "--set", f"subject={NEW_SUBJECT}", "--as", "vanthu", "--json")
    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.stdout)["to"] == [MINISTRY]
    assert run("exchange", "revoke", outgoing, "--reason", "Ban hành nhầm", "--as", "vanthu").exit_code == 0
    assert run_jobs(session_factory, member) == 2
    with tx() as session:
        states = session.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)).all()
        assert states == ["sent", "sent", "sent"]
        held = session.scalars(select(HubMessage).where(HubMessage.to_organ == MINISTRY).order_by(HubMessage.id)).all()
        assert [(m.system_id, m.state) for m in held] == [("00.09.W00", "pending")] * 3
        sent = session.scalars(select(OutboxMessage.sha256).order_by(OutboxMessage.id)).all()
        assert [m.sha256 for m in held] == sent  # the exact bytes
    from recordsys.storage import LocalFileStorage

    kinds = []
    for sha in sent:
        with LocalFileStorage(settings["storage.path"]).open(sha) as handle:
            env = read_envelope(handle.read()).envelope
        kinds.append((int(env.business.doc_type), env.effective_document_id))
    assert kinds == [(0, DOCUMENT_ID), (2, DOCUMENT_ID), (1, DOCUMENT_ID)]
    again = run("exchange", "send-update", outgoing, "--set", "subject=Khác", "--as", "vanthu")
    assert again.exit_code != 0  # revoked: nothing more to it


def test_only_the_sender_revokes_updates_or_takes_back_its_document(run, outgoing, trusted, session_factory,
                                                                     settings, tx, tmp_path, corpus):
    """Another agency naming our DocumentId changes nothing at the recipient."""
    from recordsys.exchange.pack import envelope_for_document

    earlier = _sent_and_accepted(run, outgoing, session_factory, settings, to=(HOME_AFFAIRS,))
    meta = {"sender_id": FINANCE, "sender_name": "Sở Tài chính tỉnh Khánh Hòa", "code_number": "125",
            "code_notation": "UBND-VP", "promulgation_date": "2026-11-27", "document_type": 18, "subject": "Giả mạo",
            "response_for": [{"organ_id": OFFICE, "code": "125/UBND-VP", "promulgation_date": "2026-11-27",
                              "document_id": DOCUMENT_ID}], "document_id": DOCUMENT_ID}
    revoke = tmp_path / "thu-hoi-gia.edxml"
    revoke.write_bytes(envelope_for_document({**meta, "business_type": 1, "business_reason": "x"}, [], [HOME_AFFAIRS]))
    [row] = lines(run("exchange", "receive", revoke, "--json"))
    assert row["revoked"] == []
    update = tmp_path / "cap-nhat-gia.edxml"
    update.write_bytes(envelope_for_document({**meta, "business_type": 2, "business_document_id": DOCUMENT_ID},
                                             [("gia.pdf", corpus.valid)], [HOME_AFFAIRS]))
    [row] = lines(run("exchange", "receive", update, "--json"))
    [forged] = row["inbox_ids"]
    rows = {r["id"]: r for r in lines(run("exchange", "inbox", "--json"))}
    assert rows[earlier[HOME_AFFAIRS][0]]["state"] == "accepted"
    assert rows[forged]["related_inbox_id"] is None  # not linked to the document of another sender
    refused = run("exchange", "accept", forged)
    assert refused.exit_code != 0
    with tx() as session:
        assert session.get(Document, earlier[HOME_AFFAIRS][1]).subject != "Giả mạo"


def test_recipients_reached_inside_the_installation_without_the_outbox(run, outgoing, trusted, tx, settings,
                                                                        session_factory, corpus):
    """The workflow's distribution puts an issued document straight into the inbox of agencies here
    (no outbox message): they are earlier recipients too, and their refusal (02) counts."""
    from recordsys.exchange import services as exchange
    from recordsys.ingest.services import DocumentChecker
    from recordsys.storage import LocalFileStorage

    storage = LocalFileStorage(settings["storage.path"])
    with tx() as session:  # as recordsys.workflow.distribution.distribute does
        data, _ = exchange.pack_document(session, storage, outgoing, [HOME_AFFAIRS, FINANCE])
        checked = exchange.check_envelope(data, DocumentChecker(settings), settings)
        assert checked.ok, checked.errors
        received = exchange.store_received(session, storage, checked, actor="vanthu", via="internal",
                                           only_orgs=[HOME_AFFAIRS, FINANCE], settings=settings)
    inbox = {r["organization"]: r["id"] for r in lines(run("exchange", "inbox", "--json"))}
    assert sorted(received["inbox_ids"]) == sorted(inbox.values())
    assert run("exchange", "refuse", inbox[FINANCE], "--reason", "Không thuộc thẩm quyền").exit_code == 0
    run_jobs(session_factory, settings)
    assert _outbox_count(tx) == 3  # only the receivers' statuses (01, 01, 02)
    refused = run("exchange", "send-update", outgoing, "--set", f"subject={NEW_SUBJECT}", "--to", FINANCE,
                  "--as", "vanthu")
    assert refused.exit_code != 0 and "đã từ chối" in refused.output
    sent = run("exchange", "send-update", outgoing, "--set", f"subject={NEW_SUBJECT}", "--as", "vanthu", "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["to"] == [HOME_AFFAIRS]
    run_jobs(session_factory, settings)
    [request] = [r for r in lines(run("exchange", "inbox", "--json")) if r["request"]]
    assert (request["organization"], request["related_inbox_id"]) == (HOME_AFFAIRS, inbox[HOME_AFFAIRS])
