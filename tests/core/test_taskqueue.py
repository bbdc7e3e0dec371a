"""The Huey task queue: SQLite broker in-process, Redis with real worker processes, commit-only
dispatch, periodic tasks."""
from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recordsys import jobs
from recordsys.config import SettingsError, load_settings
from recordsys.jobs.queue import JobQueue, parse_crontab
from tests.core import taskqueue_handlers  # noqa: F401  (registers test.block)

ROOT = Path(__file__).resolve().parents[2]
_names = itertools.count()


def wait_for(predicate, timeout=60.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def job_row(tx, job_id):
    with tx() as session:
        job = session.get(jobs.Job, job_id)
        session.expunge(job)
        return job


@pytest.fixture
def kinds(monkeypatch):
    calls = []

    def ok(session_factory, settings, params, progress):
        progress(40)
        calls.append(params["n"])
        return {"n": params["n"]}

    def boom(session_factory, settings, params, progress):
        calls.append("boom")
        raise OSError("băng từ hỏng")

    monkeypatch.setitem(jobs.HANDLERS, "test.ok", ok)
    monkeypatch.setitem(jobs.HANDLERS, "test.boom", boom)
    return calls


@pytest.fixture
def queue_settings(settings):
    return {**settings, "jobs.poll_seconds": "0.1", "jobs.retry_delay": "0", "jobs.max_attempts": "2",
            "jobs.recover_seconds": "0.5", "jobs.lease_seconds": "5"}


def test_job_lifecycle_on_the_sqlite_queue(queue_settings, session_factory, tx, kinds):
    queue = JobQueue(queue_settings, session_factory)
    assert queue.huey.storage.filename == str(Path(queue_settings["recordsys.data_dir"]) / "jobs-queue.sqlite")
    with tx() as session:
        ok_id = jobs.enqueue(session, "test.ok", {"n": 7}, "luutru").id
        boom_id = jobs.enqueue(session, "test.boom", {}, "luutru").id
    assert queue.huey.pending_count() == 2
    assert job_row(tx, ok_id).dispatched_at is not None
    worker = queue.consumer(embedded=True, periodic=False).start()
    try:
        wait_for(lambda: job_row(tx, ok_id).status == "done" and job_row(tx, boom_id).status == "failed",
                 what="both jobs to finish")
    finally:
        worker.stop()
    ok, boom = job_row(tx, ok_id), job_row(tx, boom_id)
    assert (ok.progress, ok.result, ok.attempts, ok.error) == (100, {"n": 7}, 1, None)
    assert ok.started_at and ok.finished_at and ok.claim_token is None
    assert (boom.attempts, boom.claim_token) == (2, None) and "băng từ hỏng" in boom.error  # retried once by Huey
    assert sorted(kinds, key=str) == [7, "boom", "boom"]
    assert queue.huey.pending_count() == 0 and queue.huey.scheduled_count() == 0


def test_a_rolled_back_enqueue_never_runs(queue_settings, session_factory, tx, kinds):
    queue = JobQueue(queue_settings, session_factory)
    with pytest.raises(RuntimeError), tx() as session:
        jobs.enqueue(session, "test.ok", {"n": 1}, "luutru")
        raise RuntimeError("the request failed after queueing")
    plain = session_factory()  # a plain SQLAlchemy session (no transaction manager) behaves alike
    jobs.enqueue(plain, "test.ok", {"n": 2}, "luutru")
    plain.rollback()
    assert queue.huey.pending_count() == 0
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(jobs.Job)) == 0
    jobs.enqueue(plain, "test.ok", {"n": 3}, "luutru")
    plain.commit()
    plain.close()
    assert queue.huey.pending_count() == 1
    queue.run_task(424242)  # even a stray message for a row that never committed runs nothing
    worker = queue.consumer(embedded=True, periodic=False).start()
    try:
        wait_for(lambda: queue.huey.pending_count() == 0 and kinds == [3], what="the committed job")
        time.sleep(0.3)
    finally:
        worker.stop()
    assert kinds == [3]


def test_unsent_messages_are_sent_by_recovery(queue_settings, session_factory, tx, kinds):
    with tx() as session:  # no queue for this database yet: the row waits
        job_id = jobs.enqueue(session, "test.ok", {"n": 5}, "luutru").id
    queue = JobQueue(queue_settings, session_factory)
    assert queue.huey.pending_count() == 0 and job_row(tx, job_id).dispatched_at is None
    assert jobs.recover(session_factory, queue_settings) == []  # the grace period: it may be on its way
    later = jobs.utcnow() + dt.timedelta(minutes=5)
    assert jobs.recover(session_factory, queue_settings, now=later) == [job_id]
    assert queue.huey.pending_count() == 1 and job_row(tx, job_id).dispatched_at is not None


