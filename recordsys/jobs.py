"""Background jobs: long work (fixity audits, reindexing) never runs inside a web request.

Jobs are rows of the ``jobs`` table, so any process can queue one and any worker can take it:
the embedded default runs one worker thread inside the app (``jobs.in_process = true``); a
province runs ``recordsys jobs work`` processes beside stateless app servers (PostgreSQL hands each
job to one worker with ``FOR UPDATE SKIP LOCKED``). A handler reports progress, which the web shows.
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import traceback
from typing import Callable

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from recordsys.core.models import utcnow
from recordsys.db import Base, transaction_scope

log = logging.getLogger(__name__)

#: job kind -> handler(session_factory, settings, params, progress) returning a JSON-able result
HANDLERS: dict[str, Callable] = {}

def import_handlers() -> None:
    """Import every domain's ``jobs`` module (by convention), which registers its handlers."""
    from recordsys.domains import job_modules

    for module in job_modules():
        importlib.import_module(module)


def handler(kind: str):
    def decorate(fn):
        HANDLERS[kind] = fn
        return fn
    return decorate


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


def enqueue(session: Session, kind: str, params: dict, requested_by: str) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=params, requested_by=requested_by)
    session.add(job)
    session.flush()
    return job


def _claim(session_factory: sessionmaker) -> int | None:
    with transaction_scope(session_factory) as session:
        stmt = select(Job).where(Job.status == "queued").order_by(Job.id).limit(1)
        if session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        job = session.scalar(stmt)
        if job is None:
            return None
        job.status, job.started_at = "running", utcnow()
        return job.id


def run_next(session_factory: sessionmaker, settings: dict) -> int | None:
    """Take one queued job and run it to the end; returns its id, or None when none was queued."""
    job_id = _claim(session_factory)
    if job_id is None:
        return None
    with transaction_scope(session_factory) as session:
        job = session.get(Job, job_id)
        kind, params = job.kind, dict(job.params)

    def progress(percent: int) -> None:
        with transaction_scope(session_factory) as session:
            session.get(Job, job_id).progress = max(0, min(100, int(percent)))

    try:
        result, status, error = HANDLERS[kind](session_factory, settings, params, progress), "done", None
    except Exception:  # noqa: BLE001 - a failed job is recorded, the worker goes on
        log.exception("job %s (%s) failed", job_id, kind)
        result, status, error = None, "failed", traceback.format_exc(limit=5)
    with transaction_scope(session_factory) as session:
        job = session.get(Job, job_id)
        job.status, job.result, job.error, job.finished_at = status, result, error, utcnow()
        if status == "done":
            job.progress = 100
    return job_id


class InProcessWorker:
    """One daemon thread that polls the jobs table (the embedded default)."""

    def __init__(self, session_factory: sessionmaker, settings: dict, poll_seconds: float = 2.0):
        self.session_factory, self.settings, self.poll = session_factory, settings, poll_seconds
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="recordsys-jobs", daemon=True)

    def start(self) -> "InProcessWorker":
        self.thread.start()
        return self

    def _loop(self) -> None:
        while True:
            try:
                while run_next(self.session_factory, self.settings) is not None:
                    continue  # drain the queue before sleeping
            except Exception:  # noqa: BLE001 - keep the worker alive (e.g. database restarting)
                log.exception("job worker error")
            self.wake.wait(self.poll)
            self.wake.clear()
