"""The tamper-evident audit trail: an append-only table of hash-chained events.

Every event stores the SHA-256 of its payload and of the previous event; its own hash covers all of
its fields. Altering, deleting or reordering a stored event breaks the chain at that event, and
deleting the newest events is caught by the head row (which can also be anchored elsewhere:
``recordsys audit head``).

Appending is in two steps, so that no writer holds the chain head while its own transaction commits
(that serialised every request behind one lock held across an fsync):

1. :func:`record` inserts the event in the caller's transaction, without a chain position: it
   commits or rolls back with the work it describes, and takes no lock;
2. just after that transaction commits, :func:`seal` (a short transaction of its own) locks the
   head and gives every committed event still without a position, oldest first, the next ``seq``,
   the previous hash and its own hash. One sealer seals the events of every writer that committed
   meanwhile, with one commit.

So the chain has no gaps (a position is only given to a committed event, and only under the head
lock) and no forks (one sealer at a time). An event whose sealing was cut short (a crash between
the two steps) is sealed by the next seal of any writer, or by ``recordsys audit seal``; until
then :func:`verify` reports it as pending.

A server process (``recordsys serve``) does step 2 from one thread of its own instead of in each
request (:func:`seal_in_background`): requests answer without waiting for it, and the events
committed in the same few hundredths of a second are sealed together, with one commit.

The database refuses every update of an event except that one-time filling-in of its chain
fields, and every delete.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from dataclasses import asdict, dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from recordsys.core.models import AuditEvent, AuditHead
from recordsys.db import mark_written
from recordsys.errors import DomainError

log = logging.getLogger(__name__)
GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "occurred_at", "actor", "organization_code", "action",
    "object_type", "object_id", "payload_sha256", "prev_hash",
)
_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_KEPT = [c for c in CHAINED_FIELDS if c not in ("seq", "prev_hash")]


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
) -> None:
    """Append one event inside the caller's transaction; it is sealed into the chain just after
    that transaction commits (see the module's docstring). No lock is taken here."""
    payload_text = canonical_json(payload or {})
    occurred = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    session.flush()  # the work it describes reaches the database first, as before
    session.execute(_EVENTS.insert().values(
        occurred_at=occurred.isoformat(timespec="microseconds"), actor=actor,
        organization_code=organization_code, action=action, object_type=object_type,
        object_id=str(object_id), payload_sha256=sha256_text(payload_text), payload=payload_text,
    ))
    mark_written(session)
    session.info[_UNSEALED] = True


#: rounds one sealer makes for events committed while it held the head (see :func:`seal`)
MAX_SEAL_ROUNDS = 20


def seal(bind) -> int:
    """Give every committed event without a chain position its place, oldest first, in short
    transactions holding the head; returns how many this call sealed.

    On PostgreSQL a writer whose sealer finds the head held by another sealer does not queue behind
    it: it leaves, and the holder, once it has committed, looks again for events still without a
    place and seals them too (a writer commits before it tries the head, so the holder's second look
    sees its events). Only one sealer works at a time, and nobody waits for it. SQLite transactions
    are serial already: there a sealer simply waits for its turn.
    """
    engine = bind.engine if isinstance(bind, Connection) else bind
    skip = engine.dialect.name == "postgresql"
    total = 0
    with engine.connect() as conn:  # Core, one connection: this runs after every writing transaction
        for _ in range(MAX_SEAL_ROUNDS):
            with conn.begin():
                sealed = _seal_once(conn, skip)
            if sealed is None:  # another sealer holds the head: it looks again after its commit
                return total
            total += sealed
            with conn.begin():
                if conn.execute(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1)).first() is None:
                    return total
    return total  # still busy: the next writer's seal (or recordsys audit seal) takes the rest


