"""Exporting a dossier: its metadata as XML (Circular 02/2019 element names) or JSON (Circular
05/2025 element names), copies of its files, and E-ARK information packages (SIP, AIP inputs)
built from the Circular 05 mapping in :mod:`recordsys.dossiers.circular05`."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from recordsys import metadata
from recordsys.dossiers import circular05 as c05
from recordsys.dossiers import rules
from recordsys.dossiers.models import (
    Dossier,
    DossierItem,
)
from recordsys.ingest.numbering import parse_number_and_symbol


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
        "ConfidenceLevel": "so_hoa" if ("unsigned_internal_scan" in (doc.flags or [])
                                        or (doc.extra or {}).get("confidence_level") == "02") else "goc_dien_tu",
        "Description": item.waiver,
    }


def visible_items(dossier: Dossier, viewer=None) -> list[DossierItem]:
    """The items ``viewer`` may see (the access rule of ``recordsys.ingest.access``); ``None`` is the
    trusted operator at the command line, who sees them all."""
    from recordsys.ingest.access import can_see

    return list(dossier.items) if viewer is None else [i for i in dossier.items if can_see(viewer, i.document)]


def export_dict(dossier: Dossier, viewer=None) -> dict:
    order = [f.element for f in metadata.load().dossier]
    head = {k: dossier.fields.get(k) for k in order if dossier.fields.get(k) not in (None, "")}
    return {**head, "documents": [{k: v for k, v in document_fields(dossier, item).items() if v is not None}
                                  for item in visible_items(dossier, viewer)]}


def export_xml(dossier: Dossier, viewer=None) -> bytes:
    """The Circular 02 element names, in the definition's order, UTF-8."""
    data = export_dict(dossier, viewer)
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


def export_json(dossier: Dossier, viewer=None, session=None) -> bytes:
    """The dossier as Circular 05/2025 JSON (element names of the circular, see circular05.json_dict)."""
    row = circular05_row(dossier, session, viewer)
    return json.dumps(c05.json_dict(c05.to_circular05(row), row.documents), ensure_ascii=False,
                      indent=1).encode("utf-8")


def circular05_row(dossier: Dossier, session=None, viewer=None) -> c05.DossierRow:
    """The plain row the Circular 05 mapping reads, from a dossier and its documents."""
    docs = []
    for item in visible_items(dossier, viewer):  # the access rule (None: the operator)
        doc = item.document
        docs.append(c05.DocumentRow(
            ordinal=item.ordinal, subject=doc.subject, registered_on=doc.registered_at.date(),
            type_name=doc.type_name, number_and_symbol=doc.number_and_symbol, issued_date=doc.issued_date,
            issuer=doc.issuer, page_count=doc.page_count, confidentiality=doc.confidentiality,
            flags=tuple(doc.flags or ()), waiver=item.waiver, autograph=(doc.extra or {}).get("autograph"),
            confidence_level=(doc.extra or {}).get("confidence_level")))
    return c05.DossierRow(agency_code=dossier.organization.code, agency_name=dossier.organization.name,
                          year=dossier.year, plan_code=dossier.code, status=dossier.status,
                          retention=dossier.retention, fields=dict(dossier.fields or {}), documents=tuple(docs))


def processing_history(session, dossier: Dossier, item: DossierItem) -> bytes:
    """The processing-history file of a document (tệp quá trình xử lý): its registration, the
    intake checks and every audited action on it, as JSON."""
    from sqlalchemy import or_, select

    from recordsys.core.models import AuditEvent

    doc = item.document
    events = []
    if session is not None:
        rows = session.scalars(select(AuditEvent).where(
            or_(AuditEvent.object_type == "document", AuditEvent.object_type == "documents"),
            AuditEvent.object_id == str(doc.id)).order_by(AuditEvent.seq.is_(None), AuditEvent.seq, AuditEvent.id))  # unsealed last
        events = [{"at": e.occurred_at, "actor": e.actor, "action": e.action, "payload": json.loads(e.payload)}
                  for e in rows]
    history = {"document": rules.document_code(dossier.archival_code, item.ordinal),
               "number_and_symbol": doc.number_and_symbol, "direction": doc.direction,
               "registered_at": doc.registered_at.isoformat(), "registered_by": doc.registered_by,
               "signature_status": doc.signature_status, "pdfa": doc.pdfa_flavour, "flags": list(doc.flags or []),
               "waiver": item.waiver, "checks": doc.verdict, "events": events}
    return json.dumps(history, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def package_inputs(session, dossier: Dossier, storage, work_dir: Path):
    """The E-ARK layer's inputs for a dossier: the Circular 05 dossier and its documents, each with
    its stored file and its processing-history file (written into ``work_dir``). Raises
    Circular05Error when the dossier does not fit Circular 05."""
    from recordsys.preservation.eark.model import Document as EarkDocument
    from recordsys.preservation.eark.model import DocumentFile

    record = c05.to_circular05(circular05_row(dossier, session))
    items = {item.ordinal: item for item in dossier.items}
    work_dir.mkdir(parents=True, exist_ok=True)
    documents = []
    for ordinal, values in record.documents:
        item = items[ordinal]
        history = work_dir / f"process-{ordinal:07d}.json"
        history.write_bytes(processing_history(session, dossier, item))
        stored = item.document.file
        documents.append(EarkDocument(ordinal, values, (
            DocumentFile(storage.path(stored.sha256), item.document.original_name, stored.media_type),
            DocumentFile(history, "quá trình xử lý.json", "application/json", process=True))))
    return record.dossier, documents


def export_sip(session, dossier: Dossier, storage, out_dir: Path, zipped: bool = False) -> Path:
    """Write the dossier's SIP (gói nộp, E-ARK CSIP 2.0.4) under ``out_dir``: the folder, or with
    ``zipped`` the zip only. Returns the path written."""
    import shutil
    import tempfile

    from recordsys.preservation.eark.descriptive import MetadataError
    from recordsys.preservation.eark.sip import write_sip, zip_package

    with tempfile.TemporaryDirectory(prefix="sip-") as tmp:
        eark_dossier, documents = package_inputs(session, dossier, storage, Path(tmp) / "process")
        try:
            if not zipped:
                return write_sip(out_dir, eark_dossier, documents)
            folder = write_sip(Path(tmp) / "package", eark_dossier, documents)
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"{folder.name}.zip"
            if target.exists():
                raise FileExistsError(f"Gói {target} đã tồn tại / the package {target} already exists")
            part = zip_package(folder, out_dir / f".{folder.name}.zip.part")
            shutil.move(part, target)
            return target
        except MetadataError as exc:
            raise c05.Circular05Error(exc.problems) from None


def export_files(dossier: Dossier, storage, target: Path, viewer=None) -> list[Path]:
    from recordsys.storage import copy_out

    target.mkdir(parents=True, exist_ok=True)
    out = []
    for item in visible_items(dossier, viewer):
        # our own identifiers make the path; the client's file name is only a label (in the metadata)
        path = target / f"{item.ordinal:03d}-{item.document.id}{_suffix(item.document.original_name)}"
        copy_out(storage, item.document.file.sha256, path)
        out.append(path)
    return out


def _suffix(label: str | None) -> str:
    """A short alphanumeric extension of a label (".pdf"), or ".pdf"; never a path part."""
    suffix = Path(label or "").suffix.lower()
    return suffix if 2 <= len(suffix) <= 6 and suffix[1:].isalnum() and suffix[1:].isascii() else ".pdf"
