"""METS documents of an E-ARK CSIP 2.0.4 package: the root ``METS.xml`` and a representation's
``METS.xml``. Pure: everything (sizes, checksums, times) comes in as values."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from recordsys.preservation.eark.descriptive import xml_text
from recordsys.preservation.eark.model import Agent, PackageKind, PackageOptions

METS = "http://www.loc.gov/METS/"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"mets": METS, "csip": CSIP, "xlink": XLINK, "xsi": XSI}
PROFILES = {
    PackageKind.SIP: "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml",
    PackageKind.AIP: "https://earkaip.dilcis.eu/profile/E-ARK-AIP.xml",
    PackageKind.DIP: "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml",
}
SCHEMA_FILES = {METS: "mets.xsd", XLINK: "xlink.xsd", CSIP: "DILCISExtensionMETS.xsd"}


@dataclass(frozen=True)
class FileRef:
    """One file a METS document points to, with the facts CSIP requires on every reference."""

    id: str
    href: str  # relative to the folder of the METS document
    size: int
    sha256: str
    mimetype: str
    created: dt.datetime
    title: str = ""  # a user's original file name, as a label only
    use: str = ""


@dataclass(frozen=True)
class MdRef:
    section_id: str
    file: FileRef
    mdtype: str  # PREMIS or OTHER
    other_mdtype: str = ""


@dataclass(frozen=True)
class Header:
    kind: PackageKind
    objid: str
    label: str
    options: PackageOptions
    agents: tuple[tuple[str, Agent], ...]  # (METS agent ROLE, agent) besides the software
    reference_code: str = ""


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _time(value: dt.datetime) -> str:
    return value.isoformat()


def _root(header: Header, schemas_prefix: str) -> etree._Element:
    options = header.options
    locations = " ".join(f"{ns} {schemas_prefix}{name}" for ns, name in SCHEMA_FILES.items())
    root = etree.Element(_q(METS, "mets"), nsmap=NSMAP)
    root.set(_q(XSI, "schemaLocation"), locations)
    root.set("OBJID", xml_text(header.objid))
    root.set("LABEL", xml_text(header.label))
    root.set("TYPE", options.content_category)
    root.set(_q(CSIP, "CONTENTINFORMATIONTYPE"), "OTHER")
    root.set(_q(CSIP, "OTHERCONTENTINFORMATIONTYPE"), options.content_information_type)
    root.set("PROFILE", PROFILES[header.kind])
    _header(root, header)
    return root


def _header(root: etree._Element, header: Header) -> None:
    options = header.options
    hdr = etree.SubElement(root, _q(METS, "metsHdr"), {
        "CREATEDATE": _time(options.created), "LASTMODDATE": _time(options.created), "RECORDSTATUS": "NEW"})
    hdr.set(_q(CSIP, "OAISPACKAGETYPE"), header.kind.value)
    software = etree.SubElement(hdr, _q(METS, "agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"})
    etree.SubElement(software, _q(METS, "name")).text = options.software
    note = etree.SubElement(software, _q(METS, "note"), {_q(CSIP, "NOTETYPE"): "SOFTWARE VERSION"})
    note.text = options.software_version
    for role, agent in header.agents:
        node = etree.SubElement(hdr, _q(METS, "agent"), {"ROLE": role, "TYPE": "ORGANIZATION"})
        etree.SubElement(node, _q(METS, "name")).text = xml_text(agent.name)
        code = etree.SubElement(node, _q(METS, "note"), {_q(CSIP, "NOTETYPE"): "IDENTIFICATIONCODE"})
        code.text = xml_text(agent.code)
    if header.reference_code:
        etree.SubElement(hdr, _q(METS, "altRecordID"), {"TYPE": "REFERENCECODE"}).text = xml_text(header.reference_code)


def _file_attributes(ref: FileRef) -> dict[str, str]:
    return {"MIMETYPE": ref.mimetype, "SIZE": str(ref.size), "CREATED": _time(ref.created),
            "CHECKSUM": ref.sha256, "CHECKSUMTYPE": "SHA-256"}


def _link(node: etree._Element, href: str, title: str = "") -> None:
    node.set("LOCTYPE", "URL")
    node.set(_q(XLINK, "type"), "simple")
    node.set(_q(XLINK, "href"), href)
    if title:
        node.set(_q(XLINK, "title"), xml_text(title))


def _md_sections(root: etree._Element, dmd: Sequence[MdRef], amd: Sequence[MdRef], amd_id: str) -> None:
    for ref in dmd:
        section = etree.SubElement(root, _q(METS, "dmdSec"), {
            "ID": ref.section_id, "CREATED": _time(ref.file.created), "STATUS": "CURRENT"})
        _md_ref(section, ref)
    if amd:
        amd_sec = etree.SubElement(root, _q(METS, "amdSec"), {"ID": amd_id})
        for ref in amd:
            section = etree.SubElement(amd_sec, _q(METS, "digiprovMD"), {"ID": ref.section_id, "STATUS": "CURRENT"})
            _md_ref(section, ref)


def _md_ref(section: etree._Element, ref: MdRef) -> None:
    node = etree.SubElement(section, _q(METS, "mdRef"))
    _link(node, ref.file.href)
    node.set("MDTYPE", ref.mdtype)
    if ref.other_mdtype:
        node.set("OTHERMDTYPE", ref.other_mdtype)
    for key, value in _file_attributes(ref.file).items():
        node.set(key, value)


def _file_group(parent: etree._Element, use: str, group_id: str, files: Sequence[FileRef], **attrs) -> None:
    group = etree.SubElement(parent, _q(METS, "fileGrp"), {"USE": use, "ID": group_id})
    for key, value in attrs.items():
        group.set(key, value)
    for ref in files:
        node = etree.SubElement(group, _q(METS, "file"), {"ID": ref.id, **_file_attributes(ref)})
        if ref.use:
            node.set("USE", ref.use)
        _link(etree.SubElement(node, _q(METS, "FLocat")), ref.href, ref.title)


def _div(parent: etree._Element, div_id: str, label: str, file_ids: Sequence[str] = (), **attrs) -> etree._Element:
    div = etree.SubElement(parent, _q(METS, "div"), {"ID": div_id, "LABEL": label, **attrs})
    for file_id in file_ids:
        etree.SubElement(div, _q(METS, "fptr"), {"FILEID": file_id})
    return div


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def package_mets(header: Header, dmd: Sequence[MdRef], amd: Sequence[MdRef], documentation: Sequence[FileRef],
                 schemas: Sequence[FileRef], representation_mets: FileRef, representation: str) -> bytes:
    """The root ``METS.xml``: descriptive and preservation metadata, documentation, schemas and the
    pointer to the representation's METS."""
    root = _root(header, "schemas/")
    _md_sections(root, dmd, amd, "amd-package")
    file_sec = etree.SubElement(root, _q(METS, "fileSec"), {"ID": "filesec-package"})
    _file_group(file_sec, "Documentation", "fg-documentation", documentation)
    _file_group(file_sec, "Schemas", "fg-schemas", schemas)
    _file_group(file_sec, "Representations", "fg-representations", [representation_mets], **{
        _q(CSIP, "CONTENTINFORMATIONTYPE"): "OTHER",
        _q(CSIP, "OTHERCONTENTINFORMATIONTYPE"): header.options.content_information_type})
    struct = etree.SubElement(root, _q(METS, "structMap"),
                              {"TYPE": "PHYSICAL", "LABEL": "CSIP", "ID": "structmap-csip"})
    top = _div(struct, "div-package", xml_text(header.objid))
    meta = {"DMDID": " ".join(r.section_id for r in dmd)} if dmd else {}
    if amd:
        meta["ADMID"] = " ".join(r.section_id for r in amd)
    _div(top, "div-metadata", "Metadata", **meta)
    _div(top, "div-documentation", "Documentation", [f.id for f in documentation])
    _div(top, "div-schemas", "Schemas", [f.id for f in schemas])
    reps = _div(top, "div-representations", "Representations", [representation_mets.id])
    rep = _div(reps, f"div-{representation}", f"Representations/{representation}")
    mptr = etree.Element(_q(METS, "mptr"))
    _link(mptr, representation_mets.href, "fg-representations")
    rep.insert(0, mptr)
    return _serialise(root)


