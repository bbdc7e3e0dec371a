"""Reading received edXML envelopes tolerantly: what real senders produce, matched by local name.

Accepted variants: any child order; prefixed or unprefixed elements (any namespace); ``Bussiness``
or ``Business``; status fields under ``MessageHeader`` or ``Status``; CRLF; base64 with or without
line breaks; an ``application/zip`` attachment under another name (unzipped). Parsing is hardened
(see ``safexml.py``). ``read_envelope`` never raises for bad input: problems are listed as bilingual
errors (the envelope cannot be trusted) or warnings (something odd but usable).
"""
from __future__ import annotations

import copy

from lxml import etree

from recordsys.exchange.attachments import read_attachments
from recordsys.exchange.codes import business_doc_type, is_party_id, status_code
from recordsys.exchange.lookup import (
    as_int,
    child,
    children,
    local,
    parse_date,
    parse_timestamp,
    path,
    text,
)
from recordsys.exchange.model import (
    Business,
    DocumentEnvelope,
    DocumentType,
    EnvelopeError,
    Organization,
    OtherInfo,
    ReadResult,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusEnvelope,
    TraceHeader,
    UpdateInfo,
)
from recordsys.exchange.safexml import ReadLimits, error, parse_untrusted, too_large

__all__ = ["ReadLimits", "read_envelope"]



class _Notes:
    """Errors and warnings collected while mapping one envelope."""

    def __init__(self):
        self.errors: list[EnvelopeError] = []
        self.warnings: list[EnvelopeError] = []

    def missing(self, what: str, vi: str, *, fatal: bool = True) -> None:
        note = error("missing", f"Thiếu trường bắt buộc {what} ({vi}).", f"The required field {what} is missing.")
        (self.errors if fatal else self.warnings).append(note)


# -- mapping ------------------------------------------------------------------------------------

def _organization(node) -> Organization:
    return Organization(
        organ_id=text(node, "OrganId"), organ_name=text(node, "OrganName"),
        organization_in_charge=text(node, "OrganizationInCharge"), address=text(node, "OrganAdd"),
        email=text(node, "Email"), telephone=text(node, "Telephone"), fax=text(node, "Fax"),
        website=text(node, "Website"))


def _check_party(org: Organization, role: str, notes: _Notes) -> None:
    if not org.organ_id:
        notes.missing(f"{role}/OrganId", "mã định danh cơ quan")
    elif not is_party_id(org.organ_id):
        notes.warnings.append(error(
            "organ-id", f"Mã cơ quan '{org.organ_id}' ({role}) không đúng dạng Quyết định 20/2020 (000.00.00.H41).",
            f"The organ id '{org.organ_id}' ({role}) does not have the Decision 20/2020 shape (000.00.00.H41)."))


def _response_for(node) -> ResponseFor:
    return ResponseFor(organ_id=text(node, "OrganId"), code=text(node, "Code"),
                       promulgation_date=parse_date(text(node, "PromulgationDate")),
                       document_id=text(node, "DocumentId"))


def _staff(node) -> StaffInfo | None:
    if node is None:
        return None
    return StaffInfo(department=text(node, "Department"), staff=text(node, "Staff"),
                     email=text(node, "Email"), mobile=text(node, "Mobile"))


def _traces(header) -> tuple[TraceHeader, ...]:
    found = []
    for node in children(child(header, "TraceHeaderList"), "TraceHeader"):
        stamp = parse_timestamp(text(node, "Timestamp"))
        if stamp is not None:
            found.append(TraceHeader(text(node, "OrganId"), stamp))
    return tuple(found)


