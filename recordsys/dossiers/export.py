"""Exporting a dossier: its metadata as XML or JSON, and copies of its files."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from recordsys import metadata
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
        "ConfidenceLevel": "so_hoa" if "unsigned_internal_scan" in (doc.flags or []) else "goc_dien_tu",
        "Description": item.waiver,
    }


def visible_items(dossier: Dossier, viewer=None) -> list[DossierItem]:
    """The items ``viewer`` may see (the access rule of ``recordsys.core.access``); ``None`` is the
    trusted operator at the command line, who sees them all."""
    from recordsys.core.access import can_see

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


def export_json(dossier: Dossier, viewer=None) -> bytes:
    return json.dumps(export_dict(dossier, viewer), ensure_ascii=False, indent=1).encode("utf-8")


def export_files(dossier: Dossier, storage, target: Path, viewer=None) -> list[Path]:
    from recordsys.storage import copy_out

    target.mkdir(parents=True, exist_ok=True)
    out = []
    for item in visible_items(dossier, viewer):
        path = target / f"{item.ordinal:03d}-{item.document.original_name}"
        copy_out(storage, item.document.file.sha256, path)
        out.append(path)
    return out
