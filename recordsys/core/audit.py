"""The tamper-evident audit trail: an append-only table of hash-chained events.

Every event stores the SHA-256 of its payload and of the previous event; its own hash covers all of
its fields. Altering, deleting or reordering a stored event breaks the chain at that event, and
deleting the newest events is caught by the head row (which can also be anchored elsewhere:
``recordsys audit head``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "occurred_at", "actor", "organization_code", "action",
    "object_type", "object_id", "payload_sha256", "prev_hash",
)


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def sha256_text(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def event_hash(fields: dict) -> str:
    """Hash of one event: pure function of its chained fields."""
    return sha256_text(canonical_json([fields[k] for k in CHAINED_FIELDS]))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id,
    organization_code: str | None = None,
    payload: dict | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    The head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are already
    serial) so concurrent writers extend the chain one after the other.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    payload_text = canonical_json(payload or {})
    occurred = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    fields = {
        "seq": head.seq + 1,
        "occurred_at": occurred.isoformat(timespec="microseconds"),
        "actor": actor,
        "organization_code": organization_code,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "payload_sha256": sha256_text(payload_text),
        "prev_hash": head.hash,
    }
    event = AuditEvent(**fields, payload=payload_text, hash=event_hash(fields))
    session.add(event)
    head.seq = event.seq
    head.hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    head: str
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; name the first event that does not fit."""
    expected_prev, expected_seq, count, last = GENESIS, 1, 0, GENESIS
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for event in session.scalars(stmt):
        problem = _event_problem(event, expected_seq, expected_prev)
        if problem:
            return ChainReport(False, count, last, expected_seq, event.id, problem)
        expected_prev, last = event.hash, event.hash
        expected_seq += 1
        count += 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != last:
        return ChainReport(
            False, count, last, count + 1, None,
            f"the chain ends at event {count} but the head records event "
            f"{head.seq if head else '?'}: events were deleted from the end",
        )
    return ChainReport(True, count, last)


def _event_problem(event: AuditEvent, expected_seq: int, expected_prev: str) -> str | None:
    if event.seq != expected_seq:
        return f"event {expected_seq} is missing (found {event.seq} next): events were deleted or reordered"
    if event.prev_hash != expected_prev:
        return "its link to the previous event does not match: events were removed or reordered"
    if sha256_text(event.payload) != event.payload_sha256:
        return "its payload does not match its recorded digest: the payload was altered"
    fields = {k: getattr(event, k) for k in CHAINED_FIELDS}
    if event_hash(fields) != event.hash:
        return "its content does not match its hash: the event was altered"
    return None


def head(session: Session) -> dict:
    row = session.get(AuditHead, 1)
    return {"seq": row.seq, "hash": row.hash}
