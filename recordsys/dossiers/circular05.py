"""Our dossiers (entered with the Circular 02/2019 fields) as Circular 05/2025/TT-BNV records: one
pure mapping from plain rows to the E-ARK layer's inputs (``recordsys.preservation.eark.model``),
and the JSON export keyed by the Circular 05 element names. No database, no files here.

Decisions (see the issue note; verify against the annexes):

* ``fileCode`` is built from the agency's electronic identifier (``000.00.01.H41``), the year and
  the plan code, as Circular 05 asks; the Circular 02 ``FileCode`` (fonds code in front) stays in
  the XML export and in the database (``archival_code``).
* retention: vinh_vien 01, 70 02, 50 03, 30 04, 20 05, 10 06; 15, 5, 2 and het_hieu_luc have no
  Circular 05 code and become 07 (other);
* access: cong_khai 01, han_che 02, mat 03; a document marked confidential is 03, otherwise it
  takes the dossier's level;
* languages: vi 01, en 02, fr 03, ru 04, zh 05, others 11;
* physical condition: binh_thuong 02 (normal), hu_hong and mo_chu 03 (damaged); 01 (good) has no
  Circular 02 counterpart;
* reliability: a document registered as an internal scan is 02 (digitised), any other 01
  (born-digital); the dossier is 01, 02 or 03 (mixed) from its documents;
* backup: the archive keeps every package in at least two locations, so ``riskRecovery`` is 1;
  ``riskRecoveryStatus`` is 01 (backed up) once the dossier was handed over, 02 before;
* document type: the Circular 02 abbreviation (``QĐ``) or the type's Vietnamese name
  (``Quyết định``), else the abbreviation in front of the notation (``QĐ-UBND``), else 32 (other);
* every document handled in the system gets a processing-history file (``process``).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from recordsys import metadata
from recordsys.errors import DomainError
from recordsys.preservation.eark.codes import CodeError, document_code, dossier_code
from recordsys.preservation.eark.descriptive import check as check_fields
from recordsys.preservation.eark.model import Dossier as EarkDossier

RETENTION = {"vinh_vien": "01", "70": "02", "50": "03", "30": "04", "20": "05", "10": "06"}
ACCESS = {"cong_khai": "01", "han_che": "02", "mat": "03"}
LANGUAGE = {"vi": "01", "en": "02", "fr": "03", "ru": "04", "zh": "05"}
CONDITION = {"binh_thuong": "02", "hu_hong": "03", "mo_chu": "03"}
OTHER_TYPE, OTHER_RETENTION, OTHER_LANGUAGE = "32", "07", "11"
REPRESENTATION = "rep1"
#: the key of ``Dossier.fields`` that holds the Circular 05 values entered in the dossier form (the
#: other keys are the Circular 02 fields of older dossiers); entered values win over mapped ones
ENTERED = "c05"
#: the dossier fields the archivist enters; the others are computed (codes, dates, counts) or set
#: by the system (reliability from the documents, backup from the archive's copies)
EDITABLE = ("title", "maintenance", "mode", "language", "keyword", "numberOfPaper", "format", "inforSign",
            "paperFileCode", "description")
#: Circular 05 retention code -> the Circular 02 code the due date is computed from (07: unchanged)
RETENTION_BACK = {v: k for k, v in RETENTION.items()}


class Circular05Error(DomainError):
    """A dossier that cannot be written as a Circular 05 record; ``problems`` lists every reason."""

    code = "circular05"
    http_status = 409

    def __init__(self, problems: list[str]):
        super().__init__("The dossier does not fit Circular 05/2025: ${problems}", mapping={"problems": "; ".join(problems)})
        self.problems = problems


@dataclass(frozen=True)
class DocumentRow:
    """What the mapping reads of one document of a dossier (plain values)."""

    ordinal: int
    subject: str
    registered_on: dt.date
    type_name: str | None = None
    number_and_symbol: str | None = None
    issued_date: dt.date | None = None
    issuer: str | None = None
    page_count: int | None = None
    confidentiality: str | None = None
    flags: tuple[str, ...] = ()
    waiver: str | None = None
    autograph: str | None = None
    confidence_level: str | None = None  # "02" for a digitised record (recordsys ingest scan)
    has_process_file: bool = True


@dataclass(frozen=True)
class DossierRow:
    """What the mapping reads of a dossier: its agency, year, plan code, status, retention and the
    Circular 02 fields entered (``fields``), with its documents."""

    agency_code: str
    agency_name: str
    year: int
    plan_code: str
    status: str
    retention: str
    fields: Mapping[str, Any]
    documents: tuple[DocumentRow, ...] = ()


@dataclass(frozen=True)
class Circular05Record:
    """A dossier as Circular 05 sees it: the E-ARK dossier and each document's fields by element."""

    dossier: EarkDossier
    documents: tuple[tuple[int, dict[str, Any]], ...] = field(default=())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", (text or "").strip()).casefold()


