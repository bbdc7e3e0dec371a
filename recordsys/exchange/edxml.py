"""Writing edXML envelopes (QCVN 102:2016) exactly as the reference implementation lays them out.

The layout: root ``edXML`` in the namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016`` as default;
``edXML:edXMLEnvelope`` (same namespace, prefix ``edXML``) holding ``edXMLHeader`` and
``edXMLBody``; ``AttachmentEncoded`` an unprefixed sibling of the envelope. ``Bussiness`` keeps the
reference spelling. Dates are ``yyyy/MM/dd``, timestamps ``yyyy/MM/dd HH:mm:ss``.

Reading is in ``reading.py`` and re-exported here (``read_envelope``) with the value types.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from recordsys.exchange.codes import StatusCode, status_code
from recordsys.exchange.model import (  # noqa: F401 (re-exported)
    DATE_FORMAT,
    DSIG_NAMESPACE,
    NAMESPACE,
    TIMESTAMP_FORMAT,
    Attachment,
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
    UpdateInfo,
    make_document_id,
)
from recordsys.exchange.reading import ReadLimits, read_envelope  # noqa: F401 (re-exported)

Envelope = DocumentEnvelope | StatusEnvelope
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INDENT = "  "
MAX_SUBJECT = 500
#: the wall clock of Vietnamese hubs (no daylight saving)
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


class Node:
    """A tiny element tree for writing: a prefixed name, attributes, and text or children."""

    __slots__ = ("attrs", "children", "name", "text")

    def __init__(self, name: str, text: str | None = None, children: Iterable[Node] = (),
                 attrs: dict[str, str] | None = None):
        self.name, self.text, self.children, self.attrs = name, text, list(children), attrs or {}


def _text(value) -> str:
    text = "" if value is None else str(value)
    if _ILLEGAL.search(text):
        raise ValueError("Văn bản chứa ký tự điều khiển không hợp lệ trong XML; hãy xóa ký tự đó. / "
                         f"The text contains a control character not allowed in XML; remove it: {text!r}")
    return text


def _e(name: str, value=None, *children: Node | None, prefix: str = "edXML", attrs=None) -> Node:
    qualified = f"{prefix}:{name}" if prefix else name
    kept = [c for c in children if c is not None]
    return Node(qualified, None if kept else _text(value), kept, attrs)


def _render(node: Node, depth: int, out: list[str]) -> None:
    pad = _INDENT * depth
    attrs = "".join(f" {k}={quoteattr(_text(v))}" for k, v in node.attrs.items())
    if node.children:
        out.append(f"{pad}<{node.name}{attrs}>\n")
        for child in node.children:
            _render(child, depth + 1, out)
        out.append(f"{pad}</{node.name}>\n")
    elif node.text:
        out.append(f"{pad}<{node.name}{attrs}>{escape(node.text)}</{node.name}>\n")
    else:
        out.append(f"{pad}<{node.name}{attrs} />\n")


def _date(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def _vietnam_now() -> dt.datetime:
    return dt.datetime.now(VIETNAM)


def _timestamp(value: dt.datetime) -> str:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time (hubs compare trace times with their own clock);
    a naive value is taken as already in Vietnam time.
    """
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return value.strftime(TIMESTAMP_FORMAT)


def _organization(tag: str, org: Organization) -> Node:
    return _e(tag, None,
              _e("OrganId", org.organ_id), _e("OrganizationInCharge", org.organization_in_charge),
              _e("OrganName", org.organ_name), _e("OrganAdd", org.address), _e("Email", org.email),
              _e("Telephone", org.telephone), _e("Fax", org.fax), _e("Website", org.website))


def _response_for(rf: ResponseFor) -> Node:
    return _e("ResponseFor", None, _e("OrganId", rf.organ_id), _e("Code", rf.code),
              _e("PromulgationDate", _date(rf.promulgation_date)), _e("DocumentId", rf.document_id))


