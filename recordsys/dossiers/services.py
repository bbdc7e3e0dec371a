"""Dossier services: open from the plan, build, describe, close, hand over, dispose.

Every state change writes an audit event; a refused change to a closed dossier is raised as
``DossierClosed`` so that the caller records the refusal in its own transaction.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys import metadata
from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.dossiers import rules
from recordsys.dossiers.models import (
    DispositionBatch, Dossier, DossierItem, DossierPlanEntry, TransferBatch,
)
from recordsys.dossiers.validation import FieldError, validate
from recordsys.ingest.models import Document
from recordsys.ingest.numbering import parse_number_and_symbol
from recordsys.search.outbox import enqueue


class DossierError(Exception):
    """A refused dossier operation; ``problems`` lists every reason (field errors included)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class DossierClosed(DossierError):
    """A change to a dossier that is no longer open; callers audit the refusal."""


def _changed(session: Session, dossier: Dossier, actor: str, action: str, **payload) -> None:
    audit.record(session, actor=actor, action=f"dossier.{action}", object_type="dossier", object_id=dossier.id,
                 organization_code=dossier.organization.code, payload={"code": dossier.archival_code, **payload})
    enqueue(session, "dossier", dossier.id)


def record_refusal(session: Session, dossier_id: int, actor: str, attempted: str, reason: str) -> None:
    dossier = session.get(Dossier, dossier_id)
    audit.record(session, actor=actor, action="dossier.refused", object_type="dossier", object_id=dossier_id,
                 organization_code=dossier.organization.code if dossier else None,
                 payload={"attempted": attempted, "reason": reason})


def get(session: Session, dossier_id: int, org_ids: set[int] | None = None) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or (org_ids is not None and dossier.organization_id not in org_ids):
        raise DossierError(f"No dossier {dossier_id}.")
    return dossier


def _require_open(dossier: Dossier, attempted: str) -> None:
    if dossier.status != "open":
        raise DossierClosed(f"Dossier {dossier.archival_code} is {dossier.status}: it cannot be changed "
                            f"({attempted} refused). Hồ sơ đã kết thúc, không được sửa đổi.")


def add_plan_entry(session: Session, *, organization: Organization, year: int, code: str, title: str,
                   retention: str, actor: str, responsible_unit: str | None = None,
                   responsible_person: str | None = None) -> DossierPlanEntry:
    """A line of the agency's annual dossier plan (danh mục hồ sơ)."""
    if retention not in metadata.load().code_values("retention"):
        raise DossierError(f"{retention!r} is not a retention period.")
    try:
        rules.dossier_code(organization.fonds_code or "", year, code)
    except rules.RuleError as exc:
        raise DossierError(str(exc)) from None
    if not title.strip():
        raise DossierError("A plan line needs a title.")
    if session.scalar(select(DossierPlanEntry).where(DossierPlanEntry.organization_id == organization.id,
                                                     DossierPlanEntry.year == year, DossierPlanEntry.code == code)):
        raise DossierError(f"The {year} plan already has {code}.")
    entry = DossierPlanEntry(organization_id=organization.id, year=year, code=code, title=title.strip(),
                             retention=retention, responsible_unit=responsible_unit,
                             responsible_person=responsible_person)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action="plan.add", object_type="dossier_plan_entry", object_id=entry.id,
                 organization_code=organization.code, payload={"year": year, "code": code, "title": entry.title})
    return entry


def plan(session: Session, organization: Organization, year: int) -> list[tuple[DossierPlanEntry, Dossier | None]]:
    entries = session.scalars(select(DossierPlanEntry).where(
        DossierPlanEntry.organization_id == organization.id, DossierPlanEntry.year == year)
        .order_by(DossierPlanEntry.code)).all()
    opened = {d.plan_entry_id: d for d in session.scalars(select(Dossier).where(
        Dossier.organization_id == organization.id, Dossier.year == year))}
    return [(entry, opened.get(entry.id)) for entry in entries]


