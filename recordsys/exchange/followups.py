"""The sender's side of business types 1, 2 and 3: after our document went out, the clerk of our
agency sends its recipients (all, or some of them)

- an **update** (type 2): changed metadata (``--set subject=…``), carried in the envelope's header
  with ``BussinessDocumentInfo`` (DocumentInfo 1); the header's and ``Bussiness``'s DocumentId stay
  the earlier document's, which ``ResponseFor`` names too;
- a **replacement** (type 3): a new signed file, checked like any outgoing file first (a file that
  fails is refused with the reasons, nothing queued), naming the replaced DocumentId in
  ``ReplacementInfoList`` and ``ResponseFor``;
- a **revocation** (type 1): no file, ``ResponseFor`` naming the revoked document, with a reason.

Our own registered document follows what we send: an update changes its fields, a replacement its
file (the old one kept as a version, as on the receiving side). Each message goes through the outbox
and delivery like a new document (internal delivery, the axis or hub), in the caller's transaction,
audited, and is recorded in the document's ``extra["exchange_followups"]`` so that ``rules`` know
what was sent to whom. Who may be sent what is ``rules.followup_refusal``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.exchange import rules
from recordsys.exchange.codes import BusinessDocType
from recordsys.exchange.model import UpdateInfo, make_document_id
from recordsys.exchange.models import InboxEntry, OutboxMessage
from recordsys.exchange.services import ExchangeError
from recordsys.ingest.models import Document

#: the document fields an update can carry (the envelope's header says them); the issuing body is
#: our agency's name in ``From``, so it is not one of them
SENDABLE = ("subject", "number_and_symbol", "type_name", "issued_date", "signer", "urgency")
KINDS = {"update": BusinessDocType.UPDATE, "replace": BusinessDocType.REPLACE, "revoke": BusinessDocType.REVOKE}


def _refusal(why: str, organ: str, document_id: int) -> ExchangeError:
    mapping = {"organ": organ, "document_id": document_id}
    if why == "not-recipient":
        return ExchangeError("${organ} is not an earlier recipient of document ${document_id}; an update, "
                             "replacement or revocation goes only where the document went.", mapping=mapping,
                             field="to", code="not-recipient")
    if why == "refused":
        return ExchangeError("${organ} refused document ${document_id} (02); nothing more is sent to it.",
                             mapping=mapping, field="to", code="not-allowed")
    return ExchangeError("Document ${document_id} is revoked or given back for ${organ}; nothing more is sent to it.",
                         mapping=mapping, field="to", code="not-allowed")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- input ----------------------------------------------------------------------------------------

def _unknown_field(name: str) -> ExchangeError:
    return ExchangeError("${field} is not a field an update can carry; use FIELD=VALUE with one of ${items}.",
                         mapping={"field": name, "items": ", ".join(SENDABLE)}, field="set", code="unknown-field")


def check_fields(fields: dict) -> dict:
    unknown = [k for k in fields or {} if k not in SENDABLE]
    if unknown:
        raise _unknown_field(unknown[0])
    return dict(fields or {})


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict:
    """``["subject=…", "signer=…"]`` as {field: value}; an unknown field or a pair without ``=`` is
    refused, naming the fields that can be sent."""
    fields: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = str(pair).partition("=")
        name = name.strip()
        if not sep or name not in SENDABLE:
            raise _unknown_field(name or str(pair))
        fields[name] = value.strip()
    return fields


def require_clerk(session: Session, username: str, org):
    """The active user ``username`` holding the registering permission (văn thư) in ``org``, the
    agency that sent the document; anyone else is refused."""
    from recordsys.core.models import User
    from recordsys.core.roles import permits

    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    roles = {a.role.value for a in user.roles if a.organization_id == org.id} if user is not None and user.active else set()
    if not permits(roles, "document.register"):
        raise ExchangeError("${username} is not a clerk of ${org}, the agency that sent the document.",
                            mapping={"username": username, "org": org.code}, field="as", code="forbidden",
                            http_status=403)
    return user


def document_of(session: Session, document_id: int, org=None) -> Document:
    document = session.get(Document, document_id)
    if document is None or (org is not None and document.organization_id != org.id):
        raise ExchangeError("No document ${document_id}.", mapping={"document_id": document_id},
                            field="document_id", code="not-found")
    return document


# --- who had the document --------------------------------------------------------------------------

def earlier_recipients(session: Session, document: Document) -> dict[str, str]:
    """Per organ our document went to (outbox, or delivered inside the installation by the workflow's
    distribution), the DocumentId it got it under (the first one)."""
    from recordsys.exchange.requests import followup_types, sent_documents

    messages = sent_documents(session, document.id)
    followups = followup_types(session, messages)
    out: dict[str, str] = {}
    for message in messages:
        if message.id not in followups:
            for organ in message.recipients:
                out.setdefault(organ, message.edxml_document_id)
    ids = {m.edxml_document_id for m in messages}
    try:
        from recordsys.exchange.services import document_meta

        meta = document_meta(session, document)
        ids.add(make_document_id(meta["sender_id"], meta["promulgation_date"], meta["code_number"],
                                 meta["code_notation"]))
    except (ExchangeError, ValueError):  # no number or date: it cannot have been packed
        pass
    org = document.organization
    for entry in session.scalars(select(InboxEntry).where(
            InboxEntry.from_organ == org.code, InboxEntry.edxml_document_id.in_(ids),
            InboxEntry.request.is_(None)).order_by(InboxEntry.id)):
        out.setdefault(entry.organization.code, entry.edxml_document_id)
    return out


def histories(session: Session, document: Document, earlier: dict[str, str], organs) -> dict[str, list[str]]:
    """The history (``rules``) with each of ``organs`` about our document (``earlier``: from
    :func:`earlier_recipients`)."""
    from recordsys.exchange.requests import sender_history, sent_documents

    known = sender_history(session, sent_documents(session, document.id), set(earlier.values()))
    return {organ: known.get(organ, []) for organ in organs}


def targets(session: Session, document: Document, kind: BusinessDocType, to) -> dict[str, str]:
    """The recipients to send ``kind`` to (``to``, default every earlier recipient it may go to), each
    with the DocumentId it had the document under; raises naming the first that may not get it."""
    earlier = earlier_recipients(session, document)
    if not earlier:
        raise ExchangeError("Document ${document_id} was never sent through exchange; there is nothing to update, "
                            "replace or revoke.", mapping={"document_id": document.id}, field="document_id",
                            code="never-sent")
    asked = list(dict.fromkeys(t.strip() for t in (to or ()) if t and t.strip()))
    past = histories(session, document, earlier, set(earlier) | set(asked))
    if not asked:
        chosen = [o for o in earlier if rules.followup_refusal(kind, True, past[o]) is None]
        if not chosen:
            raise ExchangeError("No recipient of document ${document_id} can receive it now (refused, revoked or "
                                "given back).", mapping={"document_id": document.id}, field="to",
                                code="not-allowed")
        return {o: earlier[o] for o in chosen}
    for organ in asked:
        why = rules.followup_refusal(kind, organ in earlier, past[organ])
        if why is not None:
            raise _refusal(why, organ, document.id)
    return {o: earlier[o] for o in asked}


def allowed_followups(session: Session, document_id: int) -> dict[str, list[int]]:
    """Per earlier recipient of our document: the business types (1, 2, 3) it may be sent now."""
    document = session.get(Document, document_id)
    if document is None:
        return {}
    earlier = earlier_recipients(session, document)
    past = histories(session, document, earlier, earlier)
    return {organ: [int(k) for k in sorted(rules.SENT) if rules.followup_refusal(k, True, past[organ]) is None]
            for organ in earlier}


# --- sending ------------------------------------------------------------------------------------------

def _response_for(original_id: str) -> dict:
    organ, date, code = (original_id.split(",", 2) + ["", ""])[:3]
    return {"organ_id": organ, "code": code, "promulgation_date": date.replace("/", "-") or None,
            "document_id": original_id}


def _queue(session: Session, storage, document: Document, kind: BusinessDocType, chosen: dict[str, str], *,
           reason: str, files, actor: str, settings) -> list[OutboxMessage]:
    """One envelope per earlier DocumentId of ``chosen`` recipients, queued in the outbox."""
    from recordsys.exchange.pack import envelope_for_document
    from recordsys.exchange.services import document_meta, queue_message, recipient_names

    messages = []
    by_id: dict[str, list[str]] = {}
    for organ, original in chosen.items():
        by_id.setdefault(original, []).append(organ)
    for original, organs in by_id.items():
        meta = {**document_meta(session, document), "recipient_names": recipient_names(session, organs),
                "business_type": int(kind), "business_reason": reason, "response_for": [_response_for(original)]}
        if kind == BusinessDocType.REPLACE:
            meta["replaced_document_ids"] = (original,)
        else:  # an update or revocation is about the earlier document itself
            meta["document_id"] = meta["business_document_id"] = original
            if kind == BusinessDocType.UPDATE:
                meta["update_info"] = UpdateInfo(document_info=True)
        try:
            data = envelope_for_document(meta, files, organs)
            edxml_id = original if kind != BusinessDocType.REPLACE else make_document_id(
                meta["sender_id"], meta["promulgation_date"], meta["code_number"], meta["code_notation"])
        except ValueError as exc:
            raise ExchangeError("${error}", mapping={"error": exc}, field="to") from None
        messages.append(queue_message(session, storage, organization=document.organization, kind="document",
                                      recipients=organs, data=data, edxml_document_id=edxml_id, actor=actor,
                                      document_id=document.id, settings=settings))
    return messages


def _record(session: Session, document: Document, kind: BusinessDocType, messages, *, reason: str, actor: str,
            payload: dict) -> dict:
    now = _now().isoformat()
    items = [{"message_id": m.id, "business_type": int(kind), "to": list(m.recipients),
              "document_id": m.edxml_document_id, "reason": reason or None, "at": now, "by": actor} for m in messages]
    extra = dict(document.extra or {})
    extra["exchange_followups"] = [*extra.get("exchange_followups", []), *items]
    document.extra = extra
    name = {BusinessDocType.UPDATE: "update", BusinessDocType.REPLACE: "replace", BusinessDocType.REVOKE: "revoke"}[kind]
    to = [o for m in messages for o in m.recipients]
    audit.record(session, actor=actor, action=f"exchange.{name}.send", object_type="document", object_id=document.id,
                 organization_code=document.organization.code,
                 payload={"to": to, "message_ids": [m.id for m in messages], "reason": reason or None, **payload})
    return {"document_id": document.id, "business_type": int(kind), "to": to,
            "message_ids": [m.id for m in messages], "edxml_document_ids": [m.edxml_document_id for m in messages],
            **payload}


def _apply(session: Session, document: Document, fields: dict) -> list[dict]:
    from recordsys.exchange.requests import _apply_fields
    from recordsys.search.outbox import enqueue as enqueue_index_update

    changed = _apply_fields(document, fields)
    if changed:
        enqueue_index_update(session, "document", document.id)
    return [{**c, "new": getattr(document, c["field"]).isoformat() if isinstance(getattr(document, c["field"]), dt.date)
             else getattr(document, c["field"])} for c in changed]


def send_update(session: Session, storage, document_id: int, fields: dict, *, actor: str, to=(), reason: str = "",
                org=None, settings: dict | None = None) -> dict:
    """Change our document's ``fields`` and send the update (type 2) to its earlier recipients."""
    document = document_of(session, document_id, org)
    fields = check_fields(fields)
    chosen = targets(session, document, BusinessDocType.UPDATE, to)
    changed = _apply(session, document, fields)
    if not changed:
        raise ExchangeError("The update changes nothing in document ${document_id}; give a new value with --set.",
                            mapping={"document_id": document.id}, field="set", code="no-change")
    messages = _queue(session, storage, document, BusinessDocType.UPDATE, chosen, reason=reason, files=[],
                      actor=actor, settings=settings)
    return _record(session, document, BusinessDocType.UPDATE, messages, reason=reason, actor=actor,
                   payload={"changes": changed})


