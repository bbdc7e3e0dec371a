"""Archival codes of Circular 05/2025/TT-BNV: pure build and parse functions, no I/O.

* dossier code (mã hồ sơ, ``fileCode``): the agency's electronic identifier (Decision
  20/2020/QĐ-TTg, e.g. ``000.00.01.H41``) + the year + the dossier's number and notation, joined
  with dots: ``000.00.01.H41.2026.05.TH``;
* document code (mã tài liệu, ``docCode``): the dossier code + the document's ordinal in the
  dossier on 7 digits: ``000.00.01.H41.2026.05.TH.0000012``;
* in the historical archive (``arcFileCode``) the archive's own identifier comes in front:
  ``000.00.13.H41.000.00.01.H41.2026.05.TH``.

The archive's code is taken to have the same shape as an agency identifier, which keeps parsing
unambiguous (verify against the circular's annex). A notation may not end with a 7-digit part, so a
document code can never be read as a dossier code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from recordsys.i18n import LocalizedError

AGENCY = r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}"
_AGENCY_RE = re.compile(rf"^{AGENCY}$")
_PART = r"[^\W_](?:[\w-]*[^\W_])?"  # letters (with diacritics) and digits, inner hyphens allowed
_NOTATION_RE = re.compile(rf"^{_PART}(?:\.{_PART})*$")
_DOSSIER_RE = re.compile(rf"^(?:(?P<archive>{AGENCY})\.)??(?P<agency>{AGENCY})\.(?P<year>\d{{4}})\."
                         rf"(?P<notation>{_PART}(?:\.{_PART})*?)$")
_ORDINAL_RE = re.compile(r"^\d{7}$")
ORDINAL_DIGITS = 7


class CodeError(LocalizedError):
    """A code that cannot be built or read; ``localized(lang)`` says what is wrong."""


@dataclass(frozen=True)
class DossierCode:
    """The parts of a dossier code (mã hồ sơ); ``str()`` gives the code."""

    agency: str
    year: int
    notation: str
    archive: str | None = None

    def __str__(self) -> str:
        parts = [self.archive] if self.archive else []
        return ".".join(parts + [self.agency, f"{self.year:04d}", self.notation])

    def archived(self, archive: str) -> DossierCode:
        """The same dossier with the archive's code in front (``arcFileCode``)."""
        return DossierCode(self.agency, self.year, self.notation, _check_agency(archive, "archive"))


@dataclass(frozen=True)
class DocumentCode:
    """A document code (mã tài liệu): its dossier's code and its ordinal (from 1)."""

    dossier: DossierCode
    ordinal: int

    def __str__(self) -> str:
        return f"{self.dossier}.{self.ordinal:0{ORDINAL_DIGITS}d}"


def _check_agency(value: str, what: str) -> str:
    if not isinstance(value, str) or not _AGENCY_RE.match(value):
        raise CodeError("The ${what} identifier ${value} must look like 000.00.01.H41 (Decision 20/2020/QĐ-TTg).", mapping={"what": what, "value": f"{value!r}", "what_vi": "lưu trữ" if what == "archive" else "cơ quan"})
    return value


def _check_notation(notation: str) -> str:
    if not isinstance(notation, str) or not _NOTATION_RE.match(notation):
        raise CodeError("The dossier number and notation ${notation} may hold only letters, digits and hyphens, separated by dots (for example 05.TH).", mapping={"notation": f"{notation!r}"})
    if _ORDINAL_RE.match(notation.rsplit(".", 1)[-1]):
        raise CodeError("The dossier notation ${notation} must not end with 7 digits (it would read as a document code).", mapping={"notation": f"{notation!r}"})
    return notation


def dossier_code(agency: str, year: int, notation: str, archive: str | None = None) -> DossierCode:
    """Build a dossier code from its parts, checking each; raises CodeError."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise CodeError("The year ${year} must be a 4-digit number.", mapping={"year": f"{year!r}"})
    return DossierCode(_check_agency(agency, "agency"), year, _check_notation(notation),
                       _check_agency(archive, "archive") if archive else None)


def document_code(dossier: DossierCode | str, ordinal: int) -> DocumentCode:
    """Build a document code: the dossier code and the 7-digit ordinal (1 … 9 999 999)."""
    parent = parse_dossier_code(dossier) if isinstance(dossier, str) else dossier
    if isinstance(ordinal, bool) or not isinstance(ordinal, int) or not 1 <= ordinal < 10 ** ORDINAL_DIGITS:
        raise CodeError("The document ordinal ${ordinal} must be between 1 and 9999999.", mapping={"ordinal": f"{ordinal!r}"})
    return DocumentCode(parent, ordinal)


def parse_dossier_code(code: str) -> DossierCode:
    """Read a dossier code (with or without the archive's code in front); raises CodeError."""
    match = _DOSSIER_RE.match(code) if isinstance(code, str) else None
    if not match:
        raise CodeError("The dossier code ${code} is not <agency id>.<year>.<number and notation>, for example 000.00.01.H41.2026.05.TH.", mapping={"code": f"{code!r}"})
    return dossier_code(match["agency"], int(match["year"]), match["notation"], match["archive"])


def parse_document_code(code: str) -> DocumentCode:
    """Read a document code: a dossier code followed by a 7-digit ordinal; raises CodeError."""
    head, _, ordinal = code.rpartition(".") if isinstance(code, str) else ("", "", "")
    if not _ORDINAL_RE.match(ordinal) or int(ordinal) == 0:
        raise CodeError("The document code ${code} must end with a 7-digit ordinal (for example .0000012).", mapping={"code": f"{code!r}"})
    return document_code(parse_dossier_code(head), int(ordinal))
