"""Sending and receiving edXML messages with the database: pack a registered document, queue it in
the outbox (exact bytes, content-addressed), receive envelopes into the inbox of our agencies,
accept (register as incoming) or refuse them, and the statuses that travel back.

Checks that take time (the intake check of every attachment, the envelope signature) run before
the transaction that stores the result; a refused or malformed envelope leaves nothing behind.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.core.models import Organization
from recordsys.errors import DomainError
from recordsys.exchange.codes import BusinessDocType, StatusCode
from recordsys.exchange.edxml import VIETNAM, write_status_envelope
from recordsys.exchange.model import (
    DocumentEnvelope,
    ResponseFor,
    StatusEnvelope,
    make_document_id,
)
from recordsys.exchange.model import (
    Organization as Party,
)
from recordsys.exchange.models import InboxEntry, OutboxMessage, StatusRecord
from recordsys.exchange.pack import envelope_for_document
from recordsys.exchange.reading import read_envelope
from recordsys.exchange.safexml import ReadLimits
from recordsys.ingest.models import Document
from recordsys.storage.models import stored_file

DELIVER_JOB = "exchange.deliver"
#: urgency of a registered document -> OtherInfo/Priority, and back
PRIORITY_OF_URGENCY = {"khan": 1, "thuong_khan": 2, "hoa_toc": 3}
URGENCY_OF_PRIORITY = {1: "khan", 2: "thuong_khan", 3: "hoa_toc", 4: "hoa_toc"}
#: the integer DocumentType codes used by hubs for the common type names (others: 0 with the name)
DOCUMENT_TYPES = {"Nghị quyết": 1, "Quyết định": 2, "Chỉ thị": 3, "Quy chế": 4, "Quy định": 5,
                  "Thông cáo": 6, "Thông báo": 7, "Hướng dẫn": 8, "Chương trình": 9, "Kế hoạch": 10,
                  "Phương án": 11, "Đề án": 12, "Dự án": 13, "Báo cáo": 14, "Biên bản": 15, "Tờ trình": 16,
                  "Hợp đồng": 17, "Công văn": 18, "Công điện": 19, "Giấy mời": 22}
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


class ExchangeError(DomainError):
    code = "exchange"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def limits(settings: dict | None) -> ReadLimits:
    return ReadLimits.from_settings(settings or {})


def local_org(session: Session, organ_id: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.code == organ_id))


def require_local_org(session: Session, organ_id: str) -> Organization:
    org = local_org(session, organ_id)
    if org is None:
        raise ExchangeError("No agency ${organ_id} on this installation.", mapping={"organ_id": organ_id}, field="org")
    return org


# --- packing and sending ------------------------------------------------------------------------

def document_meta(session: Session, document: Document) -> dict:
    """What ``envelope_for_document`` needs, from a registered document and its agency."""
    if not document.number_and_symbol:
        raise ExchangeError("Document ${id} has no number and symbol (số, ký hiệu); it cannot be sent.", mapping={"id": document.id},
                            field="number_and_symbol")
    number, _, notation = document.number_and_symbol.partition("/")
    org = document.organization
    type_name = document.type_name or "Công văn"
    return {
        "sender_id": org.code, "sender_name": org.name, "code_number": number, "code_notation": notation,
        "promulgation_date": document.issued_date or document.registered_at.date(),
        "document_type": DOCUMENT_TYPES.get(type_name, 0), "document_type_name": type_name,
        "subject": document.subject[:500], "signer_name": document.signer or "",
        "priority": PRIORITY_OF_URGENCY.get(document.urgency or "", 0),
        "page_amount": document.page_count,
    }


def recipient_names(session: Session, to: list[str]) -> dict[str, str]:
    rows = session.scalars(select(Organization).where(Organization.code.in_(to))).all()
    return {o.code: o.name for o in rows}


def pack_document(session: Session, storage, document_id: int, to: list[str], *,
                  now: dt.datetime | None = None) -> tuple[bytes, str]:
    """The edXML bytes of a registered document for ``to``, and its DocumentId."""
    document = session.get(Document, document_id)
    if document is None:
        raise ExchangeError("No document ${document_id}.", mapping={"document_id": document_id},
                            field="document_id")
    meta = document_meta(session, document)
    meta["recipient_names"] = recipient_names(session, to)
    with tempfile.TemporaryDirectory(prefix="edxml-pack-") as folder:
        path = Path(folder) / "document"
        with storage.open(document.file.sha256) as source:
            path.write_bytes(source.read())
        try:
            data = envelope_for_document(meta, [(document.original_name, path)], list(to), now=now)
        except ValueError as exc:
            raise ExchangeError("${error}", mapping={"error": exc}, field="to") from None
    edxml_id = make_document_id(meta["sender_id"], meta["promulgation_date"] if isinstance(
        meta["promulgation_date"], dt.date) else None, meta["code_number"], meta["code_notation"])
    return data, edxml_id


def _store_bytes(session: Session, storage, data: bytes, sha256: str | None = None):
    """The stored-file row of ``data``, written once (fsynced) into the store; ``sha256``: its hex
    digest when the caller has it already."""
    return stored_file(session, storage.put_bytes(data, sha256))


def sign_if_configured(data: bytes, settings: dict | None) -> bytes:
    """``data`` signed (enveloped XML-DSig) with ``exchange.signing_key`` / ``exchange.signing_cert``
    (PEM files; ``exchange.signing_passphrase`` if the key is encrypted) when both are set."""
    from recordsys.exchange.signing import sign_envelope

    settings = settings or {}
    key, cert = settings.get("exchange.signing_key"), settings.get("exchange.signing_cert")
    if not key or not cert:
        return data
    try:
        key_pem, cert_pem = Path(key).read_bytes(), Path(cert).read_bytes()
    except OSError as exc:
        raise ExchangeError("Cannot read the signing key or certificate: ${exc}.", mapping={"exc": exc},
                            code="signing", exit_code=2) from None
    passphrase = settings.get("exchange.signing_passphrase")
    return sign_envelope(data, key_pem, cert_pem, passphrase.encode() if passphrase else None)


def queue_message(session: Session, storage, *, organization: Organization, kind: str, recipients: list[str],
                  data: bytes, edxml_document_id: str, actor: str, document_id: int | None = None,
                  status_code: str | None = None, settings: dict | None = None) -> OutboxMessage:
    """Put ``data`` (signed when configured) in the outbox, in the caller's transaction, and queue
    its delivery job."""
    from recordsys import jobs

    data = sign_if_configured(data, settings)
    file_row = _store_bytes(session, storage, data)
    message = OutboxMessage(organization_id=organization.id, kind=kind, recipients=list(recipients),
                            edxml_document_id=edxml_document_id, document_id=document_id, status_code=status_code,
                            state="queued", attempts=0, file=file_row, sha256=file_row.sha256, created_by=actor)
    session.add(message)
    session.flush()
    audit.record(session, actor=actor, action=f"exchange.{kind}.queue", object_type="exchange_message",
                 object_id=message.id, organization_code=organization.code,
                 payload={"to": list(recipients), "document_id": edxml_document_id, "status_code": status_code,
                          "sha256": file_row.sha256})
    jobs.enqueue(session, DELIVER_JOB, {"message_id": message.id}, requested_by=actor)
    return message


def send_document(session: Session, storage, document_id: int, to: list[str], actor: str,
                  settings: dict | None = None) -> OutboxMessage:
    """Decide to send a registered document: its envelope goes to the outbox in this transaction."""
    data, edxml_id = pack_document(session, storage, document_id, to)
    document = session.get(Document, document_id)
    return queue_message(session, storage, organization=document.organization, kind="document",
                         recipients=list(to), data=data, edxml_document_id=edxml_id, actor=actor,
                         document_id=document.id, settings=settings)


def queue_status(session: Session, storage, entry: InboxEntry, code: StatusCode, description: str,
                 actor: str, settings: dict | None = None) -> OutboxMessage:
    """A status about an inbox entry, from its agency back to the original sender."""
    info = (entry.verdict or {}).get("message", {})
    promulgation = info.get("promulgation_date")
    org = entry.organization
    envelope = StatusEnvelope(
        sender=Party(org.code, org.name),
        response_for=ResponseFor(organ_id=entry.from_organ, code=info.get("code", ""),
                                 promulgation_date=dt.date.fromisoformat(promulgation) if promulgation else None,
                                 document_id=entry.edxml_document_id),
        status_code=code.value, timestamp=_now().astimezone(VIETNAM).replace(tzinfo=None, microsecond=0),
        description=description)
    data = write_status_envelope(envelope)
    return queue_message(session, storage, organization=org, kind="status", recipients=[entry.from_organ],
                         data=data, edxml_document_id=entry.edxml_document_id, actor=actor,
                         status_code=code.value, settings=settings)


# --- receiving ---------------------------------------------------------------------------------

@dataclass
class Checked:
    """An envelope read and checked, before anything is stored."""

    data: bytes
    result: object  # ReadResult
    signature: dict = field(default_factory=dict)
    attachments: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.valid and not self.errors


def _label_suffix(name: str) -> str:
    suffix = Path(name or "").suffix
    return suffix.lower() if _SAFE_SUFFIX.match(suffix) else ".bin"


def write_attachments(result, folder: Path) -> list[Path]:
    """The attachments' bytes under names we choose (the sender's names are labels, never paths)."""
    paths = []
    for i, attachment in enumerate(result.attachments, 1):
        path = folder / f"attachment-{i}{_label_suffix(attachment.name)}"
        path.write_bytes(attachment.data or b"")
        paths.append(path)
    return paths


def check_envelope(data: bytes, checker, settings: dict | None = None, *, trust_roots=(), lang: str = "vi",
                   policy=None) -> Checked:
    """Read ``data`` tolerantly and check it: the envelope signature and, for a document, every
    attachment through the intake check. Touches no database."""
    from recordsys.exchange.signing import verify_envelope

    read_limits = limits(settings)
    result = read_envelope(data, read_limits)
    checked = Checked(data, result)
    if not result.valid:
        checked.errors = [str(e) for e in result.errors] or ["Gói tin không đọc được. / The envelope cannot be read."]
        return checked
    sig = verify_envelope(data, read_limits)
    checked.signature = {"status": sig.status, "reason_vi": sig.reason_vi, "reason_en": sig.reason_en,
                         "signer": sig.signer}
    if isinstance(result.envelope, DocumentEnvelope) and result.attachments:
        with tempfile.TemporaryDirectory(prefix="edxml-recv-") as folder:
            paths = write_attachments(result, Path(folder))
            verdicts = list(checker.check(paths, "incoming", lang, policy, trust_roots))
        for attachment, verdict in zip(result.attachments, verdicts):
            item = verdict.to_dict()
            item["file"] = attachment.name  # a label
            item["name"] = attachment.name
            item["content_type"] = attachment.content_type
            checked.attachments.append(item)
    return checked


def _message_info(env: DocumentEnvelope) -> dict:
    return {"code": env.code, "code_number": env.code_number, "code_notation": env.code_notation,
            "promulgation_date": env.promulgation_date.isoformat() if env.promulgation_date else None,
            "document_type": env.document_type.type, "type_name": env.document_type.name,
            "from_name": env.sender.organ_name, "signer": env.signer.full_name, "priority": env.other_info.priority,
            "business_type": int(env.business.doc_type), "to": [o.organ_id for o in env.recipients]}


def _verdict(checked: Checked) -> dict:
    env = checked.result.envelope
    attachments = checked.attachments
    reasons = [] if attachments else ["Gói tin không có tệp đính kèm. / The envelope has no attachment."]
    return {"accepted": bool(attachments) and all(a.get("accepted") for a in attachments),
            "signature": checked.signature, "attachments": attachments, "reasons": reasons,
            "warnings": [str(w) for w in checked.result.warnings], "message": _message_info(env)}


def _refused(file: str, checked: Checked, errors: list[str]) -> dict:
    result = checked.result
    return {"file": file, "accepted": False, "kind": result.kind if result else None,
            "document_id": getattr(getattr(result, "envelope", None), "effective_document_id", None)
            if result and isinstance(result.envelope, DocumentEnvelope) else None,
            "inbox_ids": [], "duplicates": [], "signature": checked.signature, "attachments": checked.attachments,
            "errors": errors}


def store_received(session: Session, storage, checked: Checked, *, actor: str, via: str = "file",
                   file: str = "", only_orgs: list[str] | None = None, settings: dict | None = None) -> dict:
    """Store a checked envelope in the caller's transaction: a document into the inbox of each of our
    recipient agencies (status 01 queued back to the sender), a status into the history.

    Raises ``ExchangeError`` (nothing stored) when the envelope is refused.
    """
    if not checked.ok:
        raise ExchangeError("The envelope is refused: ${errors}", mapping={"errors": "; ".join(checked.errors)},
                            code="envelope-refused")
    env = checked.result.envelope
    if isinstance(env, StatusEnvelope):
        return _store_status(session, storage, checked, env, file=file, only_orgs=only_orgs)
    targets = [o.organ_id for o in env.recipients if only_orgs is None or o.organ_id in only_orgs]
    orgs = [org for org in (local_org(session, t) for t in dict.fromkeys(targets)) if org is not None]
    if not orgs:
        raise ExchangeError(
            "None of the recipients (${items}) is an agency of this installation.", mapping={"items": ', '.join(o.organ_id for o in env.recipients)},
            code="no-local-recipient")
    try:
        edxml_id = env.effective_document_id
    except ValueError as exc:
        raise ExchangeError("${error}", mapping={"error": exc}, code="envelope-refused") from None
    file_row = None  # stored once some agency takes it (a duplicate stores nothing)
    verdict = _verdict(checked)
    out = {"file": file, "accepted": True, "kind": "document", "document_id": edxml_id, "inbox_ids": [],
           "duplicates": [], "revoked": [], "signature": checked.signature, "attachments": checked.attachments,
           "errors": []}
    if env.business.doc_type == BusinessDocType.REVOKE and env.response_for:
        for org in orgs:
            for rf in env.response_for:
                entry = session.scalar(select(InboxEntry).where(InboxEntry.organization_id == org.id,
                                                                InboxEntry.edxml_document_id == rf.document_id,
                                                                InboxEntry.from_organ == env.sender.organ_id,
                                                                InboxEntry.request.is_(None)))  # its sender only
                if entry is not None and entry.state != "revoked":
                    entry.state = "revoked"
                    entry.reason = env.business.reason or None
                    out["revoked"].append(entry.id)
                    audit.record(session, actor=actor, action="exchange.inbox.revoked", object_type="exchange_inbox",
                                 object_id=entry.id, organization_code=org.code,
                                 payload={"document_id": rf.document_id, "reason": env.business.reason})
        return out  # a revocation takes the document back; it is not a new document to register
    if env.business.doc_type in (BusinessDocType.UPDATE, BusinessDocType.REPLACE):
        from recordsys.exchange.requests import store_request

        store_request(session, storage, checked, env, orgs, out, verdict=verdict, actor=actor, via=via)
        return out  # a request about an earlier document: the clerk answers it with 15 or 16
    for org in orgs:
        existing = session.scalar(select(InboxEntry.id).where(InboxEntry.organization_id == org.id,
                                                              InboxEntry.edxml_document_id == edxml_id,
                                                              InboxEntry.message_key == ""))
        if existing is not None:
            out["duplicates"].append(existing)
            continue
        file_row = file_row or _store_bytes(session, storage, checked.data)
        entry = InboxEntry(organization=org, file=file_row, envelope_sha256=file_row.sha256,
                           edxml_document_id=edxml_id, from_organ=env.sender.organ_id,
                           from_name=env.sender.organ_name[:255] or None, subject=env.subject, state="received",
                           verdict=verdict, received_via=via)
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:  # the same document arrived at the same moment elsewhere
            out["duplicates"].append(session.scalar(select(InboxEntry.id).where(
                InboxEntry.organization_id == org.id, InboxEntry.edxml_document_id == edxml_id,
                InboxEntry.message_key == "")))
            continue
        out["inbox_ids"].append(entry.id)
        audit.record(session, actor=actor, action="exchange.inbox.receive", object_type="exchange_inbox",
                     object_id=entry.id, organization_code=org.code,
                     payload={"document_id": edxml_id, "from": entry.from_organ, "sha256": file_row.sha256,
                              "via": via, "accepted": verdict["accepted"]})
        queue_status(session, storage, entry, StatusCode.ARRIVED, "Đã đến / Arrived", actor, settings)
    return out


def _store_status(session: Session, storage, checked: Checked, env: StatusEnvelope, *, file: str,
                  only_orgs) -> dict:
    if env.status_code == StatusCode.REVOKE_REQUESTED.value:  # from the original sender to its recipients
        from recordsys.exchange.requests import store_take_back

        return store_take_back(session, storage, checked, env, file=file, only_orgs=only_orgs)
    addressee = env.response_for.organ_id
    if (only_orgs is not None and addressee not in only_orgs) or local_org(session, addressee) is None:
        raise ExchangeError("The status is for ${addressee}, not an agency of this installation.", mapping={"addressee": addressee},
                            code="no-local-recipient")
    edxml_id = env.response_for.document_id
    ours = session.scalar(select(OutboxMessage.document_id).where(
        OutboxMessage.kind == "document", OutboxMessage.edxml_document_id == edxml_id).order_by(OutboxMessage.id))
    stamp = env.timestamp
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=VIETNAM)
    sha = hashlib.sha256(checked.data).hexdigest()
    seen = session.scalar(select(StatusRecord.id).where(StatusRecord.envelope_sha256 == sha))
    if seen is not None:  # the same status delivered again (a retry, a second poll): recorded once
        return {"file": file, "accepted": True, "kind": "status", "document_id": edxml_id, "inbox_ids": [],
                "duplicates": [seen], "status_id": seen, "status_code": env.status_code,
                "from": env.sender.organ_id, "signature": checked.signature, "attachments": [], "errors": []}
    _store_bytes(session, storage, checked.data)
    record = StatusRecord(edxml_document_id=edxml_id, document_id=ours, recipient=env.sender.organ_id,
                          status_code=env.status_code, description=env.description or None, occurred_at=stamp,
                          envelope_sha256=sha)
    session.add(record)
    session.flush()
    return {"file": file, "accepted": True, "kind": "status", "document_id": edxml_id, "inbox_ids": [],
            "duplicates": [], "status_id": record.id, "status_code": env.status_code, "from": env.sender.organ_id,
            "signature": checked.signature, "attachments": [], "errors": []}


def _policy(session_factory, data: bytes, settings, only_orgs):
    """The acceptance policy of the first recipient agency here (its ``ingest`` settings)."""
    from recordsys.db import transaction_scope
    from recordsys.ingest.policy import AcceptancePolicy

    env = read_envelope(data, limits(settings)).envelope
    if not isinstance(env, DocumentEnvelope):
        return None
    with transaction_scope(session_factory) as session:
        for organ in (o.organ_id for o in env.recipients):
            org = local_org(session, organ) if only_orgs is None or organ in only_orgs else None
            if org is not None:
                return AcceptancePolicy.from_settings((org.settings or {}).get("ingest"))
    return None


def receive(session_factory, storage, checker, data: bytes, *, actor: str, settings: dict | None = None,
            via: str = "file", file: str = "", only_orgs: list[str] | None = None, trust_roots=(),
            lang: str = "vi") -> dict:
    """Check then store one envelope in its own transaction; a refusal is reported, nothing stored."""
    from recordsys.db import transaction_scope

    checked = check_envelope(data, checker, settings, trust_roots=trust_roots, lang=lang,
                             policy=_policy(session_factory, data, settings, only_orgs))
    if not checked.ok:
        return _refused(file, checked, checked.errors)
    try:
        with transaction_scope(session_factory) as session:
            return store_received(session, storage, checked, actor=actor, via=via, file=file, only_orgs=only_orgs,
                                  settings=settings)
    except ExchangeError as exc:
        return _refused(file, checked, [exc.localized("vi") + " / " + str(exc)])


# --- the clerk's decision ----------------------------------------------------------------------

def _entry(session: Session, inbox_id: int) -> InboxEntry:
    entry = session.get(InboxEntry, inbox_id, with_for_update=True)
    if entry is None:
        raise ExchangeError("No inbox entry ${inbox_id}.", mapping={"inbox_id": inbox_id},
                            field="inbox_id", code="not-found")
    if entry.state != "received":
        raise ExchangeError("Inbox entry ${inbox_id} is already ${state}.", mapping={"inbox_id": inbox_id, "state": entry.state},
                            field="inbox_id", code="already-decided")
    return entry


def _registration_metadata(entry: InboxEntry) -> dict:
    from recordsys.ingest.numbering import parse_number_and_symbol

    info = (entry.verdict or {}).get("message", {})
    meta = {"subject": entry.subject, "issuer": info.get("from_name") or entry.from_organ,
            "type_name": info.get("type_name") or None, "signer": info.get("signer") or None,
            "issued_date": info.get("promulgation_date"),
            "urgency": URGENCY_OF_PRIORITY.get(info.get("priority") or 0),
            "edxml_document_id": entry.edxml_document_id, "from_organ": entry.from_organ,
            "exchange_inbox_id": entry.id}
    try:
        meta["number_and_symbol"] = str(parse_number_and_symbol(info.get("code", "")))
    except ValueError:
        meta["code"] = info.get("code")
    attachments = (entry.verdict or {}).get("attachments", [])
    if len(attachments) > 1:
        meta["other_attachments"] = ", ".join(a.get("name", "") for a in attachments[1:])[:2000]
    return {k: v for k, v in meta.items() if v not in (None, "")}


def accept(session: Session, storage, inbox_id: int, actor: str, settings: dict | None = None) -> dict:
    """Register the entry's main attachment as an incoming document and send 03, in one transaction."""
    from recordsys.ingest.registration import register_checked_file

    entry = _entry(session, inbox_id)
    if entry.request is not None:  # an update, replacement or take-back: agreeing answers 15
        from recordsys.exchange.requests import answer

        return answer(session, storage, entry, True, "", actor, settings)
    attachments = (entry.verdict or {}).get("attachments", [])
    if not attachments:
        raise ExchangeError("The message has no attachment to register; refuse it instead.", code="no-attachment")
    main = attachments[0]
    if not main.get("accepted"):
        reasons = "; ".join(main.get("reasons", []))
        raise ExchangeError("The attachment did not pass the intake check (${reasons}); refuse it instead.", mapping={"reasons": reasons},
                            code="attachment-refused")
    with storage.open(entry.envelope_sha256) as handle:
        data = handle.read()
    result = read_envelope(data, limits(settings))
    with tempfile.TemporaryDirectory(prefix="edxml-accept-") as folder:
        [path, *_] = write_attachments(result, Path(folder))
        registration = register_checked_file(
            session, storage=storage, path=path, verdict=main, organization=entry.organization,
            direction="incoming", actor=actor, metadata=_registration_metadata(entry),
            flags=list(main.get("flags", [])), extracted=main.get("extracted") or {}, original_name=main.get("name"))
    if not registration.accepted:  # the verdict said accepted; keep the two consistent
        raise ExchangeError("The document could not be registered.")
    entry.state = "accepted"
    entry.registered_document_id = registration.document_id
    entry.decided_at, entry.decided_by = _now(), actor
    audit.record(session, actor=actor, action="exchange.inbox.accept", object_type="exchange_inbox",
                 object_id=entry.id, organization_code=entry.organization.code,
                 payload={"document_id": entry.edxml_document_id, "registered_document_id": registration.document_id})
    status = queue_status(session, storage, entry, StatusCode.ACCEPTED, "Tiếp nhận, vào sổ / Accepted and registered",
                          actor, settings)
    return {"inbox_id": entry.id, "state": entry.state, "registered_document_id": registration.document_id,
            "number": registration.number, "register": registration.register, "year": registration.year,
            "status_message_id": status.id}


