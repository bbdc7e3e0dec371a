"""Realistic edXML values and hand-made sender variants for the exchange tests.

The variants follow what ``shared/standards/edxml.md`` says real senders produce: other child order,
unprefixed or prefixed elements, ``Business`` spelling, CRLF, base64 wrapped at 76 columns, status
fields under ``Status``, a signature without the XML-DSig namespace.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import zipfile

from recordsys.exchange.codes import BusinessDocType
from recordsys.exchange.model import (
    Attachment,
    Business,
    DocumentEnvelope,
    DocumentType,
    Organization,
    OtherInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusEnvelope,
    TraceHeader,
)

NOW = dt.datetime(2026, 11, 30, 9, 15, 0)
KHANH_HOA = Organization("000.00.00.H41", "Ủy ban nhân dân tỉnh Khánh Hòa", "Chủ tịch UBND tỉnh",
                         "01 Trần Phú, Nha Trang, Khánh Hòa", "vanthu@khanhhoa.gov.vn", "0258 3822 661",
                         "0258 3821 000", "https://khanhhoa.gov.vn")
SO_NOI_VU = Organization("000.00.31.H41", "Sở Nội vụ tỉnh Khánh Hòa")
SO_TAI_CHINH = Organization("000.00.12.H41", "Sở Tài chính tỉnh Khánh Hòa")
VPCP = Organization("000.00.00.G22", "Văn phòng Chính phủ")
PDF = b"%PDF-1.7\n% Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh 15\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
DOCX = b"PK\x03\x04 not really a docx, only bytes " * 30


def document(**changes) -> DocumentEnvelope:
    """Decision 15/QĐ-UBND of the Khánh Hòa People's Committee, sent to two departments."""
    env = DocumentEnvelope(
        sender=KHANH_HOA, recipients=(SO_NOI_VU, SO_TAI_CHINH),
        code_number="15", code_notation="QĐ-UBND", promulgation_date=dt.date(2026, 11, 28),
        promulgation_place="Khánh Hòa", document_type=DocumentType(1, "Quyết định", "QĐ"),
        subject="Về việc thành lập Đoàn kiểm tra công tác văn thư, lưu trữ năm 2026 trên địa bàn tỉnh",
        content="Quyết định thành lập Đoàn kiểm tra; Đoàn có trách nhiệm báo cáo trước ngày 15/12/2026.",
        signer=SignerInfo("Nguyễn Văn Đức", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
        due_date=dt.date(2026, 12, 15), to_places=("Như Điều 3", "Lưu: VT, NC"),
        other_info=OtherInfo(priority=1, sphere_of_promulgation="Liên thông văn bản quốc gia",
                             typer_notation="ĐTH", promulgation_amount=5, page_amount=3,
                             direction="Khẩn trương thực hiện", appendixes=("Phụ lục I: Danh sách thành viên",)),
        steering_type=1,
        business=Business(BusinessDocType.NEW, "Văn bản mới", False,
                          staff=StaffInfo("Văn phòng UBND tỉnh", "Trần Thị Đào", "dao.tt@khanhhoa.gov.vn",
                                          "0905 123 456")),
        traces=(TraceHeader("000.00.00.H41", NOW),),
        attachments=(Attachment("15-QĐ-UBND.pdf", "application/pdf", PDF, "Quyết định (bản ký số)"),
                     Attachment("Phụ lục I.docx",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX,
                                "Phụ lục")))
    return dataclasses.replace(env, **changes)


def status(**changes) -> StatusEnvelope:
    """Department of Home Affairs tells the People's Committee it registered 15/QĐ-UBND (03)."""
    env = StatusEnvelope(
        sender=SO_NOI_VU,
        response_for=ResponseFor("000.00.00.H41", "15/QĐ-UBND", dt.date(2026, 11, 28),
                                 "000.00.00.H41,2026/11/28,15/QĐ-UBND"),
        status_code="03", timestamp=dt.datetime(2026, 11, 30, 10, 5, 30),
        description="Đã vào sổ văn bản đến số 1234", staff=StaffInfo("Văn phòng Sở", "Lê Thị Hằng", "", ""),
        traces=(TraceHeader("000.00.31.H41", dt.datetime(2026, 11, 30, 10, 5, 30)),))
    return dataclasses.replace(env, **changes)


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def b64(data: bytes, wrap: bool) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76)) if wrap else text


