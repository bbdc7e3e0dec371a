"""Dossier services shared by every concern: the errors, finding a dossier the caller may see,
auditing changes and refusals; and the queries that views and commands list from.

The operations live by concern: ``building`` (plan, open, add, describe, close), ``export``,
``transfer`` (hand-over to the archive and its signed record), ``disposition``.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.dossiers.events import AuditAction
from recordsys.dossiers.models import (
    Dossier,
)
from recordsys.dossiers.validation import FieldError
from recordsys.errors import DomainError
from recordsys.search.outbox import enqueue


class DossierError(DomainError):
    """A refused dossier operation; ``problems`` lists every reason (field errors included)."""

    code = "dossier"
    http_status = 409

    def __init__(self, message: str, problems: list | None = None, mapping: dict | None = None):
        super().__init__(message, mapping=mapping)
        self.problems = problems or []


class DossierClosed(DossierError):
    """A change to a dossier that is no longer open; callers audit the refusal."""


def record_change(session: Session, dossier: Dossier, actor: str, action: str, **payload) -> None:
    audit.record(session, actor=actor, action=AuditAction(f"dossier.{action}"), object_type="dossier", object_id=dossier.id,
                 organization_code=dossier.organization.code, payload={"code": dossier.archival_code, **payload})
    enqueue(session, "dossier", dossier.id)


def record_refusal(session: Session, dossier_id: int, actor: str, attempted: str, reason: str) -> None:
    dossier = session.get(Dossier, dossier_id)
    audit.record(session, actor=actor, action=AuditAction.dossier_refused, object_type="dossier", object_id=dossier_id,
                 organization_code=dossier.organization.code if dossier else None,
                 payload={"attempted": attempted, "reason": reason})


def get(session: Session, dossier_id: int, org_ids: set[int] | None = None) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or (org_ids is not None and dossier.organization_id not in org_ids):
        raise DossierError("No dossier ${dossier_id}.", mapping={"dossier_id": dossier_id})
    return dossier


def find_by_code(session: Session, code: str) -> tuple[Dossier, str | None]:
    """The dossier with the archival code ``code``, now or formerly (an alternative identifier:
    the Circular 02 code, or the code under an agency since merged); with the scheme it was found
    by (None: its current code). DossierError when no dossier ever had that code."""
    from sqlalchemy import select

    from recordsys.dossiers.models import AlternativeIdentifier

    code = (code or "").strip()
    found = session.scalar(select(Dossier).where(Dossier.archival_code == code))
    if found is not None:
        return found, None
    former = session.scalars(select(AlternativeIdentifier).where(
        AlternativeIdentifier.kind == "dossier", AlternativeIdentifier.value == code)
        .order_by(AlternativeIdentifier.id)).first()
    if former is None or session.get(Dossier, former.object_id) is None:
        raise DossierError("No dossier has or had the code ${code}.", mapping={"code": code})
    return session.get(Dossier, former.object_id), former.scheme


def require_open(dossier: Dossier, attempted: str) -> None:
    if dossier.status != "open":
        raise DossierClosed("Dossier ${archival_code} is ${status}: it cannot be changed (${attempted} refused).", mapping={"archival_code": dossier.archival_code, "status": dossier.status, "attempted": attempted})


def field_errors_text(errors: list[FieldError], lang: str = "vi") -> list[str]:
    return [e.localized(lang) for e in errors]


# queries: what views and commands list ----------------------------------------------------------
def dossier_row(dossier: Dossier) -> dict:
    """One dossier as a list shows it (web, API and CLI use the same keys)."""
    return {"id": dossier.id, "organization": dossier.organization.code, "archival_code": dossier.archival_code,
            "title": dossier.title, "year": dossier.year, "status": dossier.status, "retention": dossier.retention,
            "documents": len(dossier.items),
            "due_date": dossier.due_date.isoformat() if dossier.due_date else None}


def list_dossiers(session: Session, *, organization_ids: set[int] | None = None, year: int | None = None,
                  limit: int | None = None, offset: int = 0) -> list[Dossier]:
    """Dossiers in code order, narrowed to the organizations the caller may see (None: all)."""
    from sqlalchemy import select

    stmt = select(Dossier).order_by(Dossier.year, Dossier.code, Dossier.id)
    if organization_ids is not None:
        stmt = stmt.where(Dossier.organization_id.in_(organization_ids))
    if year is not None:
        stmt = stmt.where(Dossier.year == year)
    return list(session.scalars(stmt.offset(offset).limit(limit)))
