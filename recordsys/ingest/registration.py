"""Registering accepted documents in an agency's register, with gapless numbers; quarantining
refused ones with their verdict.

The checks (signatures, PDF/A) run *before* the transaction; the transaction only stores the
verdict, takes the next number and writes the document, so the register row is locked briefly.
The number is taken with ``UPDATE … RETURNING`` on the register row inside the same transaction
as the document: a rollback (bad metadata, a crash, a kill) gives the number back, so there is no
gap, and concurrent clerks queue on the row lock (PostgreSQL) or the database lock (SQLite).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recordsys import metadata as archival_metadata
from recordsys.core import audit
from recordsys.core.models import Organization
from recordsys.core.services import ValidationError
from recordsys.ingest.events import AuditAction
from recordsys.ingest.models import Document, QuarantinedFile, Register
from recordsys.ingest.numbering import parse_number_and_symbol, register_kind
from recordsys.search.outbox import enqueue as enqueue_index_update
from recordsys.storage import IFileStorage
from recordsys.storage.models import stored_file

DELIVERY_MODES = ("electronic", "electronic_and_paper")  # điện tử / điện tử kèm bản giấy
URGENCY = ("khan", "thuong_khan", "hoa_toc")  # Khẩn, Thượng khẩn, Hỏa tốc

#: metadata keys given at registration that map to document columns; the rest goes to ``extra``
_COLUMNS = ("number_and_symbol", "type_name", "subject", "issuer", "issued_date", "signer",
            "confidentiality", "urgency", "delivery_mode")


@dataclass(frozen=True)
class RegistrationResult:
    accepted: bool
    organization: str
    register: str
    year: int
    number: int | None = None
    document_id: int | None = None
    quarantine_id: int | None = None
    flags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def clean_metadata(metadata: dict | None, *, fallback_subject: str) -> dict:
    """Validate the clerk's metadata; raises ValidationError naming the field."""
    metadata = dict(metadata or {})
    unknown_type = [k for k, v in metadata.items() if not isinstance(v, (str, int, float, bool, type(None)))]
    if unknown_type:
        raise ValidationError(unknown_type[0], "Metadata field ${unknown_type} must be a plain value.", mapping={"unknown_type": f"{unknown_type[0]!r}"})
    if metadata.get("number_and_symbol"):
        try:
            metadata["number_and_symbol"] = str(parse_number_and_symbol(str(metadata["number_and_symbol"])))
        except ValueError as exc:
            raise ValidationError("number_and_symbol", "${error}", mapping={"error": exc}) from None
    if metadata.get("issued_date"):
        try:
            metadata["issued_date"] = dt.date.fromisoformat(str(metadata["issued_date"]))
        except ValueError:
            raise ValidationError("issued_date", "issued_date must be a date such as 2026-03-15.") from None
    confidentiality = tuple(sorted(archival_metadata.load().code_values("confidentiality")))  # Mật, Tối mật, Tuyệt mật
    for key, allowed in (("confidentiality", confidentiality), ("urgency", URGENCY),
                         ("delivery_mode", DELIVERY_MODES)):
        if metadata.get(key) and metadata[key] not in allowed:
            raise ValidationError(key, "${key} must be one of ${items}.", mapping={"key": key, "items": ', '.join(allowed)})
    subject = str(metadata.get("subject") or fallback_subject).strip()
    if not subject:
        raise ValidationError("subject", "A document needs a subject (trích yếu).")
    metadata["subject"] = subject[:2000]
    metadata.setdefault("delivery_mode", "electronic")
    return metadata


def next_number(session: Session, organization: Organization, kind: str, year: int) -> tuple[Register, int]:
    """Take the next number of a register (creating the register on its first use)."""
    stmt = (
        update(Register)
        .where(Register.organization_id == organization.id, Register.kind == kind, Register.year == year)
        .values(last_number=Register.last_number + 1)
        .returning(Register.id, Register.last_number)
    )
    row = session.execute(stmt).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(Register(organization_id=organization.id, kind=kind, year=year, last_number=0))
        except IntegrityError:
            pass  # another clerk created it first; their row is ours to number from
        row = session.execute(stmt).one()
    return session.get(Register, row.id), row.last_number


def register_checked_file(
    session: Session,
    *,
    storage: IFileStorage,
    path: Path,
    verdict: dict,
    organization: Organization,
    direction: str,
    actor: str,
    metadata: dict | None = None,
    flags: list[str] | None = None,
    extracted: dict | None = None,
    today: dt.date | None = None,
    original_name: str | None = None,
) -> RegistrationResult:
    """Store the file and either register it (accepted) or quarantine it (refused).

    ``original_name`` is the client's file name, kept as a label (default: the name of ``path``).

    ``verdict`` is the JSON form of the check (``recordsys ingest check --json``). Must run inside
    the caller's transaction; the caller commits.
    """
    today = today or dt.date.today()
    extracted = extracted or {}
    label = original_name or Path(path).name
    meta = clean_metadata(metadata, fallback_subject=extracted.get("title") or Path(label).stem)
    kind = register_kind(direction, confidential=bool(meta.get("confidentiality")))
    blob = storage.put(Path(path))  # before commit; unreferenced if we roll back (swept later)
    if blob.sha256 != verdict.get("sha256", blob.sha256):
        raise ValidationError("file", "${path} changed between the check and the registration; check it again.", mapping={"path": path})
    file_row = stored_file(session, blob)
    name = label[:255]
    if not verdict.get("accepted"):
        quarantined = QuarantinedFile(
            organization_id=organization.id, file=file_row, original_name=name, direction=direction,
            verdict=verdict, reasons=list(verdict.get("reasons", [])), refused_by=actor,
        )
        session.add(quarantined)
        session.flush()
        audit.record(session, actor=actor, action=AuditAction.document_refuse, object_type="quarantined_file",
                     object_id=quarantined.id, organization_code=organization.code,
                     payload={"sha256": blob.sha256, "file": name, "reasons": quarantined.reasons})
        return RegistrationResult(False, organization.code, kind, today.year, quarantine_id=quarantined.id,
                                  reasons=quarantined.reasons)

    text = extracted.get("text")
    if text is None:  # the words of the body, so that the document is found by them (web, CLI, exchange)
        from recordsys.ingest.extract import extract_text

        text = extract_text(Path(path))
    register, number = next_number(session, organization, kind, today.year)
    signers = [s.get("signer") for s in verdict.get("signature", {}).get("signatures", []) if s.get("signer")]
    pdfa = verdict.get("pdfa") or {}
    document = Document(
        organization_id=organization.id, register=register, number=number, year=today.year,
        direction=direction, file=file_row, original_name=name,
        signature_status=verdict.get("signature", {}).get("status", "unsigned"),
        pdfa_compliant=pdfa.get("compliant"), pdfa_flavour=pdfa.get("flavour"),
        flags=list(flags or []), verdict=verdict, page_count=extracted.get("page_count"),
        extracted_text=text, registered_by=actor,
        extra={k: v for k, v in meta.items() if k not in _COLUMNS},
        **{k: meta.get(k) for k in _COLUMNS},
    )
    if not document.signer and signers:
        document.signer = ", ".join(signers)[:255]
    session.add(document)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.document_register, object_type="document",
                 object_id=document.id, organization_code=organization.code,
                 payload={"register": kind, "year": today.year, "number": number, "sha256": blob.sha256,
                          "subject": document.subject, "flags": document.flags})
    enqueue_index_update(session, "document", document.id)
    return RegistrationResult(True, organization.code, kind, today.year, number=number,
                              document_id=document.id, flags=document.flags, reasons=list(verdict.get("reasons", [])))
