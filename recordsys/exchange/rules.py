"""Which status a clerk may send now (pure rules, no I/O).

Two sides of one document:

- the **receiver** of a document (an inbox entry): 01 is automatic, 02/03 are the clerk's refusal or
  acceptance (``refuse``/``accept``); once accepted, the handling steps 04 (assigned), 05 (being
  processed), 06 (completed) go forward only, each at most once. An entry that is a request about an
  earlier document (an update, a replacement, a take-back 13) is answered with 15 (agree) or 16
  (refuse, with a reason), once.
- the **sender** of a document (our outbox) may ask a recipient to take it back (13), unless that
  recipient refused the document (02), already agreed to give it back (15), or has not answered an
  earlier 13 yet. It may also send an update (business type 2), a replacement (3) or a revocation
  (1) of the document to a recipient it went to, unless that recipient refused it or it was revoked
  (our type 1, or a 13 it agreed to).

A sender's ``history`` with one recipient holds the status codes exchanged (theirs and our 13s) and
markers of our business messages (``SENT[BusinessDocType.UPDATE]`` …), oldest first. Answers (15/16)
are paired first in, first out with the requests still open (13, update, replacement), as the
receiving clerk sees them oldest first.
"""
from __future__ import annotations

from collections.abc import Sequence

from recordsys.exchange.codes import BusinessDocType, StatusCode

#: the handling steps after acceptance, in order
PROGRESS = (StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.COMPLETED)
#: the codes a clerk sends by hand (``send-status``); 01/02/03 have their own commands
MANUAL = (*PROGRESS, StatusCode.REVOKE_REQUESTED, StatusCode.REQUEST_AGREED, StatusCode.REQUEST_REFUSED)
ANSWERS = (StatusCode.REQUEST_AGREED, StatusCode.REQUEST_REFUSED)


def receiver_codes(entry_state: str, request: str | None, sent: Sequence[str] = ()) -> tuple[StatusCode, ...]:
    """What the receiving clerk may send about an inbox entry in ``entry_state`` ("received",
    "accepted", "refused", "revoked"); ``request`` is None for a new document, else what it asks
    ("update", "replace", "take_back"); ``sent`` the codes already sent about it."""
    if request is not None:
        return ANSWERS if entry_state == "received" else ()
    if entry_state != "accepted":
        return ()
    done = [PROGRESS.index(StatusCode(c)) for c in sent if c in {p.value for p in PROGRESS}]
    start = max(done) + 1 if done else 0
    return PROGRESS[start:]


#: markers of our business messages in a sender's history (not status codes: they never travel)
SENT = {BusinessDocType.REVOKE: "sent:1", BusinessDocType.UPDATE: "sent:2", BusinessDocType.REPLACE: "sent:3"}
#: what a recipient is asked and answers with 15/16
_ASKING = (StatusCode.REVOKE_REQUESTED.value, SENT[BusinessDocType.UPDATE], SENT[BusinessDocType.REPLACE])


def answered(history: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The requests answered, as (request, answer) pairs, and those still open, oldest first."""
    open_: list[str] = []
    pairs: list[tuple[str, str]] = []
    for code in history:
        if code in _ASKING:
            open_.append(code)
        elif code in (a.value for a in ANSWERS) and open_:
            pairs.append((open_.pop(0), code))
    return pairs, open_


def revoked(history: Sequence[str]) -> bool:
    """Whether the document is revoked for this recipient: our revocation (type 1) was sent, or it
    agreed (15) to a take-back request (13)."""
    pairs, _ = answered(history)
    return SENT[BusinessDocType.REVOKE] in history or \
        (StatusCode.REVOKE_REQUESTED.value, StatusCode.REQUEST_AGREED.value) in pairs


def sender_codes(sent_to: bool, history: Sequence[str]) -> tuple[StatusCode, ...]:
    """What the sending clerk may send to one recipient of a document: ``sent_to`` says the document
    went to it; ``history`` is the codes exchanged with it about the document, oldest first (its
    statuses, our 13s and our business messages)."""
    if not sent_to or StatusCode.REFUSED.value in history or revoked(history):
        return ()  # refused, or given back / revoked
    if StatusCode.REVOKE_REQUESTED.value in answered(history)[1]:
        return ()  # waiting for its answer
    return (StatusCode.REVOKE_REQUESTED,)


def followup_refusal(kind: BusinessDocType, sent_to: bool, history: Sequence[str]) -> str | None:
    """Why an update (2), replacement (3) or revocation (1) of our document may not go to one
    recipient now: "not-recipient" (the document never went to it), "refused" (it refused the
    document, 02), "revoked" (already revoked or given back); None when it may."""
    if kind not in SENT:
        raise ValueError(f"not a follow-up business type: {kind!r}")
    if not sent_to:
        return "not-recipient"
    if StatusCode.REFUSED.value in history:
        return "refused"
    if revoked(history):
        return "revoked"
    return None