def _staff(staff: StaffInfo | None) -> Node | None:
    if staff is None:
        return None
    return _e("StaffInfo", None, _e("Department", staff.department), _e("Staff", staff.staff),
              _e("Email", staff.email), _e("Mobile", staff.mobile))


def _other_info(info: OtherInfo) -> Node:
    amount = lambda v: "" if v is None else str(v)
    appendixes = _e("Appendixes", None, *[_e("Appendix", a) for a in info.appendixes])
    return _e("OtherInfo", None, _e("Priority", info.priority),
              _e("SphereOfPromulgation", info.sphere_of_promulgation),
              _e("TyperNotation", info.typer_notation),
              _e("PromulgationAmount", amount(info.promulgation_amount)),
              _e("PageAmount", amount(info.page_amount)), _e("Direction", info.direction), appendixes)


def _document_header(env: DocumentEnvelope) -> Node:
    return _e(
        "MessageHeader", None,
        _organization("From", env.sender),
        *[_organization("To", org) for org in env.recipients],
        _e("DocumentId", env.effective_document_id),
        _e("Code", None, _e("CodeNumber", env.code_number), _e("CodeNotation", env.code_notation)),
        _e("PromulgationInfo", None, _e("Place", env.promulgation_place),
           _e("PromulgationDate", _date(env.promulgation_date))),
        _e("DocumentType", None, _e("Type", env.document_type.type),
           _e("TypeDetail", env.document_type.detail), _e("TypeName", env.document_type.name)),
        _e("Subject", env.subject),
        _e("Content", env.content),
        _e("SignerInfo", None, _e("Competence", env.signer.competence),
           _e("Position", env.signer.position), _e("FullName", env.signer.full_name)),
        _e("DueDate", _date(env.due_date)),
        _e("ToPlaces", None, *[_e("Place", p) for p in env.to_places]),
        _other_info(env.other_info),
        *[_response_for(rf) for rf in env.response_for],
        _e("SteeringType", "" if env.steering_type is None else env.steering_type),
    )


def _business(business: Business, document_id: str) -> Node:
    replacements = None
    if business.replaced_document_ids:
        replacements = _e("ReplacementInfoList", None, *[
            _e("ReplacementInfo", None, _e("DocumentId", d)) for d in business.replaced_document_ids])
    update = None
    if business.update is not None:
        info = business.update
        receivers = _e("ReceiverList", None, *[
            _e("Receiver", None, _e("ReceiverType", kind), _e("OrganId", organ)) for organ, kind in info.receivers])
        update = _e("BussinessDocumentInfo", None, _e("DocumentInfo", 1 if info.document_info else 0),
                    _e("DocumentReceiver", 1 if info.document_receiver else 0),
                    receivers if info.receivers else None)
    return _e("Bussiness", None, _e("DocumentId", business.document_id or document_id),
              _e("BussinessDocType", int(business.doc_type)), _e("BussinessDocReason", business.reason),
              _e("Paper", 1 if business.paper else 0), update, replacements, _staff(business.staff))


def _traces(traces: tuple[TraceHeader, ...], sender: str, now: dt.datetime | None) -> list[Node]:
    if not traces:
        traces = (TraceHeader(sender, now or _vietnam_now()),)
    return [_e("TraceHeader", None, _e("OrganId", t.organ_id), _e("Timestamp", _timestamp(t.timestamp)))
            for t in traces]


def _manifest(attachments: tuple[Attachment, ...]) -> Node:
    refs = [_e("Reference", None, _e("ContentId", f"cid:{n}"), _e("ContentType", a.content_type),
               _e("Description", a.description), _e("AttachmentName", a.name))
            for n, a in enumerate(attachments, start=1)]
    return _e("edXMLManifest", None, *refs, attrs={"version": "1.0"})