def check_file(checker, path: Path, ingest_settings: dict | None, lang: str = "vi", trust_roots=()) -> dict:
    """The intake verdict of a replacement file, as for any outgoing file (the sending agency's
    ``ingest`` settings); refused (nothing queued) with the reasons when it does not pass. Touches
    no database."""
    from recordsys.ingest.policy import AcceptancePolicy

    policy = AcceptancePolicy.from_settings(ingest_settings)
    [verdict] = checker.check([path], "outgoing", lang, policy, trust_roots)
    result = verdict.to_dict()
    if not verdict.accepted:
        reasons = "; ".join(result.get("reasons", [])) or verdict.signature.status
        raise ExchangeError("The new file does not pass the intake check (${reasons}); nothing was sent.",
                            mapping={"reasons": reasons}, field="file", code="file-refused")
    return result


def _replace_own_file(session: Session, storage, document: Document, path: Path, name: str, verdict: dict,
                      actor: str) -> dict:
    from recordsys.ingest.extract import extract_text
    from recordsys.storage.models import stored_file

    if verdict.get("sha256") == document.file.sha256:
        raise ExchangeError("The new file is the document's current file; nothing to replace.", field="file",
                            code="no-change")
    blob = storage.put(path)
    if verdict.get("sha256") and blob.sha256 != verdict["sha256"]:
        raise ExchangeError("The new file changed while it was checked; send it again.", field="file")
    previous = {"file_id": document.file_id, "sha256": document.file.sha256, "original_name": document.original_name,
                "number_and_symbol": document.number_and_symbol, "signature_status": document.signature_status,
                "replaced_at": _now().isoformat(), "replaced_by": actor}
    extra = dict(document.extra or {})
    extra["versions"] = [*extra.get("versions", []), previous]
    document.extra = extra
    document.file = stored_file(session, blob)
    document.original_name = name[:255]
    document.signature_status = verdict.get("signature", {}).get("status", "unsigned")
    pdfa = verdict.get("pdfa") or {}
    document.pdfa_compliant, document.pdfa_flavour = pdfa.get("compliant"), pdfa.get("flavour")
    document.verdict = verdict
    document.page_count = (verdict.get("extracted") or {}).get("page_count") or document.page_count
    document.extracted_text = extract_text(path)
    return previous


