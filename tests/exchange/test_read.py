"""Reading what real senders produce (variants built from edxml.md's description)."""
import dataclasses
import datetime as dt
import hashlib

import pytest

from recordsys.exchange import attachments
from recordsys.exchange.codes import BusinessDocType
from recordsys.exchange.edxml import read_envelope, write_document_envelope
from tests.exchange import samples

VARIANTS = {
    "unprefixed": {},
    "prefixed": {"prefixed": True},
    "Business spelling": {"business": "Business"},
    "CRLF": {"crlf": True},
    "wrapped base64": {"wrap": True},
    "UTF-8 BOM": {"bom": True},
    "all at once": {"prefixed": True, "business": "Business", "crlf": True, "wrap": True},
}


@pytest.mark.parametrize("name", VARIANTS)
def test_foreign_document_variants(name):
    result = read_envelope(samples.foreign_document(**VARIANTS[name]))
    assert result.valid, result.errors
    env = result.envelope
    assert result.kind == "document"
    assert env.sender.organ_id == "000.00.00.G22" and env.sender.organ_name == "Văn phòng Chính phủ"
    assert [o.organ_id for o in env.recipients] == ["000.00.00.H41"]
    assert (env.code_number, env.code_notation) == ("7816", "VPCP-TTĐT")
    assert env.document_id == "000.00.00.G22,2026/11/27,7816/VPCP-TTĐT"
    assert env.promulgation_date == dt.date(2026, 11, 27) and env.promulgation_place == "Hà Nội"
    assert env.document_type.type == 18 and env.document_type.name == "Công văn"
    assert env.subject == "V/v báo cáo tình hình thực hiện Đề án 06 tháng 11/2026"
    assert env.business.doc_type is BusinessDocType.REVOKE
    assert env.business.reason == "Thu hồi do sai sót" and env.business.paper is True
    assert env.response_for[0].document_id == "000.00.00.H41,2026/11/28,15/QĐ-UBND"
    assert env.traces[0].timestamp == dt.datetime(2026, 11, 27, 16, 40, 12)


@pytest.mark.parametrize("name", VARIANTS)
def test_foreign_attachments_decoded_and_unzipped(name):
    pdf, odt = read_envelope(samples.foreign_document(**VARIANTS[name])).attachments
    assert (pdf.name, pdf.content_type, pdf.size, pdf.sha256, pdf.unzipped) == (
        "7816-VPCP-TTĐT.pdf", "application/pdf", len(samples.PDF), hashlib.sha256(samples.PDF).hexdigest(), False)
    assert pdf.data == samples.PDF
    # sent as application/zip under its own name: the receiver unzips it
    assert (odt.name, odt.content_type, odt.data, odt.unzipped) == (
        "Biểu mẫu báo cáo.odt", "application/vnd.oasis.opendocument.text", samples.ODT, True)
    assert odt.sha256 == hashlib.sha256(samples.ODT).hexdigest()


def test_a_real_zip_stays_zipped():
    archive = samples.zipped("a.pdf", b"%PDF")
    env = samples.document(attachments=(samples.Attachment("Hồ sơ kèm theo.zip", "application/zip", archive),))
    (att,) = read_envelope(write_document_envelope(env)).attachments
    assert att.data == archive and not att.unzipped


@pytest.mark.parametrize("holder, code, expected", [
    ("Status", "2", "02"), ("Status", "13", "13"), ("MessageHeader", "03", "03"), ("MessageHeader", "16", "16"),
])
def test_status_under_status_or_message_header(holder, code, expected):
    result = read_envelope(samples.foreign_status(holder, code))
    assert result.valid, result.errors
    env = result.envelope
    assert result.kind == "status" and env.status_code == expected
    assert env.sender.organ_id == "000.00.12.H41"
    assert env.response_for.document_id == "000.00.00.H41,2026/11/28,15/QĐ-UBND"
    assert env.response_for.promulgation_date == dt.date(2026, 11, 28)
    assert env.timestamp == dt.datetime(2026, 11, 30, 14, 20)
    assert env.description == "Văn bản gửi nhầm nơi nhận, đề nghị thu hồi"


