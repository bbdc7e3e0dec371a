"""Code lists of the edXML interchange (QCVN 102:2016) and organ id shapes (Decision 20/2020/QĐ-TTg).

Pure data and small checks: no I/O. Meanings are English message ids of the catalog (their Vietnamese
as read in ``shared/standards/edxml.md``).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Meaning:
    """What a code means: an English message id of the catalog (recordsys/locale), said in either
    language."""

    en: str

    def localized(self, lang: str = "vi") -> str:
        from recordsys.i18n import translate

        return translate(self.en, lang)

    @property
    def vi(self) -> str:
        return self.localized("vi")


class BusinessDocType(enum.IntEnum):
    """``Bussiness/BussinessDocType``: what a document message does (loại nghiệp vụ)."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3

    @property
    def meaning(self) -> Meaning:
        return BUSINESS_MEANINGS[self]


BUSINESS_MEANINGS: dict[BusinessDocType, Meaning] = {
    BusinessDocType.NEW: Meaning("New document"),
    BusinessDocType.REVOKE: Meaning("Revocation of a document"),
    BusinessDocType.UPDATE: Meaning("Update of a document"),
    BusinessDocType.REPLACE: Meaning("Replacement of a document"),
}


class StatusCode(str, enum.Enum):
    """``StatusCode`` of a status message: two digits, kept as text (trạng thái xử lý)."""

    ARRIVED = "01"
    REFUSED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    COMPLETED = "06"
    REVOKE_REQUESTED = "13"
    REQUEST_AGREED = "15"
    REQUEST_REFUSED = "16"

    @property
    def meaning(self) -> Meaning:
        return STATUS_MEANINGS[self]

    @property
    def needs_reason(self) -> bool:
        """Refusals and take-back requests must say why (02, 13, 16)."""
        return self in (StatusCode.REFUSED, StatusCode.REVOKE_REQUESTED, StatusCode.REQUEST_REFUSED)


STATUS_MEANINGS: dict[StatusCode, Meaning] = {
    StatusCode.ARRIVED: Meaning("Arrived: received by the software, not yet handled by the clerk"),
    StatusCode.REFUSED: Meaning("Refused, with the reason"),
    StatusCode.ACCEPTED: Meaning("Accepted and registered in the incoming book"),
    StatusCode.ASSIGNED: Meaning("Assigned for handling"),
    StatusCode.PROCESSING: Meaning("Being processed"),
    StatusCode.COMPLETED: Meaning("Completed"),
    StatusCode.REVOKE_REQUESTED: Meaning("The sender asks to take back / revoke the document, with a reason"),
    StatusCode.REQUEST_AGREED: Meaning("The receiver agrees to the update / take-back request"),
    StatusCode.REQUEST_REFUSED: Meaning("The receiver refuses the update / take-back request"),
}


class Priority(enum.IntEnum):
    """``OtherInfo/Priority`` (độ khẩn), 0–4 accepted by hubs; meanings inferred from Decree 30."""

    NORMAL = 0
    URGENT = 1
    VERY_URGENT = 2
    IMMEDIATE = 3
    IMMEDIATE_TIMED = 4


PRIORITY_MEANINGS: dict[Priority, Meaning] = {
    Priority.NORMAL: Meaning("Normal"),
    Priority.URGENT: Meaning("Urgent"),
    Priority.VERY_URGENT: Meaning("Very urgent"),
    Priority.IMMEDIATE: Meaning("Immediate"),
    Priority.IMMEDIATE_TIMED: Meaning("Immediate with a set time"),
}

#: an organ (cơ quan) id: four dot-separated groups, e.g. ``000.00.31.H41`` or ``000.00.00.G22``
ORGAN_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
#: a hub or system id: three groups, e.g. ``00.53.W00``
SYSTEM_ID = re.compile(r"^\d{2}\.\d{2}\.[A-Z]\d{2}$")


def is_organ_id(value: str) -> bool:
    """True when ``value`` has the shape of a Decision 20/2020 organ id (``000.00.01.H41``)."""
    return bool(ORGAN_ID.match(value or ""))


def is_party_id(value: str) -> bool:
    """True for an organ id or a hub's system id (``00.53.W00``): what may appear in From/To."""
    return is_organ_id(value) or bool(SYSTEM_ID.match(value or ""))


def business_doc_type(value: str | int) -> BusinessDocType | None:
    """The business type for ``value`` ("0".."3"), or None when it is not one."""
    try:
        return BusinessDocType(int(str(value).strip()))
    except ValueError:
        return None


def status_code(value: str) -> StatusCode | None:
    """The status code for ``value`` ("01", also "1"), or None when it is not one."""
    text = str(value or "").strip()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    try:
        return StatusCode(text)
    except ValueError:
        return None
