"""What search indexes of a registered document (the ingest domain's search projection)."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recordsys.ingest.models import Document
from recordsys.search.interfaces import SearchEntry
from recordsys.search.outbox import register_projection


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


def document_entry(session: Session, document_id: int) -> SearchEntry | None:
    doc = session.get(Document, document_id)
    return document_entry_from(doc) if doc else None


def all_documents(session: Session) -> Iterator[SearchEntry]:
    for doc in session.scalars(select(Document).order_by(Document.id).execution_options(yield_per=1000)):
        yield document_entry_from(doc)


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document))


register_projection("document", document_entry, all_documents, count_documents)