def refuse(session: Session, storage, inbox_id: int, reason: str, actor: str, settings: dict | None = None) -> dict:
    """Refuse an entry with a reason and send 02."""
    reason = (reason or "").strip()
    if not reason:
        raise ExchangeError("A refusal needs a reason.", field="reason")
    entry = _entry(session, inbox_id)
    if entry.request is not None:  # refusing a request answers 16; the earlier document is unchanged
        from recordsys.exchange.requests import answer

        return answer(session, storage, entry, False, reason, actor, settings)
    entry.state, entry.reason = "refused", reason
    entry.decided_at, entry.decided_by = _now(), actor
    audit.record(session, actor=actor, action="exchange.inbox.refuse", object_type="exchange_inbox",
                 object_id=entry.id, organization_code=entry.organization.code,
                 payload={"document_id": entry.edxml_document_id, "reason": reason})
    status = queue_status(session, storage, entry, StatusCode.REFUSED, reason, actor, settings)
    return {"inbox_id": entry.id, "state": entry.state, "status_message_id": status.id}


# --- listings ------------------------------------------------------------------------------------

def inbox_row(entry: InboxEntry) -> dict:
    return {"id": entry.id, "organization": entry.organization.code, "document_id": entry.edxml_document_id,
            "from": entry.from_organ, "subject": entry.subject, "state": entry.state, "verdict": entry.verdict,
            "registered_document_id": entry.registered_document_id, "reason": entry.reason,
            "received_at": entry.received_at.isoformat() if entry.received_at else None,
            "business_type": int(business_type_of(entry)), "request": entry.request,
            "related_inbox_id": entry.related_inbox_id}