def open_dossier(session: Session, *, organization: Organization, year: int, plan_code: str, title: str,
                 retention: str, actor: str, responsible_unit: str | None = None,
                 responsible_person: str | None = None) -> Dossier:
    """Open a dossier from the year's plan (adding the plan line when it is not there yet)."""
    definition = metadata.load()
    if retention not in definition.code_values("retention"):
        raise DossierError(f"{retention!r} is not a retention period; use one of "
                           f"{', '.join(sorted(definition.code_values('retention')))}.")
    if not title.strip():
        raise DossierError("A dossier needs a title (tiêu đề hồ sơ).")
    try:
        code = rules.dossier_code(organization.fonds_code or "", year, plan_code)
    except rules.RuleError as exc:
        raise DossierError(str(exc)) from None
    if session.scalar(select(Dossier).where(Dossier.organization_id == organization.id, Dossier.year == year,
                                            Dossier.code == plan_code)):
        raise DossierError(f"Dossier {code} is already open.")
    entry = session.scalar(select(DossierPlanEntry).where(
        DossierPlanEntry.organization_id == organization.id, DossierPlanEntry.year == year,
        DossierPlanEntry.code == plan_code))
    if entry is None:
        entry = add_plan_entry(session, organization=organization, year=year, code=plan_code, title=title,
                               retention=retention, actor=actor, responsible_unit=responsible_unit,
                               responsible_person=responsible_person)
    fields = {"FileCode": code, "OrganId": organization.fonds_code, "FileCatalog": year, "FileNotation": plan_code,
              "Title": title.strip(), "Maintenance": retention, "Rights": "cong_khai"}
    dossier = Dossier(organization=organization, year=year, code=plan_code, title=title.strip(),
                      retention=retention, archival_code=code, fields=fields, created_by=actor,
                      plan_entry_id=entry.id)
    session.add(dossier)
    session.flush()
    _changed(session, dossier, actor, "open", title=dossier.title, retention=retention)
    return dossier


def facts(dossier: Dossier) -> list[rules.DocumentFacts]:
    return [rules.DocumentFacts(
        ordinal=item.ordinal, date=item.document.issued_date or item.document.registered_at.date(),
        pages=item.document.page_count, pdfa=item.document.pdfa_compliant,
        signature=item.document.signature_status, flags=tuple(item.document.flags or ()), waiver=item.waiver)
        for item in dossier.items]


def _refresh_computed(dossier: Dossier) -> None:
    dossier.fields = {**dossier.fields, **{k: v for k, v in rules.computed_fields(facts(dossier)).items()
                                           if v is not None}}


def add_documents(session: Session, dossier: Dossier, document_ids: list[int], actor: str) -> list[int]:
    """Attach registered documents in the given order; returns their ordinals."""
    _require_open(dossier, "adding documents")
    present = {item.document_id for item in dossier.items}
    next_ordinal = max((item.ordinal for item in dossier.items), default=0) + 1
    ordinals = []
    for document_id in document_ids:
        document = session.get(Document, document_id)
        if document is None or document.organization_id != dossier.organization_id:
            raise DossierError(f"No document {document_id} in {dossier.organization.code}.")
        if document_id in present:
            raise DossierError(f"Document {document_id} is already in the dossier.")
        dossier.items.append(DossierItem(document=document, ordinal=next_ordinal))
        present.add(document_id)
        ordinals.append(next_ordinal)
        next_ordinal += 1
    session.flush()
    _refresh_computed(dossier)
    _changed(session, dossier, actor, "add", documents=document_ids, ordinals=ordinals)
    return ordinals


def reorder(session: Session, dossier: Dossier, document_ids: list[int], actor: str) -> None:
    _require_open(dossier, "reordering")
    by_doc = {item.document_id: item for item in dossier.items}
    if sorted(document_ids) != sorted(by_doc):
        raise DossierError("The new order must list every document of the dossier exactly once.")
    for ordinal, document_id in enumerate(document_ids, 1):
        by_doc[document_id].ordinal = ordinal
    session.flush()
    _changed(session, dossier, actor, "reorder", order=document_ids)


def set_fields(session: Session, dossier: Dossier, values: dict, actor: str) -> None:
    """Update entered metadata; every error is reported and nothing is saved when any is found."""
    _require_open(dossier, "editing metadata")
    computed = {f.element for f in metadata.load().dossier if f.computed}
    merged = {**dossier.fields, **{k: v for k, v in values.items() if k not in computed}}
    errors = [e for e in validate(metadata.load(), "dossier", merged, require_computed=False)]
    if errors:
        raise DossierError("The metadata is invalid.", errors)
    dossier.fields = merged
    dossier.title = merged.get("Title", dossier.title)
    dossier.retention = merged.get("Maintenance", dossier.retention)
    _changed(session, dossier, actor, "describe", fields=sorted(values))


def waive(session: Session, dossier: Dossier, document_id: int, reason: str, actor: str) -> None:
    _require_open(dossier, "waiving")
    if len((reason or "").strip()) < 10:
        raise DossierError("A waiver needs a written reason (at least a sentence).")
    item = next((i for i in dossier.items if i.document_id == document_id), None)
    if item is None:
        raise DossierError(f"Document {document_id} is not in the dossier.")
    item.waiver = reason.strip()
    _changed(session, dossier, actor, "waive", document=document_id, reason=item.waiver)


