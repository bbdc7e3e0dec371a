"""Background jobs: long work (fixity audits, reindexing) never runs inside a web request.

A job is a row of the ``jobs`` table (who asked, progress, result, error: what the web shows) and a
message on a Huey queue (:mod:`recordsys.jobs.queue`): SQLite in the data folder for the embedded
default, Redis in production (``jobs.broker``). The message carries only the job's id and is sent
after the transaction that created the row commits, so a rolled-back job never runs.

The row, not the message, decides who runs a job: a worker *claims* it with one conditional
``UPDATE`` (queued -> running, a fresh claim token, a lease), keeps the lease alive while the
handler runs, and records the outcome only while it still holds the token. A worker that dies
(SIGKILL) stops renewing; when its lease expires, :func:`recover` puts the job back in the queue
and another worker runs it, so each job is finished once. A handler that raises is retried (Huey's
retry delay) until ``jobs.max_attempts``; then the job is failed. Handlers must therefore tolerate
running again after an interrupted attempt (the fixity audit does: it records each copy's check
in its own transaction).
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import JSON, DateTime, Integer, String, Text, event, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from recordsys.core.models import utcnow
from recordsys.db import Base, transaction_scope

log = logging.getLogger(__name__)

#: job kind -> handler(session_factory, settings, params, progress) returning a JSON-able result
HANDLERS: dict[str, Callable] = {}

def import_handlers(settings: dict | None = None) -> None:
    """Import the platform's handlers, every domain's ``jobs`` module (by convention, see
    ``recordsys.domains``) and any listed in the ``jobs.handler_modules`` setting."""
    from recordsys.domains import job_modules

    extra = (settings or {}).get("jobs.handler_modules", "") or ""
    for module in ["recordsys.jobs.builtin", *job_modules(), *extra.replace(",", " ").split()]:
        importlib.import_module(module)


def handler(kind: str):
    def decorate(fn):
        HANDLERS[kind] = fn
        return fn
    return decorate


@dataclass(frozen=True)
class Periodic:
    name: str
    default: str  # crontab "minute hour day month day_of_week"; "off" disables
    fn: Callable  # fn(session_factory, settings)


#: periodic task name -> Periodic; the schedule is ``jobs.schedule.<name>`` (or the default)
PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, default: str):
    """Register ``fn(session_factory, settings)`` to run on a crontab schedule in the workers.

    The registration point for every recurring duty (fixity audits, index sync, storage sweep,
    and later reminders): ``jobs.schedule.<name> = 30 2 * * *`` changes the time, ``off`` stops it.
    Long work should :func:`enqueue` a job rather than run inside the periodic task.
    """
    def decorate(fn):
        PERIODIC[name] = Periodic(name, default, fn)
        return fn
    return decorate


def setting(settings: dict, name: str, default: float) -> float:
    value = settings.get(f"jobs.{name}")
    return float(default if value in (None, "") else value)


def lease_seconds(settings: dict) -> float:
    return setting(settings, "lease_seconds", 300)


def max_attempts(settings: dict) -> int:
    return max(1, int(setting(settings, "max_attempts", 3)))


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|done|failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: claims so far (a retry or a takeover after a dead worker counts again)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the worker holding ``claim_token`` owns the job until then (renewed while it runs)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: when the queue message was last sent (NULL: not yet, :func:`recover` sends it)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --- queueing ---------------------------------------------------------------------------------

def enqueue(session: Session, kind: str, params: dict, requested_by: str) -> Job:
    """Add a job in the caller's transaction; its queue message is sent once that commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=params, requested_by=requested_by)
    session.add(job)
    session.flush()
    _dispatch_after_commit(session, job.id)
    return job


def _dispatch_after_commit(session: Session, job_id: int) -> None:
    session.info.setdefault("jobs.pending", []).append(job_id)
    manager = session.info.get("tm")
    if manager is not None:  # our sessions: the transaction manager decides
        if session.info.get("jobs.hooked"):
            return
        session.info["jobs.hooked"] = True
        txn = manager.get()

        def after_commit(committed: bool) -> None:
            ids = _take_pending(session)
            if committed:
                dispatch(session.get_bind(), ids)

        txn.addAfterCommitHook(after_commit)
        txn.addAfterAbortHook(lambda: _take_pending(session))
        return
    if not session.info.get("jobs.listening"):  # a plain SQLAlchemy session
        session.info["jobs.listening"] = True
        event.listen(session, "after_commit", _plain_after_commit)
        event.listen(session, "after_rollback", lambda s: s.info.pop("jobs.pending", None))


