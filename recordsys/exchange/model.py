"""Typed, immutable values of an edXML message (QCVN 102:2016): what we write and what we read.

No I/O here; ``edxml.py`` writes these values and ``reading.py`` builds them from received bytes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from recordsys.exchange.codes import BusinessDocType

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"


@dataclass(frozen=True)
class Organization:
    """A sending or receiving organ (cơ quan gửi / nhận): ``From`` or ``To``."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class DocumentType:
    """``DocumentType``: ``Type`` is an integer, ``TypeName`` the text (e.g. "Quyết định")."""

    type: int
    name: str = ""
    detail: str = ""


@dataclass(frozen=True)
class SignerInfo:
    """The person who signed the document (người ký)."""

    full_name: str = ""
    position: str = ""
    competence: str = ""


@dataclass(frozen=True)
class OtherInfo:
    """``OtherInfo``: urgency, scope, typist, copies, pages, direction, appendixes."""

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: str = ""
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    """The document a message answers or acts on (văn bản được phản hồi / thu hồi)."""

    organ_id: str
    code: str
    promulgation_date: dt.date | None
    document_id: str


@dataclass(frozen=True)
class StaffInfo:
    """The clerk handling the message (cán bộ xử lý)."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class TraceHeader:
    """One hop of the message: the organ and when it passed (``TraceHeader``)."""

    organ_id: str
    timestamp: dt.datetime


@dataclass(frozen=True)
class UpdateInfo:
    """``BussinessDocumentInfo`` of an update (type 2): what changed — the document's information
    (``DocumentInfo`` 1) and/or its receivers (``DocumentReceiver`` 1, ``ReceiverList/Receiver``
    with OrganId and ReceiverType). The flag meanings are our reading (inferred)."""

    document_info: bool = False
    document_receiver: bool = False
    receivers: tuple[tuple[str, str], ...] = ()  # (OrganId, ReceiverType)


@dataclass(frozen=True)
class Business:
    """``Bussiness`` (sic): the type of a document message and its reason."""

    doc_type: BusinessDocType = BusinessDocType.NEW
    reason: str = ""
    paper: bool = False
    document_id: str = ""
    staff: StaffInfo | None = None
    replaced_document_ids: tuple[str, ...] = ()
    update: UpdateInfo | None = None


@dataclass(frozen=True)
class Attachment:
    """A file to send: its bytes and how it is named in the envelope."""

    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class ReceivedAttachment:
    """A file read from an envelope: identity, size and SHA-256 of the decoded (and unzipped) bytes.

    ``data`` holds the bytes unless the reader was given a sink; ``unzipped`` says the file came
    as ``application/zip`` under its own name and was unzipped.
    """

    content_id: str
    name: str
    content_type: str
    description: str
    size: int
    sha256: str
    data: bytes | None = field(default=None, repr=False)
    unzipped: bool = False


@dataclass(frozen=True)
class DocumentEnvelope:
    """A document message (gói tin văn bản)."""

    sender: Organization
    recipients: tuple[Organization, ...]
    code_number: str
    code_notation: str
    promulgation_date: dt.date | None
    document_type: DocumentType
    subject: str
    promulgation_place: str = ""
    content: str = ""
    signer: SignerInfo = SignerInfo()
    due_date: dt.date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = OtherInfo()
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int | None = 1
    business: Business = Business()
    traces: tuple[TraceHeader, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    document_id: str = ""

    @property
    def code(self) -> str:
        """``Number/Notation``, e.g. ``15/QĐ-UBND``."""
        return f"{self.code_number}/{self.code_notation}"

    @property
    def effective_document_id(self) -> str:
        """``DocumentId`` as given, else ``OrganId,yyyy/MM/dd,Number/Notation``."""
        return self.document_id or make_document_id(
            self.sender.organ_id, self.promulgation_date, self.code_number, self.code_notation)


@dataclass(frozen=True)
class StatusEnvelope:
    """A status message (gói tin trạng thái): no To, no body; it goes back to the original sender."""

    sender: Organization
    response_for: ResponseFor
    status_code: str
    timestamp: dt.datetime | None
    description: str = ""
    staff: StaffInfo | None = None
    traces: tuple[TraceHeader, ...] = ()
    #: only for a take-back request (13), which goes from the original sender to its recipients:
    #: the organs asked (``To``); every other status goes to ``response_for.organ_id``
    recipients: tuple[Organization, ...] = ()

    @property
    def addressees(self) -> list[str]:
        """Who the status is for: its ``To`` when given (a 13), else the original sender."""
        return [o.organ_id for o in self.recipients] or [self.response_for.organ_id]


@dataclass(frozen=True)
class EnvelopeError:
    """Why an envelope (or part of it) could not be read, in both languages."""

    code: str
    vi: str
    en: str

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


@dataclass(frozen=True)
class ReadResult:
    """What ``read_envelope`` found: the envelope (or None), its attachments, errors and warnings."""

    envelope: DocumentEnvelope | StatusEnvelope | None
    attachments: tuple[ReceivedAttachment, ...] = ()
    errors: tuple[EnvelopeError, ...] = ()
    warnings: tuple[EnvelopeError, ...] = ()

    @property
    def valid(self) -> bool:
        return self.envelope is not None and not self.errors

    @property
    def kind(self) -> str | None:
        """``document``, ``status`` or None when nothing could be read."""
        if isinstance(self.envelope, DocumentEnvelope):
            return "document"
        if isinstance(self.envelope, StatusEnvelope):
            return "status"
        return None


def make_document_id(organ_id: str, promulgation_date: dt.date | None, number: str, notation: str) -> str:
    """``DocumentId`` = ``<sender OrganId>,<yyyy/MM/dd>,<Number>/<Notation>``; ValueError without a date.

    >>> make_document_id("000.00.00.G22", dt.date(2015, 9, 30), "7816", "VPCP-TTĐT")
    '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    """
    if promulgation_date is None:
        raise ValueError("Thiếu ngày ban hành nên không lập được DocumentId; hãy nhập ngày ban hành. / "
                         "The promulgation date is missing, so no DocumentId can be made; enter it.")
    return f"{organ_id},{promulgation_date.strftime(DATE_FORMAT)},{number}/{notation}"
