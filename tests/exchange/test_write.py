"""Our envelopes: the reference layout, the XSD, and a lossless round trip through the reader."""
import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from lxml import etree

from recordsys.exchange.codes import BusinessDocType
from recordsys.exchange.edxml import (
    NAMESPACE,
    Business,
    ResponseFor,
    read_envelope,
    write_document_envelope,
    write_status_envelope,
)
from recordsys.exchange.model import UpdateInfo, make_document_id
from tests.exchange import samples

XSD = Path(__file__).resolve().parents[2] / "metadata" / "edxml" / "edxml.xsd"
N = f"{{{NAMESPACE}}}"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def _assert_valid(schema, data: bytes):
    assert schema.validate(etree.fromstring(data)), schema.error_log


def test_layout_is_the_reference_one():
    data = write_document_envelope(samples.document())
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">\n')
    assert '  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">\n' in text
    root = etree.fromstring(data)
    assert root.tag == f"{N}edXML" and root.prefix is None
    envelope, encoded = list(root)
    assert envelope.tag == f"{N}edXMLEnvelope" and envelope.prefix == "edXML"
    assert encoded.tag == f"{N}AttachmentEncoded" and encoded.prefix is None
    assert [c.tag for c in envelope] == [f"{N}edXMLHeader", f"{N}edXMLBody"]
    header = envelope[0]
    assert [c.tag for c in header] == [f"{N}MessageHeader", f"{N}TraceHeaderList"]
    assert header.find(f"{N}TraceHeaderList/{N}Bussiness/{N}BussinessDocType").text == "0"
    assert "Business" not in text.replace("Bussiness", "")
    assert envelope.find(f"{N}edXMLBody/{N}edXMLManifest").get("version") == "1.0"


def test_fields_and_formats():
    root = etree.fromstring(write_document_envelope(samples.document()))
    head = root.find(f"{N}edXMLEnvelope/{N}edXMLHeader/{N}MessageHeader")
    assert head.findtext(f"{N}DocumentId") == "000.00.00.H41,2026/11/28,15/QĐ-UBND"
    assert head.findtext(f"{N}PromulgationInfo/{N}PromulgationDate") == "2026/11/28"
    assert head.findtext(f"{N}DueDate") == "2026/12/15"
    assert head.findtext(f"{N}Code/{N}CodeNotation") == "QĐ-UBND"
    assert [t.findtext(f"{N}OrganName") for t in head.findall(f"{N}To")] == [
        "Sở Nội vụ tỉnh Khánh Hòa", "Sở Tài chính tỉnh Khánh Hòa"]
    assert root.findtext(f".//{N}TraceHeader/{N}Timestamp") == "2026/11/30 09:15:00"
    refs = root.findall(f".//{N}Reference/{N}ContentId")
    atts = root.findall(f"{N}AttachmentEncoded/{N}Attachment/{N}ContentId")
    assert [r.text for r in refs] == [a.text for a in atts] == ["cid:1", "cid:2"]


@pytest.mark.parametrize("make_id, expected", [
    (("000.00.00.G22", dt.date(2015, 9, 30), "7816", "VPCP-TTĐT"), "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"),
    (("000.00.00.H41", dt.date(2026, 1, 5), "15", "QĐ-UBND"), "000.00.00.H41,2026/01/05,15/QĐ-UBND"),
    (("000.00.31.H41", dt.date(2026, 12, 31), "102", "SNV-VP"), "000.00.31.H41,2026/12/31,102/SNV-VP"),
])
def test_document_id(make_id, expected):
    assert make_document_id(*make_id) == expected


@pytest.mark.parametrize("now, expected", [
    (dt.datetime(2026, 11, 30, 2, 15, 0, tzinfo=dt.UTC), "2026/11/30 09:15:00"),
    (dt.datetime(2026, 11, 30, 20, 0, 5, tzinfo=dt.UTC), "2026/12/01 03:00:05"),
    (dt.datetime(2026, 11, 30, 9, 15, 0), "2026/11/30 09:15:00"),
])
def test_timestamps_are_written_in_vietnam_time(now, expected):
    data = write_document_envelope(samples.document(traces=()), now=now)
    assert f"<edXML:Timestamp>{expected}</edXML:Timestamp>".encode() in data
    status = write_status_envelope(samples.status(timestamp=now))
    assert f"<edXML:Timestamp>{expected}</edXML:Timestamp>".encode() in status


def test_a_trace_is_added_when_none_is_given():
    data = write_document_envelope(samples.document(traces=()), now=dt.datetime(2026, 11, 30, 8, 0, 1))
    trace = read_envelope(data).envelope.traces
    assert [(t.organ_id, t.timestamp) for t in trace] == [("000.00.00.H41", dt.datetime(2026, 11, 30, 8, 0, 1))]


