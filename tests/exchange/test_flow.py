"""The exchange end to end through `recordsys exchange`: pack/unpack, receive into the inbox, accept
(one registered document, however often it arrives), refuse, the outbox and its exact bytes, delivery
with recorded attempts, the status history, and hostile envelopes leaving nothing behind."""
import hashlib
import json

from sqlalchemy import func, select

from recordsys.core import audit
from recordsys.core.audit import AuditEvent
from recordsys.exchange.models import DeliveryAttempt, InboxEntry, OutboxMessage
from recordsys.ingest.models import Document
from recordsys.jobs import run_next
from recordsys.storage.models import StoredFile
from tests.exchange.conftest import FINANCE, HOME_AFFAIRS, OFFICE

DOCUMENT_ID = f"{OFFICE},2026/11/27,125/UBND-VP"


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def run_jobs(session_factory, settings, limit=20):
    ran = 0
    while ran < limit and run_next(session_factory, settings) is not None:
        ran += 1
    return ran


def test_pack_unpack_round_trip(run, outgoing, corpus, tmp_path):
    out = tmp_path / "125-UBND-VP.edxml"
    packed = run("exchange", "pack", outgoing, "--to", HOME_AFFAIRS, "--to", FINANCE, "--out", out)
    assert packed.exit_code == 0, packed.output
    assert packed.stdout.strip() == DOCUMENT_ID
    [summary] = lines(run("exchange", "unpack", out, "--json"))
    assert summary["valid"] and summary["kind"] == "document"
    assert summary["document_id"] == DOCUMENT_ID and summary["from"] == OFFICE
    assert summary["to"] == [HOME_AFFAIRS, FINANCE]
    assert (summary["code_number"], summary["code_notation"]) == ("125", "UBND-VP")
    assert summary["subject"].startswith("Về việc triển khai chuyển đổi số")
    [attachment] = summary["attachments"]
    assert attachment["name"] == "125-UBND-VP.pdf" and attachment["content_type"] == "application/pdf"
    assert attachment["sha256"] == hashlib.sha256(corpus.valid.read_bytes()).hexdigest()


def test_receive_accept_registers_exactly_once(run, outgoing, trusted, tx, tmp_path):
    envelope = tmp_path / "den.edxml"
    assert run("exchange", "pack", outgoing, "--to", HOME_AFFAIRS, "--out", envelope).exit_code == 0
    received = run("exchange", "receive", envelope, "--json")
    assert received.exit_code == 0, received.output
    [first] = lines(received)
    assert first["accepted"] and first["document_id"] == DOCUMENT_ID and len(first["inbox_ids"]) == 1
    assert first["signature"]["status"] == "unsigned"  # the envelope; the PDF inside carries the signature
    assert [a["accepted"] for a in first["attachments"]] == [True]
    [inbox_id] = first["inbox_ids"]

    before = _counts(tx)
    [again] = lines(run("exchange", "receive", envelope, "--json"))
    assert again["inbox_ids"] == [] and again["duplicates"] == [inbox_id]
    assert _counts(tx) == before  # a duplicate leaves nothing new (no entry, no status, no file)

    [row] = lines(run("exchange", "inbox", "--org", HOME_AFFAIRS, "--json"))
    assert row["id"] == inbox_id and row["organization"] == HOME_AFFAIRS and row["from"] == OFFICE
    assert row["document_id"] == DOCUMENT_ID and row["state"] == "received" and row["verdict"]["accepted"]
    assert lines(run("exchange", "inbox", "--org", FINANCE, "--json")) == []

    accepted = run("exchange", "accept", inbox_id, "--json")
    assert accepted.exit_code == 0, accepted.output
    registered = json.loads(accepted.stdout)["registered_document_id"]
    second = run("exchange", "accept", inbox_id)
    assert second.exit_code != 0 and "accepted" in second.output
    assert lines(run("exchange", "receive", envelope, "--json"))[0]["duplicates"] == [inbox_id]
    with tx() as session:
        assert audit.verify(session).intact
        incoming = session.scalars(select(Document).where(Document.direction == "incoming")).all()
        assert [d.id for d in incoming] == [registered]
        assert incoming[0].number_and_symbol == "125/UBND-VP" and incoming[0].organization.code == HOME_AFFAIRS
        assert incoming[0].extra["edxml_document_id"] == DOCUMENT_ID
    statuses = [(m["status_code"], m["to"]) for m in lines(run("exchange", "outbox", "--org", HOME_AFFAIRS, "--json"))]
    assert statuses == [("01", [OFFICE]), ("03", [OFFICE])]


