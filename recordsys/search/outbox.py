"""Index updates through an outbox table.

A change queues ``(entity_type, entity_id)`` in ``index_outbox`` inside its own transaction; after
that transaction commits, the queued rows are applied to the search backend in a new one. So the
index never shows a row that was rolled back (its outbox row was rolled back with it) and never
misses one that committed (its outbox row stays until the backend has taken it; ``recordsys
search sync`` or the next commit retries).
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from recordsys.search.models import IndexOutbox

log = logging.getLogger(__name__)

#: entity type -> function(session, id) returning the search entry, or None when the row is gone
ENTRY_BUILDERS: dict[str, Callable] = {}


def entry_builder(entity_type: str):
    def decorate(fn):
        ENTRY_BUILDERS[entity_type] = fn
        return fn
    return decorate


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
            except Exception:  # noqa: BLE001 - the rows stay queued; sync retries
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
                builder = ENTRY_BUILDERS.get(key[0])
                entry = builder(session, key[1]) if builder else None
                (entries.append(entry) if entry is not None else gone.append(f"{key[0]}:{key[1]}"))
            if entries:
                backend.index(entries)
            if gone:
                backend.delete(gone)
            session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in rows])))
            applied += len(rows)


def install(session_factory: sessionmaker, backend) -> None:
    """Sessions made by ``session_factory`` apply the outbox to ``backend`` after each commit."""
    import recordsys.search.entries  # noqa: F401  (registers the entry builders)

    session_factory.kw.setdefault("info", {})["search_applier"] = lambda: apply_pending(session_factory, backend)


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(IndexOutbox))