def _business(header, notes: _Notes) -> Business:
    node = path(header, "TraceHeaderList", "Bussiness|Business")
    if node is None:
        node = child(header, "Bussiness", "Business")
    if node is None:
        return Business()
    raw = text(node, "BussinessDocType|BusinessDocType")
    doc_type = business_doc_type(raw) if raw else business_doc_type(0)
    if doc_type is None:
        notes.errors.append(error("business-type", f"Loại nghiệp vụ '{raw}' không hợp lệ (0, 1, 2, 3).",
                                  f"The business type '{raw}' is not valid (0, 1, 2, 3)."))
        doc_type = business_doc_type(0)
    replaced = tuple(t for t in (text(r, "DocumentId") for r in children(
        child(node, "ReplacementInfoList"), "ReplacementInfo")) if t)
    return Business(doc_type=doc_type, reason=text(node, "BussinessDocReason|BusinessDocReason"),
                    paper=text(node, "Paper") == "1", document_id=text(node, "DocumentId"),
                    staff=_staff(child(node, "StaffInfo")), replaced_document_ids=replaced,
                    update=_update_info(child(node, "BussinessDocumentInfo", "BusinessDocumentInfo")))


def _update_info(node) -> UpdateInfo | None:
    if node is None:
        return None
    receivers = tuple((text(r, "OrganId"), text(r, "ReceiverType"))
                      for r in children(child(node, "ReceiverList"), "Receiver") if text(r, "OrganId"))
    return UpdateInfo(document_info=text(node, "DocumentInfo") == "1",
                      document_receiver=text(node, "DocumentReceiver") == "1", receivers=receivers)


def _other_info(node) -> OtherInfo:
    return OtherInfo(
        priority=as_int(text(node, "Priority"), 0), sphere_of_promulgation=text(node, "SphereOfPromulgation"),
        typer_notation=text(node, "TyperNotation"), promulgation_amount=as_int(text(node, "PromulgationAmount")),
        page_amount=as_int(text(node, "PageAmount")), direction=text(node, "Direction"),
        appendixes=tuple(t for t in (text(a) for a in children(child(node, "Appendixes"), "Appendix")) if t))


def _document(message, header, notes: _Notes) -> DocumentEnvelope:
    sender = _organization(child(message, "From"))
    _check_party(sender, "From", notes)
    recipients = tuple(_organization(n) for n in children(message, "To"))
    if not recipients:
        notes.missing("To", "nơi nhận")
    for org in recipients:
        _check_party(org, "To", notes)
    number, notation = text(message, "Code", "CodeNumber"), text(message, "Code", "CodeNotation")
    if not number:
        notes.missing("Code/CodeNumber", "số văn bản")
    promulgation_date = parse_date(text(message, "PromulgationInfo", "PromulgationDate"))
    if promulgation_date is None:
        notes.missing("PromulgationInfo/PromulgationDate", "ngày ban hành, dạng yyyy/MM/dd")
    type_number = as_int(text(message, "DocumentType", "Type"))
    if type_number is None:
        notes.missing("DocumentType/Type", "loại văn bản, một số nguyên")
    subject = text(message, "Subject")
    if not subject:
        notes.missing("Subject", "trích yếu")
    return DocumentEnvelope(
        sender=sender, recipients=recipients, code_number=number, code_notation=notation,
        promulgation_date=promulgation_date, promulgation_place=text(message, "PromulgationInfo", "Place"),
        document_type=DocumentType(type_number or 0, text(message, "DocumentType", "TypeName"),
                                   text(message, "DocumentType", "TypeDetail")),
        subject=subject, content=text(message, "Content"),
        signer=SignerInfo(text(message, "SignerInfo", "FullName"), text(message, "SignerInfo", "Position"),
                          text(message, "SignerInfo", "Competence")),
        due_date=parse_date(text(message, "DueDate")),
        to_places=tuple(t for t in (text(p) for p in children(child(message, "ToPlaces"), "Place")) if t),
        other_info=_other_info(child(message, "OtherInfo")),
        response_for=tuple(_response_for(n) for n in children(message, "ResponseFor")),
        steering_type=as_int(text(message, "SteeringType")), business=_business(header, notes),
        traces=_traces(header), document_id=text(message, "DocumentId"))


