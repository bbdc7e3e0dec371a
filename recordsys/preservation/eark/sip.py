"""Write an E-ARK CSIP 2.0.4 information package of Circular 05/2025/TT-BNV as a folder (and zip it):

    <package>/METS.xml
             metadata/descriptive/EAD.xml                  the dossier's fields (DIP: the request)
             metadata/preservation/PREMIS.xml              AIP only
             documentation/danh-muc-tai-lieu.csv           list of the documents
             schemas/                                      mets.xsd, xlink.xsd, DILCISExtensionMETS.xsd
                                                           (copied from the installed eark-validator) and
                                                           tt05-*.xsd (generated); PREMIS 3 by URL
             representations/rep1/METS.xml
             representations/rep1/metadata/descriptive/EAD_doc_<ordinal>.xml
             representations/rep1/metadata/preservation/PREMIS_rep1.xml   AIP only
             representations/rep1/data/<ordinal>-<nn>.<ext>

Every name inside the package is built from our identifiers (the document ordinal, a sanitised
extension); a user's file name is kept only as a label (METS ``xlink:title``, PREMIS
``originalName``). Every METS reference carries its size and SHA-256. The package is written into a
hidden sibling folder and renamed into place when complete.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.util
import io
import mimetypes
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordsys.metadata import Circular05Definition, load_circular05
from recordsys.preservation.eark import descriptive, mets, premis, schemas
from recordsys.preservation.eark.codes import DossierCode, document_code
from recordsys.preservation.eark.model import (
    Agent,
    DipRequest,
    Document,
    DocumentFile,
    Dossier,
    PackageKind,
    PackageOptions,
)
from recordsys.preservation.premis import Event

DESCRIPTIVE_TYPE = "TT05-2025-BNV simpledc"  # METS OTHERMDTYPE of our descriptive files
DOSSIER_XSD, DOCUMENT_XSD, REQUEST_XSD = "tt05-dossier.xsd", "tt05-document.xsd", "tt05-request.xsd"
_SAFE_EXT = re.compile(r"^[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class _Doc:
    document: Document
    code: str
    ordinal: str  # 7 digits
    values: dict[str, Any]
    names: tuple[str, ...]  # names of its files inside data/


def ascii_name(text: str) -> str:
    """A folder name from a code: diacritics folded (Đ -> D), anything but letters, digits, '.', '-'
    and '_' replaced, never starting with a dot."""
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    name = re.sub(r"[^A-Za-z0-9._-]", "_", folded.encode("ascii", "ignore").decode())
    return name.lstrip(".") or "package"


def _extension(file: DocumentFile, mimetype: str) -> str:
    for candidate in (Path(file.label.replace("\\", "/")).suffix, Path(file.source).suffix):
        ext = candidate.lower().lstrip(".")
        if _SAFE_EXT.match(ext):
            return ext
    guessed = (mimetypes.guess_extension(mimetype) or ".bin").lstrip(".")
    return guessed if _SAFE_EXT.match(guessed) else "bin"


def _mimetype(file: DocumentFile) -> str:
    return (file.mimetype or mimetypes.guess_type(file.label)[0] or mimetypes.guess_type(Path(file.source).name)[0]
            or "application/octet-stream")


def _dossier_values(dossier: Dossier, docs: Sequence[_Doc], arc_code: str | None) -> dict[str, Any]:
    pages = [d.values.get("numberOfPage") for d in docs]
    computed_pages = sum(pages) if docs and all(isinstance(p, int) for p in pages) else None
    return {
        "fileCode": str(dossier.code), "arcFileCode": arc_code, "title": dossier.title,
        "maintenance": dossier.maintenance, "mode": dossier.mode, "language": list(dossier.language),
        "startDate": dossier.start_date, "endDate": dossier.end_date, "keyword": list(dossier.keyword),
        "totalDoc": len(docs), "numberOfPaper": dossier.number_of_paper,
        "numberOfPage": dossier.number_of_page if dossier.number_of_page is not None else computed_pages,
        "format": dossier.format, "inforSign": dossier.infor_sign, "confidenceLevel": dossier.confidence_level,
        "paperFileCode": dossier.paper_file_code, "riskRecovery": "1" if dossier.risk_recovery else "0",
        "riskRecoveryStatus": dossier.risk_recovery_status, "description": dossier.description,
    }


def _documents(code: DossierCode, documents: Sequence[Document], rep: str) -> list[_Doc]:
    ordinals = [d.ordinal for d in documents]
    if len(set(ordinals)) != len(ordinals):
        raise descriptive.MetadataError(["Số thứ tự tài liệu bị trùng / document ordinals repeat"])
    docs = []
    for document in sorted(documents, key=lambda d: d.ordinal):
        doc_code = document_code(code, document.ordinal)
        ordinal = f"{document.ordinal:07d}"
        names = tuple(f"{ordinal}-{i:02d}.{_extension(f, _mimetype(f))}" for i, f in enumerate(document.files, 1))
        values = dict(document.fields)
        values["docCode"] = str(doc_code)
        values.setdefault("docId", str(doc_code))
        process = [n for n, f in zip(names, document.files) if f.process]
        if process:
            values["process"] = f"representations/{rep}/data/{process[0]}"
        docs.append(_Doc(document, str(doc_code), ordinal, values, names))
    return docs


def _check_all(definition: Circular05Definition, dossier_values: dict, docs: Sequence[_Doc]) -> None:
    problems = descriptive.check(definition, "dossier", dossier_values)
    for doc in docs:
        problems += [f"{doc.code}: {p}" for p in descriptive.check(definition, "document", doc.values)]
        if not doc.document.files:
            problems.append(f"{doc.code}: tài liệu không có tệp / the document has no file")
        missing = [f for f in doc.document.files if not Path(f.source).is_file()]
        if missing:
            problems.append(f"{doc.code}: không đọc được tệp / a file of the document cannot be read")
    if problems:
        raise descriptive.MetadataError(problems)


class _Writer:
    """Writes files under one package folder and returns their METS references."""

    def __init__(self, root: Path, created: dt.datetime):
        self.root, self.created = root, created

    def _ref(self, relative: str, file_id: str, mimetype: str, base: str, title: str = "",
             use: str = "") -> mets.FileRef:
        path = self.root / relative
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        href = os.path.relpath(path, self.root / base).replace(os.sep, "/") if base else relative
        return mets.FileRef(file_id, href, path.stat().st_size, digest.hexdigest(), mimetype, self.created, title, use)

    def bytes(self, relative: str, data: bytes, file_id: str, mimetype: str, base: str = "") -> mets.FileRef:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return self._ref(relative, file_id, mimetype, base)

    def copy(self, relative: str, source: Path, file_id: str, mimetype: str, base: str = "", title: str = "",
             use: str = "") -> mets.FileRef:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        return self._ref(relative, file_id, mimetype, base, title, use)


def _schema_sources() -> dict[str, Path]:
    spec = importlib.util.find_spec("eark_validator")
    if spec is None or spec.origin is None:
        raise RuntimeError("eark-validator is not installed; it provides the METS schemas copied into schemas/")
    folder = Path(spec.origin).parent / "ipxml" / "resources" / "schema"
    return {name: folder / name for name in mets.SCHEMA_FILES.values()}


def _document_list(docs: Sequence[_Doc], definition: Circular05Definition) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["STT", "Mã tài liệu", "Tên loại", "Số, ký hiệu", "Ngày", "Trích yếu", "Cơ quan ban hành",
                     "Số trang", "Tệp trong gói"])
    for doc in docs:
        v = doc.values
        issued = v.get("issuedDate")
        writer.writerow([doc.document.ordinal, doc.code, definition.label("document_type", v.get("typeName")),
                         "/".join(str(x) for x in (v.get("codeNumber"), v.get("codeNotation")) if x),
                         issued.strftime("%d/%m/%Y") if isinstance(issued, dt.date) else "",
                         descriptive.xml_text(v.get("subject", "")), descriptive.xml_text(v.get("organName", "")),
                         v.get("numberOfPage", ""), " ".join(doc.names)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read the diacritics


@dataclass(frozen=True)
class _Package:
    """Everything one package is written from, checked."""

    kind: PackageKind
    definition: Circular05Definition
    objid: str
    dossier: Dossier
    dossier_values: dict[str, Any]
    docs: tuple[_Doc, ...]
    options: PackageOptions
    agents: tuple[tuple[str, Agent], ...]
    events: tuple[Event, ...]
    request: DipRequest | None

    @property
    def rep(self) -> str:
        return self.options.representation

    @property
    def rep_dir(self) -> str:
        return f"representations/{self.options.representation}"


def _write(kind: PackageKind, target: Path, dossier: Dossier, documents: Sequence[Document], *,
           options: PackageOptions, agents: tuple[tuple[str, Agent], ...], archive: Agent | None = None,
           events: Sequence[Event] = (), request: DipRequest | None = None) -> Path:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", options.representation):
        raise ValueError(f"representation name {options.representation!r} must be like rep1")
    definition = load_circular05()
    code = dossier.code.archived(archive.code) if kind is PackageKind.AIP and archive else dossier.code
    docs = _documents(code, documents, options.representation)
    dossier_values = _dossier_values(dossier, docs, str(code) if code.archive else None)
    _check_all(definition, dossier_values, docs)
    objid = str(code) if request is None else f"{code}.DIP.{request.number}"
    package = _Package(kind, definition, objid, dossier, dossier_values, tuple(docs), options, agents,
                       tuple(events), request)
    final = Path(target) / ascii_name(objid)
    if final.exists():
        raise FileExistsError(f"Gói {final} đã tồn tại / the package {final} already exists")
    Path(target).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=target))
    try:
        _fill(_Writer(work, options.created), package)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _fill(w: _Writer, p: _Package) -> None:
    """Representation first, then the root: each METS file is written after the files it checksums."""
    rep_mets = _representation(w, p)
    dmd, own_schemas = _descriptive(w, p)
    documentation = [w.bytes("documentation/danh-muc-tai-lieu.csv", _document_list(p.docs, p.definition),
                             "file-documentation-list", "text/csv")]
    schema_refs = [w.copy(f"schemas/{name}", source, f"file-schema-{i}", "application/xml")
                   for i, (name, source) in enumerate(_schema_sources().items(), 1)]
    schema_refs += [w.bytes(f"schemas/{name}", schemas.simpledc_xsd(p.definition, fields, title),
                            f"file-schema-{name.removesuffix('.xsd')}", "application/xml")
                    for name, (fields, title) in own_schemas.items()]
    amd = []
    if p.kind is PackageKind.AIP:
        ref = w.bytes("metadata/preservation/PREMIS.xml", premis.package_premis(p.objid, p.events), "md-premis",
                      "text/xml")
        amd.append(mets.MdRef("digiprov-premis", ref, "PREMIS"))
    header = mets.Header(p.kind, p.objid, p.dossier.title, p.options, p.agents, str(p.dossier.code))
    (w.root / "METS.xml").write_bytes(mets.package_mets(header, dmd, amd, documentation, schema_refs, rep_mets, p.rep))


def _representation(w: _Writer, p: _Package) -> mets.FileRef:
    """Data files, one descriptive file per document, PREMIS (AIP) and the representation's METS."""
    rep_docs, rep_files = [], []
    for doc in p.docs:
        files = [w.copy(f"{p.rep_dir}/data/{name}", Path(file.source), f"file-{doc.ordinal}-{i:02d}",
                        _mimetype(file), p.rep_dir, title=file.label, use=_use(p.kind, file))
                 for i, (file, name) in enumerate(zip(doc.document.files, doc.names), 1)]
        rep_files += [(f"{doc.code}/{i:02d}", ref) for i, ref in enumerate(files, 1)]
        md = w.bytes(f"{p.rep_dir}/metadata/descriptive/EAD_doc_{doc.ordinal}.xml",
                     descriptive.simpledc(p.definition.document, doc.values, f"../../../../schemas/{DOCUMENT_XSD}"),
                     f"md-doc-{doc.ordinal}", "text/xml", p.rep_dir)
        rep_docs.append((doc.code, mets.MdRef(f"dmd-doc-{doc.ordinal}", md, "OTHER", DESCRIPTIVE_TYPE), files))
    amd = []
    if p.kind is PackageKind.AIP:
        ref = w.bytes(f"{p.rep_dir}/metadata/preservation/PREMIS_{p.rep}.xml",
                      premis.representation_premis(f"{p.objid}/{p.rep}", rep_files, p.events), "md-premis-rep",
                      "text/xml", p.rep_dir)
        amd.append(mets.MdRef("digiprov-premis-rep", ref, "PREMIS"))
    header = mets.Header(p.kind, f"{p.objid}/{p.rep}", p.dossier.title, p.options, p.agents)
    return w.bytes(f"{p.rep_dir}/METS.xml", mets.representation_mets(header, rep_docs, amd),
                   f"file-mets-{p.rep}", "text/xml")