DOCUMENT_VARIANTS = {
    "full": samples.document(),
    "no attachments": samples.document(attachments=()),
    "minimal": dataclasses.replace(samples.document(), content="", due_date=None, to_places=(),
                                   other_info=samples.OtherInfo(), steering_type=None, business=Business()),
    "revoke": samples.document(
        business=Business(BusinessDocType.REVOKE, "Thu hồi do sai thể thức"),
        response_for=(ResponseFor("000.00.00.H41", "14/QĐ-UBND", dt.date(2026, 11, 20),
                                  "000.00.00.H41,2026/11/20,14/QĐ-UBND"),)),
    "replace": samples.document(business=Business(
        BusinessDocType.REPLACE, "Thay thế văn bản ban hành sai", True,
        replaced_document_ids=("000.00.00.H41,2026/11/20,14/QĐ-UBND",))),
    "update": samples.document(business=Business(
        BusinessDocType.UPDATE, "Đính chính trích yếu và người ký", False,
        update=UpdateInfo(document_info=True, document_receiver=True,
                          receivers=(("000.00.31.H41", "1"), ("000.00.12.H41", "2"))))),
    "special characters": samples.document(subject='Về "Quy chế" <mới> & Đề án 06 – đợt 2'),
}


@pytest.mark.parametrize("name", DOCUMENT_VARIANTS)
def test_documents_validate_and_round_trip(schema, name):
    env = DOCUMENT_VARIANTS[name]
    data = write_document_envelope(env, now=samples.NOW)
    _assert_valid(schema, data)
    result = read_envelope(data)
    assert result.valid and result.kind == "document", result.errors
    assert not result.warnings
    read = result.envelope
    expected = dataclasses.replace(
        env, attachments=(), document_id=env.effective_document_id,
        traces=env.traces or read.traces,
        business=dataclasses.replace(env.business, document_id=env.effective_document_id))
    assert read == expected
    assert [(a.name, a.content_type, a.description, a.data) for a in result.attachments] == [
        (a.name, a.content_type, a.description, a.data) for a in env.attachments]
    assert [(a.size, a.sha256) for a in result.attachments] == [
        (len(a.data), hashlib.sha256(a.data).hexdigest()) for a in env.attachments]


@pytest.mark.parametrize("code", ["01", "02", "03", "04", "05", "06", "13", "15", "16"])
def test_status_validates_and_round_trips(schema, code):
    env = samples.status(status_code=code)
    data = write_status_envelope(env)
    _assert_valid(schema, data)
    root = etree.fromstring(data)
    assert root.find(f".//{N}To") is None and root.find(f".//{N}edXMLBody") is None
    result = read_envelope(data)
    assert result.valid and result.kind == "status" and result.envelope == env


def test_take_back_request_names_the_organs_asked(schema):
    """A 13 goes from the original sender to its recipients: it lists them in To (after ResponseFor)."""
    env = samples.status(sender=samples.KHANH_HOA, status_code="13", description="Thu hồi để sửa số ký hiệu",
                         recipients=(samples.SO_NOI_VU, samples.SO_TAI_CHINH))
    data = write_status_envelope(env)
    _assert_valid(schema, data)
    result = read_envelope(data)
    assert result.valid and result.envelope == env
    assert result.envelope.addressees == ["000.00.31.H41", "000.00.12.H41"]
    assert samples.status().addressees == ["000.00.00.H41"]


@pytest.mark.parametrize("change, message", [
    ({"subject": "Đ" * 501}, "500"),
    ({"subject": "Trích yếu\x00 lỗi"}, "control character"),
    ({"promulgation_date": None}, "promulgation date"),
    ({"recipients": ()}, "To"),
    ({"code_number": ""}, "CodeNumber"),
    ({"subject": ""}, "Subject"),
    ({"sender": samples.Organization("", "UBND")}, "From/OrganId"),
    ({"attachments": (samples.Attachment("", "application/pdf", b"x"),)}, "AttachmentName"),
])
def test_writer_refuses_what_it_cannot_write(change, message):
    with pytest.raises(ValueError, match=message):
        write_document_envelope(samples.document(**change))


def test_status_writer_refuses_unknown_codes():
    with pytest.raises(ValueError, match="not in the code list"):
        write_status_envelope(samples.status(status_code="07"))


def test_subject_of_500_characters_is_written(schema):
    _assert_valid(schema, write_document_envelope(samples.document(subject="Đ" * 500)))
