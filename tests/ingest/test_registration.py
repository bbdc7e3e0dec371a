"""Registration: gapless numbers per agency, register and year, even with many clerks at once;
refused files quarantined; nothing half-written when anything fails."""
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from recordsys.core import audit
from recordsys.core.services import ValidationError, require_org
from recordsys.ingest.models import Document, QuarantinedFile, Register
from recordsys.ingest.registration import register_checked_file
from recordsys.search.models import IndexOutbox
from recordsys.storage import LocalFileStorage
from tests.common.factories import verdict_for

OFFICE = "000.00.01.H41"
TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def storage(settings):
    return LocalFileStorage(settings["storage.path"])


@pytest.fixture
def pdf(tmp_path):
    def make(name="cv.pdf", body=b"%PDF-1.7\n% test\n"):
        path = tmp_path / name
        path.write_bytes(body + name.encode())
        return path
    return make


def _register(tx, storage, path, accepted=True, direction="incoming", metadata=None, today=TODAY):
    with tx() as session:
        org = require_org(session, OFFICE)
        return register_checked_file(
            session, storage=storage, path=path, verdict=verdict_for(path, accepted), organization=org,
            direction=direction, actor="vanthu", today=today,
            metadata=metadata or {"subject": "Về việc giao đất đai cho hộ gia đình", "number_and_symbol": "15/QĐ-UBND"},
        )


def test_numbers_run_per_register_and_year(tx, demo, storage, pdf):
    first = _register(tx, storage, pdf("a.pdf"))
    second = _register(tx, storage, pdf("b.pdf"))
    outgoing = _register(tx, storage, pdf("c.pdf"), direction="outgoing")
    confidential = _register(tx, storage, pdf("d.pdf"), metadata={"subject": "Mật", "confidentiality": "mat"})
    next_year = _register(tx, storage, pdf("e.pdf"), today=dt.date(2027, 1, 2))
    assert (first.number, second.number, outgoing.number, confidential.number, next_year.number) == (1, 2, 1, 1, 1)
    assert confidential.register == "incoming-confidential"
    with tx() as session:
        doc = session.get(Document, second.document_id)
        assert doc.number_and_symbol == "15/QĐ-UBND" and doc.signer == "Nguyễn Văn An"
        assert doc.delivery_mode == "electronic" and doc.signature_status == "valid"
        assert storage.exists(doc.file.sha256)
        assert session.scalar(select(func.count()).select_from(IndexOutbox)) == 5
        assert audit.verify(session).intact


def test_refused_file_is_quarantined_not_numbered(tx, demo, storage, pdf):
    refused = _register(tx, storage, pdf("unsigned.pdf"), accepted=False)
    assert not refused.accepted and refused.number is None
    assert refused.reasons == ["Văn bản không có chữ ký số."]
    accepted = _register(tx, storage, pdf("signed.pdf"))
    assert accepted.number == 1  # the refusal consumed no number
    with tx() as session:
        row = session.get(QuarantinedFile, refused.quarantine_id)
        assert row.verdict["accepted"] is False and storage.exists(row.file.sha256)
        actions = [a for (a,) in session.execute(
            select(audit.AuditEvent.action).order_by(audit.AuditEvent.seq))]
        assert actions[-2:] == ["document.refuse", "document.register"]


def test_failure_after_numbering_leaves_no_gap_and_no_row(tx, demo, storage, pdf, monkeypatch):
    _register(tx, storage, pdf("one.pdf"))
    import recordsys.ingest.registration as registration

    def crash(*args, **kwargs):
        raise RuntimeError("killed mid-ingest")

    monkeypatch.setattr(registration.audit, "record", crash)
    with pytest.raises(RuntimeError):
        _register(tx, storage, pdf("two.pdf"))
    monkeypatch.undo()
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(Register.last_number)) == 1
        assert session.scalar(select(func.count()).select_from(IndexOutbox)) == 1
    assert _register(tx, storage, pdf("three.pdf")).number == 2


@pytest.mark.parametrize("bad,field", [
    ({"subject": "x", "number_and_symbol": "QĐ-UBND"}, "number_and_symbol"),
    ({"subject": "x", "issued_date": "15/03/2026"}, "issued_date"),
    ({"subject": "x", "confidentiality": "secret"}, "confidentiality"),
    ({"subject": "x", "delivery_mode": "fax"}, "delivery_mode"),
    ({"subject": "x", "nested": {"a": 1}}, "nested"),
])
def test_bad_metadata_names_the_field_and_writes_nothing(tx, demo, storage, pdf, bad, field):
    with pytest.raises(ValidationError) as err:
        _register(tx, storage, pdf("bad.pdf"), metadata=bad)
    assert err.value.field == field
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        assert session.scalar(select(func.count()).select_from(Register)) == 0


@pytest.mark.parametrize("database_url", ["postgresql", "sqlite"], indirect=True)
def test_concurrent_clerks_get_gapless_unique_numbers(tx, demo, storage, pdf):
    files = [pdf(f"song-song-{i}.pdf") for i in range(40)]
    results, errors = [], []

    def clerk(chunk):
        for path in chunk:
            try:
                results.append(_register(tx, storage, path).number)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(files[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 41))


KILL_SCRIPT = """
import datetime as dt, hashlib, os, sys
from pathlib import Path
from recordsys.config import load_settings
from recordsys.db import get_engine, get_session_factory, transaction_scope
from recordsys.core.services import require_org
from recordsys.ingest import registration
from recordsys.storage import LocalFileStorage

settings = load_settings({"sqlalchemy.url": sys.argv[1], "recordsys.data_dir": sys.argv[2]})
path = Path(sys.argv[3])
data = path.read_bytes()
verdict = {"sha256": hashlib.sha256(data).hexdigest(), "accepted": True, "reasons": [],
           "signature": {"status": "valid", "signatures": []}, "pdfa": {"compliant": True, "flavour": "2b"}}
registration.audit.record = lambda *a, **k: os._exit(9)  # killed after the number was taken
with transaction_scope(get_session_factory(get_engine(settings))) as session:
    registration.register_checked_file(session, storage=LocalFileStorage(settings["storage.path"]), path=path,
        verdict=verdict, organization=require_org(session, "000.00.01.H41"), direction="incoming",
        actor="vanthu", metadata={"subject": "Bị dừng giữa chừng"}, today=dt.date(2026, 3, 15))
"""


def test_kill_mid_registration_leaves_no_document_and_no_number(tx, demo, storage, pdf, settings):
    import subprocess
    import sys

    _register(tx, storage, pdf("truoc.pdf"))
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, settings["sqlalchemy.url"],
                           settings["recordsys.data_dir"], str(pdf("bi-giet.pdf"))], capture_output=True, timeout=60)
    assert done.returncode == 9, done.stderr.decode()[-500:]
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(Register.last_number)) == 1
    assert _register(tx, storage, pdf("sau.pdf")).number == 2
