"""Index updates through an outbox table.

A change queues ``(entity_type, entity_id)`` in ``index_outbox`` inside its own transaction; after
that transaction commits, the queued rows are applied to the search backend in a new one. So the
index never shows a row that was rolled back (its outbox row was rolled back with it) and never
misses one that committed (its outbox row stays until the backend has taken it; ``recordsys
search sync`` or the next commit retries).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from recordsys.search.models import IndexOutbox

if TYPE_CHECKING:
    from recordsys.search.interfaces import SearchEntry

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Projection:
    """What a domain hands search for one kind of record: how to build the entry of one row
    (None when the row is gone or must not be found) and how to stream all of them."""

    entity_type: str
    one: Callable[[Session, int], SearchEntry | None]
    every: Callable[[Session], Iterator[SearchEntry]]
    count: Callable[[Session], int]


#: entity type -> its projection, registered by the domains (search imports none of them)
PROJECTIONS: dict[str, Projection] = {}


def register_projection(entity_type: str, one: Callable, every: Callable, count: Callable) -> None:
    PROJECTIONS[entity_type] = Projection(entity_type, one, every, count)


def count_all(session: Session) -> int:
    """How many records a full reindex will go through."""
    return sum(projection.count(session) for projection in PROJECTIONS.values())


def all_entries(session: Session) -> Iterator[SearchEntry]:
    """Every searchable record of every registered projection, streamed (for a full reindex)."""
    for projection in PROJECTIONS.values():
        yield from projection.every(session)


def enqueue(session: Session, entity_type: str, entity_id: int) -> None:
    """Queue an index update in the caller's transaction; applied after it commits."""
    session.add(IndexOutbox(entity_type=entity_type, entity_id=entity_id))
    manager = session.info.get("tm")
    applier = session.info.get("search_applier")
    if manager is None or applier is None or session.info.get("outbox_hook"):
        return
    session.info["outbox_hook"] = True
    txn = manager.get()

    def after_commit(committed: bool):
        session.info.pop("outbox_hook", None)
        if committed:
            try:
                applier()
            except Exception:
                log.exception("applying the search outbox failed; rows stay queued")

    txn.addAfterCommitHook(after_commit)


def apply_pending(session_factory: sessionmaker, backend, batch: int = 500) -> int:
    """Apply queued updates to ``backend``; returns how many outbox rows were applied."""
    from recordsys.db import transaction_scope

    applied = 0
    while True:
        with transaction_scope(session_factory) as session:
            stmt = select(IndexOutbox).order_by(IndexOutbox.id).limit(batch)
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = session.scalars(stmt).all()
            if not rows:
                return applied
            entries, gone = [], []
            for key in dict.fromkeys((r.entity_type, r.entity_id) for r in rows):
                projection = PROJECTIONS.get(key[0])
                entry = projection.one(session, key[1]) if projection else None
                (entries.append(entry) if entry is not None else gone.append(f"{key[0]}:{key[1]}"))
            if entries:
                backend.index(entries)
            if gone:
                backend.delete(gone)
            session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in rows])))
            applied += len(rows)


def install(session_factory: sessionmaker, backend) -> None:
    """Sessions made by ``session_factory`` apply the outbox to ``backend`` after each commit."""
    session_factory.kw.setdefault("info", {})["search_applier"] = lambda: apply_pending(session_factory, backend)


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(IndexOutbox))
