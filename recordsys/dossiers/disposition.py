"""Disposition (hủy tài liệu hết giá trị): candidates past their retention, council and head steps."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.dossiers import rules
from recordsys.dossiers.events import AuditAction
from recordsys.dossiers.models import (
    DispositionBatch,
    Dossier,
)
from recordsys.dossiers.services import (
    DossierError,
    get,
    record_change,
)


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
    audit.record(session, actor=actor, action=AuditAction.disposition_propose, object_type="disposition_batch",
                 object_id=batch.id, organization_code=organization.code, payload={"dossiers": ids})
    return batch


def disposition_action(session: Session, batch: DispositionBatch, action: str, roles: set[str], actor: str,
                       note: str = "") -> str:
    try:
        state = rules.disposition_step(batch.status, action, roles)
    except rules.RuleError as exc:
        raise DossierError("${error}", mapping={"error": exc}) from None
    if action == "destroy":
        for dossier_id in batch.dossier_ids:
            dossier = get(session, dossier_id)
            if dossier.legal_hold:
                raise DossierError("${archival_code} is on legal hold: ${legal_hold}", mapping={"archival_code": dossier.archival_code, "legal_hold": dossier.legal_hold})
            dossier.status = "destroyed"
            record_change(session, dossier, actor, "destroy", batch=batch.id)
        batch.destroyed_record = (f"Biên bản hủy tài liệu hết giá trị: {len(batch.dossier_ids)} hồ sơ, "
                                  f"hủy ngày {dt.date.today().isoformat()} bởi {actor}. {note}").strip()
    batch.status = state
    batch.history = [*batch.history, {"step": state, "by": actor, "at": utcnow().isoformat(), "note": note}]
    audit.record(session, actor=actor, action=AuditAction(f"disposition.{action}"), object_type="disposition_batch",
                 object_id=batch.id, payload={"state": state, "note": note})
    return state
