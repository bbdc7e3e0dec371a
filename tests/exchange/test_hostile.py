"""Hostile and broken inputs: refused with a reason in both languages, never an exception."""
import pytest

from recordsys.exchange.edxml import ReadLimits, read_envelope, write_document_envelope
from tests.exchange import samples

GOOD = write_document_envelope(samples.document(attachments=()))
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><Subject>&lol4;</Subject></edXML>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><Subject>&xxe;</Subject></edXML>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://attacker.invalid/edxml.dtd">
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""
UTF16_DOCTYPE = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n'
                 '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>').encode("utf-16")
DEEP = b"<edXML>" + b"<a>" * 100 + b"</a>" * 100 + b"</edXML>"
BAD_BASE64 = samples.foreign_document().replace(b"<ContentTransferEncoded>JVBER", b"<ContentTransferEncoded>J*BER")
SHORT_BASE64 = samples.foreign_document().replace(b"<ContentTransferEncoded>JVBER", b"<ContentTransferEncoded>VBER")
BAD_ZIP = samples.foreign_document().replace(b"<ContentTransferEncoded>UEsDB", b"<ContentTransferEncoded>AAAAA")

CASES = {
    "billion laughs": (BILLION_LAUGHS, "doctype"),
    "external entity": (EXTERNAL_ENTITY, "doctype"),
    "external DTD": (EXTERNAL_DTD, "doctype"),
    "DOCTYPE in UTF-16": (UTF16_DOCTYPE, "doctype"),
    "too deep": (DEEP, "too-deep"),
    "truncated": (GOOD[: len(GOOD) // 2], "not-xml"),
    "not XML": (b"%PDF-1.7 this is a PDF, not an envelope", "not-xml"),
    "binary noise": (bytes(range(256)) * 4, "not-xml"),
    "empty": (b"", "empty"),
    "only spaces": (b"  \r\n ", "empty"),
    "other XML": (b"<?xml version='1.0'?><Invoice><Total>1</Total></Invoice>", "not-edxml"),
    "edXML without header": (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope/></edXML>',
                             "not-edxml"),
    "bad base64": (BAD_BASE64, "bad-base64"),
    "base64 of a wrong length": (SHORT_BASE64, "bad-base64"),
    "broken zip": (BAD_ZIP, "bad-zip"),
}


@pytest.mark.parametrize("name", CASES)
def test_refused_with_a_reason(name):
    data, code = CASES[name]
    result = read_envelope(data)
    assert not result.valid
    assert code in [e.code for e in result.errors]
    for e in result.errors:
        assert e.vi and e.en and e.vi != e.en


def test_entities_are_never_expanded():
    result = read_envelope(EXTERNAL_ENTITY)
    assert "root:" not in repr(result)


def test_oversized_envelope_is_refused_before_parsing():
    result = read_envelope(GOOD, ReadLimits(max_bytes=len(GOOD) - 1))
    assert [e.code for e in result.errors] == ["too-large"]
    assert "exchange.max_bytes" in result.errors[0].vi and str(len(GOOD)) in result.errors[0].en
    assert read_envelope(GOOD, ReadLimits(max_bytes=len(GOOD))).valid


def test_default_size_limit_is_64_mb():
    assert ReadLimits().max_bytes == 64 * 1024 * 1024


def test_depth_limit_is_a_setting():
    assert read_envelope(GOOD, ReadLimits(max_depth=6)).errors[0].code == "too-deep"
    assert read_envelope(GOOD, ReadLimits(max_depth=8)).valid


def test_zip_bomb_is_stopped():
    big = samples.zipped("Bảng số liệu.csv", b"0" * 2_000_000)
    env = samples.document(attachments=(samples.Attachment("Bảng số liệu.csv", "application/zip", big),))
    result = read_envelope(write_document_envelope(env), ReadLimits(max_unzipped_bytes=1_000_000))
    assert [e.code for e in result.errors] == ["zip-too-large"]


def test_not_bytes_is_refused():
    assert read_envelope("<edXML/>").errors[0].code == "not-bytes"


@pytest.mark.parametrize("settings, expected", [
    ({}, ReadLimits()),
    ({"exchange.max_bytes": "1048576", "exchange.max_depth": " 20 "}, ReadLimits(max_bytes=1048576, max_depth=20)),
    ({"exchange.max_unzipped_bytes": 5, "exchange.max_bytes": ""}, ReadLimits(max_unzipped_bytes=5)),
])
def test_limits_from_settings(settings, expected):
    assert ReadLimits.from_settings(settings) == expected


@pytest.mark.parametrize("value", ["64MB", "0", "-1"])
def test_bad_limit_settings_are_refused(value):
    with pytest.raises(ValueError, match="positive integer"):
        ReadLimits.from_settings({"exchange.max_bytes": value})


def test_a_large_attachment_is_not_mistaken_for_an_attack():
    scan = bytes(range(256)) * 36_000  # 9 MB: base64 over libxml2's 10 MB text-node guard
    env = samples.document(attachments=(samples.Attachment("Hồ sơ scan.pdf", "application/pdf", scan),))
    result = read_envelope(write_document_envelope(env))
    assert result.valid, result.errors
    assert result.attachments[0].size == len(scan)
