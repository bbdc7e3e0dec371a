"""Requests about an earlier document, and the statuses a clerk sends by hand.

- An incoming **update** (business type 2, with ``BussinessDocumentInfo`` saying what changed) or
  **replacement** (type 3, naming the replaced DocumentId) becomes an inbox entry linked to the
  earlier entry of the same document in the receiving agency. A **take-back request** (status 13 from
  the original sender) does too. The clerk sees what is asked and answers: agree (15) applies it —
  the registered document's metadata updated (2; not registered yet: the pending entry's, used when it is
  registered), its file replaced with the old one kept as a
  version (3), the earlier entry revoked (13) — or refuse (16, with a reason), which changes nothing.
- ``send_status`` sends 04, 05, 06 (receiver), 13 (sender), 15, 16 (answers) by hand, only when
  ``rules.py`` allows the code in the current state.

Everything runs in the caller's transaction and is audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.exchange import rules
from recordsys.exchange.codes import BusinessDocType, StatusCode
from recordsys.exchange.model import DocumentEnvelope, StatusEnvelope
from recordsys.exchange.models import InboxEntry, OutboxMessage, StatusRecord
from recordsys.ingest.models import Document

#: business type -> the request an inbox entry carries
REQUEST_OF_TYPE = {BusinessDocType.UPDATE: "update", BusinessDocType.REPLACE: "replace"}
#: request -> its business type label (the inbox shows it); None is a new document
REQUEST_TYPES = {None: BusinessDocType.NEW, "update": BusinessDocType.UPDATE, "replace": BusinessDocType.REPLACE,
                 "take_back": BusinessDocType.REVOKE}
#: document fields an update may change (Document column -> label in the catalog)
UPDATABLE = {"subject": "Subject", "number_and_symbol": "Number and symbol", "type_name": "Document type",
             "issuer": "Issuing body", "issued_date": "Issued on", "signer": "Signer", "urgency": "Urgency"}


def _error(message: str, mapping: dict | None = None, **kw):
    from recordsys.exchange.services import ExchangeError

    return ExchangeError(message, mapping=mapping, **kw)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- what a message asks ------------------------------------------------------------------------

def referenced_ids(env: DocumentEnvelope) -> list[str]:
    """The DocumentIds an update or replacement names as the earlier document, most specific first."""
    ids: list[str] = []
    if env.business.doc_type == BusinessDocType.REPLACE:
        ids += list(env.business.replaced_document_ids)
    ids += [rf.document_id for rf in env.response_for]
    if env.business.doc_type == BusinessDocType.UPDATE:
        ids += [env.business.document_id, env.document_id or env.effective_document_id]
    return [i for i in dict.fromkeys(ids) if i]


def earlier_entry(session: Session, organization_id: int, ids: list[str], sender: str | None = None) -> InboxEntry | None:
    """The earlier document (not a request) received by this agency under one of ``ids`` — from
    ``sender`` when given: only the agency that sent a document may update, replace or take it back."""
    for edxml_id in ids:
        stmt = select(InboxEntry).where(
            InboxEntry.organization_id == organization_id, InboxEntry.edxml_document_id == edxml_id,
            InboxEntry.request.is_(None))
        if sender is not None:
            stmt = stmt.where(InboxEntry.from_organ == sender)
        entry = session.scalar(stmt)
        if entry is not None:
            return entry
    return None


def message_fields(info: dict, subject: str) -> dict:
    """The document fields an edXML message gives (``_message_info`` of services), as Document columns."""
    from recordsys.exchange.services import URGENCY_OF_PRIORITY
    from recordsys.ingest.numbering import parse_number_and_symbol

    fields = {"subject": subject, "type_name": info.get("type_name") or None, "signer": info.get("signer") or None,
              "issuer": info.get("from_name") or None, "issued_date": info.get("promulgation_date"),
              "urgency": URGENCY_OF_PRIORITY.get(info.get("priority") or 0)}
    try:
        fields["number_and_symbol"] = str(parse_number_and_symbol(info.get("code", "")))
    except ValueError:
        pass
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _current_fields(session: Session, earlier: InboxEntry) -> dict:
    document = session.get(Document, earlier.registered_document_id) if earlier.registered_document_id else None
    if document is None:
        return message_fields((earlier.verdict or {}).get("message", {}), earlier.subject)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k in UPDATABLE if (v := getattr(document, k)) not in (None, "")}


def changes(current: dict, given: dict) -> list[dict]:
    """The fields ``given`` changes in ``current``: [{field, old, new}] (pure)."""
    return [{"field": k, "old": current.get(k), "new": given[k]} for k in UPDATABLE
            if k in given and given[k] != current.get(k)]


# --- receiving ----------------------------------------------------------------------------------

def store_request(session: Session, storage, checked, env: DocumentEnvelope, orgs, out: dict, *, verdict: dict,
                  actor: str, via: str) -> None:
    """Keep an update or replacement as an inbox entry of each agency in ``orgs``, linked to its
    earlier document there; the same envelope again is a duplicate."""
    from recordsys.exchange.services import _store_bytes

    kind = REQUEST_OF_TYPE[env.business.doc_type]
    edxml_id = env.effective_document_id
    key = hashlib.sha256(checked.data).hexdigest()
    ids = referenced_ids(env)
    file_row = None
    for org in orgs:
        existing = _entry_with_key(session, org.id, edxml_id, key)
        if existing is not None:
            out["duplicates"].append(existing)
            continue
        earlier = earlier_entry(session, org.id, ids, env.sender.organ_id)
        request = {"kind": kind, "reason": env.business.reason, "references": ids,
                   "related_document_id": earlier.edxml_document_id if earlier else None,
                   "changes": changes(_current_fields(session, earlier), message_fields(verdict["message"], env.subject))
                   if earlier else [],
                   "replaced": list(env.business.replaced_document_ids)}
        if env.business.update is not None:
            request["update"] = {"document_info": env.business.update.document_info,
                                 "document_receiver": env.business.update.document_receiver,
                                 "receivers": [list(r) for r in env.business.update.receivers]}
        file_row = file_row or _store_bytes(session, storage, checked.data)
        entry = InboxEntry(organization=org, file=file_row, envelope_sha256=file_row.sha256, edxml_document_id=edxml_id,
                           message_key=key, request=kind, related_inbox_id=earlier.id if earlier else None,
                           from_organ=env.sender.organ_id, from_name=env.sender.organ_name[:255] or None,
                           subject=env.subject, state="received", verdict={**verdict, "request": request},
                           received_via=via)
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:  # the same request arrived at the same moment elsewhere
            out["duplicates"].append(_entry_with_key(session, org.id, edxml_id, key))
            continue
        out["inbox_ids"].append(entry.id)
        audit.record(session, actor=actor, action=f"exchange.inbox.{kind}.receive", object_type="exchange_inbox",
                     object_id=entry.id, organization_code=org.code,
                     payload={"document_id": edxml_id, "from": entry.from_organ, "sha256": file_row.sha256,
                              "related_inbox_id": entry.related_inbox_id, "via": via, "references": ids})


def _entry_with_key(session: Session, org_id: int, edxml_id: str, key: str) -> int | None:
    """The inbox entry already holding this very message (same agency, DocumentId and envelope)."""
    return session.scalar(select(InboxEntry.id).where(
        InboxEntry.organization_id == org_id, InboxEntry.edxml_document_id == edxml_id, InboxEntry.message_key == key))


def store_take_back(session: Session, storage, checked, env: StatusEnvelope, *, file: str, only_orgs,
                    actor: str = "exchange") -> dict:
    """A 13 from the original sender: an inbox entry of each asked agency here that holds the document."""
    from recordsys.exchange.services import _store_bytes, local_org

    edxml_id = env.response_for.document_id
    key = hashlib.sha256(checked.data).hexdigest()
    out = {"file": file, "accepted": True, "kind": "status", "document_id": edxml_id, "inbox_ids": [],
           "duplicates": [], "status_code": env.status_code, "from": env.sender.organ_id,
           "signature": checked.signature, "attachments": [], "errors": []}
    asked = [o for o in env.addressees if only_orgs is None or o in only_orgs]
    orgs = [org for org in (local_org(session, o) for o in dict.fromkeys(asked)) if org is not None]
    file_row = None
    for org in orgs:
        earlier = earlier_entry(session, org.id, [edxml_id], env.sender.organ_id)
        if earlier is None:
            continue
        existing = _entry_with_key(session, org.id, edxml_id, key)
        if existing is not None:
            out["duplicates"].append(existing)
            continue
        file_row = file_row or _store_bytes(session, storage, checked.data)
        verdict = {"message": dict((earlier.verdict or {}).get("message", {})), "attachments": [],
                   "signature": checked.signature,
                   "request": {"kind": "take_back", "reason": env.description, "references": [edxml_id],
                               "related_document_id": edxml_id, "changes": [], "replaced": []}}
        entry = InboxEntry(organization=org, file=file_row, envelope_sha256=file_row.sha256, edxml_document_id=edxml_id,
                           message_key=key, request="take_back", related_inbox_id=earlier.id,
                           from_organ=env.sender.organ_id, from_name=env.sender.organ_name[:255] or earlier.from_name,
                           subject=earlier.subject, state="received", verdict=verdict, received_via="status")
        session.add(entry)
        session.flush()
        out["inbox_ids"].append(entry.id)
        audit.record(session, actor=actor, action="exchange.inbox.take_back.receive", object_type="exchange_inbox",
                     object_id=entry.id, organization_code=org.code,
                     payload={"document_id": edxml_id, "from": entry.from_organ, "reason": env.description,
                              "related_inbox_id": earlier.id})
    if not out["inbox_ids"] and not out["duplicates"]:
        raise _error("No agency here holds document ${document_id} asked back by ${sender}.",
                     {"document_id": edxml_id, "sender": env.sender.organ_id}, code="no-local-recipient")
    return out


# --- the clerk's answer (15 agree / 16 refuse) --------------------------------------------------

def _earlier(session: Session, entry: InboxEntry) -> InboxEntry:
    earlier = entry.related
    if earlier is None:  # it may have arrived after the request
        ids = (entry.verdict or {}).get("request", {}).get("references") or [entry.edxml_document_id]
        earlier = earlier_entry(session, entry.organization_id, ids, entry.from_organ)
        entry.related_inbox_id = earlier.id if earlier else None
    if earlier is None:
        raise _error("The earlier document of this request was not received by this agency; refuse the request.",
                     code="no-earlier-document")
    return earlier


def _earlier_registered(session: Session, entry: InboxEntry) -> tuple[InboxEntry, Document]:
    earlier = _earlier(session, entry)
    if earlier.state != "accepted" or earlier.registered_document_id is None:
        raise _error("The earlier document ${document_id} (inbox ${inbox_id}) is ${state}, not registered; "
                     "decide on it first or refuse the request.",
                     {"document_id": earlier.edxml_document_id, "inbox_id": earlier.id, "state": earlier.state},
                     code="earlier-not-registered")
    return earlier, session.get(Document, earlier.registered_document_id)


def _apply_fields(document: Document, given: dict) -> list[dict]:
    from recordsys.ingest.registration import clean_metadata

    current = {k: (v.isoformat() if isinstance(v, dt.date) else v)
               for k in UPDATABLE if (v := getattr(document, k)) not in (None, "")}
    changed = changes(current, given)
    cleaned = clean_metadata({c["field"]: c["new"] for c in changed}, fallback_subject=document.subject)
    for c in changed:
        setattr(document, c["field"], cleaned[c["field"]])
    return changed


def _replace_file(session: Session, storage, entry: InboxEntry, document: Document, actor: str,
                  settings: dict | None) -> dict:
    from recordsys.exchange.reading import read_envelope
    from recordsys.exchange.services import limits, write_attachments
    from recordsys.ingest.extract import extract_text
    from recordsys.storage.models import stored_file

    attachments = (entry.verdict or {}).get("attachments", [])
    if not attachments or not attachments[0].get("accepted"):
        reasons = "; ".join(attachments[0].get("reasons", [])) if attachments else "-"
        raise _error("The replacement's file did not pass the intake check (${reasons}); refuse it instead.",
                     {"reasons": reasons}, code="attachment-refused")
    main = attachments[0]
    with storage.open(entry.envelope_sha256) as handle:
        result = read_envelope(handle.read(), limits(settings))
    with tempfile.TemporaryDirectory(prefix="edxml-replace-") as folder:
        [path, *_] = write_attachments(result, Path(folder))
        blob = storage.put(path)
        text = extract_text(path)
    if main.get("sha256") and blob.sha256 != main["sha256"]:
        raise _error("The replacement's file changed since it was checked; refuse it and ask again.")
    previous = {"file_id": document.file_id, "sha256": document.file.sha256, "original_name": document.original_name,
                "number_and_symbol": document.number_and_symbol, "signature_status": document.signature_status,
                "replaced_at": _now().isoformat(), "replaced_by": actor, "inbox_id": entry.id}
    extra = dict(document.extra or {})
    extra["versions"] = [*extra.get("versions", []), previous]
    document.extra = extra
    document.file = stored_file(session, blob)
    document.original_name = (main.get("name") or document.original_name)[:255]
    document.signature_status = main.get("signature", {}).get("status", "unsigned")
    pdfa = main.get("pdfa") or {}
    document.pdfa_compliant, document.pdfa_flavour = pdfa.get("compliant"), pdfa.get("flavour")
    document.verdict = main
    document.page_count = (main.get("extracted") or {}).get("page_count") or document.page_count
    document.extracted_text = text
    return previous


def answer(session: Session, storage, entry: InboxEntry, agree: bool, reason: str, actor: str,
           settings: dict | None = None) -> dict:
    """Agree (15: apply the request) or refuse (16: nothing changes; a reason is needed)."""
    from recordsys.exchange.services import queue_status
    from recordsys.search.outbox import enqueue as enqueue_index_update

    reason = (reason or "").strip()
    if not agree and not reason:
        raise _error("A refusal needs a reason.", field="reason")
    out = {"inbox_id": entry.id, "request": entry.request}
    if agree and entry.request == "take_back":  # given back, registered or not yet: the record is kept
        earlier = _earlier(session, entry)
        if earlier.state not in ("received", "accepted"):
            raise _error("The earlier document ${document_id} (inbox ${inbox_id}) is already ${state}.",
                         {"document_id": earlier.edxml_document_id, "inbox_id": earlier.id, "state": earlier.state},
                         code="already-decided")
        earlier.state, earlier.reason = "revoked", (entry.verdict or {}).get("request", {}).get("reason") or None
        entry.registered_document_id = earlier.registered_document_id
        out.update(revoked_inbox_id=earlier.id, registered_document_id=earlier.registered_document_id)
        code, description = StatusCode.REQUEST_AGREED, reason or "Đồng ý / Agreed"
    elif agree and entry.request == "update" and _earlier(session, entry).state == "received":
        earlier = entry.related  # not registered yet: registering it later uses the updated fields
        given = message_fields((entry.verdict or {}).get("message", {}), entry.subject)
        out["changes"] = changes(message_fields((earlier.verdict or {}).get("message", {}), earlier.subject), given)
        earlier.subject = entry.subject
        earlier.verdict = {**(earlier.verdict or {}), "message": {**(earlier.verdict or {}).get("message", {}),
                                                                   **(entry.verdict or {}).get("message", {})}}
        code, description = StatusCode.REQUEST_AGREED, reason or "Đồng ý / Agreed"
    elif agree:
        earlier, document = _earlier_registered(session, entry)
        previous = _replace_file(session, storage, entry, document, actor, settings) \
            if entry.request == "replace" else None
        fields = message_fields((entry.verdict or {}).get("message", {}), entry.subject)
        applied = {"changes": _apply_fields(document, fields)}
        if previous:
            applied["previous_version"] = previous
        enqueue_index_update(session, "document", document.id)
        entry.registered_document_id = document.id
        out.update(applied, registered_document_id=document.id)
        code, description = StatusCode.REQUEST_AGREED, reason or "Đồng ý / Agreed"
    else:
        code, description = StatusCode.REQUEST_REFUSED, reason
    entry.state = "accepted" if agree else "refused"
    entry.reason = None if agree else reason
    entry.decided_at, entry.decided_by = _now(), actor
    audit.record(session, actor=actor, action=f"exchange.inbox.{entry.request}.{'agree' if agree else 'refuse'}",
                 object_type="exchange_inbox", object_id=entry.id, organization_code=entry.organization.code,
                 payload={"document_id": entry.edxml_document_id, "related_inbox_id": entry.related_inbox_id,
                          "reason": reason or None, **{k: v for k, v in out.items() if k not in ("inbox_id",)}})
    status = queue_status(session, storage, entry, code, description, actor, settings)
    out.update(state=entry.state, status_code=code.value, status_message_id=status.id)
    return out


# --- statuses sent by hand ------------------------------------------------------------------------

def sent_codes(session: Session, entry: InboxEntry) -> list[str]:
    return list(session.scalars(select(OutboxMessage.status_code).where(
        OutboxMessage.kind == "status", OutboxMessage.organization_id == entry.organization_id,
        OutboxMessage.edxml_document_id == entry.edxml_document_id).order_by(OutboxMessage.id)))


def received_entry(session: Session, document_id: int) -> InboxEntry | None:
    """The inbox entry through which our document ``document_id`` came (not a request)."""
    return session.scalar(select(InboxEntry).where(InboxEntry.registered_document_id == document_id,
                                                   InboxEntry.request.is_(None)).order_by(InboxEntry.id))


def pending_requests(session: Session, earlier: InboxEntry) -> list[InboxEntry]:
    return list(session.scalars(select(InboxEntry).where(InboxEntry.related_inbox_id == earlier.id,
                                                         InboxEntry.state == "received").order_by(InboxEntry.id)))


def sent_documents(session: Session, document_id: int) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "document", OutboxMessage.document_id == document_id).order_by(OutboxMessage.id)))


def followup_types(session: Session, messages: list[OutboxMessage]) -> dict[int, BusinessDocType]:
    """Which of our document ``messages`` are updates, replacements or revocations (kept in the
    document's ``extra["exchange_followups"]`` when sent); the others are the document itself."""
    out: dict[int, BusinessDocType] = {}
    for document_id in {m.document_id for m in messages if m.document_id}:
        document = session.get(Document, document_id)
        for item in ((document.extra or {}).get("exchange_followups", []) if document else []):
            out[int(item["message_id"])] = BusinessDocType(int(item["business_type"]))
    return out


def sender_history(session: Session, messages: list[OutboxMessage], extra_ids=()) -> dict[str, list[str]]:
    """Per recipient of our sent ``messages``: the codes exchanged, oldest first (theirs, our 13s and
    the markers ``rules.SENT`` of our updates, replacements and revocations); ``extra_ids``: other
    DocumentIds of the document (delivered without the outbox, by the workflow's distribution)."""
    ids = {m.edxml_document_id for m in messages} | set(extra_ids)
    followups = followup_types(session, messages)
    events: dict[str, list[tuple]] = {organ: [] for m in messages if m.id not in followups for organ in m.recipients}
    for m in messages:
        if m.id in followups:
            for organ in m.recipients:
                events.setdefault(organ, []).append((m.created_at, 0, rules.SENT[followups[m.id]]))
    for record in session.scalars(select(StatusRecord).where(StatusRecord.edxml_document_id.in_(ids))):
        events.setdefault(record.recipient, []).append((record.recorded_at, record.id, record.status_code))
    for ours in session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "status", OutboxMessage.edxml_document_id.in_(ids),
            OutboxMessage.status_code == StatusCode.REVOKE_REQUESTED.value)):
        for organ in ours.recipients:
            events.setdefault(organ, []).append((ours.created_at, 0, ours.status_code))
    return {organ: [code for *_, code in sorted(items, key=lambda e: (_aware(e[0]), e[1]))]
            for organ, items in events.items()}


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def allowed_now(session: Session, document_id: int) -> dict:
    """What may be sent about our document ``document_id`` now: ``receiver`` (codes to the original
    sender), ``requests`` (pending requests to answer with 15/16), ``sender`` (per recipient: 13) and
    ``business`` (per earlier recipient: the business types 1 revoke, 2 update, 3 replace it may get)."""
    from recordsys.exchange.followups import allowed_followups

    entry = received_entry(session, document_id)
    out = {"document_id": document_id, "receiver": [], "requests": [], "sender": {},
           "business": allowed_followups(session, document_id)}
    if entry is not None:
        out["receiver"] = [c.value for c in rules.receiver_codes(entry.state, None, sent_codes(session, entry))]
        out["requests"] = [{"inbox_id": r.id, "request": r.request, "codes": [c.value for c in rules.ANSWERS]}
                           for r in pending_requests(session, entry)]
    messages = sent_documents(session, document_id)
    for organ, history in sender_history(session, messages).items():
        out["sender"][organ] = [c.value for c in rules.sender_codes(True, history)]
    return out