def document_type(type_name: str | None, notation: str | None) -> str:
    """The Circular 05 type code (01 … 32) of a document."""
    definition = metadata.load_circular05()
    by_name = {_fold(v["vi"]): v["code"] for v in definition.codes("document_type")}
    c02 = {_fold(v["code"]): _fold(v["vi"]) for v in metadata.load().codes("document_type")}
    candidates = [type_name or ""]
    if notation:
        candidates.append(notation.split("-", 1)[0])
    for candidate in candidates:
        key = _fold(candidate)
        if key in by_name:
            return by_name[key]
        if key in c02 and c02[key] in by_name:
            return by_name[c02[key]]
    return OTHER_TYPE


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _keywords(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else re.split(r"[;,]", str(value or ""))
    return tuple(k.strip() for k in items if str(k).strip())


def _languages(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else [value] if value else ["vi"]
    codes = [LANGUAGE.get(str(v), OTHER_LANGUAGE) for v in items]
    return tuple(dict.fromkeys(codes)) or ("01",)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _split_number(number_and_symbol: str | None) -> tuple[str | None, str | None]:
    from recordsys.ingest.numbering import parse_number_and_symbol

    if not number_and_symbol:
        return None, None
    try:
        parsed = parse_number_and_symbol(number_and_symbol)
    except ValueError:
        return None, number_and_symbol
    return str(parsed.number), parsed.symbol


def process_path(ordinal: int, representation: str = REPRESENTATION) -> str:
    """Where the package writer puts a document's processing-history file (its second file)."""
    return f"representations/{representation}/data/{ordinal:07d}-02.json"


def to_circular05(row: DossierRow) -> Circular05Record:
    """Map a dossier and its documents to Circular 05 (see the module's notes); raises
    Circular05Error listing every field that does not fit."""
    fields = row.fields
    entered = dict(fields.get(ENTERED) or {})
    problems: list[str] = []
    try:
        code = dossier_code(row.agency_code, int(row.year), row.plan_code)
    except CodeError as exc:
        raise Circular05Error([str(exc)]) from None
    mode = entered.get("mode") or ACCESS.get(str(fields.get("Rights") or "cong_khai"), "01")
    maintenance = entered.get("maintenance") or RETENTION.get(str(fields.get("Maintenance") or row.retention),
                                                              OTHER_RETENTION)
    languages = tuple(entered["language"]) if entered.get("language") else _languages(fields.get("Language"))
    documents, reliability, dates = [], set(), []
    for doc in sorted(row.documents, key=lambda d: d.ordinal):
        number, notation = _split_number(doc.number_and_symbol)
        issued = doc.issued_date or doc.registered_on
        dates.append(issued)
        confidence = doc.confidence_level or ("02" if "unsigned_internal_scan" in doc.flags else "01")
        reliability.add(confidence)
        values = {
            "docId": str(document_code(code, doc.ordinal)), "maintenance": maintenance,
            "typeName": document_type(doc.type_name, notation), "codeNumber": number, "codeNotation": notation,
            "issuedDate": issued, "organName": (doc.issuer or row.agency_name).strip(), "subject": doc.subject,
            "language": list(languages), "numberOfPage": doc.page_count,
            "mode": "03" if doc.confidentiality else mode, "confidenceLevel": confidence,
            "autograph": doc.autograph, "description": doc.waiver,
        }
        values = {k: v for k, v in values.items() if v not in (None, "")}
        problems += [f"tài liệu {doc.ordinal} / document {doc.ordinal}: {p}"
                     for p in check_fields(metadata.load_circular05(), "document",
                                           {**values, "docCode": str(document_code(code, doc.ordinal))})]
        documents.append((doc.ordinal, values))
    start = _date(fields.get("StartDate")) or (min(dates) if dates else None)
    end = _date(fields.get("EndDate")) or (max(dates) if dates else None)
    if start is None or end is None:
        problems.append("Hồ sơ chưa có tài liệu nên chưa có thời gian bắt đầu, kết thúc / the dossier has no "
                        "documents, so no startDate and endDate")
    def text(element: str, c02: str) -> str:
        return str(entered.get(element) if element in entered else fields.get(c02) or "").strip()

    dossier = EarkDossier(
        code=code, title=text("title", "Title"), maintenance=maintenance, mode=mode,
        language=languages, start_date=start or dt.date(row.year, 1, 1),
        end_date=end or dt.date(row.year, 1, 1),
        confidence_level=reliability.pop() if len(reliability) == 1 else "03" if reliability else "01",
        agency_name=row.agency_name, risk_recovery=True,
        risk_recovery_status="01" if row.status == "transferred" else "02",
        keyword=_keywords(entered["keyword"] if "keyword" in entered else fields.get("Keyword")),
        number_of_paper=_int(entered["numberOfPaper"] if "numberOfPaper" in entered else fields.get("SheetNumber")),
        number_of_page=_int(fields.get("PageNumber")),
        format=entered.get("format") if "format" in entered else CONDITION.get(str(fields.get("Format") or "")),
        infor_sign=text("inforSign", "InforSign"), paper_file_code=str(entered.get("paperFileCode") or "").strip(),
        description=text("description", "Description"))
    problems += check_fields(metadata.load_circular05(), "dossier", dossier_values(dossier, len(documents)))
    if problems:
        raise Circular05Error(problems)
    return Circular05Record(dossier, tuple(documents))


def dossier_values(dossier: EarkDossier, total: int) -> dict[str, Any]:
    """The dossier's Circular 05 values by element name, in the circular's order (empty ones left out)."""
    values = {
        "fileCode": str(dossier.code), "arcFileCode": None, "title": dossier.title, "maintenance": dossier.maintenance,
        "mode": dossier.mode, "language": list(dossier.language), "startDate": dossier.start_date,
        "endDate": dossier.end_date, "keyword": list(dossier.keyword), "totalDoc": total,
        "numberOfPaper": dossier.number_of_paper, "numberOfPage": dossier.number_of_page, "format": dossier.format,
        "inforSign": dossier.infor_sign, "confidenceLevel": dossier.confidence_level,
        "paperFileCode": dossier.paper_file_code, "riskRecovery": "1" if dossier.risk_recovery else "0",
        "riskRecoveryStatus": dossier.risk_recovery_status, "description": dossier.description,
    }
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _json_value(value: Any) -> Any:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


def _ordered(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    order = [f.element for f in metadata.load_circular05().fields(kind)]
    return {k: _json_value(values[k]) for k in order if values.get(k) not in (None, "", [])}


def json_dict(record: Circular05Record, rows: Sequence[DocumentRow] = ()) -> dict[str, Any]:
    """The JSON export: the Circular 05 element names in the circular's order, dates DD/MM/YYYY,
    code values as the circular numbers them; ``documents`` holds one object per document."""
    with_process = {r.ordinal for r in rows if r.has_process_file}
    documents = []
    for ordinal, values in record.documents:
        doc = {**values, "docCode": str(document_code(record.dossier.code, ordinal))}
        if ordinal in with_process:
            doc["process"] = process_path(ordinal)
        documents.append(_ordered("document", doc))
    values = dossier_values(record.dossier, len(record.documents))
    pages = [v.get("numberOfPage") for _, v in record.documents]
    if "numberOfPage" not in values and pages and all(isinstance(p, int) for p in pages):
        values["numberOfPage"] = sum(pages)  # as the package writer computes it
    head = _ordered("dossier", values)
    return {**head, "documents": documents}


# the dossier form ------------------------------------------------------------------------------
def form_values(row: DossierRow) -> dict[str, Any]:
    """The Circular 05 values the dossier form shows: the record's (entered values over mapped
    ones) when the dossier maps, else what was entered and what maps without documents."""
    try:
        record = to_circular05(row)
    except Circular05Error:
        entered = dict(row.fields.get(ENTERED) or {})
        mapped = {"title": row.fields.get("Title") or "", "language": list(_languages(row.fields.get("Language"))),
                  "maintenance": RETENTION.get(str(row.fields.get("Maintenance") or row.retention), OTHER_RETENTION),
                  "mode": ACCESS.get(str(row.fields.get("Rights") or "cong_khai"), "01")}
        return {**mapped, **entered}
    values = {k: _json_value(v) for k, v in dossier_values(record.dossier, len(record.documents)).items()}
    values["keyword"] = ", ".join(values.get("keyword", []))
    return values


def parse_entry(posted: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields from a form (element -> text, ``language`` a list): blanks become
    absent, keywords a list; nothing else is interpreted here (validation says what is wrong)."""
    values: dict[str, Any] = {}
    for element in EDITABLE:
        if element not in posted:
            continue
        value = posted[element]
        if element == "language":
            values[element] = [str(v).strip() for v in (value if isinstance(value, list) else [value]) if str(v).strip()]
        elif element == "keyword":
            values[element] = list(_keywords(value))
        else:
            values[element] = str(value).strip()
    extra = [k for k in posted if k not in EDITABLE]
    for name in extra:
        values[name] = posted[name]  # reported by validation as not a field that can be entered
    return values


def check_entry(entered: Mapping[str, Any]):
    """Errors of the entered Circular 05 values, through the one validation path
    (``recordsys.dossiers.validation.validate`` with the Circular 05 definition); mandatory fields
    must not be emptied."""
    from recordsys.dossiers.validation import validate

    values = {k: v for k, v in entered.items() if v not in ("", [], None)}
    given = {k: v for k, v in entered.items() if k in EDITABLE}
    errors = validate(metadata.load_circular05(), "dossier", values, require_computed=False, only=EDITABLE)
    return [e for e in errors if e.rule != "mandatory" or e.field in given]
