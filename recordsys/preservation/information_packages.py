"""E-ARK information packages (Circular 05/2025) in the archive: an AIP is kept as the payload of a
BagIt bag (``data/<AIP folder>/METS.xml …``), so fixity audits, copies and repair work on it
unchanged; DIPs are written for readers from a verified copy; SIPs from other systems are
validated and converted to AIPs.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.core.models import Organization, utcnow
from recordsys.preservation import bagging
from recordsys.preservation.eark.codes import CodeError, parse_dossier_code
from recordsys.preservation.eark.descriptive import MetadataError
from recordsys.preservation.eark.model import Agent, DipRequest, Document, DocumentFile, Dossier
from recordsys.preservation.eark.validate import PackageReport, validate_package
from recordsys.preservation.models import Package, PreservationEvent
from recordsys.preservation.premis import Event

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
NS = {"mets": METS, "xlink": XLINK}


def archive_agent(settings: dict, organization: Organization) -> Agent:
    """The archive that keeps the packages: ``preservation.archive_code`` / ``preservation.archive_name``
    (RECORDSYS_PRESERVATION__ARCHIVE_CODE …); by default the agency's own archive (lưu trữ cơ quan),
    identified by the agency's code."""
    code = (settings.get("preservation.archive_code") or organization.code).strip()
    name = (settings.get("preservation.archive_name") or f"Lưu trữ cơ quan — {organization.name}").strip()
    return Agent(name, code)


def report_problems(report: PackageReport) -> list[str]:
    """Every error of a validation report as a sentence: rule, where, what."""
    return [f"{f.rule} ({f.location}): {f.message}" if f.location else f"{f.rule}: {f.message}"
            for f in report.errors]


def package_folder(bag: Path) -> Path:
    """The AIP folder inside a stored bag (``data/<name>``)."""
    folders = [p for p in (bag / "data").iterdir() if p.is_dir()] if (bag / "data").is_dir() else []
    if len(folders) != 1 or not (folders[0] / "METS.xml").is_file():
        raise bagging.PreservationError("The package ${name} holds no E-ARK AIP (data/<folder>/METS.xml).", mapping={"name": bag.name})
    return folders[0]


def store_aip(session: Session, settings: dict, aip: Path, *, organization: Organization, name: str,
              external_identifier: str, source: str, source_id: int | None, tag_files: dict[str, bytes],
              actor: str, history: Sequence[Event] = (), group: str | None = None) -> Package:
    """Validate the E-ARK AIP folder ``aip`` (every error refuses it) and store it as the payload
    of the package's bag in every location."""
    from recordsys.preservation.services import store_package

    report = validate_package(aip)
    if not report.valid:
        raise bagging.PreservationError(f"The AIP {aip.name} is not a valid E-ARK package: "
                                        + "; ".join(report_problems(report)))
    payload = [bagging.PayloadFile(p, f"{aip.name}/{p.relative_to(aip).as_posix()}")
               for p in sorted(aip.rglob("*")) if p.is_file()]
    events = [*history, Event("validation", utcnow(), actor,
                              detail=f"E-ARK AIP {aip.name} valid (CSIP 2.0.4), {len(report.warnings)} warnings")]
    return store_package(session, settings, organization=organization, name=name,
                         external_identifier=external_identifier, source=source, source_id=source_id,
                         payload=payload, tag_files=tag_files, actor=actor, history=events, group=group)


def verified_copy(package: Package) -> Path:
    """A stored copy of the package whose fixity verifies now."""
    from recordsys.preservation.services import _copy_path

    for copy in package.copies:
        ok, _ = bagging.audit_copy(_copy_path(copy), package.tagmanifest_sha256)
        if ok:
            return _copy_path(copy)
    raise bagging.PreservationError("No copy of ${name} verifies; nothing was exported.", mapping={"name": package.name})


# reading a package back (the AIP kept, or a SIP from another system) ------------------------------
def _simpledc(path: Path) -> dict[str, list[str]]:
    root = etree.parse(str(path)).getroot()
    values: dict[str, list[str]] = {}
    for child in root:
        if isinstance(child.tag, str):
            values.setdefault(etree.QName(child).localname, []).append((child.text or "").strip())
    return values


def _typed(values: dict[str, list[str]], kind: str) -> dict:
    from recordsys import metadata

    out = {}
    for field in metadata.load_circular05().fields(kind):
        items = [v for v in values.get(field.element, []) if v != ""]
        if not items:
            continue
        if field.type == "date":
            converted = [dt.datetime.strptime(v, "%d/%m/%Y").date() for v in items]
        elif field.type == "integer":
            converted = [int(v) for v in items]
        else:
            converted = items
        out[field.element] = converted if field.element in ("language", "keyword") else converted[0]
    return out


