"""The Huey side of background jobs: the broker, the task that runs a job, periodic tasks, consumers.

``jobs.broker = sqlite`` (default) keeps the queue in ``<data dir>/jobs-queue.sqlite``;
``jobs.broker = redis`` uses ``jobs.redis_url``. A message only names a job row; the row's claim
and lease (:mod:`recordsys.jobs`) make a job run once even when messages are lost (a worker
killed after taking one) or duplicated (:func:`recordsys.jobs.recover` resending).
"""
from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker
from zope.interface import Interface, implementer

from recordsys.config import SettingsError
from recordsys.core.models import utcnow

log = logging.getLogger(__name__)

#: engine -> weak reference to its JobQueue, so that ``enqueue(session, ...)`` finds the queue of
#: the session's database (whoever made the queue keeps it: the app registry, the worker command)
_QUEUES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def queue_for(bind) -> JobQueue | None:
    ref = _QUEUES.get(bind)
    return ref() if ref is not None else None


class JobFailed(Exception):
    """Raised to Huey when an attempt failed and the job is queued again: Huey retries after
    ``jobs.retry_delay`` seconds."""


def make_huey(settings: dict):
    broker = settings.get("jobs.broker", "sqlite")
    name = settings.get("jobs.queue_name") or "recordsys"
    if broker == "sqlite":
        path = settings.get("jobs.sqlite_path") or str(Path(settings["recordsys.data_dir"]) / "jobs-queue.sqlite")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, results=False, utc=False, timeout=30)
    if broker == "redis":
        return RedisHuey(name, url=settings.get("jobs.redis_url") or "redis://127.0.0.1:6379/0",
                         results=False, utc=False)
    raise SettingsError("jobs.broker must be 'sqlite' or 'redis', not ${broker}.", mapping={"broker": f"{broker!r}"})


def parse_crontab(spec: str):
    """``"*/10 * * * *"`` -> a Huey crontab; None for ``off``."""
    spec = (spec or "").strip()
    if spec.lower() in ("", "off", "none", "false", "no"):
        return None
    parts = spec.split()
    if len(parts) != 5:
        raise SettingsError("A job schedule needs five crontab fields (minute hour day month weekday): ${spec}.", mapping={"spec": f"{spec!r}"})
    try:
        return crontab(*parts)
    except ValueError as exc:
        raise SettingsError("Unusable job schedule ${spec}: ${exc}.", mapping={"spec": f"{spec!r}", "exc": exc}) from None


class IJobQueue(Interface):
    """The task queue service (Huey: SQLite embedded, Redis in production), found with
    ``find_service(IJobQueue)``; ``recordsys.jobs.enqueue`` sends through it after commit."""


@implementer(IJobQueue)
class JobQueue:
    """One Huey instance bound to one database: sends job messages and builds consumers."""

    def __init__(self, settings: dict, session_factory: sessionmaker):
        from recordsys import jobs

        jobs.import_handlers(settings)  # handlers and periodic tasks register on import
        self.settings, self.session_factory = settings, session_factory
        self.huey = make_huey(settings)
        retry_delay = jobs.setting(settings, "retry_delay", 30)
        self.run_task = self.huey.task(retries=jobs.max_attempts(settings), retry_delay=retry_delay,
                                       name="recordsys.run_job")(self._run_job)
        self.periodic_tasks = {}
        for entry in jobs.PERIODIC.values():
            schedule = parse_crontab(settings.get(f"jobs.schedule.{entry.name}", entry.default))
            if schedule is not None:
                self.periodic_tasks[entry.name] = self.huey.periodic_task(
                    schedule, name=f"recordsys.periodic.{entry.name}")(self._periodic_runner(entry))
        _QUEUES[session_factory.kw["bind"]] = weakref.ref(self)

    def _run_job(self, job_id: int) -> None:
        from recordsys.jobs import run_job

        if run_job(self.session_factory, self.settings, job_id) == "retry":
            raise JobFailed(f"job {job_id} failed; it will be tried again")

    def _periodic_runner(self, entry):
        def run():
            log.info("periodic task %s", entry.name)
            return entry.fn(self.session_factory, self.settings)
        run.__name__ = f"periodic_{entry.name.replace('.', '_')}"
        return run

    def dispatch(self, job_ids: list[int]) -> None:
        """Send one message per job and note when; a broker failure leaves them for recover()."""
        from recordsys.db import transaction_scope
        from recordsys.jobs import Job

        sent = []
        for job_id in job_ids:
            try:
                self.run_task(job_id)
                sent.append(job_id)
            except Exception:
                log.exception("could not queue job %s; a worker will pick it up later", job_id)
        if sent:
            try:
                with transaction_scope(self.session_factory) as session:
                    session.execute(update(Job).where(Job.id.in_(sent)).values(dispatched_at=utcnow())
                                    .execution_options(synchronize_session=False))
                    from zope.sqlalchemy import mark_changed

                    mark_changed(session)
            except Exception:
                log.exception("could not note jobs %s as sent", sent)

    def consumer(self, workers: int = 1, periodic: bool = True, embedded: bool = False) -> Worker:
        return Worker(self, workers=workers, periodic=periodic, embedded=embedded)


class _EmbeddedConsumer(Consumer):
    """A consumer inside the web process: the server owns the signals, not Huey."""

    def _set_signal_handlers(self):
        pass


class Worker:
    """A Huey consumer (thread workers) plus a thread that runs :func:`recordsys.jobs.recover`
    every ``jobs.recover_seconds`` (and once at start)."""

    def __init__(self, queue: JobQueue, workers: int = 1, periodic: bool = True, embedded: bool = False):
        from recordsys import jobs

        self.queue = queue
        poll = jobs.setting(queue.settings, "poll_seconds", 2.0)
        cls = _EmbeddedConsumer if embedded else Consumer
        self.consumer = cls(queue.huey, workers=max(1, int(workers)), periodic=periodic, worker_type="thread",
                            initial_delay=min(0.1, poll), max_delay=poll)
        self.recover_seconds = jobs.setting(queue.settings, "recover_seconds", 60)
        self.stopping = threading.Event()
        self.wake = threading.Event()  # kept for callers that nudge the old worker; messages wake it now
        self.recoverer = threading.Thread(target=self._recover_loop, name="recordsys-jobs-recover", daemon=True)

    def _recover_loop(self) -> None:
        from recordsys.jobs import recover

        while True:
            try:
                recovered = recover(self.queue.session_factory, self.queue.settings)
                if recovered:
                    log.info("jobs requeued or resent: %s", recovered)
            except Exception:
                log.exception("job recovery failed")
            if self.stopping.wait(self.recover_seconds):
                return

    def start(self) -> Worker:
        """Start in the background (the web app's embedded worker)."""
        self.recoverer.start()
        self.consumer.start()
        return self

    def run(self) -> None:
        """Run in the foreground until SIGINT/SIGTERM (``recordsys jobs work``)."""
        self.recoverer.start()
        try:
            self.consumer.run()
        finally:
            self.stopping.set()

    def stop(self, graceful: bool = True) -> None:
        """Stop taking messages; ``graceful`` waits for the running jobs to end."""
        self.stopping.set()
        self.consumer.stop(graceful=graceful)
        if self.recoverer.is_alive():
            self.recoverer.join()