def _description(code: StatusCode, description: str) -> str:
    return description or f"{code.meaning.vi} / {code.meaning.en}"


def send_status(session: Session, storage, document_id: int, code: str, *, actor: str, to: list[str] | None = None,
                description: str = "", inbox_id: int | None = None, settings: dict | None = None) -> dict:
    """Send status ``code`` by hand about our registered document ``document_id`` (04/05/06 to its
    original sender; 15/16 answering a pending request about it; 13 asking its recipients to take it
    back), when ``rules`` allow it now; raises ``ExchangeError`` (nothing sent) otherwise."""
    from recordsys.exchange.edxml import VIETNAM, write_status_envelope
    from recordsys.exchange.model import Organization as Party
    from recordsys.exchange.model import ResponseFor
    from recordsys.exchange.services import queue_message, queue_status

    status = StatusCode(code) if code in {c.value for c in StatusCode} else None
    if status is None or status not in rules.MANUAL:
        raise _error("Status ${code} is not sent by hand; use accept (03) or refuse (02), or one of ${items}.",
                     {"code": code, "items": ", ".join(c.value for c in rules.MANUAL)}, field="code",
                     code="status-not-allowed")
    description = (description or "").strip()
    if status.needs_reason and not description:
        raise _error("Status ${code} needs a reason (description).", {"code": status.value}, field="description")
    document = session.get(Document, document_id)
    if document is None:
        raise _error("No document ${document_id}.", {"document_id": document_id}, field="document_id", code="not-found")
    allowed = allowed_now(session, document_id)

    def refuse_now(codes):
        return _error("Status ${code} cannot be sent for document ${document_id} now; allowed now: "
                      "${allowed}.", {"code": status.value, "document_id": document_id,
                                      "allowed": ", ".join(codes) or "-"}, field="code", code="status-not-allowed")

    if status in rules.ANSWERS:
        pending = allowed["requests"]
        chosen = [r for r in pending if inbox_id is None or r["inbox_id"] == inbox_id]
        if not chosen:
            raise refuse_now([*allowed["receiver"], *sorted({c for r in pending for c in r["codes"]})])
        entry = session.get(InboxEntry, chosen[0]["inbox_id"], with_for_update=True)
        return answer(session, storage, entry, status == StatusCode.REQUEST_AGREED, description, actor, settings)
    if status in rules.PROGRESS:
        entry = received_entry(session, document_id)
        if status.value not in allowed["receiver"]:
            raise refuse_now(allowed["receiver"])
        if to and set(to) != {entry.from_organ}:
            raise _error("Status ${code} goes to the original sender ${organ} only.",
                         {"code": status.value, "organ": entry.from_organ}, field="to")
        message = queue_status(session, storage, entry, status, _description(status, description), actor, settings)
        audit.record(session, actor=actor, action="exchange.status.send", object_type="exchange_inbox",
                     object_id=entry.id, organization_code=entry.organization.code,
                     payload={"document_id": entry.edxml_document_id, "status_code": status.value, "to": [entry.from_organ]})
        return {"document_id": document_id, "status_code": status.value, "to": [entry.from_organ],
                "status_message_ids": [message.id]}
    # 13: ask recipients of our sent document to take it back
    may = [organ for organ, codes in allowed["sender"].items() if status.value in codes]
    targets = list(dict.fromkeys(to)) if to else may
    unknown = [organ for organ in targets if organ not in allowed["sender"]]
    if unknown:
        raise _error("${organ} is not a recipient of document ${document_id}.",
                     {"organ": ", ".join(unknown), "document_id": document_id}, field="to")
    if not targets or any(organ not in may for organ in targets):
        raise refuse_now(sorted({c for codes in allowed["sender"].values() for c in codes}))
    [sent, *_] = [m for m in sent_documents(session, document_id) if set(targets) & set(m.recipients)]
    org = document.organization
    envelope = StatusEnvelope(
        sender=Party(org.code, org.name),
        response_for=ResponseFor(organ_id=org.code, code=document.number_and_symbol or "",
                                 promulgation_date=document.issued_date, document_id=sent.edxml_document_id),
        status_code=status.value, timestamp=_now().astimezone(VIETNAM).replace(tzinfo=None, microsecond=0),
        description=description, recipients=tuple(Party(o) for o in targets))
    message = queue_message(session, storage, organization=org, kind="status", recipients=targets,
                            data=write_status_envelope(envelope), edxml_document_id=sent.edxml_document_id,
                            actor=actor, document_id=document.id, status_code=status.value, settings=settings)
    return {"document_id": document_id, "status_code": status.value, "to": targets, "status_message_ids": [message.id]}