def test_periodic_tasks_are_registered_on_their_schedules(queue_settings, session_factory, tx, monkeypatch):
    seen = []
    monkeypatch.setitem(jobs.PERIODIC, "test.reminders",
                        jobs.Periodic("test.reminders", "31 7 * * 1-5", lambda sf, s: seen.append(s)))
    settings = {**queue_settings, "jobs.schedule.search.sync": "*/5 * * * *", "jobs.schedule.storage.sweep": "off",
                "jobs.schedule.exchange.poll": "off", "jobs.schedule.workflow.reminders": "off",
                "jobs.schedule.audit.seal": "off"}
    queue = JobQueue(settings, session_factory)
    assert set(queue.periodic_tasks) == {"search.sync", "preservation.audit_due", "test.reminders"}

    def due(*when):
        return sorted(t.name for t in queue.huey.read_periodic(dt.datetime(*when)))

    assert due(2026, 3, 2, 2, 0) == ["recordsys.periodic.preservation.audit_due", "recordsys.periodic.search.sync"]
    assert due(2026, 3, 2, 2, 3) == []
    assert due(2026, 3, 2, 7, 31) == ["recordsys.periodic.test.reminders"]  # a Monday
    assert due(2026, 3, 1, 7, 31) == []  # a Sunday
    queue.periodic_tasks["test.reminders"].call_local()
    assert seen == [settings]
    # the due audit becomes a job the auditor sees, and never twice while one is pending
    queue.periodic_tasks["preservation.audit_due"].call_local()
    queue.periodic_tasks["preservation.audit_due"].call_local()
    with tx() as session:
        rows = session.scalars(select(jobs.Job)).all()
        assert [(j.kind, j.params, j.requested_by) for j in rows] == [
            ("preservation.audit", {"due": True, "actor": "system"}, "system")]
    assert queue.periodic_tasks["search.sync"].call_local() == 0  # nothing left in the outbox


def test_schedules_and_brokers_are_checked():
    assert parse_crontab("off") is None
    with pytest.raises(SettingsError, match="five crontab fields"):
        parse_crontab("daily")
    with pytest.raises(SettingsError, match="Unusable job schedule"):
        parse_crontab("61 * * * *")
    with pytest.raises(SettingsError, match="jobs.broker"):
        load_settings({"jobs.broker": "rabbit", "recordsys.secret": "x"}, environ={})
    with pytest.raises(SettingsError, match="jobs.redis_url"):
        load_settings({"jobs.broker": "redis", "recordsys.secret": "x"}, environ={})


# --- Redis, PostgreSQL and real worker processes ------------------------------------------------

@pytest.fixture
def pg_url(postgresql_server):
    name = f"taskqueue_{os.getpid()}_{next(_names)}"
    postgresql_server.execute(f"CREATE DATABASE {name} TEMPLATE recordsys_template")
    yield postgresql_server.url(name)
    postgresql_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
