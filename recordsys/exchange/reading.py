"""Reading received edXML envelopes tolerantly: what real senders produce, matched by local name.

Accepted variants: any child order; prefixed or unprefixed elements (any namespace); ``Bussiness``
or ``Business``; status fields under ``MessageHeader`` or ``Status``; CRLF; base64 with or without
line breaks; an ``application/zip`` attachment under another name (unzipped). Parsing is hardened
(see ``safexml.py``). ``read_envelope`` never raises for bad input: problems are listed as bilingual
errors (the envelope cannot be trusted) or warnings (something odd but usable).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io

from lxml import etree

from recordsys.exchange import attachments as att
from recordsys.exchange.codes import business_doc_type, is_party_id, status_code
from recordsys.exchange.model import (
    Business,
    DocumentEnvelope,
    DocumentType,
    EnvelopeError,
    Organization,
    OtherInfo,
    ReadResult,
    ReceivedAttachment,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusEnvelope,
    TraceHeader,
)
from recordsys.exchange.safexml import ReadLimits, error, parse_untrusted, too_large

__all__ = ["ReadLimits", "read_envelope"]

_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y")
_TIMESTAMP_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S")


class _Notes:
    """Errors and warnings collected while mapping one envelope."""

    def __init__(self):
        self.errors: list[EnvelopeError] = []
        self.warnings: list[EnvelopeError] = []

    def missing(self, what: str, vi: str, *, fatal: bool = True) -> None:
        note = error("missing", f"Thiếu trường bắt buộc {what} ({vi}).", f"The required field {what} is missing.")
        (self.errors if fatal else self.warnings).append(note)


# -- tolerant element access -------------------------------------------------------------------

def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(parent, *names: str) -> list:
    if parent is None:
        return []
    return [c for c in parent if _local(c) in names]


def _child(parent, *names: str):
    found = _children(parent, *names)
    return found[0] if found else None


def _path(parent, *steps: str):
    for step in steps:
        parent = _child(parent, *step.split("|"))
    return parent


def _text(parent, *steps: str) -> str:
    node = _path(parent, *steps)
    return "".join(node.itertext()).strip() if node is not None else ""


def _parse_date(text: str) -> dt.date | None:
    head = text.strip().split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


def _parse_timestamp(text: str) -> dt.datetime | None:
    text = text.strip().split(".")[0]
    for fmt in _TIMESTAMP_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    day = _parse_date(text)
    return dt.datetime.combine(day, dt.time()) if day else None


def _int(text: str, default: int | None = None) -> int | None:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return default


# -- mapping ------------------------------------------------------------------------------------

def _organization(node) -> Organization:
    return Organization(
        organ_id=_text(node, "OrganId"), organ_name=_text(node, "OrganName"),
        organization_in_charge=_text(node, "OrganizationInCharge"), address=_text(node, "OrganAdd"),
        email=_text(node, "Email"), telephone=_text(node, "Telephone"), fax=_text(node, "Fax"),
        website=_text(node, "Website"))


def _check_party(org: Organization, role: str, notes: _Notes) -> None:
    if not org.organ_id:
        notes.missing(f"{role}/OrganId", "mã định danh cơ quan")
    elif not is_party_id(org.organ_id):
        notes.warnings.append(error(
            "organ-id", f"Mã cơ quan '{org.organ_id}' ({role}) không đúng dạng Quyết định 20/2020 (000.00.00.H41).",
            f"The organ id '{org.organ_id}' ({role}) does not have the Decision 20/2020 shape (000.00.00.H41)."))


def _response_for(node) -> ResponseFor:
    return ResponseFor(organ_id=_text(node, "OrganId"), code=_text(node, "Code"),
                       promulgation_date=_parse_date(_text(node, "PromulgationDate")),
                       document_id=_text(node, "DocumentId"))


def _staff(node) -> StaffInfo | None:
    if node is None:
        return None
    return StaffInfo(department=_text(node, "Department"), staff=_text(node, "Staff"),
                     email=_text(node, "Email"), mobile=_text(node, "Mobile"))


def _traces(header) -> tuple[TraceHeader, ...]:
    found = []
    for node in _children(_child(header, "TraceHeaderList"), "TraceHeader"):
        stamp = _parse_timestamp(_text(node, "Timestamp"))
        if stamp is not None:
            found.append(TraceHeader(_text(node, "OrganId"), stamp))
    return tuple(found)


def _business(header, notes: _Notes) -> Business:
    node = _path(header, "TraceHeaderList", "Bussiness|Business")
    if node is None:
        node = _child(header, "Bussiness", "Business")
    if node is None:
        return Business()
    raw = _text(node, "BussinessDocType|BusinessDocType")
    doc_type = business_doc_type(raw) if raw else business_doc_type(0)
    if doc_type is None:
        notes.errors.append(error("business-type", f"Loại nghiệp vụ '{raw}' không hợp lệ (0, 1, 2, 3).",
                                  f"The business type '{raw}' is not valid (0, 1, 2, 3)."))
        doc_type = business_doc_type(0)
    replaced = tuple(_text(r, "DocumentId") for r in _children(
        _child(node, "ReplacementInfoList"), "ReplacementInfo"))
    return Business(doc_type=doc_type, reason=_text(node, "BussinessDocReason|BusinessDocReason"),
                    paper=_text(node, "Paper") == "1", document_id=_text(node, "DocumentId"),
                    staff=_staff(_child(node, "StaffInfo")), replaced_document_ids=replaced)


def _other_info(node) -> OtherInfo:
    return OtherInfo(
        priority=_int(_text(node, "Priority"), 0), sphere_of_promulgation=_text(node, "SphereOfPromulgation"),
        typer_notation=_text(node, "TyperNotation"), promulgation_amount=_int(_text(node, "PromulgationAmount")),
        page_amount=_int(_text(node, "PageAmount")), direction=_text(node, "Direction"),
        appendixes=tuple(t for t in (_text(a) for a in _children(_child(node, "Appendixes"), "Appendix")) if t))


def _document(message, header, notes: _Notes) -> DocumentEnvelope:
    sender = _organization(_child(message, "From"))
    _check_party(sender, "From", notes)
    recipients = tuple(_organization(n) for n in _children(message, "To"))
    if not recipients:
        notes.missing("To", "nơi nhận")
    for org in recipients:
        _check_party(org, "To", notes)
    number, notation = _text(message, "Code", "CodeNumber"), _text(message, "Code", "CodeNotation")
    if not number:
        notes.missing("Code/CodeNumber", "số văn bản")
    promulgation_date = _parse_date(_text(message, "PromulgationInfo", "PromulgationDate"))
    if promulgation_date is None:
        notes.missing("PromulgationInfo/PromulgationDate", "ngày ban hành, dạng yyyy/MM/dd")
    type_number = _int(_text(message, "DocumentType", "Type"))
    if type_number is None:
        notes.missing("DocumentType/Type", "loại văn bản, một số nguyên")
    subject = _text(message, "Subject")
    if not subject:
        notes.missing("Subject", "trích yếu")
    return DocumentEnvelope(
        sender=sender, recipients=recipients, code_number=number, code_notation=notation,
        promulgation_date=promulgation_date, promulgation_place=_text(message, "PromulgationInfo", "Place"),
        document_type=DocumentType(type_number or 0, _text(message, "DocumentType", "TypeName"),
                                   _text(message, "DocumentType", "TypeDetail")),
        subject=subject, content=_text(message, "Content"),
        signer=SignerInfo(_text(message, "SignerInfo", "FullName"), _text(message, "SignerInfo", "Position"),
                          _text(message, "SignerInfo", "Competence")),
        due_date=_parse_date(_text(message, "DueDate")),
        to_places=tuple(t for t in (_text(p) for p in _children(_child(message, "ToPlaces"), "Place")) if t),
        other_info=_other_info(_child(message, "OtherInfo")),
        response_for=tuple(_response_for(n) for n in _children(message, "ResponseFor")),
        steering_type=_int(_text(message, "SteeringType")), business=_business(header, notes),
        traces=_traces(header), document_id=_text(message, "DocumentId"))


def _status(message, header, notes: _Notes) -> StatusEnvelope:
    sender = _organization(_child(message, "From"))
    _check_party(sender, "From", notes)
    response = _child(message, "ResponseFor")
    if response is None or not _text(response, "DocumentId"):
        notes.missing("ResponseFor/DocumentId", "văn bản được phản hồi")
    raw = _text(message, "StatusCode")
    code = status_code(raw)
    if code is None:
        notes.errors.append(error("status-code", f"Mã trạng thái '{raw}' không có trong danh mục (01–06, 13, 15, 16).",
                                  f"The status code '{raw}' is not in the code list (01–06, 13, 15, 16)."))
    traces = _traces(header)
    stamp = _parse_timestamp(_text(message, "Timestamp")) or (traces[-1].timestamp if traces else None)
    if stamp is None:
        notes.missing("Timestamp", "thời điểm", fatal=False)
    return StatusEnvelope(
        sender=sender, response_for=_response_for(response) if response is not None else ResponseFor("", "", None, ""),
        status_code=code.value if code else raw, timestamp=stamp, description=_text(message, "Description"),
        staff=_staff(_child(message, "StaffInfo")), traces=traces)


# -- attachments --------------------------------------------------------------------------------

def _content_key(value: str) -> str:
    value = value.strip().strip("<>")
    return value[4:] if value.lower().startswith("cid:") else value


def _manifest(envelope) -> dict[str, dict[str, str]]:
    refs = _children(_path(envelope, "edXMLBody", "edXMLManifest"), "Reference")
    return {_content_key(_text(r, "ContentId")): {
        "name": _text(r, "AttachmentName"), "content_type": _text(r, "ContentType"),
        "description": _text(r, "Description")} for r in refs}


def _one_attachment(node, refs: dict, limits: ReadLimits) -> ReceivedAttachment:
    content_id = _text(node, "ContentId")
    ref = refs.get(_content_key(content_id), {})
    name = _text(node, "AttachmentName") or ref.get("name", "")
    content_type = _text(node, "ContentType") or ref.get("content_type", "") or "application/octet-stream"
    description = _text(node, "Description") or ref.get("description", "")
    payload = _path(node, "ContentTransferEncoded")
    buffer = io.BytesIO()
    digest = att.decode_base64("".join(payload.itertext()) if payload is not None else "", buffer.write)
    data, unzipped = buffer.getvalue(), False
    if att.needs_unzip(name, content_type):
        data, unzipped = att.unzip_single(data, name, limits.max_unzipped_bytes), True
        content_type = att.guess_content_type(name)
        digest = att.Digest(len(data), hashlib.sha256(data).hexdigest())
    return ReceivedAttachment(content_id=content_id, name=name, content_type=content_type,
                              description=description, size=digest.size, sha256=digest.sha256,
                              data=data, unzipped=unzipped)


def _attachments(root, envelope, limits: ReadLimits, notes: _Notes) -> tuple[ReceivedAttachment, ...]:
    holder = _child(root, "AttachmentEncoded")
    if holder is None:
        holder = _child(envelope, "AttachmentEncoded")
    refs, found = _manifest(envelope), []
    for node in _children(holder, "Attachment"):
        try:
            found.append(_one_attachment(node, refs, limits))
        except att.AttachmentError as exc:
            notes.errors.append(exc.error)
    if len(found) < len(refs):
        notes.warnings.append(error("attachment-missing",
                                    "Danh mục (Manifest) kê nhiều tệp hơn số tệp đính kèm thực có.",
                                    "The manifest lists more files than the envelope carries."))
    return tuple(found)


# -- entry point --------------------------------------------------------------------------------

def _parts(root):
    """(envelope, header, message, is_status) located tolerantly, or None when this is not edXML."""
    envelope = root if _local(root) == "edXMLEnvelope" else _child(root, "edXMLEnvelope")
    if _local(root) not in ("edXML", "edXMLEnvelope") or envelope is None:
        return None
    header = _child(envelope, "edXMLHeader")
    if header is None and _child(envelope, "MessageHeader", "Status") is not None:
        header = envelope
    status = _child(header, "Status")
    message = _child(header, "MessageHeader")
    is_status = status is not None or (message is not None and _child(message, "StatusCode") is not None)
    if status is not None:
        message = _merged(status, message)
    return (envelope, header, message, is_status) if message is not None else None


def _merged(status, message):
    """The status fields from ``Status`` completed by those only under ``MessageHeader``."""
    merged = etree.Element("MessageHeader")
    seen = set()
    for holder in (status, message):
        for child in holder if holder is not None else ():
            if _local(child) and _local(child) not in seen:
                merged.append(copy.deepcopy(child))
        seen |= {_local(c) for c in (holder if holder is not None else ())}
    return merged


def _map(root, limits: ReadLimits) -> ReadResult:
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
    files = _attachments(root, envelope, limits, notes)
    return ReadResult(document, files, tuple(notes.errors), tuple(notes.warnings))


def read_envelope(data: bytes, limits: ReadLimits | None = None) -> ReadResult:
    """Read a received envelope; never raises for bad input (see ``ReadResult.errors``)."""
    limits = limits or ReadLimits()
    if isinstance(data, (bytes, bytearray)) and len(data) > limits.max_bytes:
        return ReadResult(None, errors=(too_large(len(data), limits.max_bytes),))
    root, refused = parse_untrusted(data, limits)
    if refused is not None:
        return ReadResult(None, errors=(refused,))
    try:
        return _map(root, limits)
    except Exception as exc:  # noqa: BLE001 (a reader of hostile input reports, it does not crash)
        return ReadResult(None, errors=(error(
            "unreadable", f"Không đọc được gói tin: {type(exc).__name__}: {exc}.",
            f"The envelope could not be read: {type(exc).__name__}: {exc}."),))