def _seal_once(conn: Connection, skip_locked: bool) -> int | None:
    head = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
                        .with_for_update(skip_locked=skip_locked)).first()
    if head is None:
        if skip_locked and conn.execute(select(_HEAD.c.id).where(_HEAD.c.id == 1)).first() is not None:
            return None  # held by another sealer
        raise DomainError("The audit chain head is missing: the audit trail was tampered with.", code="audit")
    pending = conn.execute(select(_EVENTS.c.id, *(_EVENTS.c[k] for k in _KEPT))
                           .where(_EVENTS.c.seq.is_(None)).order_by(_EVENTS.c.id)).mappings().all()
    if not pending:
        return 0
    seq, prev, updates = head.seq, head.hash, []
    for row in pending:
        seq += 1
        fields = {**{k: row[k] for k in _KEPT}, "seq": seq, "prev_hash": prev}
        prev = event_hash(fields)
        updates.append({"row_id": row["id"], "new_seq": seq, "new_prev": fields["prev_hash"], "new_hash": prev})
    conn.execute(_EVENTS.update().where(_EVENTS.c.id == bindparam("row_id"))
                 .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
                 updates)
    conn.execute(_HEAD.update().where(_HEAD.c.id == 1).values(seq=seq, hash=prev))
    return len(pending)


_UNSEALED = "recordsys.audit.unsealed"  # this transaction recorded events
_TO_SEAL = "recordsys.audit.to_seal"  # … and committed them


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_UNSEALED, False):
        session.info[_TO_SEAL] = True


@sa_event.listens_for(Session, "after_transaction_end")
def _seal_after_commit(session: Session, transaction) -> None:
    # after the outermost transaction has ended and given its connection back to the pool: the
    # sealer takes one connection at a time per thread, never two
    if transaction.parent is not None:
        return
    session.info.pop(_UNSEALED, None)  # rolled back: nothing of it is left to seal
    if not session.info.pop(_TO_SEAL, False):
        return
    bind = session.get_bind()
    sealer = _BACKGROUND.get(bind.engine if isinstance(bind, Connection) else bind)
    if sealer is not None:
        sealer.wake()
        return
    try:
        seal(bind)
    except Exception:  # the events are committed; the next seal (anyone's) gives them their place
        log.exception("sealing the audit events of a committed transaction failed; they stay pending")


class BackgroundSealer:
    """One thread sealing the events committed through ``engine`` in this process: woken by each
    commit, it waits ``pause`` seconds for the commits of the same moment, then seals them all.
    A process that dies with events unsealed leaves them to the next seal of any writer, the
    periodic ``audit.seal`` job or ``recordsys audit seal``, as a crashed writer does."""

    def __init__(self, engine, pause: float):
        self.engine, self.pause = engine, pause
        self._wanted, self._closed = threading.Event(), False
        self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wanted.set()

    def close(self, timeout: float = 10) -> None:
        """Seal what is pending, stop the thread; commits seal in their own thread again."""
        _BACKGROUND.pop(self.engine, None)
        self._closed = True
        self._wanted.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._closed:
            self._wanted.wait()
            if not self._closed:
                time.sleep(self.pause)
            self._wanted.clear()  # a commit from now on wakes the next round
            try:
                seal(self.engine)
            except Exception:  # stays pending: the next round (or anyone's seal) takes it
                log.exception("sealing committed audit events failed; they stay pending")


_BACKGROUND: dict = {}


def seal_in_background(engine, pause: float = 0.05) -> BackgroundSealer:
    """From now on, commits through ``engine`` in this process leave their sealing to one thread."""
    if engine not in _BACKGROUND:
        _BACKGROUND[engine] = BackgroundSealer(engine, pause)
    return _BACKGROUND[engine]


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    head: str
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str | None = None
    #: committed events not sealed into the chain yet (a seal cut short; ``recordsys audit seal``)
    pending: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; name the first event that does not fit."""
    expected_prev, expected_seq, count, last = GENESIS, 1, 0, GENESIS
    stmt = (select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
            .execution_options(yield_per=batch))
    for event in session.scalars(stmt):
        problem = _event_problem(event, expected_seq, expected_prev)
        if problem:
            return ChainReport(False, count, last, expected_seq, event.id, problem, _pending(session))
        expected_prev, last = event.hash, event.hash
        expected_seq += 1
        count += 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != last:
        return ChainReport(
            False, count, last, count + 1, None,
            f"the chain ends at event {count} but the head records event "
            f"{head.seq if head else '?'}: events were deleted from the end", _pending(session),
        )
    return ChainReport(True, count, last, pending=_pending(session))


def _pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))) or 0


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