def test_send_deliver_statuses_refuse(run, outgoing, trusted, session_factory, settings, tx, tmp_path):
    sent = run("exchange", "send", outgoing, "--to", HOME_AFFAIRS, "--to", FINANCE, "--actor", "vanthu", "--json")
    assert sent.exit_code == 0, sent.output
    message = json.loads(sent.stdout)
    assert message["state"] == "queued" and message["kind"] == "document" and message["to"] == [HOME_AFFAIRS, FINANCE]
    [row] = lines(run("exchange", "outbox", "--json"))
    assert {k: row[k] for k in ("id", "kind", "to", "document_id", "status_code", "state", "attempts")} == {
        "id": message["id"], "kind": "document", "to": [HOME_AFFAIRS, FINANCE], "document_id": DOCUMENT_ID,
        "status_code": None, "state": "queued", "attempts": 0}
    exact = tmp_path / "gui-di.edxml"
    copied = run("exchange", "message", message["id"], "--out", exact)
    assert copied.exit_code == 0 and hashlib.sha256(exact.read_bytes()).hexdigest() == row["sha256"]

    run_jobs(session_factory, settings)  # the document, then the two statuses 01 it caused
    [document_message] = [m for m in lines(run("exchange", "outbox", "--org", OFFICE, "--json"))]
    assert document_message["state"] == "delivered" and document_message["attempts"] == 1
    inbox = {r["organization"]: r for r in lines(run("exchange", "inbox", "--json"))}
    assert set(inbox) == {HOME_AFFAIRS, FINANCE}
    with tx() as session:
        delivered = session.scalars(select(InboxEntry)).all()
        assert {e.envelope_sha256 for e in delivered} == {row["sha256"]}  # exactly the bytes sent

    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    per = {r["organ_id"]: [s["status_code"] for s in r["statuses"]] for r in history["recipients"]}
    assert per == {HOME_AFFAIRS: ["01"], FINANCE: ["01"]}

    assert run("exchange", "accept", inbox[HOME_AFFAIRS]["id"]).exit_code == 0
    no_reason = run("exchange", "refuse", inbox[FINANCE]["id"], "--reason", "  ")
    assert no_reason.exit_code != 0
    reason = "Văn bản gửi nhầm nơi nhận, đề nghị chuyển Sở Tài nguyên và Môi trường"
    assert run("exchange", "refuse", inbox[FINANCE]["id"], "--reason", reason).exit_code == 0
    run_jobs(session_factory, settings)
    history = json.loads(run("exchange", "status", outgoing, "--json").stdout)
    per = {r["organ_id"]: r["statuses"] for r in history["recipients"]}
    assert [s["status_code"] for s in per[HOME_AFFAIRS]] == ["01", "03"]
    assert [s["status_code"] for s in per[FINANCE]] == ["01", "02"]
    assert per[FINANCE][1]["description"] == reason and per[FINANCE][1]["occurred_at"]
    assert history["by_recipient"] == per
    by_edxml_id = json.loads(run("exchange", "status", DOCUMENT_ID, "--json").stdout)
    assert by_edxml_id["recipients"] == history["recipients"]
    messages = lines(run("exchange", "outbox", "--json"))
    assert sorted((m["kind"], m["status_code"]) for m in messages) == [
        ("document", None), ("status", "01"), ("status", "01"), ("status", "02"), ("status", "03")]
    assert {m["state"] for m in messages} == {"delivered"}
    with tx() as session:  # one recorded attempt each
        assert session.scalar(select(func.count()).select_from(DeliveryAttempt)) == len(messages)


