"""Code lists of the edXML interchange (QCVN 102:2016) and organ id shapes (Decision 20/2020/QĐ-TTg).

Pure data and small checks: no I/O. Meanings are given in Vietnamese and English, as read in
``shared/standards/edxml.md``.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Meaning:
    """What a code means, in both languages."""

    vi: str
    en: str


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
    BusinessDocType.NEW: Meaning("Văn bản mới", "New document"),
    BusinessDocType.REVOKE: Meaning("Thu hồi văn bản", "Revocation of a document"),
    BusinessDocType.UPDATE: Meaning("Cập nhật văn bản", "Update of a document"),
    BusinessDocType.REPLACE: Meaning("Thay thế văn bản", "Replacement of a document"),
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
    StatusCode.ARRIVED: Meaning("Đã đến: phần mềm đã nhận, văn thư chưa xử lý",
                                "Arrived: received by the software, not yet handled by the clerk"),
    StatusCode.REFUSED: Meaning("Từ chối tiếp nhận (kèm lý do)", "Refused, with the reason"),
    StatusCode.ACCEPTED: Meaning("Tiếp nhận, vào sổ văn bản đến",
                                 "Accepted and registered in the incoming book"),
    StatusCode.ASSIGNED: Meaning("Phân công xử lý", "Assigned for handling"),
    StatusCode.PROCESSING: Meaning("Đang xử lý", "Being processed"),
    StatusCode.COMPLETED: Meaning("Hoàn thành", "Completed"),
    StatusCode.REVOKE_REQUESTED: Meaning("Bên gửi đề nghị lấy lại / thu hồi văn bản (kèm lý do)",
                                         "The sender asks to take back / revoke the document, with a reason"),
    StatusCode.REQUEST_AGREED: Meaning("Bên nhận đồng ý yêu cầu cập nhật / lấy lại",
                                       "The receiver agrees to the update / take-back request"),
    StatusCode.REQUEST_REFUSED: Meaning("Bên nhận từ chối yêu cầu cập nhật / lấy lại",
                                        "The receiver refuses the update / take-back request"),
}


class Priority(enum.IntEnum):
    """``OtherInfo/Priority`` (độ khẩn), 0–4 accepted by hubs; meanings inferred from Decree 30."""

    NORMAL = 0
    URGENT = 1
    VERY_URGENT = 2
    IMMEDIATE = 3
    IMMEDIATE_TIMED = 4


PRIORITY_MEANINGS: dict[Priority, Meaning] = {
    Priority.NORMAL: Meaning("Thường", "Normal"),
    Priority.URGENT: Meaning("Khẩn", "Urgent"),
    Priority.VERY_URGENT: Meaning("Thượng khẩn", "Very urgent"),
    Priority.IMMEDIATE: Meaning("Hỏa tốc", "Immediate"),
    Priority.IMMEDIATE_TIMED: Meaning("Hỏa tốc hẹn giờ", "Immediate with a set time"),
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
