"""After the clerk issues a document: distribution (phát hành) to its recipients and filing
(lập hồ sơ) into the dossier the agency's plan names, both in the issue's transaction.

- Recipients that are agencies of this installation receive it at once, in their exchange inbox
  (the same envelope and checks as an internal delivery by exchange); recipients with an agency
  identifier elsewhere get it through the exchange outbox (queued, delivered by the job); other
  recipients (free text such as "Như trên", "Lưu: VT") are paper and are only listed.
- Filing: the agency's workflow setting ``filing`` maps a document type to the code of a line of
  the year's dossier plan (``{"QĐ": "05.TH"}``); when the plan of the year of issue has that line,
  the document goes into its dossier (opened from the plan line if it is not open yet) with its
  draft history (versions, approvals, signatures) recorded in the document's metadata.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core.models import Organization
from recordsys.errors import DomainError
from recordsys.ingest.models import Document
from recordsys.workflow.models import Draft, DraftApproval, DraftSignature, DraftVersion


def split_recipients(session: Session, org: Organization, recipients) -> tuple[list[str], list[str], list[str]]:
    """(internal agency codes, external agency codes, other recipients) of a draft's recipients."""
    from recordsys.exchange.codes import is_organ_id

    internal, external, other = [], [], []
    for raw in recipients or ():
        value = (raw or "").strip()
        code = value.upper()
        if not value:
            continue
        if not is_organ_id(code):
            other.append(value)
        elif code == org.code:
            continue  # the agency itself keeps its copy in its outgoing register
        elif session.scalar(select(Organization.id).where(Organization.code == code)) is not None:
            internal.append(code)
        else:
            external.append(code)
    return list(dict.fromkeys(internal)), list(dict.fromkeys(external)), other


def distribute(session: Session, *, storage, checker, settings: dict | None, draft: Draft, document: Document,
               actor: str) -> dict:
    """Deliver ``document`` to the draft's recipients; raises (nothing half-sent) when the internal
    envelope is refused."""
    from recordsys.exchange import services as exchange

    org = draft.organization
    internal, external, other = split_recipients(session, org, draft.recipients)
    out = {"internal": internal, "external": external, "paper": other, "inbox_ids": [], "outbox_id": None}
    if internal:
        data, _ = exchange.pack_document(session, storage, document.id, internal)
        data = exchange.sign_if_configured(data, settings)
        checked = exchange.check_envelope(data, checker, settings)
        if not checked.ok:
            raise DomainError("The issued document cannot be delivered to ${items}: ${errors}. Nothing was issued.",
                              mapping={"items": ", ".join(internal), "errors": "; ".join(checked.errors)},
                              code="distribution")
        received = exchange.store_received(session, storage, checked, actor=actor, via="internal",
                                           only_orgs=internal, settings=settings)
        out["inbox_ids"] = received["inbox_ids"] + received["duplicates"]
    if external:
        message = exchange.send_document(session, storage, document.id, external, actor, settings)
        out["outbox_id"] = message.id
    return out


def draft_history(session: Session, draft: Draft) -> dict:
    """The versions, decisions and signatures of a draft, as plain data kept with the issued document."""
    versions = session.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft.id)
                               .order_by(DraftVersion.number)).all()
    decisions = session.scalars(select(DraftApproval).where(DraftApproval.draft_id == draft.id)
                                .order_by(DraftApproval.id)).all()
    signatures = session.scalars(select(DraftSignature).where(DraftSignature.draft_id == draft.id)
                                 .order_by(DraftSignature.id)).all()
    return {
        "draft_id": draft.id, "drafter": draft.drafter,
        "versions": [{"number": v.number, "sha256": v.sha256, "name": v.original_name, "by": v.created_by,
                      "at": v.created_at.isoformat()} for v in versions],
        "decisions": [{"decision": d.decision, "step": d.step, "user": d.user, "content_hash": d.content_hash,
                       "comments": d.comments, "at": d.decided_at.isoformat()} for d in decisions],
        "signatures": [{"kind": s.kind, "by": s.signed_by, "name": s.signer_name,
                        "serial": s.certificate_serial} for s in signatures],
    }


def plan_code_for(org: Organization, type_code: str) -> str | None:
    from recordsys.workflow.services import workflow_settings

    filing = workflow_settings(org).get("filing") or {}
    return filing.get(type_code) if isinstance(filing, dict) else None


def file_issued(session: Session, *, draft: Draft, document: Document, year: int, actor: str) -> dict | None:
    """File the issued document with its draft history into the dossier of the plan line named for
    its type (``None`` when the agency's plan names none)."""
    from recordsys.dossiers.building import add_documents, open_dossier
    from recordsys.dossiers.models import Dossier, DossierPlanEntry

    org = draft.organization
    code = plan_code_for(org, draft.type_code)
    if not code:
        return None
    entry = session.scalar(select(DossierPlanEntry).where(
        DossierPlanEntry.organization_id == org.id, DossierPlanEntry.year == year, DossierPlanEntry.code == code))
    if entry is None:
        return {"dossier_id": None, "plan_code": code, "filed": False, "reason": "not_in_plan"}
    dossier = session.scalar(select(Dossier).where(Dossier.plan_entry_id == entry.id)) or session.scalar(
        select(Dossier).where(Dossier.organization_id == org.id, Dossier.year == year, Dossier.code == code))
    if dossier is None:
        dossier = open_dossier(session, organization=org, year=year, plan_code=code, title=entry.title,
                               retention=entry.retention, actor=actor, responsible_unit=entry.responsible_unit,
                               responsible_person=entry.responsible_person)
    if dossier.status != "open":
        return {"dossier_id": dossier.id, "plan_code": code, "filed": False, "reason": dossier.status}
    document.extra = {**(document.extra or {}), "draft_history": draft_history(session, draft)}
    [ordinal] = add_documents(session, dossier, [document.id], actor)
    return {"dossier_id": dossier.id, "plan_code": code, "filed": True, "ordinal": ordinal}