def read_package(folder: Path) -> tuple[Dossier, list[Document]]:
    """The dossier and its documents (with their files in ``folder``) described by a Circular 05
    package: ``metadata/descriptive/EAD.xml``, and for each document division of the representation's
    METS its descriptive file and its files. Raises ValueError with a sentence when it cannot."""
    try:
        head = _typed(_simpledc(folder / "metadata/descriptive/EAD.xml"), "dossier")
        code = parse_dossier_code(head["fileCode"])
        agency = etree.parse(str(folder / "METS.xml")).getroot().find(
            "mets:metsHdr/mets:agent[@ROLE='ARCHIVIST']/mets:name", NS)
        dossier = Dossier(
            code=code, title=head["title"], maintenance=head["maintenance"], mode=head["mode"],
            language=tuple(head["language"]), start_date=head["startDate"], end_date=head["endDate"],
            confidence_level=head["confidenceLevel"],
            agency_name=(agency.text or "").strip() if agency is not None else code.agency,
            risk_recovery=head.get("riskRecovery", "1") == "1", risk_recovery_status=head.get("riskRecoveryStatus"),
            keyword=tuple(head.get("keyword", ())), number_of_paper=head.get("numberOfPaper"),
            number_of_page=head.get("numberOfPage"), format=head.get("format"), infor_sign=head.get("inforSign", ""),
            paper_file_code=head.get("paperFileCode", ""), description=head.get("description", ""))
        documents = []
        for rep_mets in sorted((folder / "representations").glob("*/METS.xml")):
            documents += _read_representation(rep_mets)
    except (KeyError, IndexError, OSError, etree.XMLSyntaxError, ValueError, CodeError) as exc:
        raise ValueError(f"the package's descriptive metadata cannot be read: {exc}") from None
    if not documents:
        raise ValueError("the package holds no document")
    return dossier, documents


def _read_representation(rep_mets: Path) -> list[Document]:
    root = etree.parse(str(rep_mets)).getroot()
    base = rep_mets.parent
    dmd = {s.get("ID"): s.find("mets:mdRef", NS).get(f"{{{XLINK}}}href") for s in root.findall("mets:dmdSec", NS)}
    files = {}
    for node in root.iterfind(".//mets:file", NS):
        location = node.find("mets:FLocat", NS)
        href = location.get(f"{{{XLINK}}}href")
        if not (base / href).exists():
            href = unquote(href)  # hrefs are URLs
        files[node.get("ID")] = (base / href, location.get(f"{{{XLINK}}}title") or "",
                                 node.get("MIMETYPE"), node.get("USE") == "processing history")
    documents = []
    for div in root.iterfind(".//mets:div[@DMDID]", NS):
        pointers = div.findall("mets:fptr", NS)
        if not pointers:
            continue  # the representation's metadata division
        values = _typed(_simpledc(base / dmd[div.get("DMDID")]), "document")
        ordinal = int(values["docCode"].rsplit(".", 1)[1])
        for computed in ("docCode", "process"):
            values.pop(computed, None)
        if values.get("docId") == div.get("LABEL"):
            values.pop("docId")
        doc_files = tuple(DocumentFile(source, label, mimetype, process)
                          for source, label, mimetype, process in (files[p.get("FILEID")] for p in pointers))
        documents.append(Document(ordinal, values, doc_files))
    return documents


# DIP ---------------------------------------------------------------------------------------------
def write_package_dip(session: Session, settings: dict, package: Package, out_dir: Path, *, purpose: str,
                      requester: str, actor: str, organisation: str = "", description: str = "",
                      certify_with=None) -> Path:
    """A DIP (gói sử dụng) of an archival package for a reader, from a copy that verifies: its
    descriptive file is the request, its files copies of the AIP's. With ``certify_with`` (the
    agency's signer from the signer provider service, ``ISignerProvider.for_agency``) every document
    file is a certified copy (:mod:`recordsys.preservation.certified`). Recorded as a preservation
    event (dissemination) and in the audit trail; nothing is written when any copy fails."""
    from recordsys.preservation.eark.sip import write_dip

    source = package_folder(verified_copy(package))
    try:
        dossier, documents = read_package(source)
    except ValueError as exc:
        raise bagging.PreservationError("The package ${name} cannot be read: ${exc}", mapping={"name": package.name, "exc": exc}) from None
    if dossier.code.archive:  # the AIP's codes carry the archive in front; the DIP names the dossier
        dossier = Dossier(**{**dossier.__dict__, "code": parse_dossier_code(
            f"{dossier.code.agency}.{dossier.code.year:04d}.{dossier.code.notation}")})
    count = session.scalar(select(func.count()).select_from(PreservationEvent).where(
        PreservationEvent.package_id == package.id, PreservationEvent.event_type == "dissemination")) or 0
    number = f"{package.id}-{count + 1}"
    organization = session.get(Organization, package.organization_id)
    request = DipRequest(number, purpose, requester, dt.date.today(), organisation, description)
    archive = archive_agent(settings, organization)
    with tempfile.TemporaryDirectory(prefix="dip-copies-") as tmp:
        certified = None
        if certify_with is not None:
            documents, certified = _certified_copies(documents, Path(tmp), certify_with, archive.name, number)
        try:
            written = write_dip(out_dir, dossier, documents, request, archive)
        except MetadataError as exc:
            raise bagging.PreservationError("The DIP request is not valid: " + "; ".join(exc.problems)) from None
        except FileExistsError as exc:
            raise bagging.PreservationError(str(exc)) from None
    detail = {"format": "dip", "request": number, "purpose": purpose, "requester": requester, "target": str(written)}
    if certified is not None:
        detail["certified"] = {"signer": certify_with.name, "copies": certified}
    session.add(PreservationEvent(package_id=package.id, event_type="dissemination", agent=actor, outcome="success",
                                  detail=detail))
    audit.record(session, actor=actor, action="package.dip", object_type="package", object_id=package.id,
                 organization_code=organization.code if organization else None,
                 payload={"request": number, "purpose": purpose, "requester": requester, "path": str(written),
                          "certified": certified is not None})
    return written