def _attachment_encoded(attachments: tuple[Attachment, ...]) -> Node:
    items = [_e("Attachment", None, _e("ContentId", f"cid:{n}", prefix=""),
                _e("AttachmentName", a.name, prefix=""), _e("Description", a.description, prefix=""),
                _e("ContentType", a.content_type, prefix=""),
                _e("ContentTransferEncoded", base64.b64encode(a.data).decode("ascii"), prefix=""),
                prefix="")
             for n, a in enumerate(attachments, start=1)]
    return _e("AttachmentEncoded", None, *items, prefix="")


def _document(root_children: list[Node]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<edXML xmlns="{NAMESPACE}">\n']
    for child in root_children:
        _render(child, 1, out)
    out.append("</edXML>\n")
    return "".join(out).encode("utf-8")


def _envelope(*children: Node | None) -> Node:
    return _e("edXMLEnvelope", None, *children, attrs={"xmlns:edXML": NAMESPACE})


def _check_document(env: DocumentEnvelope) -> None:
    """Refuse what hubs refuse (and our XSD forbids), one sentence in Vietnamese and English."""
    if len(env.subject) > MAX_SUBJECT:
        raise ValueError(f"Trích yếu dài {len(env.subject)} ký tự, vượt {MAX_SUBJECT}; hãy rút gọn. / "
                         f"The subject has {len(env.subject)} characters, over {MAX_SUBJECT}; shorten it.")
    missing = [what for what, value in (
        ("From/OrganId (mã cơ quan gửi)", env.sender.organ_id), ("To (nơi nhận)", env.recipients),
        ("CodeNumber (số văn bản)", env.code_number), ("Subject (trích yếu)", env.subject),
        *((f"To/OrganId ({o.organ_name})", o.organ_id) for o in env.recipients),
        *((f"AttachmentName/ContentType (tệp {n})", a.name and a.content_type)
          for n, a in enumerate(env.attachments, start=1)),
    ) if not value]
    if missing:
        raise ValueError(f"Thiếu thông tin bắt buộc: {', '.join(missing)}. / Required values are missing: "
                         f"{', '.join(missing)}.")


def write_document_envelope(env: DocumentEnvelope, *, now: dt.datetime | None = None) -> bytes:
    """The UTF-8 bytes of a document message; a trace from the sender at ``now`` when none is given.

    Raises ``ValueError`` (one sentence, Vietnamese and English) for text XML cannot carry or a
    subject longer than 500 characters.
    """
    _check_document(env)
    header = _e("edXMLHeader", None, _document_header(env), _e(
        "TraceHeaderList", None, *_traces(env.traces, env.sender.organ_id, now),
        _business(env.business, env.effective_document_id)))
    body = _e("edXMLBody", None, _manifest(env.attachments))
    children = [_envelope(header, body)]
    if env.attachments:
        children.append(_attachment_encoded(env.attachments))
    return _document(children)


def write_status_envelope(env: StatusEnvelope, *, now: dt.datetime | None = None) -> bytes:
    """The UTF-8 bytes of a status message: From, ResponseFor, StaffInfo, StatusCode, Description,
    Timestamp under ``MessageHeader``; no To, no body, no attachments.

    Raises ``ValueError`` for a status code outside the code list (01–06, 13, 15, 16).
    """
    code = status_code(env.status_code)
    if code is None:
        raise ValueError(f"Mã trạng thái {env.status_code!r} không có trong danh mục (01–06, 13, 15, 16). / "
                         f"Status code {env.status_code!r} is not in the code list (01–06, 13, 15, 16).")
    message = _e("MessageHeader", None, _organization("From", env.sender), _response_for(env.response_for),
                 *[_organization("To", org) for org in env.recipients],
                 _staff(env.staff), _e("StatusCode", StatusCode(code).value),
                 _e("Description", env.description),
                 _e("Timestamp", _timestamp(env.timestamp or now or _vietnam_now())))
    header = _e("edXMLHeader", None, message,
                _e("TraceHeaderList", None, *_traces(env.traces, env.sender.organ_id, now)))
    return _document([_envelope(header)])