def close(session: Session, dossier: Dossier, actor: str) -> None:
    """Close (kết thúc) when the metadata is complete and every document is archival or waived."""
    _require_open(dossier, "closing")
    _refresh_computed(dossier)
    definition = metadata.load()
    errors = validate(definition, "dossier", dossier.fields)
    problems = rules.closing_problems(errors, facts(dossier))
    if problems:
        raise DossierError(f"Dossier {dossier.archival_code} cannot be closed yet.", problems)
    end = dt.date.fromisoformat(dossier.fields["EndDate"])
    dossier.due_date = rules.due_date(end, rules.retention_years(dossier.retention, definition.codes("retention")))
    dossier.status, dossier.closed_at, dossier.closed_by = "closed", utcnow(), actor
    _changed(session, dossier, actor, "close", due_date=str(dossier.due_date))


def set_legal_hold(session: Session, dossier: Dossier, reason: str | None, actor: str) -> None:
    dossier.legal_hold = (reason or "").strip() or None
    _changed(session, dossier, actor, "hold" if dossier.legal_hold else "release", reason=dossier.legal_hold)


# export ------------------------------------------------------------------------------------------
def document_fields(dossier: Dossier, item: DossierItem) -> dict:
    doc = item.document
    number, notation = None, None
    if doc.number_and_symbol:
        parsed = parse_number_and_symbol(doc.number_and_symbol)
        number, notation = str(parsed.number), parsed.symbol
    return {
        "DocCode": rules.document_code(dossier.archival_code, item.ordinal), "FileCode": dossier.archival_code,
        "DocOrdinal": item.ordinal, "TypeName": doc.type_name, "CodeNumber": number, "CodeNotation": notation,
        "IssuedDate": doc.issued_date.isoformat() if doc.issued_date else None, "OrganName": doc.issuer,
        "Subject": doc.subject, "Language": "vi", "PageAmount": doc.page_count,
        "Mode": "mat" if doc.confidentiality else "cong_khai",
        "ConfidenceLevel": "so_hoa" if "unsigned_internal_scan" in (doc.flags or []) else "goc_dien_tu",
        "Description": item.waiver,
    }


def export_dict(dossier: Dossier) -> dict:
    order = [f.element for f in metadata.load().dossier]
    head = {k: dossier.fields.get(k) for k in order if dossier.fields.get(k) not in (None, "")}
    return {**head, "documents": [{k: v for k, v in document_fields(dossier, item).items() if v is not None}
                                  for item in dossier.items]}