def _status(message, header, notes: _Notes) -> StatusEnvelope:
    sender = _organization(child(message, "From"))
    _check_party(sender, "From", notes)
    response = child(message, "ResponseFor")
    if response is None or not text(response, "DocumentId"):
        notes.missing("ResponseFor/DocumentId", "văn bản được phản hồi")
    raw = text(message, "StatusCode")
    code = status_code(raw)
    if code is None:
        notes.errors.append(error("status-code", f"Mã trạng thái '{raw}' không có trong danh mục (01–06, 13, 15, 16).",
                                  f"The status code '{raw}' is not in the code list (01–06, 13, 15, 16)."))
    traces = _traces(header)
    stamp = parse_timestamp(text(message, "Timestamp")) or (traces[-1].timestamp if traces else None)
    if stamp is None:
        notes.missing("Timestamp", "thời điểm", fatal=False)
    return StatusEnvelope(
        sender=sender, response_for=_response_for(response) if response is not None else ResponseFor("", "", None, ""),
        status_code=code.value if code else raw, timestamp=stamp, description=text(message, "Description"),
        staff=_staff(child(message, "StaffInfo")), traces=traces,
        recipients=tuple(_organization(n) for n in children(message, "To")))


# -- entry point --------------------------------------------------------------------------------

def _parts(root):
    """(envelope, header, message, is_status) located tolerantly, or None when this is not edXML."""
    envelope = root if local(root) == "edXMLEnvelope" else child(root, "edXMLEnvelope")
    if local(root) not in ("edXML", "edXMLEnvelope") or envelope is None:
        return None
    header = child(envelope, "edXMLHeader")
    if header is None and child(envelope, "MessageHeader", "Status") is not None:
        header = envelope
    status = child(header, "Status")
    message = child(header, "MessageHeader")
    is_status = status is not None or (message is not None and child(message, "StatusCode") is not None)
    if status is not None:
        message = _merged(status, message)
    return (envelope, header, message, is_status) if message is not None else None


def _merged(status, message):
    """The status fields from ``Status`` completed by those only under ``MessageHeader``."""
    merged = etree.Element("MessageHeader")
    seen = set()
    for holder in (status, message):
        for node in holder if holder is not None else ():
            if local(node) and local(node) not in seen:
                merged.append(copy.deepcopy(node))
        seen |= {local(c) for c in (holder if holder is not None else ())}
    return merged


def _map(root, limits: ReadLimits, decode: bool = True) -> ReadResult:
    parts = _parts(root)
    if parts is None:
        return ReadResult(None, errors=(error(
            "not-edxml", "Tệp XML này không phải gói tin edXML (thiếu edXMLEnvelope/edXMLHeader/MessageHeader).",
            "This XML file is not an edXML envelope (edXMLEnvelope/edXMLHeader/MessageHeader is missing)."),))
    envelope, header, message, is_status = parts
    notes = _Notes()
    if is_status:
        return ReadResult(_status(message, header, notes), (), tuple(notes.errors), tuple(notes.warnings))
    document = _document(message, header, notes)
    files = read_attachments(root, envelope, limits, notes, decode)
    return ReadResult(document, files, tuple(notes.errors), tuple(notes.warnings))


def read_envelope(data: bytes, limits: ReadLimits | None = None, *, decode: bool = True) -> ReadResult:
    """Read a received envelope; never raises for bad input (see ``ReadResult.errors``).

    ``decode=False`` checks the attachments' base64 without decoding them and returns none (what a
    hub needs to accept and route an envelope; see :func:`read_attachments`).
    """
    limits = limits or ReadLimits()
    if isinstance(data, (bytes, bytearray)) and len(data) > limits.max_bytes:
        return ReadResult(None, errors=(too_large(len(data), limits.max_bytes),))
    root, refused = parse_untrusted(data, limits)
    if refused is not None:
        return ReadResult(None, errors=(refused,))
    try:
        return _map(root, limits, decode)
    except Exception as exc:
        return ReadResult(None, errors=(error(
            "unreadable", f"Không đọc được gói tin: {type(exc).__name__}: {exc}.",
            f"The envelope could not be read: {type(exc).__name__}: {exc}."),))
