"""Background delivery of outbox messages, with every attempt recorded.

An attempt that fails for a reason that may pass (the axis is down) raises, so the task queue runs the
job again after its retry delay, until ``jobs.max_attempts``; then the message is ``failed``. A
recipient that can never be reached (not on this installation, no axis configured; an envelope the
receiver refuses) makes the message ``undeliverable`` at once.
"""
from __future__ import annotations

from recordsys.core.models import utcnow
from recordsys.jobs import handler, max_attempts


class DeliveryFailed(Exception):
    """Raised to have the task queue try the delivery again later."""


def deliver_message(session_factory, settings: dict, message_id: int, transport=None) -> dict:
    from recordsys.db import transaction_scope
    from recordsys.exchange.models import DeliveryAttempt, OutboxMessage
    from recordsys.exchange.transport import make_transport

    transport = transport or make_transport(settings)
    with transaction_scope(session_factory) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.state not in ("queued",):
            return {"message_id": message_id, "skipped": message.state if message else "missing"}
        done = set()
        for attempt in message.attempt_log:
            done.update((attempt.detail or {}).get("delivered", []))
        recipients, kind, sha256 = list(message.recipients), message.kind, message.sha256
    with transport.storage.open(sha256) as handle:
        data = handle.read()
    try:
        outcome = transport.deliver(session_factory, data, kind, recipients, done)
        error = None
    except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, retried
        outcome, error = None, f"{type(exc).__name__}: {exc}"
    with transaction_scope(session_factory) as session:
        message = session.get(OutboxMessage, message_id)
        message.attempts += 1
        if outcome is None:
            ok, detail = False, {"delivered": []}
        else:
            failed = {**outcome.failed, **outcome.undeliverable}
            error = "; ".join(f"{k}: {v}" for k, v in failed.items()) or None
            ok, detail = not failed, outcome.to_dict()
        session.add(DeliveryAttempt(message_id=message.id, transport="+".join(outcome.via) if outcome and outcome.via
                                    else "none", ok=ok, detail=detail, error=error))
        message.last_error = error
        retry = False
        if ok:
            message.state = "sent" if "axis" in outcome.via else "delivered"
            message.sent_at = utcnow()
        elif outcome is not None and outcome.undeliverable and not outcome.failed:
            message.state = "undeliverable"
        elif message.attempts >= max_attempts(settings):
            message.state = "failed"
        else:
            retry = True
        state, attempts = message.state, message.attempts
    if retry:
        raise DeliveryFailed(f"message {message_id}, attempt {attempts}: {error}")
    return {"message_id": message_id, "state": state, "attempts": attempts, "error": error}


@handler("exchange.deliver")
def deliver(session_factory, settings, params, progress):
    """Deliver one outbox message (internal inbox or the axis)."""
    return deliver_message(session_factory, settings, int(params["message_id"]))