def business_type_of(entry: InboxEntry) -> BusinessDocType:
    """What an inbox entry is: a new document, an update, a replacement, or a take-back (revoke)."""
    from recordsys.exchange.requests import REQUEST_TYPES

    return REQUEST_TYPES.get(entry.request, BusinessDocType.NEW)


def list_inbox(session: Session, org_code: str | None = None) -> list[dict]:
    stmt = select(InboxEntry).order_by(InboxEntry.id)
    if org_code:
        stmt = stmt.where(InboxEntry.organization_id == require_local_org(session, org_code).id)
    return [inbox_row(e) for e in session.scalars(stmt)]


def outbox_row(message: OutboxMessage) -> dict:
    return {"id": message.id, "kind": message.kind, "from": message.organization.code, "to": message.recipients,
            "document_id": message.edxml_document_id, "local_document_id": message.document_id,
            "status_code": message.status_code, "state": message.state, "attempts": message.attempts,
            "last_error": message.last_error, "sha256": message.sha256,
            "created_at": message.created_at.isoformat() if message.created_at else None}


def list_outbox(session: Session, org_code: str | None = None) -> list[dict]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if org_code:
        stmt = stmt.where(OutboxMessage.organization_id == require_local_org(session, org_code).id)
    return [outbox_row(m) for m in session.scalars(stmt)]