def send_replacement(session: Session, storage, document_id: int, path: Path, verdict: dict, *, actor: str,
                     name: str | None = None, fields: dict | None = None, to=(), reason: str = "", org=None,
                     settings: dict | None = None) -> dict:
    """Replace our document's file by ``path`` (checked: ``verdict`` from :func:`check_file`), change
    ``fields`` if given (e.g. the new number), and send the replacement (type 3) to its earlier
    recipients."""
    from recordsys.ingest.registration import clean_metadata
    from recordsys.search.outbox import enqueue as enqueue_index_update

    document = document_of(session, document_id, org)
    if not verdict.get("accepted"):
        raise ExchangeError("The new file does not pass the intake check (${reasons}); nothing was sent.",
                            mapping={"reasons": "; ".join(verdict.get("reasons", [])) or "-"}, field="file",
                            code="file-refused")
    fields = check_fields(fields or {})
    chosen = targets(session, document, BusinessDocType.REPLACE, to)
    label = name or Path(path).name
    clean_metadata(fields, fallback_subject=document.subject)  # bad values refused before the file is stored
    previous = _replace_own_file(session, storage, document, Path(path), label, verdict, actor)
    changed = _apply(session, document, fields)
    enqueue_index_update(session, "document", document.id)  # its words changed with the file
    messages = _queue(session, storage, document, BusinessDocType.REPLACE, chosen, reason=reason,
                      files=[(document.original_name, Path(path))], actor=actor, settings=settings)
    return _record(session, document, BusinessDocType.REPLACE, messages, reason=reason, actor=actor,
                   payload={"changes": changed, "previous_version": previous, "sha256": document.file.sha256})


def send_revoke(session: Session, storage, document_id: int, *, actor: str, reason: str, to=(), org=None,
                settings: dict | None = None) -> dict:
    """Revoke our document (type 1) at its earlier recipients, with a reason: their entry of it is
    revoked on arrival (the record is kept)."""
    reason = (reason or "").strip()
    if not reason:
        raise ExchangeError("A revocation needs a reason.", field="reason")
    document = document_of(session, document_id, org)
    chosen = targets(session, document, BusinessDocType.REVOKE, to)
    messages = _queue(session, storage, document, BusinessDocType.REVOKE, chosen, reason=reason, files=[],
                      actor=actor, settings=settings)
    return _record(session, document, BusinessDocType.REVOKE, messages, reason=reason, actor=actor, payload={})
