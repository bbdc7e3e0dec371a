"""Plain inputs of an information package (gói thông tin): a dossier's Circular 05 fields, its
documents with their files, and for a DIP the reader's request. No I/O here."""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordsys.preservation.eark.codes import DossierCode


class PackageKind(str, enum.Enum):
    SIP = "SIP"  # gói nộp
    AIP = "AIP"  # gói lưu trữ
    DIP = "DIP"  # gói sử dụng


@dataclass(frozen=True)
class Dossier:
    """A dossier (hồ sơ) with the fields of Circular 05/2025; codes are the circular's ("01" …).

    ``startDate``/``endDate`` are given here; ``totalDoc`` is counted from the documents and
    ``numberOfPage`` summed from theirs when left out."""

    code: DossierCode
    title: str
    maintenance: str  # retention, codelists/c05/retention
    mode: str  # access level, codelists/c05/access
    language: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date
    confidence_level: str  # codelists/c05/reliability
    agency_name: str  # the creating agency, for the METS agent (not a Circular 05 field)
    risk_recovery: bool = True
    risk_recovery_status: str | None = None
    keyword: tuple[str, ...] = ()
    number_of_paper: int | None = None
    number_of_page: int | None = None
    format: str | None = None  # physical condition of digitised paper
    infor_sign: str = ""
    paper_file_code: str = ""
    description: str = ""


@dataclass(frozen=True)
class DocumentFile:
    """A file of a document. ``source`` is read; ``label`` (the user's file name) is only metadata:
    the name inside the package is built from the document code."""

    source: Path
    label: str = ""
    mimetype: str | None = None
    process: bool = False  # the processing-history file (tệp quá trình xử lý)


@dataclass(frozen=True)
class Document:
    """A document (tài liệu): its ordinal in the dossier, its Circular 05 fields by element name
    (``docCode`` and ``process`` are filled in), and its files."""

    ordinal: int
    fields: Mapping[str, Any]
    files: tuple[DocumentFile, ...]


@dataclass(frozen=True)
class DipRequest:
    """The reader's request a DIP answers (phiếu yêu cầu): purpose from codelists/c05/dip_purpose."""

    number: str
    purpose: str
    requester: str
    requested_on: dt.date
    organisation: str = ""
    description: str = ""


@dataclass(frozen=True)
class Agent:
    """Who created the package (the archive for an AIP or DIP): a name and an identification code."""

    name: str
    code: str


@dataclass(frozen=True)
class PackageOptions:
    """What is fixed per deployment rather than per dossier."""

    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))
    software: str = "recordsys"
    software_version: str = "0.1.0"
    content_category: str = "Textual works \u2013 Digital"  # CSIP vocabulary ContentCategory
    content_information_type: str = "VN-TT05-2025-BNV"  # as csip:OTHERCONTENTINFORMATIONTYPE
    representation: str = "rep1"
