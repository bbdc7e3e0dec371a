"""What the index holds for each record: search entries built from documents (and dossiers)."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.ingest.models import Document
from recordsys.search.interfaces import SearchEntry
from recordsys.search.outbox import entry_builder


def document_entry_from(doc: Document) -> SearchEntry:
    date = doc.issued_date or doc.registered_at.date()
    return SearchEntry(
        id=f"document:{doc.id}", kind="document", organization_id=doc.organization_id, title=doc.subject,
        confidentiality=doc.confidentiality, number_and_symbol=doc.number_and_symbol, year=doc.year,
        type=doc.type_name, issuer=doc.issuer, signer=doc.signer, status=doc.direction,
        date=date.isoformat(), register_number=f"{doc.number}/{doc.year}", body=doc.extracted_text or "",
        display={"organization": doc.organization.code, "direction": doc.direction,
                 "registered": f"{doc.register.kind} {doc.number}/{doc.year}"},
    )


@entry_builder("document")
def document_entry(session: Session, document_id: int) -> SearchEntry | None:
    doc = session.get(Document, document_id)
    return document_entry_from(doc) if doc else None


def dossier_entry_from(dossier) -> SearchEntry:
    fields = dossier.fields or {}
    return SearchEntry(
        id=f"dossier:{dossier.id}", kind="dossier", organization_id=dossier.organization_id, title=dossier.title,
        number_and_symbol=None, year=dossier.year, status=dossier.status, retention=dossier.retention,
        date=fields.get("EndDate") or dossier.created_at.date().isoformat(), register_number=dossier.archival_code,
        body=" ".join(str(fields.get(k) or "") for k in ("FileCode", "Description", "Keyword", "InforSign")),
        display={"organization": dossier.organization.code, "archival_code": dossier.archival_code},
    )


@entry_builder("dossier")
def dossier_entry(session: Session, dossier_id: int) -> SearchEntry | None:
    from recordsys.dossiers.models import Dossier

    dossier = session.get(Dossier, dossier_id)
    return dossier_entry_from(dossier) if dossier and dossier.status != "destroyed" else None


def all_entries(session: Session) -> Iterator[SearchEntry]:
    """Every searchable record, for a full reindex (streamed, not loaded at once)."""
    from recordsys.dossiers.models import Dossier

    for doc in session.scalars(select(Document).order_by(Document.id).execution_options(yield_per=1000)):
        yield document_entry_from(doc)
    for dossier in session.scalars(select(Dossier).where(Dossier.status != "destroyed").order_by(Dossier.id)):
        yield dossier_entry_from(dossier)
