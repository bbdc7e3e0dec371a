"""What search indexes of a dossier (the dossiers domain's search projection)."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recordsys.dossiers.models import Dossier
from recordsys.search.interfaces import SearchEntry
from recordsys.search.outbox import register_projection


def dossier_entry_from(dossier: Dossier) -> SearchEntry:
    fields = dossier.fields or {}
    return SearchEntry(
        id=f"dossier:{dossier.id}", kind="dossier", organization_id=dossier.organization_id, title=dossier.title,
        number_and_symbol=None, year=dossier.year, status=dossier.status, retention=dossier.retention,
        date=fields.get("EndDate") or dossier.created_at.date().isoformat(), register_number=dossier.archival_code,
        body=" ".join(str(fields.get(k) or "") for k in ("FileCode", "Description", "Keyword", "InforSign")),
        display={"organization": dossier.organization.code, "archival_code": dossier.archival_code},
    )


def dossier_entry(session: Session, dossier_id: int) -> SearchEntry | None:
    dossier = session.get(Dossier, dossier_id)
    return dossier_entry_from(dossier) if dossier and dossier.status != "destroyed" else None


def all_dossiers(session: Session) -> Iterator[SearchEntry]:
    for dossier in session.scalars(select(Dossier).where(Dossier.status != "destroyed").order_by(Dossier.id)):
        yield dossier_entry_from(dossier)


def count_dossiers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Dossier).where(Dossier.status != "destroyed"))


register_projection("dossier", dossier_entry, all_dossiers, count_dossiers)
