"""Fault injection: real ``recordsys`` processes on PostgreSQL killed with SIGKILL at random points.

For each kill: start the scenario's workload (``tests.faults.workload``) as its own process, let it
run a random while, SIGKILL it, run the recovery commands the README documents (``preservation
audit --all``, ``search sync``, ``storage sweep``, ``jobs work --once``), then check every
invariant. :func:`run` returns what was found; ``bench/faults.py`` prints the table for 50 kills a
scenario, the tests run a few.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Summary:
    scenario: str
    kills: int = 0
    units_done: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def inconsistencies(self) -> int:
        return len(self.problems)


def _cli(env: dict, *args) -> str:
    from recordsys.cli import main

    result = CliRunner().invoke(main, ["--lang", "en", *map(str, args)], catch_exceptions=False)
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"recordsys {' '.join(map(str, args))} exited {result.exit_code}: {result.output}")
    return result.output


def _workload(env: dict, scenario: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.faults.workload", scenario], cwd=REPO,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _queue_jobs(env: dict, count: int) -> None:
    """Queue jobs whose single side effect (a line in a file) counts how often each one took effect."""
    import uuid

    from recordsys.cli.context import AppEnv
    from recordsys.jobs import enqueue

    app = AppEnv()
    with app.transaction() as session:
        for _ in range(count):
            enqueue(session, "fault.effect", {"dir": env["RECORDSYS_DATA_DIR"], "token": uuid.uuid4().hex},
                    "harness")


def check(env: dict, scenario: str) -> list[str]:
    """Every invariant the issue names, after recovery; returns the problems found (none is good)."""
    from sqlalchemy import func, select

    from recordsys.cli.context import AppEnv
    from recordsys.ingest.models import Document, Register
    from recordsys.preservation.bagcheck import verify_bag
    from recordsys.preservation.models import Package, PackageCopy, StorageLocation
    from recordsys.search.interfaces import SearchRequest, Viewer
    from recordsys.search.query import parse_query
    from recordsys.storage.models import StoredFile

    problems = []
    _cli(env, "preservation", "audit", "--all")
    _cli(env, "search", "sync")
    _cli(env, "storage", "sweep", "--older-than-hours", "0")
    app = AppEnv()
    with app.transaction() as session:
        for register in session.scalars(select(Register)):
            numbers = sorted(session.scalars(select(Document.number).where(Document.register_id == register.id)))
            if numbers != list(range(1, register.last_number + 1)):
                problems.append(f"register {register.kind} {register.year}: numbers {numbers[:5]}… "
                                f"vs last {register.last_number}")
        stored = set(session.scalars(select(StoredFile.sha256)))
        for doc in session.scalars(select(Document)):
            if not app.storage.exists(doc.file.sha256):
                problems.append(f"document {doc.id} without its file")
        on_disk = {p.name for p in (Path(app.settings["storage.path"]) / "sha256").glob("*/*/*")}
        problems += [f"file {name[:12]}… without its row" for name in sorted(on_disk - stored)]
        for package in session.scalars(select(Package)):
            copies = session.execute(select(StorageLocation.path).join(PackageCopy).where(
                PackageCopy.package_id == package.id)).scalars().all()
            if len(copies) < 2:
                problems.append(f"package {package.name} recorded with {len(copies)} copies")
            for root in copies:
                report = verify_bag(Path(root) / package.name)
                if not report.valid or report.fingerprint != package.tagmanifest_sha256:
                    problems.append(f"package {package.name}: copy in {root} does not verify")
        documents = session.scalar(select(func.count()).select_from(Document))
        org_ids = frozenset(session.scalars(select(Document.organization_id).distinct()))
    if scenario in ("registration", "outbox", "handover"):
        indexed = app.search_backend.search(SearchRequest(parse_query("đất đai"), Viewer(org_ids, 3), page_size=1))
        if indexed.total != documents:
            problems.append(f"index holds {indexed.total} documents, the database {documents}")
    if scenario == "jobs":
        problems += _job_problems(env, app)
    verify = _cli(env, "audit", "verify")
    if "chain intact" not in verify:
        problems.append(f"audit verify: {verify.strip()[:200]}")
    return problems


def _job_problems(env: dict, app) -> list[str]:
    from sqlalchemy import select

    from recordsys.jobs import Job

    _cli(env, "jobs", "work", "--once")  # what the killed worker left: recovered and finished here
    with app.transaction() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "fault.effect")).all()
        unfinished = [j.id for j in jobs if j.status != "done"]
    effects = Path(env["RECORDSYS_DATA_DIR"], "effects")
    counted = effects.read_text().split() if effects.exists() else []
    problems = [f"job {job_id} not finished" for job_id in unfinished]
    done_ids = {j.params["token"] for j in jobs}
    doubled = sorted({x for x in counted if counted.count(x) > 1})
    problems += [f"job {x} took effect {counted.count(x)} times" for x in doubled]
    problems += [f"job {x} took no effect" for x in sorted(done_ids - set(counted))]
    return problems


def _collect(process: subprocess.Popen, lines: list[str]) -> None:
    lines.extend(line.decode() for line in process.stdout)


def run(scenario: str, env: dict, kills: int, seed: int = 2026, window: tuple[float, float] = (0.0, 3.0),
        progress=None) -> Summary:
    """Kill the scenario's workload ``kills`` times at random moments; check after each restart.

    ``env`` (database URL, data folder, settings) is put into this process's environment too: the
    checks and recovery commands run here, on the same installation."""
    os.environ.update(env)
    rng = random.Random(seed)
    summary = Summary(scenario)
    if scenario == "jobs":
        _queue_jobs(env, kills * 2)
    for i in range(kills):
        process = _workload(env, scenario)
        lines: list[str] = []
        reader = threading.Thread(target=_collect, args=(process, lines), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while "ready\n" not in lines and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(*window))  # a random moment of the work
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        reader.join(timeout=10)
        err = process.stderr.read()
        summary.kills += 1
        summary.units_done += sum(line.startswith("done ") for line in lines)
        if process.returncode != -signal.SIGKILL:
            summary.problems.append(f"kill {i}: the workload ended by itself ({err.decode()[-300:]})")
        found = check(env, scenario)
        summary.problems += [f"kill {i}: {p}" for p in found]
        if progress:
            progress(i, found)
    return summary