@pytest.mark.slow
def test_a_killed_worker_s_job_is_finished_once_by_another(redis_server, pg_url, tmp_path, monkeypatch):
    from recordsys.db import get_engine, get_session_factory, transaction_scope

    environ = {
        "RECORDSYS_DATABASE_URL": pg_url, "RECORDSYS_DATA_DIR": str(tmp_path / "data"),
        "RECORDSYS_SECRET": "test-secret", "RECORDSYS_SEARCH_BACKEND": "fts5",
        "RECORDSYS_JOBS_BROKER": "redis", "RECORDSYS_REDIS_URL": redis_server.url,
        "RECORDSYS_JOBS__QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}", "RECORDSYS_JOBS__IN_PROCESS": "false",
        "RECORDSYS_JOBS__LEASE_SECONDS": "4", "RECORDSYS_JOBS__RECOVER_SECONDS": "0.5",
        "RECORDSYS_JOBS__POLL_SECONDS": "0.2", "RECORDSYS_JOBS__RETRY_DELAY": "0",
        "RECORDSYS_JOBS__HANDLER_MODULES": "tests.core.taskqueue_handlers",
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    settings = load_settings({})
    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    queue = JobQueue(settings, session_factory)  # noqa: F841 - held: enqueue finds it by a weak reference
    box = tmp_path / "box"
    box.mkdir()
    workers = []

    def start_worker(n):
        log = open(tmp_path / f"worker-{n}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "recordsys.cli", "jobs", "work", "--no-periodic"],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=log, stderr=subprocess.STDOUT)
        workers.append(proc)
        return proc

    def job():
        with transaction_scope(session_factory) as session:
            row = session.get(jobs.Job, job_id)
            session.expunge(row)
            return row

    def logs():
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(tmp_path.glob("worker-*.log")))

    try:
        with transaction_scope(session_factory) as session:
            job_id = jobs.enqueue(session, "test.block", {"dir": str(box)}, "kiemtra").id
        first = start_worker(1)
        try:
            wait_for(lambda: (box / f"started-{first.pid}").exists(), timeout=120,
                     what="the first worker to start the job")
        except AssertionError:
            raise AssertionError(logs()) from None
        claimed = job()
        assert (claimed.status, claimed.attempts) == ("running", 1)
        time.sleep(5)  # longer than the lease: the running worker keeps renewing it
        renewed = job()
        assert (renewed.status, renewed.claim_token) == ("running", claimed.claim_token)
        assert renewed.lease_until > claimed.lease_until

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        (box / "release").write_text("")
        second = start_worker(2)
        try:
            wait_for(lambda: job().status == "done", timeout=90, what="the second worker to finish the job")
        except AssertionError:
            raise AssertionError(f"{job().status} {job().error}\n{logs()}") from None
        time.sleep(1.5)  # nothing else runs it later
        finished = job()
        assert (finished.attempts, finished.result, finished.progress) == (2, {"pid": second.pid}, 100)
        assert finished.claim_token is None and finished.error is None
        assert (box / "effects").read_text().split() == [str(second.pid)]  # exactly one side effect
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        engine.dispose()
    assert workers[1].returncode is not None


def test_the_embedded_app_runs_its_own_consumer(settings, kinds):
    from recordsys.config import make_wsgi_app
    from recordsys.db import transaction_scope

    app = make_wsgi_app({**settings, "jobs.in_process": "true", "jobs.poll_seconds": "0.1"})
    factory, worker = app.registry["dbsession_factory"], app.registry["job_worker"]
    try:
        with transaction_scope(factory) as session:
            job_id = jobs.enqueue(session, "test.ok", {"n": 9}, "luutru").id

        def status():
            with transaction_scope(factory) as session:
                return session.get(jobs.Job, job_id).status

        wait_for(lambda: status() == "done", what="the in-process consumer")
    finally:
        worker.stop()
        app.registry["db_engine"].dispose()
    assert kinds == [9]


def test_jobs_work_once_and_list_from_the_command(settings, tx, kinds, monkeypatch):
    import json

    from click.testing import CliRunner

    from recordsys.cli import main

    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    with tx() as session:
        job_id = jobs.enqueue(session, "test.ok", {"n": 11}, "luutru").id
    result = CliRunner().invoke(main, ["jobs", "work", "--once"], catch_exceptions=False)
    assert result.exit_code == 0 and f"tác vụ {job_id} đã xong" in result.output
    result = CliRunner().invoke(main, ["jobs", "list", "--json"], catch_exceptions=False)
    row = json.loads(result.output.splitlines()[0])
    assert (row["id"], row["status"], row["progress"], row["attempts"]) == (job_id, "done", 100, 1)
    assert kinds == [11]


def test_the_lease_migration_goes_down_and_up(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from recordsys import migrate

    settings = {"sqlalchemy.url": f"sqlite:///{tmp_path / 'm.sqlite'}"}
    migrate.upgrade(settings)
    command.downgrade(migrate.alembic_config(settings), "0005")
    engine = create_engine(settings["sqlalchemy.url"])
    try:
        assert "attempts" not in {c["name"] for c in inspect(engine).get_columns("jobs")}
        migrate.upgrade(settings, "0007")
        columns = {c["name"] for c in inspect(engine).get_columns("jobs")}
        assert {"attempts", "lease_until", "claim_token", "dispatched_at"} <= columns
    finally:
        engine.dispose()


def test_a_broker_that_is_down_does_not_fail_the_request(queue_settings, session_factory, tx, kinds):
    from tests.common.postgres import free_port

    settings = {**queue_settings, "jobs.broker": "redis", "jobs.redis_url": f"redis://127.0.0.1:{free_port()}/0"}
    queue = JobQueue(settings, session_factory)
    with tx() as session:
        job_id = jobs.enqueue(session, "test.ok", {"n": 1}, "luutru").id
    job = job_row(tx, job_id)
    assert (job.status, job.dispatched_at) == ("queued", None)  # recover() sends it once the broker is back
    assert queue is not None
