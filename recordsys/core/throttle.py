"""Sign-in throttling by user name and by client address, with exponential back-off.

Each failed sign-in adds one to the row of its user name (``user:NAME``) and of its address
(``addr:IP``). When a row reaches its limit it is locked for ``BASE_LOCK`` seconds, doubled at each
further lock-out of the same streak (at most ``MAX_LOCK``). A streak ends ``STREAK_WINDOW`` after
its last failure.

Audit: failures are not audited one by one. A streak's failures are written as ONE ``login.failed``
event carrying their count when the streak closes: at a lock-out, at a successful sign-in, or when
a new failure arrives after the streak expired. Failures of a streak still open are in this table.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.core.events import AuditAction
from recordsys.core.models import LoginThrottle

BASE_LOCK = 30  # seconds, first lock-out
MAX_LOCK = 3600
STREAK_WINDOW = dt.timedelta(minutes=15)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _keys(username: str, address: str | None) -> list[str]:
    keys = [f"user:{(username or '').strip().lower()[:64]}"]
    if address:
        keys.append(f"addr:{address[:64]}")
    return keys


def _rows(session: Session, keys: list[str]) -> dict[str, LoginThrottle]:
    return {r.key: r for r in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))}


def locked_for(session: Session, username: str, address: str | None, now: dt.datetime | None = None) -> int:
    """Seconds until sign-in is allowed again for this user name / address (0: allowed now)."""
    now = now or utcnow()
    waits = [(_aware(r.locked_until) - now).total_seconds() for r in _rows(session, _keys(username, address)).values()
             if r.locked_until is not None and _aware(r.locked_until) > now]
    return int(max(waits) + 0.999) if waits else 0


def _close_streak(session: Session, row: LoginThrottle, actor: str, outcome: str, **extra) -> None:
    if row.failures <= 0:
        return
    kind, _, value = row.key.partition(":")
    audit.record(session, actor=actor[:64] or "?", action=AuditAction.login_failed, object_type=kind, object_id=value[:64] or "?",
                 payload={"count": row.failures, "first": _aware(row.first_failure_at).isoformat(),
                          "last": _aware(row.last_failure_at).isoformat(), "outcome": outcome, **extra})
    row.failures = 0


def record_failure(session: Session, username: str, address: str | None, settings: dict,
                   now: dt.datetime | None = None) -> int:
    """Count one failed (or refused while locked) attempt; returns the lock-out in seconds (0: none)."""
    now = now or utcnow()
    # rows whose failures are all audited and whose back-off is over are forgotten after a day
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.failures == 0, LoginThrottle.last_failure_at < now - dt.timedelta(days=1),
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now)))
    limits = {"user": int(settings.get("recordsys.login_max_failures", 5)),
              "addr": int(settings.get("recordsys.login_max_failures_per_address", 20))}
    keys = _keys(username, address)
    rows = _rows(session, keys)
    actor = (username or "?").strip()[:64] or "?"
    for key in keys:
        row = rows.get(key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, lockouts=0, first_failure_at=now, last_failure_at=now)
            session.add(row)
        elif _aware(row.last_failure_at) < now - STREAK_WINDOW and not (
                row.locked_until and _aware(row.locked_until) > now):
            _close_streak(session, row, actor, "expired")
            row.lockouts, row.locked_until = 0, None
        if row.failures == 0:
            row.first_failure_at = now
        row.failures += 1
        row.last_failure_at = now
        locked = row.locked_until is not None and _aware(row.locked_until) > now
        if not locked and row.failures >= limits[key.split(":")[0]]:
            seconds = min(MAX_LOCK, BASE_LOCK * 2 ** row.lockouts)
            row.locked_until = now + dt.timedelta(seconds=seconds)
            row.lockouts += 1
            _close_streak(session, row, actor, "locked", locked_seconds=seconds)
    session.flush()
    return locked_for(session, username, address, now)


def record_success(session: Session, username: str, address: str | None) -> None:
    """A successful sign-in closes the user name's streak (audited with its count) and its back-off.
    The address keeps its count: one valid account must not reset an address that guesses others."""
    rows = _rows(session, _keys(username, address))
    row = rows.get(_keys(username, None)[0])
    if row is not None:
        _close_streak(session, row, (username or "?").strip()[:64], "signed in")
        session.delete(row)
        session.flush()


def message(seconds: int, locale: str | None) -> str:
    from recordsys.i18n import translate

    lang = "en" if (locale or "vi").startswith("en") else "vi"
    return translate("Too many failed sign-ins. Try again in ${seconds} seconds.", lang, {"seconds": seconds})