def export_xml(dossier: Dossier) -> bytes:
    """The Circular 02 element names, in the definition's order, UTF-8."""
    data = export_dict(dossier)
    root = ET.Element("HoSo")
    for key, value in data.items():
        if key != "documents":
            ET.SubElement(root, key).text = ", ".join(value) if isinstance(value, list) else str(value)
    for doc in data["documents"]:
        node = ET.SubElement(root, "VanBan")
        for key, value in doc.items():
            ET.SubElement(node, key).text = str(value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_json(dossier: Dossier) -> bytes:
    return json.dumps(export_dict(dossier), ensure_ascii=False, indent=1).encode("utf-8")


def export_files(dossier: Dossier, storage, target: Path) -> list[Path]:
    from recordsys.storage import copy_out

    target.mkdir(parents=True, exist_ok=True)
    out = []
    for item in dossier.items:
        path = target / f"{item.ordinal:03d}-{item.document.original_name}"
        copy_out(storage, item.document.file.sha256, path)
        out.append(path)
    return out


# hand-over to the archive (nộp lưu) --------------------------------------------------------------
def create_transfer(session: Session, organization: Organization, dossier_ids: list[int], actor: str,
                    storage, work_dir: Path) -> TransferBatch:
    from recordsys.dossiers import handover

    dossiers = [get(session, i, {organization.id}) for i in dossier_ids]
    not_closed = [d.archival_code for d in dossiers if d.status != "closed"]
    if not_closed or not dossiers:
        raise DossierError("Only closed dossiers can be handed over: " + (", ".join(not_closed) or "none given"))
    batch = TransferBatch(organization_id=organization.id, status="submitted", dossier_ids=dossier_ids,
                          created_by=actor)
    session.add(batch)
    session.flush()
    rows = tuple(handover.HandoverRow(d.archival_code, d.title, d.fields.get("StartDate", ""),
                                      d.fields.get("EndDate", ""),
                                      metadata.load().label("retention", d.retention), len(d.items))
                 for d in dossiers)
    record = handover.render(handover.HandoverRecord(batch.id, organization.name, organization.name,
                                                     f"Lưu trữ cơ quan — {organization.name}", dt.date.today(), rows),
                             work_dir / f"bien-ban-giao-nhan-{batch.id}.pdf")
    blob = storage.put(record)
    from recordsys.ingest.registration import stored_file

    stored_file(session, blob)
    batch.record_sha256 = blob.sha256
    audit.record(session, actor=actor, action="transfer.submit", object_type="transfer_batch", object_id=batch.id,
                 organization_code=organization.code, payload={"dossiers": dossier_ids, "record": blob.sha256})
    return batch


def accept_transfer(session: Session, settings: dict, batch: TransferBatch, actor: str, storage) -> list[int]:
    """The archive accepts: each dossier becomes an archival package in every storage location."""
    from recordsys.preservation.bagging import PayloadFile
    from recordsys.preservation.premis import Event
    from recordsys.preservation.services import store_package

    if batch.status != "submitted":
        raise DossierError(f"Transfer {batch.id} is {batch.status}, not waiting for acceptance.")
    organization = session.get(Organization, batch.organization_id)
    package_ids = []
    for dossier_id in batch.dossier_ids:
        dossier = get(session, dossier_id)
        payload = [PayloadFile(storage.path(item.document.file.sha256),
                               f"originals/{item.ordinal:03d}-{item.document.original_name}") for item in dossier.items]
        tags = {"metadata/dossier.xml": export_xml(dossier),
                "metadata/handover-record.pdf": storage.path(batch.record_sha256).read_bytes()}
        for item in dossier.items:
            tags[f"metadata/verdicts/{item.ordinal:03d}.json"] = json.dumps(
                item.document.verdict, ensure_ascii=False, indent=1).encode("utf-8")
        history = [Event("ingestion", item.document.registered_at, item.document.registered_by,
                         detail=f"document {item.ordinal} registered") for item in dossier.items]
        history += [Event("validation", item.document.registered_at, "recordsys",
                          detail=f"document {item.ordinal}: signature {item.document.signature_status}, "
                                 f"PDF/A {item.document.pdfa_flavour or 'no'}") for item in dossier.items]
        history.append(Event("transfer", utcnow(), actor, detail=f"hand-over batch {batch.id} accepted"))
        package = store_package(session, settings, organization=organization,
                                name=dossier.archival_code.replace("/", "_"), external_identifier=dossier.archival_code,
                                source="dossier", source_id=dossier.id, payload=payload, tag_files=tags,
                                actor=actor, history=history, group=f"transfer-{batch.id}")
        dossier.status = "transferred"
        _changed(session, dossier, actor, "transfer", batch=batch.id, package=package.id)
        package_ids.append(package.id)
    batch.status, batch.accepted_at, batch.accepted_by = "accepted", utcnow(), actor
    audit.record(session, actor=actor, action="transfer.accept", object_type="transfer_batch", object_id=batch.id,
                 organization_code=organization.code, payload={"packages": package_ids})
    return package_ids


# disposition -------------------------------------------------------------------------------------
def propose_disposition(session: Session, organization: Organization, today: dt.date, actor: str) -> DispositionBatch:
    rows = session.scalars(select(Dossier).where(Dossier.organization_id == organization.id)).all()
    ids = rules.disposition_candidates(
        [rules.RetentionFacts(d.id, d.status, d.due_date, d.legal_hold) for d in rows], today)
    if not ids:
        raise DossierError("No dossier is due for disposition.")
    batch = DispositionBatch(organization_id=organization.id, dossier_ids=ids, created_by=actor,
                             history=[{"step": "draft", "by": actor, "at": utcnow().isoformat()}])
    session.add(batch)
    session.flush()
    audit.record(session, actor=actor, action="disposition.propose", object_type="disposition_batch",
                 object_id=batch.id, organization_code=organization.code, payload={"dossiers": ids})
    return batch


def disposition_action(session: Session, batch: DispositionBatch, action: str, roles: set[str], actor: str,
                       note: str = "") -> str:
    try:
        state = rules.disposition_step(batch.status, action, roles)
    except rules.RuleError as exc:
        raise DossierError(str(exc)) from None
    if action == "destroy":
        for dossier_id in batch.dossier_ids:
            dossier = get(session, dossier_id)
            if dossier.legal_hold:
                raise DossierError(f"{dossier.archival_code} is on legal hold: {dossier.legal_hold}")
            dossier.status = "destroyed"
            _changed(session, dossier, actor, "destroy", batch=batch.id)
        batch.destroyed_record = (f"Biên bản hủy tài liệu hết giá trị: {len(batch.dossier_ids)} hồ sơ, "
                                  f"hủy ngày {dt.date.today().isoformat()} bởi {actor}. {note}").strip()
    batch.status = state
    batch.history = [*batch.history, {"step": state, "by": actor, "at": utcnow().isoformat(), "note": note}]
    audit.record(session, actor=actor, action=f"disposition.{action}", object_type="disposition_batch",
                 object_id=batch.id, payload={"state": state, "note": note})
    return state


def field_errors_text(errors: list[FieldError], lang: str = "vi") -> list[str]:
    return [e.message_vi if lang == "vi" else e.message_en for e in errors]

