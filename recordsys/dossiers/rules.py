"""Dossier rules as pure functions: archival codes, computed fields, closing, retention,
disposition steps."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from recordsys.errors import DomainError

_NOTATION = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-/]{0,19}$")
_DOSSIER_CODE = re.compile(r"^(?P<organ>.+?)\.(?P<year>\d{4})\.(?P<notation>.+)$")


class RuleError(DomainError, ValueError):
    """A rule was broken; the message says which, in English (the views translate)."""

    code = "rule"
    http_status = 409


# archival codes (mã hồ sơ, mã định danh văn bản) --------------------------------------------------
#: Circular 05/2025 (and Circular 01/2019 art. 16.3): agency identifier (Decision 20/2020/QĐ-TTg) +
#: year + the dossier's number and notation, e.g. ``000.00.01.H41.2026.05.TH``; a document adds a
#: 7-digit ordinal. Codes stored before migration 0011 used the fonds code (``H41-02.2026.01.TCCB``,
#: 3-digit ordinals); they are kept as alternative identifiers (scheme ``circular02``) and still parse.
_AGENCY = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
_NEW_DOSSIER_CODE = re.compile(r"^(?P<organ>\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})\.(?P<year>\d{4})\.(?P<notation>.+)$")
ORDINAL_DIGITS = 7


@dataclass(frozen=True)
class DossierCode:
    organ: str  # agency identifier (mã định danh cơ quan); fonds code in codes of Circular 02/2019
    year: int  # year the dossier was formed (or catalogue number)
    notation: str  # number and symbol of the dossier in the plan

    def __str__(self) -> str:
        return f"{self.organ}.{self.year}.{self.notation}"


def dossier_code(organ: str, year: int, notation: str) -> str:
    """``000.00.01.H41.2026.01.TCCB``: agency identifier, year, dossier number and symbol, joined by dots."""
    organ, notation = (organ or "").strip(), (notation or "").strip()
    if not _AGENCY.match(organ):
        raise RuleError("${organ} is not an agency identifier such as 000.00.01.H41 (Decision 20/2020/QĐ-TTg)",
                        mapping={"organ": repr(organ)})
    if not 1900 <= int(year) <= 2200:
        raise RuleError("${year} is not a plausible year", mapping={"year": year})
    if not _NOTATION.match(notation):
        raise RuleError("${notation} is not a dossier number and symbol (letters, digits, '.', '-', '/')", mapping={"notation": f"{notation!r}"})
    return str(DossierCode(organ, int(year), notation))


def parse_dossier_code(code: str) -> DossierCode:
    """Read a dossier code, new (agency identifier) or old (Circular 02/2019 fonds code)."""
    code = (code or "").strip()
    match = _NEW_DOSSIER_CODE.match(code) or _DOSSIER_CODE.match(code)
    if not match:
        raise RuleError("${code} is not a dossier code such as 000.00.01.H41.2026.01.TCCB", mapping={"code": f"{code!r}"})
    return DossierCode(match.group("organ"), int(match.group("year")), match.group("notation"))


def document_code(dossier: str, ordinal: int) -> str:
    """The dossier code + the document's ordinal on 7 digits."""
    if ordinal < 1 or ordinal > 9_999_999:
        raise RuleError("a document's ordinal in its dossier runs from 1 to 9999999")
    return f"{dossier}.{ordinal:0{ORDINAL_DIGITS}d}"


def circular02_document_code(dossier: str, ordinal: int) -> str:
    """A document code as stored before migration 0011 (3-digit ordinal)."""
    return f"{dossier}.{ordinal:03d}"


def parse_document_code(code: str) -> tuple[DossierCode, int]:
    dossier, sep, ordinal = (code or "").rpartition(".")
    if not sep or not ordinal.isdigit():
        raise RuleError("${code} is not a document code such as 000.00.01.H41.2026.01.TCCB.0000001",
                        mapping={"code": f"{code!r}"})
    return parse_dossier_code(dossier), int(ordinal)