def _descriptive(w: _Writer, p: _Package) -> tuple[list[mets.MdRef], dict[str, tuple]]:
    """``metadata/descriptive/EAD.xml`` (the dossier, or a DIP's request) and the XSDs our files use."""
    if p.request is None:
        own_schemas = {DOSSIER_XSD: (p.definition.dossier, "Hồ sơ / dossier")}
        described = descriptive.simpledc(p.definition.dossier, p.dossier_values, f"../../schemas/{DOSSIER_XSD}")
    else:
        own_schemas = {REQUEST_XSD: (descriptive.REQUEST_FIELDS, "Yêu cầu sử dụng / DIP request")}
        described = descriptive.simpledc(descriptive.REQUEST_FIELDS, _request_values(p.request, p.dossier),
                                         f"../../schemas/{REQUEST_XSD}")
    own_schemas[DOCUMENT_XSD] = (p.definition.document, "Tài liệu / document")
    ref = w.bytes("metadata/descriptive/EAD.xml", described, "md-ead", "text/xml")
    return [mets.MdRef("dmd-package", ref, "OTHER", DESCRIPTIVE_TYPE)], own_schemas


def _use(kind: PackageKind, file: DocumentFile) -> str:
    """METS file/@USE: a DIP hands out copies; the processing-history file is marked as such."""
    return "copy" if kind is PackageKind.DIP else "processing history" if file.process else ""


