"""Background jobs: queued in the database, run by a worker, progress and failures recorded."""
import pytest

from recordsys import jobs


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
    with tx() as session:
        first = jobs.enqueue(session, "test.ok", {"n": 1}, "luutru").id
        second = jobs.enqueue(session, "test.boom", {}, "luutru").id
    assert jobs.run_next(session_factory, settings) == first
    assert jobs.run_next(session_factory, settings) == second
    assert jobs.run_next(session_factory, settings) is None
    with tx() as session:
        done, failed = session.get(jobs.Job, first), session.get(jobs.Job, second)
        assert (done.status, done.progress, done.result) == ("done", 100, {"checked": 1})
        assert failed.status == "failed" and "ổ đĩa không đọc được" in failed.error
    assert kinds == [{"n": 1}]


def test_unknown_kind_is_refused(tx):
    with tx() as session, pytest.raises(ValueError, match="unknown job kind"):
        jobs.enqueue(session, "nope", {}, "x")
