"""Reading Circular 02/2019 dossier exports (``HoSo`` XML, as :func:`recordsys.dossiers.export.export_xml`
writes it) back into a dossier: the data of the old circular stays readable after Circular 05/2025.

The dossier gets a new code on the agency identifier; the code in the file is kept as an
alternative identifier (scheme ``circular02``). Documents (``VanBan``) are optional and linked by
reference only: a registered document of the same agency with the same number and notation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys import metadata
from recordsys.core.models import Organization
from recordsys.dossiers import rules
from recordsys.dossiers.models import AlternativeIdentifier, Dossier
from recordsys.dossiers.services import DossierError, record_change
from recordsys.ingest.models import Document


@dataclass(frozen=True)
class ImportedDossier:
    """What a ``HoSo`` file says: its Circular 02 fields and its documents' fields, typed."""

    fields: dict
    documents: tuple[dict, ...] = field(default_factory=tuple)


def _typed(fields_by_element: dict, key: str, text: str):
    definition = fields_by_element.get(key)
    if definition is None or text is None:
        return text
    if definition.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if definition.type == "code_list":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def parse_xml(data: bytes) -> ImportedDossier:
    """Read a ``HoSo`` export; DossierError with a sentence when it is not one."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DossierError("The file is not XML: ${value}.", mapping={"value": exc}) from None
    if root.tag != "HoSo":
        raise DossierError("The root element is ${tag}, not HoSo (a Circular 02/2019 dossier export).",
                           mapping={"tag": root.tag})
    definition = metadata.load()
    dossier_fields = {f.element: f for f in definition.dossier}
    values, documents = {}, []
    for child in root:
        if child.tag == "VanBan":
            documents.append({leaf.tag: (leaf.text or "").strip() for leaf in child})
        else:
            values[child.tag] = _typed(dossier_fields, child.tag, (child.text or "").strip())
    return ImportedDossier(values, tuple(documents))


def _organization(session: Session, imported: ImportedDossier, org_code: str | None) -> Organization:
    from recordsys.core.services import require_org

    if org_code:
        return require_org(session, org_code)
    code = imported.fields.get("FileCode") or ""
    try:
        organ = rules.parse_dossier_code(code).organ
    except rules.RuleError:
        organ = None
    found = None
    if organ:
        found = session.scalar(select(Organization).where(Organization.code == organ))
        found = found or session.scalar(select(Organization).where(Organization.fonds_code == organ))
    if found is None and imported.fields.get("OrganId"):
        found = session.scalar(select(Organization).where(Organization.fonds_code == imported.fields["OrganId"]))
    if found is None:
        raise DossierError("No agency matches the dossier ${code} (fonds ${fonds}): give --org.",
                           mapping={"code": repr(code), "fonds": repr(imported.fields.get("OrganId"))})
    return found


def _by_reference(session: Session, org: Organization, number: str | None, notation: str | None) -> Document | None:
    """The agency's registered document with this number and notation (``05`` and ``5`` are the same number)."""
    from recordsys.ingest.numbering import parse_number_and_symbol

    if not number or not notation or not number.isdigit():
        return None
    for document in session.scalars(select(Document).where(
            Document.organization_id == org.id, Document.number_and_symbol.like(f"%/{notation}"))
            .order_by(Document.id)):
        try:
            parsed = parse_number_and_symbol(document.number_and_symbol)
        except Exception:
            continue
        if parsed.number == int(number) and parsed.symbol == notation:
            return document
    return None


def import_dossier(session: Session, imported: ImportedDossier, *, actor: str, org_code: str | None = None,
                   with_documents: bool = False) -> tuple[Dossier, list[str]]:
    """Create the dossier the file describes; returns it and the references of documents not found
    (only with ``with_documents``)."""
    from recordsys.dossiers.building import add_documents, open_dossier

    values = imported.fields
    org = _organization(session, imported, org_code)
    old_code = values.get("FileCode")
    parsed = None
    if old_code:
        try:
            parsed = rules.parse_dossier_code(old_code)
        except rules.RuleError:
            parsed = None
    year = values.get("FileCatalog") if isinstance(values.get("FileCatalog"), int) else (parsed.year if parsed else None)
    notation = values.get("FileNotation") or (parsed.notation if parsed else None)
    missing = [name for name, value in (("FileCatalog", year), ("FileNotation", notation),
                                        ("Title", values.get("Title")), ("Maintenance", values.get("Maintenance")))
               if not value]
    if missing:
        raise DossierError("The file lacks ${fields}.", mapping={"fields": ", ".join(missing)})
    dossier = open_dossier(session, organization=org, year=int(year), plan_code=str(notation),
                           title=values["Title"], retention=values["Maintenance"], actor=actor)
    kept = {k: v for k, v in values.items() if k != "FileCode" and v not in (None, "", [])}
    dossier.fields = {**dossier.fields, **kept, "FileCode": dossier.archival_code}
    if old_code and old_code != dossier.archival_code:
        session.add(AlternativeIdentifier(kind="dossier", object_id=dossier.id, scheme="circular02", value=old_code))
    not_found = []
    if with_documents:
        ids = []
        for doc in imported.documents:
            reference = "/".join(p for p in (doc.get("CodeNumber"), doc.get("CodeNotation")) if p)
            found = _by_reference(session, org, doc.get("CodeNumber"), doc.get("CodeNotation"))
            if found is None or found.id in ids:
                not_found.append(doc.get("DocCode") or reference or doc.get("Subject", ""))
                continue
            ids.append(found.id)
            old_doc = doc.get("DocCode")
            if old_doc:
                session.add(AlternativeIdentifier(kind="document", object_id=found.id, scheme="circular02",
                                                  value=old_doc))
        if ids:
            add_documents(session, dossier, ids, actor)
    session.flush()
    record_change(session, dossier, actor, "import", source_code=old_code, documents=len(imported.documents),
                  not_found=not_found)
    return dossier, not_found
