"""Building dossiers (lập hồ sơ): the year's plan, opening, adding and ordering documents,
describing them with the archival metadata, waiving, closing, legal holds.

Every state change writes an audit event; a refused change to a closed dossier is raised as
``DossierClosed`` so that the caller records the refusal in its own transaction.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys import metadata
from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.dossiers import rules
from recordsys.dossiers.events import AuditAction
from recordsys.dossiers.models import (
    Dossier,
    DossierItem,
    DossierPlanEntry,
)
from recordsys.dossiers.services import (
    DossierError,
    record_change,
    require_open,
)
from recordsys.dossiers.validation import validate
from recordsys.ingest.models import Document


def add_plan_entry(session: Session, *, organization: Organization, year: int, code: str, title: str,
                   retention: str, actor: str, responsible_unit: str | None = None,
                   responsible_person: str | None = None) -> DossierPlanEntry:
    """A line of the agency's annual dossier plan (danh mục hồ sơ)."""
    if retention not in metadata.load().code_values("retention"):
        raise DossierError("${retention} is not a retention period.", mapping={"retention": f"{retention!r}"})
    try:
        rules.dossier_code(organization.code, year, code)
    except rules.RuleError as exc:
        raise DossierError("${error}", mapping={"error": exc}) from None
    if not title.strip():
        raise DossierError("A plan line needs a title.")
    if session.scalar(select(DossierPlanEntry).where(DossierPlanEntry.organization_id == organization.id,
                                                     DossierPlanEntry.year == year, DossierPlanEntry.code == code)):
        raise DossierError("The ${year} plan already has ${code}.", mapping={"year": year, "code": code})
    entry = DossierPlanEntry(organization_id=organization.id, year=year, code=code, title=title.strip(),
                             retention=retention, responsible_unit=responsible_unit,
                             responsible_person=responsible_person)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.plan_add, object_type="dossier_plan_entry", object_id=entry.id,
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
    """Open a dossier from the year's plan (adding the plan line when it is not there yet);
    refused in the closed fonds of a merged agency."""
    from recordsys.dossiers.fonds import require_open_fonds

    require_open_fonds(session, organization)
    definition = metadata.load()
    if retention not in definition.code_values("retention"):
        raise DossierError("${retention} is not a retention period; use one of ${items}.", mapping={"retention": f"{retention!r}", "items": ', '.join(sorted(definition.code_values('retention')))})
    if not title.strip():
        raise DossierError("A dossier needs a title (tiêu đề hồ sơ).")
    try:
        code = rules.dossier_code(organization.code, year, plan_code)
    except rules.RuleError as exc:
        raise DossierError("${error}", mapping={"error": exc}) from None
    if session.scalar(select(Dossier).where(Dossier.organization_id == organization.id, Dossier.year == year,
                                            Dossier.code == plan_code)):
        raise DossierError("Dossier ${code} is already open.", mapping={"code": code})
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
    record_change(session, dossier, actor, "open", title=dossier.title, retention=retention)
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


def add_documents(session: Session, dossier: Dossier, document_ids: list[int], actor: str,
                  viewer=None) -> list[int]:
    """Attach registered documents in the given order; returns their ordinals.

    ``viewer`` (a user or :class:`recordsys.ingest.access.Access`) is who adds them: a document out
    of their reach (another agency, or above their clearance) is refused exactly like a missing
    one. ``None`` is the trusted operator at the command line."""
    from recordsys.ingest.access import OPERATOR, can_see

    require_open(dossier, "adding documents")
    present = {item.document_id for item in dossier.items}
    next_ordinal = max((item.ordinal for item in dossier.items), default=0) + 1
    ordinals = []
    for document_id in document_ids:
        document = session.get(Document, document_id)
        if document is None or document.organization_id != dossier.organization_id \
                or not can_see(OPERATOR if viewer is None else viewer, document):
            raise DossierError("No document ${document_id} in ${code}.",
                               mapping={"document_id": document_id, "code": dossier.organization.code})
        if document_id in present:
            raise DossierError("Document ${document_id} is already in the dossier.", mapping={"document_id": document_id})
        dossier.items.append(DossierItem(document=document, ordinal=next_ordinal))
        present.add(document_id)
        ordinals.append(next_ordinal)
        next_ordinal += 1
    session.flush()
    _refresh_computed(dossier)
    record_change(session, dossier, actor, "add", documents=document_ids, ordinals=ordinals)
    return ordinals


