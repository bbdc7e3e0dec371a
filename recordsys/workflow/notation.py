"""Number and symbol (số, ký hiệu) of outgoing documents under Decree 30/2020/NĐ-CP: pure functions.

A typed document's symbol is its type abbreviation, then the issuing agency's, optionally the drafting
unit's: ``15/QĐ-UBND``, ``07/KH-UBND-VP``. An official letter (công văn) has no type abbreviation: its
symbol is the agency then the drafting unit (or the field handled): ``120/UBND-VP``. A public letter
(thư công) has no number and symbol. Numbers start at 01 on 1 January; below 10 they take a leading 0.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from recordsys.i18n import LocalizedError
from recordsys.ingest.numbering import parse_number_and_symbol

DOCUMENT_TYPES = Path(__file__).resolve().parent.parent.parent / "metadata" / "workflow" / "document_types.json"
OFFICIAL_LETTER = "CV"  # công văn
_PART = re.compile(r"^[0-9A-Za-zĐđ]+(?:\.[0-9A-Za-zĐđ]+)*$")
_PREFIX = re.compile(r"^\s*(số|so)\s*:?\s*", re.IGNORECASE)


class NotationError(LocalizedError):
    """A number and symbol cannot be formed or read; ``localized(lang)`` says why."""


@dataclass(frozen=True)
class DocumentType:
    code: str
    vi: str
    en: str
    abbreviation: str | None  # None: công văn and thư công
    numbered: bool = True  # False: thư công

    @property
    def is_letter(self) -> bool:
        """Công văn: numbered, but without a type abbreviation in its symbol."""
        return self.numbered and self.abbreviation is None


@dataclass(frozen=True)
class Notation:
    number: int
    type_code: str
    agency: str
    unit: str | None = None
    abbreviation: str | None = None  # the type abbreviation written in the symbol, None for công văn

    @property
    def symbol(self) -> str:
        return "-".join(p for p in (self.abbreviation, self.agency, self.unit) if p)

    def __str__(self) -> str:
        return f"{self.number:02d}/{self.symbol}"


@functools.lru_cache(maxsize=4)
def load_document_types(path: Path = DOCUMENT_TYPES) -> dict[str, DocumentType]:
    """The Decree 30 document types by code, from ``metadata/workflow/document_types.json``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {t["code"]: DocumentType(t["code"], t["vi"], t["en"], t["abbreviation"], t["symbol"] is not None)
            for t in data["types"]}


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _check_part(value: str, what_vi: str, what_en: str) -> str:
    value = _nfc(value)
    if not all(_PART.match(p) for p in value.split("-")):
        raise NotationError("“${value}” is not a valid abbreviation of the ${what} (letters, digits, dots only).", mapping={"value": value, "what": what_en, "what_vi": what_vi})
    return value


def _document_type(type_code: str, types: dict[str, DocumentType]) -> DocumentType:
    doc_type = types.get(_nfc(type_code))
    if doc_type is None:
        raise NotationError("“${type_code}” is not an administrative document type of Decree 30.", mapping={"type_code": type_code})
    return doc_type


def form_notation(number: int, type_code: str, agency: str, unit: str | None = None,
                  types: dict[str, DocumentType] | None = None) -> Notation:
    """The number and symbol of a document; ``str()`` of the result is ``15/QĐ-UBND``.

    ``agency`` is the issuing agency's abbreviation (``UBND``, ``SNV``, ``BGDĐT``), ``unit`` the
    drafting unit's (``VP``, ``TCCB``): optional for typed documents, required for công văn.
    """
    doc_type = _document_type(type_code, types or load_document_types())
    if not doc_type.numbered:
        raise NotationError("A ${type} has no number and symbol.", mapping={"type": doc_type.en.lower(), "type_vi": doc_type.vi})
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise NotationError("Document numbers start at 01 each year.")
    if number > 9_999_999:
        raise NotationError("The document number is too large.")
    if not _nfc(agency):
        raise NotationError("The issuing agency's abbreviation is missing.")
    agency = _check_part(agency, "cơ quan ban hành", "issuing agency")
    unit = _check_part(unit, "đơn vị soạn thảo", "drafting unit") if _nfc(unit) else None
    if doc_type.is_letter and not unit:
        raise NotationError("An official letter's symbol names the agency and the drafting unit (e.g. 120/UBND-VP): the unit is missing.")
    return Notation(number, doc_type.code, agency, unit, doc_type.abbreviation)


def parse_notation(text: str, types: dict[str, DocumentType] | None = None,
                   agencies: tuple[str, ...] = ()) -> Notation:
    """Read ``Số: 15/QĐ-UBND`` or ``120/UBND-VP`` back. A symbol whose first part is a type
    abbreviation is a typed document; otherwise it is a công văn. ``agencies`` lists known agency
    abbreviations that contain a hyphen (``ĐHQG-HCM``), so they are not split into agency and unit."""
    types = types or load_document_types()
    try:
        parsed = parse_number_and_symbol(_PREFIX.sub("", _nfc(text)))
    except ValueError:
        raise NotationError("“${text}” is not a number and symbol such as 15/QĐ-UBND.", mapping={"text": text}) from None
    by_abbreviation = {t.abbreviation: t for t in types.values() if t.abbreviation}
    first, _, rest = parsed.symbol.partition("-")
    doc_type = by_abbreviation.get(first)
    if doc_type is None or not rest:
        doc_type, rest = types[OFFICIAL_LETTER], parsed.symbol
    agency, unit = _split_agency(rest, agencies)
    if doc_type.is_letter and not unit:
        raise NotationError("“${text}”: the document type is unknown (an official letter names its drafting unit).", mapping={"text": text})
    return Notation(parsed.number, doc_type.code, agency, unit, doc_type.abbreviation)


def _split_agency(rest: str, agencies: tuple[str, ...]) -> tuple[str, str | None]:
    for agency in sorted(map(_nfc, agencies), key=len, reverse=True):
        if rest == agency or rest.startswith(agency + "-"):
            return agency, rest[len(agency) + 1:] or None
    agency, _, unit = rest.partition("-")
    return agency, unit or None


def series_key(year: int, type_code: str, per_type: bool, confidential: bool = False) -> tuple:
    """Which running number a new document takes: one series per calendar year, for all types or
    one per type (the agency's own rule), confidential documents always apart."""
    return (int(year), _nfc(type_code) if per_type else "*", "confidential" if confidential else "open")


def date_line(date, place: str | None = None) -> str:
    """The place and date line (địa danh, ngày tháng năm): ``Khánh Hòa, ngày 05 tháng 01 năm 2026``.
    Days below 10 and the months January and February take a leading 0; the other months do not
    (Decree 30, Appendix I: ``ngày 25 tháng 3 năm 2026``)."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    text = f"ngày {date.day:02d} tháng {month} năm {date.year}"
    return f"{place.strip()}, {text}" if place and place.strip() else text