def bag_name(code: str) -> str:
    """A filesystem-safe folder name for a package derived from a code."""
    return re.sub(r'[/\\:*?"<>|\s]', "_", code)


# computed fields -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentFacts:
    """What closing and the computed fields need to know about one document of a dossier."""

    ordinal: int
    date: dt.date | None
    pages: int | None
    language: str = "vi"
    pdfa: bool | None = None
    signature: str = "unsigned"
    flags: tuple[str, ...] = ()
    waiver: str | None = None


def computed_fields(documents: list[DocumentFacts]) -> dict:
    dates = [d.date for d in documents if d.date]
    return {
        "StartDate": min(dates).isoformat() if dates else None,
        "EndDate": max(dates).isoformat() if dates else None,
        "TotalDoc": len(documents),
        "PageNumber": sum(d.pages or 0 for d in documents),
        "Language": sorted({d.language for d in documents}) or ["vi"],
    }


# closing (kết thúc hồ sơ) ----------------------------------------------------------------------
def closing_problems(field_errors: list, documents: list[DocumentFacts]) -> list[str]:
    """Why a dossier cannot be closed yet: incomplete metadata, or a document not in an archival
    format with a verified signature and not waived with a written reason."""
    problems = [f"{e.field}: {e.message_en}" for e in field_errors]
    if not documents:
        problems.append("the dossier has no documents")
    for doc in documents:
        if doc.waiver and doc.waiver.strip():
            continue
        if doc.pdfa is not True:
            problems.append(f"document {doc.ordinal} is not PDF/A: convert it or waive it with a reason")
        if doc.signature != "valid" and "unsigned_internal_scan" not in doc.flags:
            problems.append(f"document {doc.ordinal} has no verified signature ({doc.signature}): "
                            "waive it with a reason")
    return problems


# retention and disposition -------------------------------------------------------------------
def retention_years(code: str, retention_list: list[dict]) -> int | None:
    for value in retention_list:
        if value["code"] == code:
            return value["years"]
    raise RuleError("${code} is not a retention period of the code list", mapping={"code": f"{code!r}"})


def due_date(end_date: dt.date | None, years: int | None) -> dt.date | None:
    """Retention counts whole years from the end of the year the dossier's work ended: a 10-year
    dossier ending in 2026 falls due on 1 January 2037. Permanent (None) never falls due."""
    if years is None or end_date is None:
        return None
    return dt.date(end_date.year + years + 1, 1, 1)


@dataclass(frozen=True)
class RetentionFacts:
    id: int
    status: str
    due: dt.date | None
    legal_hold: str | None = None


def disposition_candidates(dossiers: list[RetentionFacts], today: dt.date) -> list[int]:
    """Closed or transferred dossiers past their due date, not permanent, not on legal hold."""
    return [d.id for d in dossiers
            if d.status in ("closed", "transferred") and d.due is not None and d.due <= today
            and not (d.legal_hold and d.legal_hold.strip())]


#: disposition list steps: state -> {action: (next state, role that may do it)}
DISPOSITION_STEPS = {
    "draft": {"appraise": ("appraised", "archivist"), "cancel": ("cancelled", "archivist")},
    "appraised": {"approve": ("approved", "leader"), "reject": ("draft", "leader")},
    "approved": {"destroy": ("destroyed", "archivist")},
    "destroyed": {},
    "cancelled": {},
}


def disposition_step(state: str, action: str, roles: set[str]) -> str:
    """The next state of a disposition list; RuleError when the step is not allowed."""
    step = DISPOSITION_STEPS.get(state, {}).get(action)
    if step is None:
        allowed = ", ".join(DISPOSITION_STEPS.get(state, {})) or "none"
        raise RuleError("cannot ${action} a disposition list that is ${state} (allowed: ${allowed})", mapping={"action": action, "state": state, "allowed": allowed})
    next_state, role = step
    if role not in roles:
        raise RuleError("Only the role ${role} may ${action} a disposition list.", mapping={"role": role, "action": action})
    return next_state