def _certified_copies(documents: list[Document], folder: Path, signer, agency: str,
                      request: str) -> tuple[list[Document], int]:
    """The documents with each file (but the processing history) replaced by its certified copy in
    ``folder``, numbered ``<request>/<ordinal>/SY``; and how many copies were signed."""
    from recordsys.i18n import LocalizedError
    from recordsys.preservation.certified import certify_copy

    out, count = [], 0
    for document in documents:
        files = []
        for index, file in enumerate(document.files, 1):
            if file.process:
                files.append(file)
                continue
            target = folder / f"{document.ordinal:07d}-{index:02d}.pdf"
            try:
                certify_copy(file.source, target, signer, agency=signer.name,
                             number=f"{request}/{document.ordinal:07d}/SY")
            except LocalizedError as exc:  # the copy, or the signer's key
                raise bagging.PreservationError("No certified copy was made: ${error}",
                                                mapping={"error": exc}) from None
            files.append(DocumentFile(target, file.label, file.mimetype, file.process))
            count += 1
        out.append(Document(document.ordinal, document.fields, tuple(files)))
    return out, count


# SIP from another system -------------------------------------------------------------------------
def import_sip(session: Session, settings: dict, path: Path, actor: str, org_code: str | None = None) -> Package:
    """Validate a SIP (folder or zip) from another system and convert it to an AIP kept in every
    location. An invalid SIP is refused with every problem named, and nothing is left behind."""
    from recordsys.core.services import require_org
    from recordsys.preservation.eark.sip import write_aip

    report = validate_package(path)
    if not report.valid:
        raise SipRefused(path, report_problems(report))
    with tempfile.TemporaryDirectory(prefix="sip-import-") as tmp:
        folder = Path(path)
        if folder.is_file():
            with zipfile.ZipFile(folder) as zipped:
                zipped.extractall(Path(tmp) / "sip")  # entries checked by validate_package
            folder = next((Path(tmp) / "sip").iterdir())
        try:
            dossier, documents = read_package(folder)
        except ValueError as exc:
            raise SipRefused(path, [str(exc)]) from None
        organization = require_org(session, org_code or dossier.code.agency)
        history = [Event("validation", utcnow(), actor, detail=f"SIP {Path(path).name} valid (E-ARK CSIP 2.0.4)"),
                   Event("transfer", utcnow(), actor, detail=f"SIP {dossier.code} received from another system")]
        try:
            aip = write_aip(Path(tmp) / "aip", dossier, documents, archive_agent(settings, organization), history)
        except (MetadataError, CodeError, FileExistsError, OSError) as exc:
            raise SipRefused(path, getattr(exc, "problems", None) or [str(exc)]) from None
        name = str(dossier.code).replace("/", "_")
        if session.scalar(select(Package).where(Package.name == name)):
            raise SipRefused(path, [f"a package {name} is already kept"])
        original = Path(tmp) / "original-sip.zip"
        _zip_folder(folder, original)
        package = store_aip(session, settings, aip, organization=organization, name=name,
                            external_identifier=str(dossier.code), source="import", source_id=None,
                            tag_files={"metadata/original-sip.zip": original.read_bytes()}, actor=actor,
                            history=history)
    audit.record(session, actor=actor, action="package.import_sip", object_type="package", object_id=package.id,
                 organization_code=organization.code, payload={"sip": Path(path).name, "code": str(dossier.code)})
    return package


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.is_symlink():
                zipped.write(file, f"{folder.name}/{file.relative_to(folder).as_posix()}")


class SipRefused(bagging.PreservationError):
    """A SIP that is not taken in; ``problems`` names each reason."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__("The SIP ${name} was refused: ${count} problem(s).",
                         mapping={"name": Path(path).name, "count": len(problems)})
        self.problems = problems