def reorder(session: Session, dossier: Dossier, document_ids: list[int], actor: str) -> None:
    require_open(dossier, "reordering")
    by_doc = {item.document_id: item for item in dossier.items}
    if sorted(document_ids) != sorted(by_doc):
        raise DossierError("The new order must list every document of the dossier exactly once.")
    for ordinal, document_id in enumerate(document_ids, 1):
        by_doc[document_id].ordinal = ordinal
    session.flush()
    record_change(session, dossier, actor, "reorder", order=document_ids)


def set_fields(session: Session, dossier: Dossier, values: dict, actor: str) -> None:
    """Update entered metadata; every error is reported and nothing is saved when any is found."""
    require_open(dossier, "editing metadata")
    computed = {f.element for f in metadata.load().dossier if f.computed}
    merged = {**dossier.fields, **{k: v for k, v in values.items() if k not in computed}}
    errors = [e for e in validate(metadata.load(), "dossier", _circular02(merged), require_computed=False)]
    if errors:
        raise DossierError("The metadata is invalid.", errors)
    dossier.fields = merged
    dossier.title = merged.get("Title", dossier.title)
    dossier.retention = merged.get("Maintenance", dossier.retention)
    record_change(session, dossier, actor, "describe", fields=sorted(values))


def set_circular05_fields(session: Session, dossier: Dossier, posted: dict, actor: str) -> None:
    """Update the Circular 05/2025 fields entered in the dossier form (``circular05.EDITABLE``);
    every error is reported and nothing is saved when any is found. The title and, when it has a
    Circular 02 counterpart, the retention follow (the due date is computed from them)."""
    from recordsys.dossiers import circular05 as c05

    require_open(dossier, "editing metadata")
    values = c05.parse_entry(posted)
    errors = c05.check_entry(values)
    if errors:
        raise DossierError("The metadata is invalid.", errors)
    entered = {**(dossier.fields or {}).get(c05.ENTERED, {}), **values}
    entered = {k: (int(v) if k == "numberOfPaper" else v) for k, v in entered.items() if v not in ("", [], None)}
    for element in values:
        if values[element] in ("", []):
            entered.pop(element, None)
    dossier.title = entered.get("title", dossier.title)
    dossier.retention = c05.RETENTION_BACK.get(entered.get("maintenance"), dossier.retention)
    # the Circular 02 title and retention follow, so the older export and the closing rules agree
    dossier.fields = {**dossier.fields, "Title": dossier.title, "Maintenance": dossier.retention, c05.ENTERED: entered}
    record_change(session, dossier, actor, "describe", fields=sorted(values), circular="05/2025")


def _circular02(fields: dict) -> dict:
    """The Circular 02 fields of a dossier (without the Circular 05 entry)."""
    from recordsys.dossiers.circular05 import ENTERED

    return {k: v for k, v in (fields or {}).items() if k != ENTERED}


def waive(session: Session, dossier: Dossier, document_id: int, reason: str, actor: str) -> None:
    require_open(dossier, "waiving")
    if len((reason or "").strip()) < 10:
        raise DossierError("A waiver needs a written reason (at least a sentence).")
    item = next((i for i in dossier.items if i.document_id == document_id), None)
    if item is None:
        raise DossierError("Document ${document_id} is not in the dossier.", mapping={"document_id": document_id})
    item.waiver = reason.strip()
    record_change(session, dossier, actor, "waive", document=document_id, reason=item.waiver)


def close(session: Session, dossier: Dossier, actor: str) -> None:
    """Close (kết thúc) when the metadata is complete and every document is archival or waived."""
    require_open(dossier, "closing")
    _refresh_computed(dossier)
    definition = metadata.load()
    errors = validate(definition, "dossier", _circular02(dossier.fields))
    problems = rules.closing_problems(errors, facts(dossier))
    if problems:
        raise DossierError("Dossier ${archival_code} cannot be closed yet.", problems, mapping={"archival_code": dossier.archival_code})
    end = dt.date.fromisoformat(dossier.fields["EndDate"])
    dossier.due_date = rules.due_date(end, rules.retention_years(dossier.retention, definition.codes("retention")))
    dossier.status, dossier.closed_at, dossier.closed_by = "closed", utcnow(), actor
    record_change(session, dossier, actor, "close", due_date=str(dossier.due_date))


def set_legal_hold(session: Session, dossier: Dossier, reason: str | None, actor: str) -> None:
    dossier.legal_hold = (reason or "").strip() or None
    record_change(session, dossier, actor, "hold" if dossier.legal_hold else "release", reason=dossier.legal_hold)
