"""Requests about an earlier document (update 2, replacement 3, take-back 13) and the statuses a clerk
sends by hand (04, 05, 06, 13, 15, 16), through `recordsys exchange`: each request is linked to the
earlier document of the receiving agency, agreeing (15) applies it (audited), refusing (16) leaves
the document as it was, and every answer reaches the original sender."""
import dataclasses
import json

import pytest
from sqlalchemy import select

from recordsys.core import audit
from recordsys.core.audit import AuditEvent
from recordsys.exchange import rules
from recordsys.exchange.codes import BusinessDocType, StatusCode
from recordsys.exchange.edxml import write_document_envelope
from recordsys.exchange.model import Attachment, Business, SignerInfo, UpdateInfo
from recordsys.ingest.models import Document
from tests.exchange import samples
from tests.exchange.conftest import FINANCE, HOME_AFFAIRS, OFFICE
from tests.exchange.test_flow import lines, run_jobs

ORIGINAL_ID = "000.00.00.H41,2026/11/28,15/QĐ-UBND"


def _write(tmp_path, name, env):
    path = tmp_path / name
    path.write_bytes(write_document_envelope(env, now=samples.NOW))
    return path


def _original(corpus):
    """Decision 15/QĐ-UBND of the provincial People's Committee to the Department of Home Affairs."""
    return samples.document(recipients=(samples.SO_NOI_VU,), attachments=(
        Attachment("15-QĐ-UBND.pdf", "application/pdf", corpus.valid.read_bytes(), "Quyết định (bản ký số)"),))


def _received_and_accepted(run, corpus, tmp_path):
    [row] = lines(run("exchange", "receive", _write(tmp_path, "15.edxml", _original(corpus)), "--json"))
    [inbox_id] = row["inbox_ids"]
    accepted = run("exchange", "accept", inbox_id, "--json")
    assert accepted.exit_code == 0, accepted.output
    return inbox_id, json.loads(accepted.stdout)["registered_document_id"]


def _outbox_codes(run, org=HOME_AFFAIRS):
    return [m["status_code"] for m in lines(run("exchange", "outbox", "--org", org, "--json"))]


def test_rules_for_the_receiver():
    assert rules.receiver_codes("received", None) == ()
    assert rules.receiver_codes("refused", None) == ()
    assert rules.receiver_codes("accepted", None, ["01", "03"]) == rules.PROGRESS
    assert rules.receiver_codes("accepted", None, ["01", "03", "05"]) == (StatusCode.COMPLETED,)
    assert rules.receiver_codes("accepted", None, ["01", "03", "04", "05", "06"]) == ()
    assert rules.receiver_codes("revoked", None, ["01", "03"]) == ()
    for request in ("update", "replace", "take_back"):
        assert rules.receiver_codes("received", request) == (StatusCode.REQUEST_AGREED, StatusCode.REQUEST_REFUSED)
        assert rules.receiver_codes("accepted", request) == ()


def test_rules_for_the_sender():
    assert rules.sender_codes(False, []) == ()
    assert rules.sender_codes(True, []) == (StatusCode.REVOKE_REQUESTED,)
    assert rules.sender_codes(True, ["01", "03", "05"]) == (StatusCode.REVOKE_REQUESTED,)
    assert rules.sender_codes(True, ["01", "02"]) == ()  # it refused the document
    assert rules.sender_codes(True, ["01", "03", "13"]) == ()  # waiting for its answer
    assert rules.sender_codes(True, ["01", "03", "13", "16"]) == (StatusCode.REVOKE_REQUESTED,)  # may ask again
    assert rules.sender_codes(True, ["01", "03", "13", "15"]) == ()  # given back