def test_unknown_recipient_is_undeliverable(run, outgoing, session_factory, settings, tx):
    sent = run("exchange", "send", outgoing, "--to", "000.00.00.G22", "--json")
    assert sent.exit_code == 0, sent.output
    run_jobs(session_factory, settings)
    [row] = lines(run("exchange", "outbox", "--json"))
    assert row["state"] == "undeliverable" and row["attempts"] == 1 and "000.00.00.G22" in row["last_error"]


def test_axis_down_retries_then_fails(run, outgoing, session_factory, settings, tx):
    sent = json.loads(run("exchange", "send", outgoing, "--to", "000.00.00.G22", "--json").stdout)
    offline = {**settings, "exchange.axis_url": "http://127.0.0.1:9/axis", "exchange.timeout_seconds": "2",
               "jobs.max_attempts": "3"}
    assert run_jobs(session_factory, offline) == 3
    with tx() as session:
        message = session.get(OutboxMessage, sent["id"])
        assert message.state == "failed" and message.attempts == 3 and message.last_error
        assert [a.ok for a in message.attempt_log] == [False, False, False]
        assert all(a.transport == "axis" for a in message.attempt_log)


HOSTILE = [
    (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML>'),
    b"<edXML><unclosed>",
    b"\x00\x01 not xml at all",
]


def _counts(tx):
    with tx() as session:
        return [session.scalar(select(func.count()).select_from(t)) for t in
                (InboxEntry, OutboxMessage, StoredFile, AuditEvent, Document)]


def test_hostile_envelopes_leave_nothing(run, outgoing, tx, tmp_path):
    before = _counts(tx)
    files = []
    for i, data in enumerate(HOSTILE):
        files.append(tmp_path / f"doc-{i}.edxml")
        files[-1].write_bytes(data)
    result = run("exchange", "receive", *files, "--json")
    assert result.exit_code == 1
    rows = lines(result)
    assert len(rows) == 3 and all(not r["accepted"] and r["errors"] and r["inbox_ids"] == [] for r in rows)
    assert _counts(tx) == before


def test_envelope_for_nobody_here_is_refused(run, outgoing, tx, tmp_path):
    envelope = tmp_path / "g22.edxml"
    assert run("exchange", "pack", outgoing, "--to", "000.00.00.G22", "--out", envelope).exit_code == 0
    before = _counts(tx)
    result = run("exchange", "receive", envelope, "--json")
    assert result.exit_code == 1
    [row] = lines(result)
    assert not row["accepted"] and "000.00.00.G22" in row["errors"][0]
    assert _counts(tx) == before


def test_signed_envelope_verdict(run, outgoing, trusted, tmp_path):
    from recordsys.exchange.signing import sign_envelope

    plain = tmp_path / "plain.edxml"
    assert run("exchange", "pack", outgoing, "--to", HOME_AFFAIRS, "--out", plain).exit_code == 0
    signer = trusted.signers["good"]
    signed = tmp_path / "signed.edxml"
    signed.write_bytes(sign_envelope(plain.read_bytes(), signer.key_path.read_bytes(), signer.cert_path.read_bytes()))
    [row] = lines(run("exchange", "receive", signed, "--json"))
    assert row["accepted"] and row["signature"]["status"] == "signed-valid"
    tampered = tmp_path / "tampered.edxml"
    tampered.write_bytes(signed.read_bytes().replace("chuyển đổi số".encode(), b"chuyen doi so", 1))
    [row] = lines(run("exchange", "receive", tampered, "--json"))
    assert row["signature"]["status"] == "signed-invalid" and row["duplicates"]  # same DocumentId: not twice


def test_revocation_and_repeated_status(run, outgoing, trusted, tmp_path, tx, corpus):
    from recordsys.exchange.pack import envelope_for_document

    original = tmp_path / "goc.edxml"
    assert run("exchange", "pack", outgoing, "--to", HOME_AFFAIRS, "--out", original).exit_code == 0
    [received] = lines(run("exchange", "receive", original, "--json"))
    meta = {"sender_id": OFFICE, "sender_name": "Văn phòng UBND tỉnh Khánh Hòa", "code_number": "130",
            "code_notation": "UBND-VP", "promulgation_date": "2026-11-28", "document_type": 18,
            "subject": "Thu hồi Công văn số 125/UBND-VP", "business_type": 1,
            "business_reason": "Ban hành nhầm đối tượng",
            "response_for": [{"organ_id": OFFICE, "code": "125/UBND-VP", "promulgation_date": "2026-11-27",
                              "document_id": DOCUMENT_ID}]}
    revocation = tmp_path / "thu-hoi.edxml"
    revocation.write_bytes(envelope_for_document(meta, [("130-UBND-VP.pdf", corpus.valid)], [HOME_AFFAIRS]))
    [revoked] = lines(run("exchange", "receive", revocation, "--json"))
    assert revoked["accepted"] and revoked["revoked"] == received["inbox_ids"] and revoked["inbox_ids"] == []
    [row] = lines(run("exchange", "inbox", "--org", HOME_AFFAIRS, "--json"))
    assert row["state"] == "revoked" and row["id"] == received["inbox_ids"][0]
    assert run("exchange", "accept", row["id"]).exit_code != 0

    status_file = tmp_path / "01.edxml"
    [status_message] = [m for m in lines(run("exchange", "outbox", "--json")) if m["status_code"] == "01"]
    assert run("exchange", "message", status_message["id"], "--out", status_file).exit_code == 0
    first = lines(run("exchange", "receive", status_file, "--json"))[0]
    second = lines(run("exchange", "receive", status_file, "--json"))[0]
    assert first["kind"] == "status" and second["duplicates"] == [first["status_id"]]
    history = json.loads(run("exchange", "status", DOCUMENT_ID, "--json").stdout)
    assert [s["status_code"] for s in history["recipients"][0]["statuses"]] == ["01"]


def test_unsigned_attachment_cannot_be_accepted_only_refused(run, demo, trusted, tmp_path, corpus, tx):
    from recordsys.exchange.pack import envelope_for_document

    meta = {"sender_id": "000.00.00.G22", "sender_name": "Văn phòng Chính phủ", "code_number": "7816",
            "code_notation": "VPCP-TTĐT", "promulgation_date": "2026-11-27", "document_type": 18,
            "subject": "Về việc kết nối, liên thông văn bản điện tử"}
    path = tmp_path / "khong-ky.edxml"
    path.write_bytes(envelope_for_document(meta, [("7816.pdf", corpus.unsigned)], [HOME_AFFAIRS]))
    [row] = lines(run("exchange", "receive", path, "--json"))
    assert row["accepted"] and row["attachments"][0]["accepted"] is False and row["attachments"][0]["reasons"]
    [inbox_id] = row["inbox_ids"]
    refused = run("exchange", "accept", inbox_id)
    assert refused.exit_code != 0 and "không đạt kiểm tra tiếp nhận" in refused.output
    assert run("exchange", "refuse", inbox_id, "--reason", "Văn bản chưa được ký số").exit_code == 0
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    codes = [m["status_code"] for m in lines(run("exchange", "outbox", "--json"))]
    assert codes == ["01", "02"]


def test_outgoing_envelopes_are_signed_when_configured(settings, outgoing, trusted, session_factory, tmp_path):
    from click.testing import CliRunner

    from recordsys.cli import main
    from recordsys.exchange.signing import verify_envelope

    signer = trusted.signers["good"]
    runner = CliRunner(env={"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"],
                            "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"],
                            "RECORDSYS_EXCHANGE__SIGNING_KEY": str(signer.key_path),
                            "RECORDSYS_EXCHANGE__SIGNING_CERT": str(signer.cert_path)})

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    sent = json.loads(run("exchange", "send", outgoing, "--to", HOME_AFFAIRS, "--json").stdout)
    exact = tmp_path / "signed.edxml"
    assert run("exchange", "message", sent["id"], "--out", exact).exit_code == 0
    assert verify_envelope(exact.read_bytes()).status == "signed-valid"
    run_jobs(session_factory, settings)
    [entry] = lines(run("exchange", "inbox", "--json"))
    assert entry["verdict"]["signature"]["status"] == "signed-valid"
    packed = tmp_path / "packed.edxml"
    assert run("exchange", "pack", outgoing, "--to", FINANCE, "--out", packed).exit_code == 0
    assert verify_envelope(packed.read_bytes()).status == "signed-valid"
