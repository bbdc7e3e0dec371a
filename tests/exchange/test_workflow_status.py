"""Statuses 04 (assigned), 05 (processing) and 06 (completed) go back to the original sender when the
workflow acts on a document that came through exchange; the workflow only calls its listeners."""
import hashlib

from sqlalchemy import select

from recordsys.exchange.models import InboxEntry, OutboxMessage, StatusRecord
from tests.exchange.conftest import HOME_AFFAIRS, OFFICE


def _register(tx, settings, corpus, org_code, number, subject, direction="outgoing"):
    from recordsys.core.services import require_org
    from recordsys.ingest.registration import register_checked_file
    from recordsys.storage import LocalFileStorage

    path = corpus.valid
    verdict = {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "size": path.stat().st_size,
               "signature": {"status": "valid", "signatures": [{"signer": "Lê Thị Bích Ngọc"}]},
               "pdfa": {"compliant": True, "flavour": "2b", "failed_rules": []}, "accepted": True, "reasons": []}
    with tx() as session:
        return register_checked_file(
            session, storage=LocalFileStorage(settings["storage.path"]), path=path, verdict=verdict,
            organization=require_org(session, org_code), direction=direction, actor="vanthu",
            original_name="van-ban.pdf", extracted={"page_count": 1, "text": subject},
            metadata={"subject": subject, "number_and_symbol": number, "issued_date": "2026-11-27",
                      "type_name": "Công văn", "signer": "Lê Thị Bích Ngọc"}).document_id


def test_assign_and_complete_send_04_05_06_to_the_sender(run, trusted, corpus, tx, settings):
    letter = _register(tx, settings, corpus, HOME_AFFAIRS, "57/SNV-CCVC",
                       "Về việc đề nghị góp ý dự thảo quy chế công tác văn thư, lưu trữ")
    assert run("exchange", "send", letter, "--to", OFFICE).exit_code == 0
    assert run("exchange", "deliver").exit_code == 0
    with tx() as session:
        inbox_id = session.scalar(select(InboxEntry.id))
    accepted = run("exchange", "accept", inbox_id, "--actor", "vanthu")
    assert accepted.exit_code == 0, accepted.output
    with tx() as session:
        registered = session.get(InboxEntry, inbox_id).registered_document_id
    assigned = run("workflow", "assign", registered, "--to", "chuyenvien", "--as", "lanhdao")
    assert assigned.exit_code == 0, assigned.output
    done = run("workflow", "done", registered, "--result", "Đã góp ý bằng Công văn số 131/UBND-VP", "--as",
               "chuyenvien")
    assert done.exit_code == 0, done.output
    assert run("workflow", "done", registered, "--result", "Lần nữa", "--as", "chuyenvien").exit_code == 1
    for _ in range(2):
        assert run("exchange", "deliver").exit_code == 0
    with tx() as session:
        codes = session.scalars(select(StatusRecord.status_code).where(StatusRecord.recipient == OFFICE)
                                .order_by(StatusRecord.id)).all()
        described = session.scalars(select(StatusRecord.description).where(StatusRecord.status_code == "06")).all()
    assert codes == ["01", "03", "04", "05", "06"]
    assert described == ["Đã hoàn thành / Completed"]


def test_documents_not_from_exchange_send_nothing(run, corpus, tx, settings, demo, verapdf_home):
    incoming = _register(tx, settings, corpus, OFFICE, "12/SYT-KHTC", "Về việc báo cáo tình hình y tế",
                         direction="incoming")
    assert run("workflow", "assign", incoming, "--to", "chuyenvien", "--as", "lanhdao").exit_code == 0
    with tx() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_notify_status_once_per_code(run, trusted, corpus, tx, settings):
    from recordsys.exchange.services import notify_status
    from recordsys.storage import LocalFileStorage

    letter = _register(tx, settings, corpus, HOME_AFFAIRS, "58/SNV-CCVC", "Về việc cử cán bộ dự họp")
    run("exchange", "send", letter, "--to", OFFICE)
    run("exchange", "deliver")
    with tx() as session:
        inbox_id = session.scalar(select(InboxEntry.id))
    run("exchange", "accept", inbox_id, "--actor", "vanthu")
    storage = LocalFileStorage(settings["storage.path"])
    with tx() as session:
        registered = session.get(InboxEntry, inbox_id).registered_document_id
        assert notify_status(session, registered, "04", storage=storage, settings=settings) is not None
        assert notify_status(session, registered, "04", storage=storage, settings=settings) is None
        assert notify_status(session, registered + 1000, "05", storage=storage, settings=settings) is None