def test_update_is_linked_refused_then_applied(run, demo, trusted, corpus, tx, tmp_path):
    earlier_id, registered = _received_and_accepted(run, corpus, tmp_path)
    subject = "Về việc thành lập Đoàn kiểm tra công tác văn thư, lưu trữ năm 2026 (đính chính thành phần Đoàn)"
    update = dataclasses.replace(
        _original(corpus), subject=subject, signer=SignerInfo("Trần Quốc Hùng", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
        business=Business(BusinessDocType.UPDATE, "Đính chính trích yếu và người ký", update=UpdateInfo(True)))
    first = _write(tmp_path, "cap-nhat-1.edxml", update)
    [row] = lines(run("exchange", "receive", first, "--json"))
    assert row["accepted"] and len(row["inbox_ids"]) == 1 and row["duplicates"] == []  # same DocumentId, not a duplicate
    [request_id] = row["inbox_ids"]
    [again] = lines(run("exchange", "receive", first, "--json"))
    assert again["inbox_ids"] == [] and again["duplicates"] == [request_id]

    entries = {r["id"]: r for r in lines(run("exchange", "inbox", "--org", HOME_AFFAIRS, "--json"))}
    shown = entries[request_id]
    assert (shown["business_type"], shown["request"], shown["related_inbox_id"]) == (2, "update", earlier_id)
    assert shown["document_id"] == ORIGINAL_ID and entries[earlier_id]["business_type"] == 0
    changed = {c["field"]: (c["old"], c["new"]) for c in shown["verdict"]["request"]["changes"]}
    assert changed == {"subject": (samples.document().subject, subject), "signer": ("Nguyễn Văn Đức", "Trần Quốc Hùng")}
    human = run("exchange", "inbox", "--org", HOME_AFFAIRS)
    assert "Cập nhật văn bản" in human.stdout

    not_now = run("exchange", "send-status", registered, "--code", "16", "--inbox", 999)
    assert not_now.exit_code != 0
    no_reason = run("exchange", "send-status", registered, "--code", "16")
    assert no_reason.exit_code != 0 and "cần lý do" in no_reason.output
    refused = run("exchange", "send-status", registered, "--code", "16", "--description",
                  "Đề nghị ban hành văn bản đính chính theo đúng thể thức", "--as", "vanthu", "--json")
    assert refused.exit_code == 0, refused.output
    assert json.loads(refused.stdout)["state"] == "refused"
    with tx() as session:
        document = session.get(Document, registered)
        assert document.subject == samples.document().subject and document.signer == "Nguyễn Văn Đức"

    second = _write(tmp_path, "cap-nhat-2.edxml", dataclasses.replace(
        update, business=dataclasses.replace(update.business, reason="Đính chính lần 2")))
    [row] = lines(run("exchange", "receive", second, "--json"))
    [request_id] = row["inbox_ids"]
    agreed = run("exchange", "accept", request_id, "--actor", "vanthu", "--json")
    assert agreed.exit_code == 0, agreed.output
    result = json.loads(agreed.stdout)
    assert result["status_code"] == "15" and result["registered_document_id"] == registered
    with tx() as session:
        document = session.get(Document, registered)
        assert document.subject == subject and document.signer == "Trần Quốc Hùng"
        assert document.number_and_symbol == "15/QĐ-UBND"
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "exchange.inbox.update.agree")).all()
        assert event.actor == "vanthu" and event.object_id == str(request_id)
        assert audit.verify(session).intact
    assert _outbox_codes(run) == ["01", "03", "16", "15"]
    assert run("exchange", "accept", request_id).exit_code != 0  # answered once


def test_replacement_keeps_the_old_file_readable(run, demo, trusted, corpus, tx, tmp_path):
    earlier_id, registered = _received_and_accepted(run, corpus, tmp_path)
    replacement = dataclasses.replace(
        _original(corpus), code_number="16", document_id="",
        subject="Về việc thành lập Đoàn kiểm tra công tác văn thư, lưu trữ năm 2026 (thay thế Quyết định 15/QĐ-UBND)",
        business=Business(BusinessDocType.REPLACE, "Thay thế do sai thành phần Đoàn",
                          replaced_document_ids=(ORIGINAL_ID,)),
        attachments=(Attachment("16-QĐ-UBND.pdf", "application/pdf", corpus.two_signatures.read_bytes()),))
    [row] = lines(run("exchange", "receive", _write(tmp_path, "thay-the.edxml", replacement), "--json"))
    [request_id] = row["inbox_ids"]
    [shown] = [r for r in lines(run("exchange", "inbox", "--org", HOME_AFFAIRS, "--json")) if r["id"] == request_id]
    assert (shown["business_type"], shown["related_inbox_id"]) == (3, earlier_id)
    assert shown["verdict"]["request"]["replaced"] == [ORIGINAL_ID]

    with tx() as session:
        old_sha = session.get(Document, registered).file.sha256
    assert run("exchange", "accept", request_id, "--json").exit_code == 0
    with tx() as session:
        document = session.get(Document, registered)
        assert document.number_and_symbol == "16/QĐ-UBND" and document.original_name == "16-QĐ-UBND.pdf"
        assert document.file.sha256 != old_sha
        assert [v["sha256"] for v in document.extra["versions"]] == [old_sha]
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "exchange.inbox.replace.agree")).all()
    out = tmp_path / "phien-ban"
    versions = lines(run("exchange", "versions", registered, "--out-dir", out, "--json"))
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]
    assert (out / "v1.pdf").read_bytes() == corpus.valid.read_bytes()
    assert (out / "v2.pdf").read_bytes() == corpus.two_signatures.read_bytes()
    assert _outbox_codes(run) == ["01", "03", "15"]