def _plain_after_commit(session: Session) -> None:
    ids = session.info.pop("jobs.pending", [])
    if ids:
        dispatch(session.get_bind(), ids)


def _take_pending(session: Session) -> list[int]:
    session.info.pop("jobs.hooked", None)
    return session.info.pop("jobs.pending", [])


def dispatch(bind, job_ids: Iterable[int]) -> None:
    """Send the queue messages for committed jobs (never raises: :func:`recover` resends)."""
    job_ids = list(job_ids)
    if not job_ids:
        return
    from recordsys.jobs.queue import queue_for

    queue = queue_for(bind)
    if queue is None:
        log.info("no job queue configured for this database; jobs %s wait for a worker", job_ids)
        return
    queue.dispatch(job_ids)


# --- running ----------------------------------------------------------------------------------

@dataclass
class Claim:
    job_id: int
    token: str
    kind: str
    params: dict
    attempts: int


def _update(session_factory: sessionmaker, job_id: int, token: str | None, *conditions, **values) -> bool:
    """One guarded update of a job row: applied only while ``token`` still holds the claim (and
    the extra ``conditions`` hold)."""
    from zope.sqlalchemy import mark_changed

    with transaction_scope(session_factory) as session:
        stmt = update(Job).where(Job.id == job_id, *conditions)
        if token is not None:
            stmt = stmt.where(Job.claim_token == token)
        done = session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount == 1
        mark_changed(session)
        return done


def claim(session_factory: sessionmaker, settings: dict, job_id: int) -> Claim | None:
    """Take a queued job (None when it is not queued: done, running elsewhere, or gone)."""
    from zope.sqlalchemy import mark_changed

    token, now = uuid.uuid4().hex, utcnow()
    with transaction_scope(session_factory) as session:
        taken = session.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", claim_token=token, started_at=now, attempts=Job.attempts + 1,
                    lease_until=now + dt.timedelta(seconds=lease_seconds(settings)))
            .execution_options(synchronize_session=False)).rowcount == 1
        mark_changed(session)
        if not taken:
            return None
        job = session.get(Job, job_id)
        return Claim(job_id, token, job.kind, dict(job.params or {}), job.attempts)


class _Lease:
    """Renews the claim's lease on its own thread while the handler runs."""

    def __init__(self, session_factory, settings, claim_: Claim):
        self.session_factory, self.claim = session_factory, claim_
        self.seconds = lease_seconds(settings)
        self.stop = threading.Event()
        self.lost = False
        self.thread = threading.Thread(target=self._loop, name=f"job-{claim_.job_id}-lease", daemon=True)

    def _loop(self) -> None:
        while not self.stop.wait(self.seconds / 3):
            try:
                if not _update(self.session_factory, self.claim.job_id, self.claim.token,
                               lease_until=utcnow() + dt.timedelta(seconds=self.seconds)):
                    self.lost = True
                    log.warning("job %s: the claim was lost (lease expired); its outcome will be ignored",
                                self.claim.job_id)
                    return
            except Exception:
                log.exception("job %s: renewing the lease failed", self.claim.job_id)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def run_claimed(session_factory: sessionmaker, settings: dict, claim_: Claim) -> str:
    """Run a claimed job; returns ``done``, ``failed``, ``retry`` (queued again) or ``lost``."""
    job_id, token = claim_.job_id, claim_.token

    def progress(percent: int) -> None:
        _update(session_factory, job_id, token, progress=max(0, min(100, int(percent))))

    with _Lease(session_factory, settings, claim_):
        try:
            fn = HANDLERS.get(claim_.kind)
            if fn is None:
                raise LookupError(f"no handler for job kind {claim_.kind!r} in this worker")
            result, error = fn(session_factory, settings, claim_.params, progress), None
        except Exception:
            log.exception("job %s (%s) attempt %s failed", job_id, claim_.kind, claim_.attempts)
            result, error = None, traceback.format_exc(limit=5)
    now = utcnow()
    released = dict(claim_token=None, lease_until=None)
    if error is None:
        outcome = "done"
        kept = _update(session_factory, job_id, token, status="done", result=result, error=None,
                       progress=100, finished_at=now, **released)
    elif claim_.attempts >= max_attempts(settings):
        outcome = "failed"
        kept = _update(session_factory, job_id, token, status="failed", error=error, finished_at=now,
                       **released)
    else:
        outcome = "retry"
        kept = _update(session_factory, job_id, token, status="queued", error=error, dispatched_at=now,
                       **released)
    return outcome if kept else "lost"