def status_history(session: Session, document: str) -> dict:
    """Per recipient, the statuses reported about a document (our document id, or an edXML DocumentId)."""
    if document.isdigit():
        ids = set(session.scalars(select(OutboxMessage.edxml_document_id).where(
            OutboxMessage.kind == "document", OutboxMessage.document_id == int(document))))
        if not ids and session.get(Document, int(document)) is None:
            raise ExchangeError("No document ${document}.", mapping={"document": document},
                                code="not-found")
    else:
        ids = {document}
    recipients: dict[str, list] = {}
    for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "document", OutboxMessage.edxml_document_id.in_(ids)).order_by(OutboxMessage.id)):
        for organ in message.recipients:
            recipients.setdefault(organ, [])
    for record in session.scalars(select(StatusRecord).where(StatusRecord.edxml_document_id.in_(ids))
                                  .order_by(StatusRecord.id)):
        recipients.setdefault(record.recipient, []).append({
            "status_code": record.status_code, "description": record.description,
            "meaning": _meaning(record.status_code),
            "occurred_at": record.occurred_at.isoformat() if record.occurred_at else None,
            "recorded_at": record.recorded_at.isoformat() if record.recorded_at else None})
    requests: dict[str, list] = {}  # our take-back requests (13), per recipient asked
    for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "status", OutboxMessage.edxml_document_id.in_(ids),
            OutboxMessage.status_code == StatusCode.REVOKE_REQUESTED.value).order_by(OutboxMessage.id)):
        for organ in message.recipients:
            recipients.setdefault(organ, [])
            requests.setdefault(organ, []).append({
                "status_code": message.status_code, "meaning": _meaning(message.status_code),
                "message_id": message.id, "state": message.state,
                "sent_at": message.created_at.isoformat() if message.created_at else None})
    return {"document_id": document, "edxml_document_ids": sorted(ids),
            "recipients": [{"organ_id": organ, "statuses": statuses, "requests": requests.get(organ, [])}
                           for organ, statuses in recipients.items()],
            "by_recipient": recipients}