def test_request_before_the_earlier_document_is_registered(run, demo, trusted, corpus, tx, tmp_path):
    [row] = lines(run("exchange", "receive", _write(tmp_path, "15.edxml", _original(corpus)), "--json"))
    [earlier_id] = row["inbox_ids"]
    replacement = dataclasses.replace(_original(corpus), code_number="16", business=Business(
        BusinessDocType.REPLACE, "Thay thế", replaced_document_ids=(ORIGINAL_ID,)))
    [request] = lines(run("exchange", "receive", _write(tmp_path, "tt.edxml", replacement), "--json"))
    refused = run("exchange", "accept", request["inbox_ids"][0])
    assert refused.exit_code != 0 and "chưa được vào sổ" in refused.output
    assert run("exchange", "refuse", request["inbox_ids"][0], "--reason", "Chưa vào sổ văn bản gốc").exit_code == 0
    with tx() as session:
        assert session.scalars(select(Document)).all() == []

    subject = "Về việc thành lập Đoàn kiểm tra công tác văn thư, lưu trữ năm 2026 (đính chính)"
    update = dataclasses.replace(_original(corpus), subject=subject,
                                 business=Business(BusinessDocType.UPDATE, "Đính chính trích yếu"))
    [request] = lines(run("exchange", "receive", _write(tmp_path, "cn.edxml", update), "--json"))
    agreed = run("exchange", "accept", request["inbox_ids"][0], "--json")
    assert agreed.exit_code == 0, agreed.output
    assert [c["field"] for c in json.loads(agreed.stdout)["changes"]] == ["subject"]
    registered = json.loads(run("exchange", "accept", earlier_id, "--json").stdout)["registered_document_id"]
    with tx() as session:  # registered with the updated subject
        assert session.get(Document, registered).subject == subject
    assert _outbox_codes(run) == ["01", "16", "15", "03"]


def test_take_back_and_handling_statuses_reach_the_sender(run, outgoing, trusted, session_factory, settings, tx):
    assert run("exchange", "send", outgoing, "--to", HOME_AFFAIRS, "--to", FINANCE, "--json").exit_code == 0
    run_jobs(session_factory, settings)
    inbox = {r["organization"]: r["id"] for r in lines(run("exchange", "inbox", "--json"))}
    registered = {org: json.loads(run("exchange", "accept", i, "--json").stdout)["registered_document_id"]
                  for org, i in inbox.items()}

    before = run("exchange", "send-status", registered[FINANCE], "--code", "13", "--description", "x")
    assert before.exit_code != 0  # the receiver does not ask itself to take back
    too_early = run("exchange", "send-status", registered[FINANCE], "--code", "15")
    assert too_early.exit_code != 0 and "không gửi được" in too_early.output
    assert run("exchange", "send-status", registered[FINANCE], "--code", "05", "--as", "vanthu").exit_code == 0
    backwards = run("exchange", "send-status", registered[FINANCE], "--code", "04")
    assert backwards.exit_code != 0 and "06" in backwards.output
    wrong_to = run("exchange", "send-status", registered[FINANCE], "--code", "06", "--to", HOME_AFFAIRS)
    assert wrong_to.exit_code != 0

    no_reason = run("exchange", "send-status", outgoing, "--code", "13")
    assert no_reason.exit_code != 0
    reason = "Thu hồi để sửa lỗi thể thức, sẽ ban hành lại"
    asked = run("exchange", "send-status", outgoing, "--code", "13", "--description", reason, "--as", "vanthu", "--json")
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.stdout)["to"] == [HOME_AFFAIRS, FINANCE]
    twice = run("exchange", "send-status", outgoing, "--code", "13", "--description", reason)
    assert twice.exit_code != 0  # their answers are pending
    run_jobs(session_factory, settings)
    requests = {r["organization"]: r for r in lines(run("exchange", "inbox", "--json")) if r["request"]}
    assert set(requests) == {HOME_AFFAIRS, FINANCE}
    assert all(r["business_type"] == 1 and r["verdict"]["request"]["reason"] == reason for r in requests.values())
    assert requests[HOME_AFFAIRS]["related_inbox_id"] == inbox[HOME_AFFAIRS]

    allowed = json.loads(run("exchange", "status", registered[HOME_AFFAIRS], "--json").stdout)["allowed"]
    assert allowed["requests"] == [{"inbox_id": requests[HOME_AFFAIRS]["id"], "request": "take_back",
                                    "codes": ["15", "16"]}]
    assert run("exchange", "send-status", registered[HOME_AFFAIRS], "--code", "15").exit_code == 0
    assert run("exchange", "send-status", registered[FINANCE], "--code", "16", "--description",
               "Văn bản đã được triển khai thực hiện").exit_code == 0
    assert run("exchange", "send-status", registered[FINANCE], "--code", "06").exit_code == 0
    run_jobs(session_factory, settings)

    states = {r["id"]: r["state"] for r in lines(run("exchange", "inbox", "--json"))}
    assert states[inbox[HOME_AFFAIRS]] == "revoked" and states[inbox[FINANCE]] == "accepted"
    with tx() as session:  # the record is kept
        assert session.get(Document, registered[HOME_AFFAIRS]) is not None
    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    per = {r["organ_id"]: r for r in history["recipients"]}
    assert [s["status_code"] for s in per[HOME_AFFAIRS]["statuses"]] == ["01", "03", "15"]
    assert [s["status_code"] for s in per[FINANCE]["statuses"]] == ["01", "03", "05", "16", "06"]
    assert per[FINANCE]["statuses"][3]["description"] == "Văn bản đã được triển khai thực hiện"
    assert [r["status_code"] for r in per[HOME_AFFAIRS]["requests"]] == ["13"]
    assert history["allowed"]["sender"] == {HOME_AFFAIRS: [], FINANCE: ["13"]}
    assert run("exchange", "status", outgoing).exit_code == 0