def representation_mets(header: Header, documents: Sequence[tuple[str, MdRef, Sequence[FileRef]]],
                        amd: Sequence[MdRef]) -> bytes:
    """A representation's ``METS.xml``: one descriptive section and one division per document
    (``documents`` holds (document code, its metadata reference, its files))."""
    root = _root(header, "../../schemas/")
    _md_sections(root, [md for _, md, _ in documents], amd, "amd-representation")
    file_sec = etree.SubElement(root, _q(METS, "fileSec"), {"ID": "filesec-representation"})
    _file_group(file_sec, "Data", "fg-data", [f for _, _, files in documents for f in files])
    struct = etree.SubElement(root, _q(METS, "structMap"), {"TYPE": "PHYSICAL", "LABEL": "CSIP", "ID": "structmap-rep"})
    top = _div(struct, "div-representation", xml_text(header.objid))
    meta = {"DMDID": " ".join(md.section_id for _, md, _ in documents)} if documents else {}
    if amd:
        meta["ADMID"] = " ".join(r.section_id for r in amd)
    _div(top, "div-rep-metadata", "Metadata", **meta)
    data = _div(top, "div-data", "Data")
    for code, md, files in documents:
        _div(data, f"div-{md.section_id}", xml_text(code), [f.id for f in files], DMDID=md.section_id)
    return _serialise(root)