def _meaning(code: str) -> str | None:
    try:
        meaning = StatusCode(code).meaning
    except ValueError:
        return None
    return f"{meaning.vi} / {meaning.en}"


# --- what the workflow does with a document that came through exchange -------------------------

#: the workflow's processing state -> the status the original sender gets
WORKFLOW_STATUS = {"assigned": StatusCode.ASSIGNED, "processing": StatusCode.PROCESSING, "done": StatusCode.COMPLETED}
_DESCRIPTIONS = {StatusCode.ASSIGNED: "Đã phân công / Assigned", StatusCode.PROCESSING: "Đang xử lý / Processing",
                 StatusCode.COMPLETED: "Đã hoàn thành / Completed"}


def notify_status(session: Session, document_id: int, code: str, *, storage=None, settings: dict | None = None,
                  actor: str = "workflow") -> OutboxMessage | None:
    """Queue status ``code`` (04, 05, 06) to the original sender of the registered document
    ``document_id``, in the caller's transaction; nothing when the document did not come through
    exchange (or was revoked). Each status is sent once per document, and only forward (``rules``)."""
    entry = session.scalar(select(InboxEntry).where(InboxEntry.registered_document_id == document_id,
                                                    InboxEntry.state == "accepted", InboxEntry.request.is_(None)))
    if entry is None:
        return None
    from recordsys.exchange import rules
    from recordsys.exchange.requests import sent_codes

    code = StatusCode(code)
    if code not in rules.receiver_codes(entry.state, None, sent_codes(session, entry)):
        return None  # sent already, or a later step was sent by hand: the handling steps only go forward
    if storage is None:
        from recordsys.storage import make_storage

        storage = make_storage(settings or {})
    return queue_status(session, storage, entry, code, _DESCRIPTIONS.get(code, code.value), actor, settings)


def workflow_listener(registry):
    """The listener the workflow calls when an incoming document's processing changes state."""
    def listener(session: Session, document_id: int, state: str) -> None:
        from recordsys.services import find_service
        from recordsys.storage import IFileStorage

        code = WORKFLOW_STATUS.get(state)
        if code is not None:
            notify_status(session, document_id, code.value, storage=find_service(registry, IFileStorage),
                          settings=registry.settings)
    return listener
