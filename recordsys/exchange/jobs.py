"""Background delivery of outbox messages, with every attempt recorded.

An attempt that fails for a reason that may pass (the axis is down) raises, so the task queue runs the
job again after its retry delay, until ``jobs.max_attempts``; then the message is ``failed``. A
recipient that can never be reached (not on this installation, no axis configured; an envelope the
receiver refuses) makes the message ``undeliverable`` at once.
"""
from __future__ import annotations

from recordsys.core.models import utcnow
from recordsys.jobs import enqueue_once, handler, max_attempts, periodic


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
    except Exception as exc:
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


def poll_axis(session_factory, settings: dict, transport=None) -> dict:
    """Fetch what the axis holds for us (documents, then statuses), take each in as if delivered, and
    acknowledge it: ``done`` when stored (or already there), ``fail`` when the envelope is refused."""
    from recordsys.exchange.services import receive
    from recordsys.exchange.transport import AxisError, make_transport

    transport = transport or make_transport(settings)
    if not transport.axis_url:
        return {"skipped": "exchange.axis_url is not set"}
    report = {"received": [], "refused": [], "errors": []}
    for message_type in ("edoc", "status"):
        try:
            listed = transport.received_list(message_type)
        except AxisError as exc:
            report["errors"].append(str(exc))
            continue
        for item in listed:
            doc_id = str(item.get("docId") or "")
            try:
                data = transport.get_edoc(doc_id)
                result = receive(session_factory, transport.storage, transport.checker, data, actor="axis",
                                 settings=settings, via="axis", file=doc_id)
                transport.update_status(doc_id, "done" if result["accepted"] else "fail")
            except AxisError as exc:  # tried again at the next poll: nothing was acknowledged
                report["errors"].append(f"{doc_id}: {exc}")
                continue
            report["received" if result["accepted"] else "refused"].append(
                {"doc_id": doc_id, "inbox_ids": result.get("inbox_ids", []), "errors": result.get("errors", [])})
    return report


@handler("exchange.poll")
def poll(session_factory, settings, params, progress):
    """Fetch and acknowledge what the axis holds for our agencies."""
    return poll_axis(session_factory, settings)


@periodic("exchange.poll", "*/5 * * * *")
def schedule_poll(session_factory, settings):
    """Every five minutes (``jobs.schedule.exchange.poll``), when an axis is configured."""
    if not settings.get("exchange.axis_url"):
        return None
    return enqueue_once(session_factory, "exchange.poll", {})


@handler("exchange.hub_forward")
def hub_forward(session_factory, settings, params, progress):
    """Our hub hands messages for organs it does not know to the upstream axis (once per envelope);
    retried while the upstream fails, then the messages are ``undeliverable``."""
    from recordsys.db import transaction_scope
    from recordsys.exchange.models import HubMessage
    from recordsys.exchange.transport import AxisError, make_transport

    ids = [int(i) for i in params["hub_message_ids"]]
    with transaction_scope(session_factory) as session:
        rows = [m for m in (session.get(HubMessage, i) for i in ids) if m is not None and m.state == "upstream"]
        if not rows:
            return {"skipped": True}
        sha256, kind = rows[0].sha256, rows[0].message_type
    transport = make_transport(settings)
    with transport.storage.open(sha256) as handle:
        data = handle.read()
    try:
        answer, error = transport.send_edoc(data, "status" if kind == "status" else "document"), None
    except AxisError as exc:
        answer, error = None, str(exc)
    last = answer is not None or _last_attempt(session_factory, settings, params)
    with transaction_scope(session_factory) as session:
        for i in ids:
            row = session.get(HubMessage, i)
            if row is not None and row.state == "upstream" and last:
                row.state, row.updated_at = ("forwarded" if answer is not None else "undeliverable"), utcnow()
    if not last:
        raise DeliveryFailed(f"upstream: {error}")
    return {"forwarded": answer is not None, "error": error, "answer": answer}


def _last_attempt(session_factory, settings, params) -> bool:
    """Whether the running forward job is on its last attempt (then failure is final)."""
    from sqlalchemy import select

    from recordsys.db import transaction_scope
    from recordsys.jobs import Job

    with transaction_scope(session_factory) as session:
        attempts = session.scalar(select(Job.attempts).where(Job.kind == "exchange.hub_forward", Job.status == "running")
                                  .order_by(Job.id.desc()).limit(1))
    return (attempts or 0) >= max_attempts(settings)