def _request_values(request: DipRequest, dossier: Dossier) -> dict[str, Any]:
    return descriptive.request_values(request.number, request.purpose, request.requester.strip(),
                                      request.organisation, request.requested_on, str(dossier.code),
                                      request.description)


def _agency(dossier: Dossier) -> Agent:
    return Agent(dossier.agency_name, dossier.code.agency)


def write_sip(target: Path | str, dossier: Dossier, documents: Sequence[Document],
              options: PackageOptions | None = None) -> Path:
    """Write the SIP (gói nộp) of ``dossier`` under ``target``; returns the package folder.
    Raises MetadataError (nothing written) when the fields do not fit Circular 05."""
    return _write(PackageKind.SIP, Path(target), dossier, documents, options=options or PackageOptions(),
                  agents=(("ARCHIVIST", _agency(dossier)),))


def write_aip(target: Path | str, dossier: Dossier, documents: Sequence[Document], archive: Agent,
              events: Sequence[Event], options: PackageOptions | None = None) -> Path:
    """Write the AIP (gói lưu trữ): the archive's code in front of the codes, PREMIS with ``events``."""
    return _write(PackageKind.AIP, Path(target), dossier, documents, options=options or PackageOptions(),
                  agents=(("ARCHIVIST", _agency(dossier)), ("PRESERVATION", archive)), archive=archive,
                  events=events)


def write_dip(target: Path | str, dossier: Dossier, documents: Sequence[Document], request: DipRequest,
              archive: Agent, options: PackageOptions | None = None) -> Path:
    """Write the DIP (gói sử dụng) answering ``request``: its descriptive file is the request, its
    files are marked as copies (METS ``USE="copy"``)."""
    problems = descriptive.check(load_circular05(), descriptive.REQUEST_FIELDS, _request_values(request, dossier))
    if problems:
        raise descriptive.MetadataError(problems)
    return _write(PackageKind.DIP, Path(target), dossier, documents, options=options or PackageOptions(),
                  agents=(("ARCHIVIST", _agency(dossier)), ("DISSEMINATOR", archive)), request=request)


def zip_package(folder: Path | str, destination: Path | str | None = None) -> Path:
    """Zip a package folder (the folder itself is the zip's single top entry); returns the zip path."""
    folder = Path(folder)
    target = Path(destination) if destination else folder.with_name(folder.name + ".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zipped.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target