@pytest.mark.parametrize("code", ["01", "02", "03", "99"])
def test_codes_not_sent_by_hand(run, outgoing, code):
    result = run("exchange", "send-status", outgoing, "--code", code)
    assert result.exit_code != 0


def test_service_explains_in_vietnamese(tx, outgoing, settings):
    from recordsys.exchange.requests import send_status
    from recordsys.exchange.services import ExchangeError
    from recordsys.storage import LocalFileStorage

    with tx() as session, pytest.raises(ExchangeError) as caught:
        send_status(session, LocalFileStorage(settings["storage.path"]), outgoing, "03", actor="vanthu")
    assert "use accept" in str(caught.value) and "vào sổ" in caught.value.localized("vi")
    with tx() as session, pytest.raises(ExchangeError) as caught:
        send_status(session, LocalFileStorage(settings["storage.path"]), outgoing, "05", actor="vanthu")
    assert "không gửi được" in caught.value.localized("vi") and OFFICE  # not received through exchange


def test_workflow_statuses_only_go_forward_after_one_sent_by_hand(run, demo, trusted, corpus, tx, tmp_path, settings):
    from recordsys.exchange.services import notify_status
    from recordsys.storage import LocalFileStorage

    _, registered = _received_and_accepted(run, corpus, tmp_path)
    assert run("exchange", "send-status", registered, "--code", "05", "--as", "vanthu").exit_code == 0
    storage = LocalFileStorage(settings["storage.path"])
    with tx() as session:
        assert notify_status(session, registered, "04", storage=storage, settings=settings) is None
        assert notify_status(session, registered, "06", storage=storage, settings=settings) is not None
    assert _outbox_codes(run) == ["01", "03", "05", "06"]


def test_take_back_of_a_document_not_yet_registered(run, demo, trusted, corpus, tx, tmp_path):
    from recordsys.exchange.edxml import write_status_envelope

    [row] = lines(run("exchange", "receive", _write(tmp_path, "15.edxml", _original(corpus)), "--json"))
    [earlier_id] = row["inbox_ids"]
    ask = samples.status(sender=samples.KHANH_HOA, status_code="13", staff=None,
                         description="Đề nghị thu hồi Quyết định 15/QĐ-UBND do ban hành nhầm",
                         recipients=(samples.SO_NOI_VU,), traces=())
    path = tmp_path / "13.edxml"
    path.write_bytes(write_status_envelope(ask))
    [summary] = lines(run("exchange", "unpack", path, "--json"))
    assert (summary["kind"], summary["status_code"], summary["to"]) == ("status", "13", [HOME_AFFAIRS])
    [taken] = lines(run("exchange", "receive", path, "--json"))
    assert taken["accepted"] and taken["kind"] == "status" and len(taken["inbox_ids"]) == 1
    [again] = lines(run("exchange", "receive", path, "--json"))
    assert again["duplicates"] == taken["inbox_ids"]
    stray = tmp_path / "13-khac.edxml"
    stray.write_bytes(write_status_envelope(dataclasses.replace(ask, response_for=dataclasses.replace(
        ask.response_for, document_id="000.00.00.H41,2026/11/28,99/QĐ-UBND"))))
    refused = run("exchange", "receive", stray, "--json")
    assert refused.exit_code == 1 and lines(refused)[0]["inbox_ids"] == []

    agreed = run("exchange", "accept", taken["inbox_ids"][0], "--json")
    assert agreed.exit_code == 0, agreed.output
    assert json.loads(agreed.stdout)["revoked_inbox_id"] == earlier_id
    states = {r["id"]: r["state"] for r in lines(run("exchange", "inbox", "--json"))}
    assert states == {earlier_id: "revoked", taken["inbox_ids"][0]: "accepted"}
    assert run("exchange", "accept", earlier_id).exit_code != 0
    assert _outbox_codes(run) == ["01", "15"]
    with tx() as session:
        assert session.scalars(select(Document)).all() == []