def run_job(session_factory: sessionmaker, settings: dict, job_id: int) -> str | None:
    """Claim and run one job (a queue message); None when it was not ours to run."""
    claim_ = claim(session_factory, settings, job_id)
    if claim_ is None:
        log.debug("job %s is not queued; message ignored", job_id)
        return None
    return run_claimed(session_factory, settings, claim_)


def run_next(session_factory: sessionmaker, settings: dict) -> int | None:
    """Run the oldest queued job to the end, here and now, without the queue (tests, tools);
    returns its id, or None when none was queued."""
    with transaction_scope(session_factory) as session:
        ids = session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(50)).all()
    for job_id in ids:
        claim_ = claim(session_factory, settings, job_id)
        if claim_ is not None:
            run_claimed(session_factory, settings, claim_)
            return job_id
    return None


def recover(session_factory: sessionmaker, settings: dict, now: dt.datetime | None = None) -> list[int]:
    """Requeue jobs whose worker died (lease expired) and send messages that never went out.

    Expired jobs that used their last attempt are failed instead. Returns the ids requeued or
    resent. Safe to run from every worker at once: each change is a guarded update, and a job
    sent twice is run once (only one claim succeeds).
    """
    now = now or utcnow()
    grace = dt.timedelta(seconds=setting(settings, "dispatch_grace_seconds", 30))
    resend = dt.timedelta(seconds=setting(settings, "redispatch_seconds", 3600))
    limit = max_attempts(settings)
    with transaction_scope(session_factory) as session:
        expired = session.execute(select(Job.id, Job.claim_token, Job.attempts)
                                  .where(Job.status == "running", Job.lease_until < now)).all()
        unsent = session.scalars(select(Job.id).where(Job.status == "queued", or_(
            Job.dispatched_at.is_(None) & (Job.queued_at < now - grace),
            Job.dispatched_at < now - resend))).all()
    requeued = []
    for job_id, token, attempts in expired:
        note = f"the worker stopped during attempt {attempts} (its lease expired before {now.isoformat()})"
        still_expired = (Job.status == "running", Job.lease_until < now)  # not renewed meanwhile
        if attempts >= limit:
            if _update(session_factory, job_id, token, *still_expired, status="failed", error=note,
                       finished_at=now, claim_token=None, lease_until=None):
                log.warning("job %s failed: %s", job_id, note)
        elif _update(session_factory, job_id, token, *still_expired, status="queued", error=note,
                     claim_token=None, lease_until=None):
            log.warning("job %s requeued: %s", job_id, note)
            requeued.append(job_id)
    ids = requeued + list(unsent)
    if ids:
        dispatch(session_factory.kw["bind"], ids)
    return ids


def enqueue_once(session_factory: sessionmaker, kind: str, params: dict, requested_by: str = "system") -> int | None:
    """Enqueue a job unless one of the same kind is already queued or running (periodic duties:
    two schedulers or a slow run never stack up copies); returns the new job's id or None."""
    with transaction_scope(session_factory) as session:
        busy = session.scalar(select(Job.id).where(Job.kind == kind, Job.status.in_(("queued", "running")))
                              .limit(1))
        if busy is not None:
            log.info("%s not enqueued: job %s is still queued or running", kind, busy)
            return None
        return enqueue(session, kind, params, requested_by).id


def includeme(config):
    """The task queue as the ``IJobQueue`` service (after ``recordsys.db``: it needs the sessions)."""
    from recordsys.jobs.queue import IJobQueue, JobQueue

    config.register_service(JobQueue(config.get_settings(), config.registry["dbsession_factory"]), IJobQueue)