# A document as another sender writes it: Subject and DocumentId first, To before From, Code after,
# Business and TraceHeader swapped, the attachment also listed in the manifest, a placeholder
# signature without namespace. ``{p}`` is the element prefix inside the envelope.
FOREIGN_DOCUMENT = """<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<{p}edXMLEnvelope{decl}>
<{p}edXMLHeader>
<{p}MessageHeader>
<{p}Subject>V/v báo cáo tình hình thực hiện Đề án 06 tháng 11/2026</{p}Subject>
<{p}DocumentId>000.00.00.G22,2026/11/27,7816/VPCP-TTĐT</{p}DocumentId>
<{p}To><{p}OrganName>Ủy ban nhân dân tỉnh Khánh Hòa</{p}OrganName><{p}OrganId>000.00.00.H41</{p}OrganId></{p}To>
<{p}From><{p}OrganName>Văn phòng Chính phủ</{p}OrganName><{p}OrganId>000.00.00.G22</{p}OrganId></{p}From>
<{p}PromulgationInfo><{p}PromulgationDate>2026/11/27</{p}PromulgationDate><{p}Place>Hà Nội</{p}Place></{p}PromulgationInfo>
<{p}Code><{p}CodeNotation>VPCP-TTĐT</{p}CodeNotation><{p}CodeNumber>7816</{p}CodeNumber></{p}Code>
<{p}DocumentType><{p}TypeName>Công văn</{p}TypeName><{p}Type>18</{p}Type></{p}DocumentType>
<{p}SteeringType>1</{p}SteeringType>
<{p}ResponseFor><{p}OrganId>000.00.00.H41</{p}OrganId><{p}Code>15/QĐ-UBND</{p}Code><{p}PromulgationDate>2026/11/28</{p}PromulgationDate><{p}DocumentId>000.00.00.H41,2026/11/28,15/QĐ-UBND</{p}DocumentId></{p}ResponseFor>
</{p}MessageHeader>
<{p}TraceHeaderList>
<{p}{business}><{p}{business}DocReason>Thu hồi do sai sót</{p}{business}DocReason><{p}{business}DocType>{doc_type}</{p}{business}DocType><{p}Paper>1</{p}Paper></{p}{business}>
<{p}TraceHeader><{p}Timestamp>2026/11/27 16:40:12</{p}Timestamp><{p}OrganId>000.00.00.G22</{p}OrganId></{p}TraceHeader>
</{p}TraceHeaderList>
<Signature><SignedInfo/><SignatureValue/></Signature>
</{p}edXMLHeader>
<{p}edXMLBody><{p}edXMLManifest version="1.0">
<{p}Reference><{p}AttachmentName>7816-VPCP-TTĐT.pdf</{p}AttachmentName><{p}ContentId>cid:1</{p}ContentId><{p}ContentType>application/pdf</{p}ContentType></{p}Reference>
<{p}Reference><{p}AttachmentName>Biểu mẫu báo cáo.odt</{p}AttachmentName><{p}ContentId>cid:2</{p}ContentId><{p}ContentType>application/zip</{p}ContentType></{p}Reference>
</{p}edXMLManifest></{p}edXMLBody>
</{p}edXMLEnvelope>
<AttachmentEncoded>
<Attachment><ContentTransferEncoded>{pdf}</ContentTransferEncoded><ContentId>cid:1</ContentId><AttachmentName>7816-VPCP-TTĐT.pdf</AttachmentName><ContentType>application/pdf</ContentType></Attachment>
<Attachment><ContentId>cid:2</ContentId><AttachmentName>Biểu mẫu báo cáo.odt</AttachmentName><ContentType>application/zip</ContentType><ContentTransferEncoded>{odt}</ContentTransferEncoded></Attachment>
</AttachmentEncoded>
</edXML>
"""
ODT = "Biểu mẫu báo cáo Đề án 06".encode() * 50


def foreign_document(prefixed: bool = False, business: str = "Bussiness", crlf: bool = False,
                     wrap: bool = False, doc_type: str = "1", bom: bool = False) -> bytes:
    """The foreign document in one of its variants (see FOREIGN_DOCUMENT)."""
    p = "edXML:" if prefixed else ""
    decl = ' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"' if prefixed else ""
    text = FOREIGN_DOCUMENT.format(p=p, decl=decl, business=business, doc_type=doc_type,
                                   pdf=b64(PDF, wrap), odt=b64(zipped("Biểu mẫu báo cáo.odt", ODT), wrap))
    if crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" + text if bom else text).encode("utf-8")


# A status written under ``Status`` (one hub does), unprefixed, with the code as one digit.
FOREIGN_STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXMLEnvelope>
    <edXMLHeader>
      <{holder}>
        <StatusCode>{code}</StatusCode>
        <Description>Văn bản gửi nhầm nơi nhận, đề nghị thu hồi</Description>
        <Timestamp>2026/11/30 14:20:00</Timestamp>
        <From><OrganId>000.00.12.H41</OrganId><OrganName>Sở Tài chính tỉnh Khánh Hòa</OrganName></From>
        <ResponseFor><DocumentId>000.00.00.H41,2026/11/28,15/QĐ-UBND</DocumentId><OrganId>000.00.00.H41</OrganId><Code>15/QĐ-UBND</Code><PromulgationDate>2026/11/28</PromulgationDate></ResponseFor>
      </{holder}>
    </edXMLHeader>
  </edXMLEnvelope>
</edXML>
"""


def foreign_status(holder: str = "Status", code: str = "2") -> bytes:
    return FOREIGN_STATUS.format(holder=holder, code=code).encode("utf-8")
