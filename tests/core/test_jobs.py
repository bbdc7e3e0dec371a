"""Background jobs: queued in the database, claimed with a lease, progress and failures recorded."""
import datetime as dt

import pytest

from recordsys import jobs
from recordsys.core.models import utcnow


@pytest.fixture
def kinds(monkeypatch):
    calls = []

    def ok(session_factory, settings, params, progress):
        progress(50)
        calls.append(params)
        return {"checked": params["n"]}

    def boom(session_factory, settings, params, progress):
        raise OSError("ổ đĩa không đọc được")

    monkeypatch.setitem(jobs.HANDLERS, "test.ok", ok)
    monkeypatch.setitem(jobs.HANDLERS, "test.boom", boom)
    return calls


def test_jobs_run_in_order_and_record_results(tx, session_factory, settings, kinds):
    settings = {**settings, "jobs.max_attempts": "2"}
    with tx() as session:
        first = jobs.enqueue(session, "test.ok", {"n": 1}, "luutru").id
        second = jobs.enqueue(session, "test.boom", {}, "luutru").id
    assert jobs.run_next(session_factory, settings) == first
    assert jobs.run_next(session_factory, settings) == second  # attempt 1 fails: queued again
    with tx() as session:
        retried = session.get(jobs.Job, second)
        assert (retried.status, retried.attempts, retried.claim_token) == ("queued", 1, None)
        assert "ổ đĩa không đọc được" in retried.error
    assert jobs.run_next(session_factory, settings) == second  # attempt 2 is the last
    assert jobs.run_next(session_factory, settings) is None
    with tx() as session:
        done, failed = session.get(jobs.Job, first), session.get(jobs.Job, second)
        assert (done.status, done.progress, done.result, done.attempts) == ("done", 100, {"checked": 1}, 1)
        assert done.lease_until is None and done.claim_token is None
        assert (failed.status, failed.attempts) == ("failed", 2) and "ổ đĩa không đọc được" in failed.error
    assert kinds == [{"n": 1}]


def test_unknown_kind_is_refused(tx):
    with tx() as session, pytest.raises(ValueError, match="unknown job kind"):
        jobs.enqueue(session, "nope", {}, "x")


def test_a_job_is_claimed_once(tx, session_factory, settings, kinds):
    with tx() as session:
        job_id = jobs.enqueue(session, "test.ok", {"n": 2}, "luutru").id
    first = jobs.claim(session_factory, settings, job_id)
    assert first is not None and first.attempts == 1
    assert jobs.claim(session_factory, settings, job_id) is None  # running: a second message is ignored
    assert jobs.run_claimed(session_factory, settings, first) == "done"
    assert jobs.run_job(session_factory, settings, job_id) is None  # done: never runs again
    assert kinds == [{"n": 2}]


def test_an_expired_lease_is_taken_over_and_the_old_claim_ignored(tx, session_factory, settings, kinds):
    with tx() as session:
        job_id = jobs.enqueue(session, "test.ok", {"n": 3}, "luutru").id
    dead = jobs.claim(session_factory, settings, job_id)  # a worker that then died
    assert jobs.recover(session_factory, settings) == []  # its lease still runs
    later = utcnow() + dt.timedelta(seconds=jobs.lease_seconds(settings) + 1)
    assert jobs.recover(session_factory, settings, now=later) == [job_id]
    assert jobs.run_job(session_factory, settings, job_id) == "done"
    assert jobs.run_claimed(session_factory, settings, dead) == "lost"  # it wakes up: outcome ignored
    with tx() as session:
        job = session.get(jobs.Job, job_id)
        assert (job.status, job.attempts, job.result) == ("done", 2, {"checked": 3})
        assert job.error is None  # the note of the takeover is cleared by success


def test_the_last_attempt_of_a_dead_worker_fails_the_job(tx, session_factory, settings, kinds):
    settings = {**settings, "jobs.max_attempts": "1"}
    with tx() as session:
        job_id = jobs.enqueue(session, "test.ok", {"n": 4}, "luutru").id
    jobs.claim(session_factory, settings, job_id)
    later = utcnow() + dt.timedelta(seconds=jobs.lease_seconds(settings) + 1)
    assert jobs.recover(session_factory, settings, now=later) == []
    with tx() as session:
        job = session.get(jobs.Job, job_id)
        assert job.status == "failed" and "lease expired" in job.error
    assert kinds == []
