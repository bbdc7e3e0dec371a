"""Recurring duties of every installation: audit sealing, index sync and the storage sweep."""
from __future__ import annotations

from sqlalchemy import select

from recordsys.jobs import enqueue_once, handler, periodic


@periodic("audit.seal", "* * * * *")
def seal_audit_events(session_factory, settings):
    """Seal into the chain any committed audit event whose writer's own seal was cut short (a crash
    between its commit and its seal), so that no event stays outside the chain for long."""
    from recordsys.core.audit import seal

    return seal(session_factory.kw["bind"])


@periodic("search.sync", "*/10 * * * *")
def sync_search_index(session_factory, settings):
    """Apply index updates left in the outbox (the search backend was down when they committed)."""
    from recordsys.search.factory import make_backend
    from recordsys.search.outbox import apply_pending

    return apply_pending(session_factory, make_backend(settings))


@handler("storage.sweep")
def sweep_storage(session_factory, settings, params, progress):
    """Remove stored files that no row references (as ``recordsys storage sweep``)."""
    from recordsys.db import transaction_scope
    from recordsys.storage import make_storage
    from recordsys.storage.models import StoredFile

    with transaction_scope(session_factory) as session:
        referenced = set(session.scalars(select(StoredFile.sha256)))
    hours = float(params.get("older_than_hours", 24))
    removed = make_storage(settings).sweep(referenced, hours * 3600)
    return {"removed": len(removed), "referenced": len(referenced)}


@periodic("storage.sweep", "0 3 * * 0")
def schedule_storage_sweep(session_factory, settings):
    return enqueue_once(session_factory, "storage.sweep", {"older_than_hours": 24})