def test_unknown_status_code_is_an_error():
    result = read_envelope(samples.foreign_status("Status", "07"))
    assert not result.valid and [e.code for e in result.errors] == ["status-code"]
    assert "07" in result.errors[0].vi and "07" in result.errors[0].en


def test_unknown_business_type_is_an_error():
    result = read_envelope(samples.foreign_document(doc_type="9"))
    assert not result.valid and [e.code for e in result.errors] == ["business-type"]


def test_dates_in_other_spellings_are_read():
    data = samples.foreign_document().replace(b"<PromulgationDate>2026/11/27<", b"<PromulgationDate>2026-11-27<")
    assert read_envelope(data).envelope.promulgation_date == dt.date(2026, 11, 27)


@pytest.mark.parametrize("remove, field", [
    (b"<Subject>V/v b\xc3\xa1o c\xc3\xa1o t\xc3\xacnh h\xc3\xacnh th\xe1\xbb\xb1c hi\xe1\xbb\x87n \xc4\x90\xe1\xbb\x81 \xc3\xa1n 06 th\xc3\xa1ng 11/2026</Subject>", "Subject"),
    (b"<CodeNumber>7816</CodeNumber>", "Code/CodeNumber"),
    (b"<PromulgationDate>2026/11/27</PromulgationDate>", "PromulgationDate"),
    (b"<Type>18</Type>", "DocumentType/Type"),
])
def test_missing_required_fields_are_named(remove, field):
    data = samples.foreign_document()
    assert remove in data
    result = read_envelope(data.replace(remove, b""))
    assert not result.valid and result.envelope is not None
    assert any(field in e.en and e.code == "missing" for e in result.errors)


def test_missing_recipient_is_an_error():
    data = write_document_envelope(samples.document(recipients=(samples.SO_NOI_VU,)))
    start, end = data.index(b"<edXML:To>"), data.index(b"</edXML:To>") + len(b"</edXML:To>")
    result = read_envelope(data[:start] + data[end:])
    assert not result.valid and any("To" in e.en for e in result.errors)


def test_odd_organ_id_is_only_a_warning():
    env = samples.document(sender=dataclasses.replace(samples.KHANH_HOA, organ_id="UBND-KH"))
    result = read_envelope(write_document_envelope(env))
    assert result.valid and [w.code for w in result.warnings] == ["organ-id"]


def test_manifest_listing_more_files_than_carried_is_a_warning():
    data = samples.foreign_document()
    start = data.index(b"<Attachment><ContentId>cid:2")
    end = data.index(b"</Attachment>", start) + len(b"</Attachment>")
    result = read_envelope(data[:start] + data[end:])
    assert result.valid and len(result.attachments) == 1
    assert [w.code for w in result.warnings] == ["attachment-missing"]


def test_status_split_between_message_header_and_status():
    data = samples.foreign_status("Status", "05")
    start, end = data.index(b"<From>"), data.index(b"</From>") + len(b"</From>")
    moved = data[:start] + data[end:]
    moved = moved.replace(b"<Status>", b"<MessageHeader>" + data[start:end] + b"</MessageHeader><Status>")
    result = read_envelope(moved)
    assert result.valid, result.errors
    assert (result.envelope.sender.organ_id, result.envelope.status_code) == ("000.00.12.H41", "05")


def test_large_wrapped_attachment_decodes_in_chunks():
    big = bytes(range(256)) * 12_000  # 3 MB: several decoding chunks
    data = samples.foreign_document(wrap=True).replace(
        samples.b64(samples.PDF, True).encode(), samples.b64(big, True).encode())
    pdf = read_envelope(data).attachments[0]
    assert (pdf.size, pdf.data) == (len(big), big)
    assert pdf.sha256 == hashlib.sha256(big).hexdigest()


def test_decode_base64_streams_into_a_sink():
    chunks = []
    digest = attachments.decode_base64("SGVs\r\nbG8g\nxJDDoCBO4bq1bmc=", chunks.append)
    assert b"".join(chunks) == "Hello Đà Nẵng".encode()
    assert (digest.size, digest.sha256) == (len(b"".join(chunks)), hashlib.sha256(b"".join(chunks)).hexdigest())
