"""The work a fault-injection run kills: ``python -m tests.faults.workload SCENARIO``.

Runs real recordsys services, wired by the real composition root, against the database and data
folder of ``RECORDSYS_DATABASE_URL`` / ``RECORDSYS_DATA_DIR``, one unit of work after another until
it is killed. Each unit is one committed transaction (or a job), so a SIGKILL lands at a random
point inside or between them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

OFFICE = "000.00.01.H41"


def _app():
    from recordsys.cli.context import AppEnv

    return AppEnv()


def _pdf(folder: Path, label: str) -> Path:
    path = folder / f"{hashlib.sha256(label.encode()).hexdigest()[:16]}.pdf"
    path.write_bytes(b"%PDF-1.7\n% " + label.encode() + b"\n" + os.urandom(2048) + b"\n%%EOF\n")
    return path


def _verdict(path: Path) -> dict:
    data = path.read_bytes()
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "accepted": True,
            "reasons": [], "signature": {"status": "valid", "signatures": [{"signer": "Nguyễn Văn An"}]},
            "pdfa": {"compliant": True, "flavour": "2b", "failed_rules": []}}


def register_one(env, folder: Path, label: str) -> int:
    from recordsys.core.services import require_org
    from recordsys.ingest.registration import register_checked_file

    path = _pdf(folder, label)
    with env.transaction() as session:
        result = register_checked_file(
            session, storage=env.storage, path=path, verdict=_verdict(path),
            organization=require_org(session, OFFICE), direction="incoming", actor="vanthu",
            metadata={"subject": f"Công văn về đất đai {label}", "number_and_symbol": "15/QĐ-UBND"},
            extracted={"text": f"giao đất đai {label}"})
    return result.document_id


def registration(env, folder: Path, n: int) -> None:
    register_one(env, folder, f"{os.getpid()}-{n}")


def handover(env, folder: Path, n: int) -> None:
    """Open a dossier, add a document, close it, hand it over and accept it (two locations)."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.building import add_documents, close, open_dossier
    from recordsys.dossiers.transfer import accept_transfer, create_transfer

    document_id = register_one(env, folder, f"hs-{os.getpid()}-{n}")
    with env.transaction() as session:
        org = require_org(session, OFFICE)
        dossier = open_dossier(session, organization=org, year=2026, plan_code=f"{os.getpid() % 10000}.{n}.VP",
                               title=f"Hồ sơ giao đất số {n}", retention="10", actor="luutru")
        add_documents(session, dossier, [document_id], "luutru")
        close(session, dossier, "luutru")
        dossier_id = dossier.id
    with tempfile.TemporaryDirectory() as tmp, env.transaction() as session:
        batch = create_transfer(session, require_org(session, OFFICE), [dossier_id], "luutru", env.storage, Path(tmp))
        batch_id = batch.id
    from recordsys.dossiers.models import TransferBatch

    with env.transaction() as session:
        accept_transfer(session, env.settings, session.get(TransferBatch, batch_id), "luutru", env.storage)


def bagging(env, folder: Path, n: int) -> None:
    from recordsys.core.services import require_org
    from recordsys.preservation.bagging import PayloadFile
    from recordsys.preservation.services import store_package

    files = [_pdf(folder, f"bag-{os.getpid()}-{n}-{i}") for i in range(3)]
    payload = [PayloadFile(path, f"originals/{i + 1:04d}.pdf") for i, path in enumerate(files)]
    name = f"FAULT-{os.getpid()}-{n}"
    with env.transaction() as session:
        store_package(session, env.settings, organization=require_org(session, OFFICE), name=name,
                      external_identifier=name, source="dossier", source_id=None, payload=payload,
                      tag_files={"metadata/dossier.xml": "<HoSo><TieuDe>Hồ sơ đất đai</TieuDe></HoSo>".encode()},
                      actor="luutru")


def outbox(env, folder: Path, n: int) -> None:
    """Registrations whose index updates are applied right after each commit (the outbox)."""
    register_one(env, folder, f"ob-{os.getpid()}-{n}")


def jobs(env, folder: Path, n: int) -> None:
    """A worker consuming the queue (the harness queues the jobs); killed while it runs them."""
    from recordsys.jobs.queue import IJobQueue

    env.find_service(IJobQueue).consumer(workers=1, periodic=False).run()


SCENARIOS = {"registration": registration, "handover": handover, "bagging": bagging, "outbox": outbox,
             "jobs": jobs}


def main(scenario: str) -> None:
    env = _app()
    env.session_factory  # noqa: B018 - wired and connected before "ready"
    work = SCENARIOS[scenario]
    print("ready", flush=True)
    with tempfile.TemporaryDirectory(prefix="recordsys-fault-") as tmp:
        n = 0
        while True:
            work(env, Path(tmp), n)
            print(f"done {n} {dt.datetime.now().isoformat()}", flush=True)
            n += 1
            time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1])
