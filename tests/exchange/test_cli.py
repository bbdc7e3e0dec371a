"""``exchange unpack`` through click's runner, and the pack helper the lead's command will call."""
import datetime as dt
import hashlib
import json

import pytest
from click.testing import CliRunner

from recordsys.exchange.cli import exchange
from recordsys.exchange.edxml import (
    read_envelope,
    write_document_envelope,
    write_status_envelope,
)
from recordsys.exchange.pack import envelope_for_document
from tests.exchange import samples

KEYS = ["file", "valid", "kind", "from", "to", "document_id", "code_number", "code_notation", "subject",
        "business_type", "status_code", "response_for", "attachments", "errors"]


def _unpack(*args):
    result = CliRunner().invoke(exchange, ["unpack", *map(str, args)])
    return result, result.output


@pytest.fixture
def files(tmp_path):
    paths = {
        "document": tmp_path / "15-QĐ-UBND.edxml",
        "status": tmp_path / "trang-thai-03.edxml",
        "foreign": tmp_path / "7816-VPCP.edxml",
        "truncated": tmp_path / "cut.edxml",
    }
    document = write_document_envelope(samples.document(), now=samples.NOW)
    paths["document"].write_bytes(document)
    paths["status"].write_bytes(write_status_envelope(samples.status()))
    paths["foreign"].write_bytes(samples.foreign_document(prefixed=True, crlf=True, wrap=True))
    paths["truncated"].write_bytes(document[:700])
    return paths


def test_unpack_json_document(files):
    result, output = _unpack(files["document"], "--json")
    assert result.exit_code == 0, output
    (line,) = output.splitlines()
    data = json.loads(line)
    assert list(data) == KEYS
    assert data == {
        "file": str(files["document"]), "valid": True, "kind": "document", "from": "000.00.00.H41",
        "to": ["000.00.31.H41", "000.00.12.H41"], "document_id": "000.00.00.H41,2026/11/28,15/QĐ-UBND",
        "code_number": "15", "code_notation": "QĐ-UBND", "subject": samples.document().subject,
        "business_type": 0, "status_code": None, "response_for": None,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": len(a.data),
             "sha256": hashlib.sha256(a.data).hexdigest()} for a in samples.document().attachments],
        "errors": []}
    assert "Đoàn kiểm tra" in output  # UTF-8 kept readable, not \\u escapes


def test_unpack_json_status_and_foreign(files):
    result, output = _unpack(files["status"], files["foreign"], "--json")
    assert result.exit_code == 0, output
    status, foreign = map(json.loads, output.splitlines())
    assert (status["kind"], status["status_code"], status["from"], status["to"], status["response_for"]) == (
        "status", "03", "000.00.31.H41", [], "000.00.00.H41,2026/11/28,15/QĐ-UBND")
    assert status["business_type"] is None and status["attachments"] == []
    assert (foreign["kind"], foreign["business_type"], foreign["response_for"]) == (
        "document", 1, "000.00.00.H41,2026/11/28,15/QĐ-UBND")
    assert [a["name"] for a in foreign["attachments"]] == ["7816-VPCP-TTĐT.pdf", "Biểu mẫu báo cáo.odt"]


def test_unpack_exits_1_when_any_file_is_invalid(files):
    result, output = _unpack(files["document"], files["truncated"], "--json")
    assert result.exit_code == 1
    good, bad = map(json.loads, output.splitlines())
    assert good["valid"] is True
    assert list(bad) == KEYS and bad["valid"] is False and bad["kind"] is None
    assert bad["errors"] and "truncated" in bad["errors"][0] and "cắt cụt" in bad["errors"][0]


def test_unpack_refuses_oversized_files_without_reading_them(files):
    result, output = _unpack(files["document"], "--json", "--max-bytes", "1000")
    assert result.exit_code == 1
    assert "exchange.max_bytes" in json.loads(output)["errors"][0]


def test_unpack_human_output(files):
    result, output = _unpack(files["document"], files["truncated"])
    assert result.exit_code == 1
    assert "hợp lệ / valid" in output and "KHÔNG hợp lệ / INVALID" in output
    assert "15/QĐ-UBND 000.00.00.H41 -> 000.00.31.H41, 000.00.12.H41" in output


def test_unpack_missing_file_is_a_usage_error(tmp_path):
    result, _ = _unpack(tmp_path / "không-có.edxml")
    assert result.exit_code == 2


META = {
    "sender_id": "000.00.00.H41", "sender_name": "Ủy ban nhân dân tỉnh Khánh Hòa",
    "code_number": "15", "code_notation": "QĐ-UBND", "promulgation_date": "2026-11-28",
    "document_type": 1, "document_type_name": "Quyết định",
    "subject": "Về việc thành lập Đoàn kiểm tra công tác văn thư, lưu trữ năm 2026",
    "signer_name": "Nguyễn Văn Đức", "signer_position": "Phó Chủ tịch",
    "recipient_names": {"000.00.31.H41": "Sở Nội vụ tỉnh Khánh Hòa"},
}


def test_envelope_for_document(tmp_path):
    (tmp_path / "qd.pdf").write_bytes(samples.PDF)
    (tmp_path / "bieu-mau.odt").write_bytes(samples.ODT)
    data = envelope_for_document(META, [("15-QĐ-UBND.pdf", tmp_path / "qd.pdf"),
                                        ("Biểu mẫu.odt", tmp_path / "bieu-mau.odt")],
                                 ["000.00.31.H41", "000.00.12.H41"], now=samples.NOW)
    result = read_envelope(data)
    assert result.valid, result.errors
    env = result.envelope
    assert env.document_id == "000.00.00.H41,2026/11/28,15/QĐ-UBND"
    assert [(o.organ_id, o.organ_name) for o in env.recipients] == [
        ("000.00.31.H41", "Sở Nội vụ tỉnh Khánh Hòa"), ("000.00.12.H41", "")]
    assert env.signer.full_name == "Nguyễn Văn Đức" and env.promulgation_date == dt.date(2026, 11, 28)
    pdf, odt = result.attachments
    assert (pdf.name, pdf.content_type, pdf.data, pdf.unzipped) == (
        "15-QĐ-UBND.pdf", "application/pdf", samples.PDF, False)
    # not pdf/doc/docx/xls/zip: zipped on the wire under its own name, unzipped on reading
    assert (odt.name, odt.data, odt.unzipped) == ("Biểu mẫu.odt", samples.ODT, True)
    wire = data.split(b"<AttachmentName>Bi\xe1\xbb\x83u m\xe1\xba\xabu.odt</AttachmentName>")[-1]
    assert b"<ContentType>application/zip</ContentType>" in wire


@pytest.mark.parametrize("change, to, message", [
    ({"subject": ""}, ["000.00.31.H41"], "subject"),
    ({}, [], "recipient"),
    ({}, ["Sở Nội vụ"], "organ id"),
    ({"promulgation_date": "28/11/2026"}, ["000.00.31.H41"], "not a date"),
])
def test_envelope_for_document_refuses_bad_metadata(change, to, message):
    with pytest.raises(ValueError, match=message):
        envelope_for_document({**META, **change}, [], to)
