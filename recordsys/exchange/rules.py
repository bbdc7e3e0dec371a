"""Which status a clerk may send now (pure rules, no I/O).

Two sides of one document:

- the **receiver** of a document (an inbox entry): 01 is automatic, 02/03 are the clerk's refusal or
  acceptance (``refuse``/``accept``); once accepted, the handling steps 04 (assigned), 05 (being
  processed), 06 (completed) go forward only, each at most once. An entry that is a request about an
  earlier document (an update, a replacement, a take-back 13) is answered with 15 (agree) or 16
  (refuse, with a reason), once.
- the **sender** of a document (our outbox) may ask a recipient to take it back (13), unless that
  recipient refused the document (02), already agreed to give it back (15), or has not answered an
  earlier 13 yet.
"""
from __future__ import annotations

from collections.abc import Sequence

from recordsys.exchange.codes import StatusCode

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


def sender_codes(sent_to: bool, history: Sequence[str]) -> tuple[StatusCode, ...]:
    """What the sending clerk may send to one recipient of a document: ``sent_to`` says the document
    went to it; ``history`` is the codes exchanged with it about the document, oldest first (its
    statuses and our 13s)."""
    if not sent_to or StatusCode.REFUSED.value in history:
        return ()
    requests = [c for c in history if c in (StatusCode.REVOKE_REQUESTED.value, *(a.value for a in ANSWERS))]
    if StatusCode.REQUEST_AGREED.value in requests:
        return ()  # it gave the document back
    if requests and requests[-1] == StatusCode.REVOKE_REQUESTED.value:
        return ()  # waiting for its answer
    return (StatusCode.REVOKE_REQUESTED,)
