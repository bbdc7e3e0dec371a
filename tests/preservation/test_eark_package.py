"""E-ARK CSIP 2.0.4 packages of Circular 05/2025: written from plain inputs, validated offline by
eark-validator with no error, fixity of every reference, hostile file names, broken packages."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from recordsys.preservation.eark.cli import validate_package_command
from recordsys.preservation.eark.codes import dossier_code
from recordsys.preservation.eark.descriptive import MetadataError
from recordsys.preservation.eark.model import Agent, DipRequest, Document, DocumentFile, Dossier, PackageOptions
from recordsys.preservation.eark.sip import ascii_name, write_aip, write_dip, write_sip, zip_package
from recordsys.preservation.eark.validate import OfflineError, _local_urlopen, validate_package
from recordsys.preservation.premis import Event

NS = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink",
      "premis": "http://www.loc.gov/premis/v3"}
HREF = "{http://www.w3.org/1999/xlink}href"
CREATED = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.UTC)
ARCHIVE = Agent("Trung tâm Lưu trữ lịch sử tỉnh Quảng Ninh", "000.00.13.H41")
SUBJECT = ("Về việc phê duyệt điều chỉnh quy hoạch sử dụng đất đến năm 2030 của thành phố Đông Triều, "
           "tỉnh Quảng Ninh, và kế hoạch sử dụng đất năm 2026 (đợt 2) theo đề nghị của Sở Nông nghiệp và Môi trường")
HOSTILE = ["../x", "../../etc/passwd", "/etc/shadow", "a\x00b.pdf", "..\\..\\windows\\win.ini", "CON",
           "tệp " + "đ" * 300 + ".pdf", ".hidden", ""]


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    files = {
        "qd": b"%PDF-1.7\n" + "Quyết định số 15/QĐ-UBND ".encode() * 400,
        "ttr": b"%PDF-1.7\n" + "Tờ trình 05/TTr-SNNMT ".encode() * 300,
        "cv": b"%PDF-1.7\n" + "Công văn 1234/UBND-NLN ".encode() * 200,
        "log": json.dumps({"bước": ["tiếp nhận", "xử lý", "ký số", "ban hành"]}, ensure_ascii=False).encode(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _dossier(**changes) -> Dossier:
    dossier = Dossier(
        code=dossier_code("000.00.01.H41", 2026, "05.ĐĐ"),
        title="Hồ sơ điều chỉnh quy hoạch sử dụng đất thành phố Đông Triều đến năm 2030",
        maintenance="01", mode="02", language=("01",), start_date=dt.date(2026, 1, 15),
        end_date=dt.date(2026, 3, 20), confidence_level="01", agency_name="Ủy ban nhân dân tỉnh Quảng Ninh",
        risk_recovery=True, risk_recovery_status="01", keyword=("quy hoạch", "đất đai", "Đông Triều"),
        infor_sign="ĐĐ-05", description="Hồ sơ gồm quyết định, tờ trình và công văn đôn đốc.")
    return dataclasses.replace(dossier, **changes)


def _documents(sources: Path, labels=("15-QĐ-UBND.pdf", "Tờ trình 05.pdf", "CV 1234.pdf")) -> list[Document]:
    common = {"language": ["01"], "mode": "02", "confidenceLevel": "01", "maintenance": "01"}
    return [
        Document(1, {**common, "typeName": "02", "codeNumber": "15", "codeNotation": "QĐ-UBND",
                     "issuedDate": dt.date(2026, 1, 15), "organName": "Ủy ban nhân dân tỉnh Quảng Ninh",
                     "subject": SUBJECT, "numberOfPage": 4, "autograph": "Đồng ý. Giao Sở NN&MT triển khai."},
                 (DocumentFile(sources / "qd", labels[0], "application/pdf"),
                  DocumentFile(sources / "log", "quá trình xử lý.json", process=True))),
        Document(2, {**common, "typeName": "16", "codeNumber": "05", "codeNotation": "TTr-SNNMT",
                     "issuedDate": dt.date(2026, 2, 3), "organName": "Sở Nông nghiệp và Môi trường",
                     "subject": "Tờ trình đề nghị phê duyệt điều chỉnh quy hoạch", "numberOfPage": 6},
                 (DocumentFile(sources / "ttr", labels[1], "application/pdf"),)),
        Document(3, {**common, "typeName": "22", "codeNumber": "1234", "codeNotation": "UBND-NLN",
                     "issuedDate": dt.date(2026, 3, 20), "organName": "Ủy ban nhân dân tỉnh Quảng Ninh",
                     "subject": "Đôn đốc thực hiện quy hoạch", "numberOfPage": 2},
                 (DocumentFile(sources / "cv", labels[2], "application/pdf"),)),
    ]


@pytest.fixture
def sip(tmp_path, sources):
    return write_sip(tmp_path / "out", _dossier(), _documents(sources), PackageOptions(created=CREATED))


@pytest.fixture
def aip(tmp_path, sources):
    events = [Event("ingestion", CREATED, "nguyễn.văn.an", detail="Tiếp nhận từ gói nộp"),
              Event("fixity check", CREATED, "trần.thị.bình")]
    return write_aip(tmp_path / "out", _dossier(), _documents(sources), ARCHIVE, events,
                     PackageOptions(created=CREATED))


def _references(package: Path):
    """(METS file, folder its hrefs are relative to, element) for every file and mdRef."""
    for mets in [package / "METS.xml", *sorted((package / "representations").glob("*/METS.xml"))]:
        tree = etree.parse(str(mets))
        for node in tree.iterfind(".//mets:file", NS):
            yield mets, node, node.find("mets:FLocat", NS).get(HREF)
        for node in tree.iterfind(".//mets:mdRef", NS):
            yield mets, node, node.get(HREF)


# --- written packages pass eark-validator ------------------------------------------------------

def test_sip_layout_of_circular_05(sip):
    assert sip.name == "000.00.01.H41.2026.05.DD"
    names = {p.relative_to(sip).as_posix() for p in sip.rglob("*") if p.is_file()}
    assert {"METS.xml", "metadata/descriptive/EAD.xml", "representations/rep1/METS.xml",
            "representations/rep1/metadata/descriptive/EAD_doc_0000001.xml",
            "representations/rep1/data/0000001-01.pdf", "representations/rep1/data/0000001-02.json",
            "representations/rep1/data/0000003-01.pdf", "documentation/danh-muc-tai-lieu.csv",
            "schemas/mets.xsd"} <= names
    assert not any(n.startswith("metadata/preservation") for n in names)


@pytest.mark.parametrize("kind", ["sip", "aip"])
def test_package_has_no_validator_error_at_2_0_4(kind, request):
    package = request.getfixturevalue(kind)
    report = validate_package(package)
    assert report.valid, report.errors
    assert report.errors == ()


def test_only_known_defect_of_the_validator_is_demoted(sip):
    """eark-validator 1.1.3 reads SIP14 against the CSIP software agent; strict keeps its verdict."""
    strict = validate_package(sip, strict=True)
    assert [e.rule for e in strict.errors] == ["SIP14"]
    assert [w.rule for w in validate_package(sip).warnings] == ["SIP14"]


def test_aip_carries_premis_with_events_and_original_names(aip):
    assert aip.name == "000.00.13.H41.000.00.01.H41.2026.05.DD"
    package = etree.parse(str(aip / "metadata/preservation/PREMIS.xml"))
    assert [e.text for e in package.iterfind(".//premis:eventType", NS)] == ["ingestion", "fixity check"]
    rep = etree.parse(str(aip / "representations/rep1/metadata/preservation/PREMIS_rep1.xml"))
    assert "15-QĐ-UBND.pdf" in [n.text for n in rep.iterfind(".//premis:originalName", NS)]
    digests = {d.text for d in rep.iterfind(".//premis:messageDigest", NS)}
    assert hashlib.sha256((aip / "representations/rep1/data/0000002-01.pdf").read_bytes()).hexdigest() in digests
    ead = etree.parse(str(aip / "metadata/descriptive/EAD.xml")).getroot()
    assert ead.findtext("arcFileCode") == "000.00.13.H41.000.00.01.H41.2026.05.ĐĐ"
    assert ead.findtext("fileCode") == "000.00.01.H41.2026.05.ĐĐ"


def test_dossier_fields_in_ead_with_vietnamese_text_and_dd_mm_yyyy(sip):
    root = etree.parse(str(sip / "metadata/descriptive/EAD.xml")).getroot()
    assert root.tag == "simpledc"
    assert [c.tag for c in root][:4] == ["fileCode", "title", "maintenance", "mode"]
    assert root.findtext("startDate") == "15/01/2026" and root.findtext("endDate") == "20/03/2026"
    assert [k.text for k in root.findall("keyword")] == ["quy hoạch", "đất đai", "Đông Triều"]
    assert root.findtext("totalDoc") == "3" and root.findtext("numberOfPage") == "12"
    doc = etree.parse(str(sip / "representations/rep1/metadata/descriptive/EAD_doc_0000001.xml")).getroot()
    assert doc.findtext("docCode") == "000.00.01.H41.2026.05.ĐĐ.0000001"
    assert doc.findtext("codeNotation") == "QĐ-UBND" and doc.findtext("subject") == SUBJECT
    assert doc.findtext("process") == "representations/rep1/data/0000001-02.json"


def test_every_reference_has_size_and_sha256_that_match(aip):
    count = 0
    for mets, node, href in _references(aip):
        path = mets.parent / href
        assert node.get("CHECKSUMTYPE") == "SHA-256"
        assert node.get("CHECKSUM") == hashlib.sha256(path.read_bytes()).hexdigest()
        assert int(node.get("SIZE")) == path.stat().st_size
        count += 1
    # data, document metadata, rep PREMIS, EAD, PREMIS, schemas, list of documents, rep METS
    assert count == 4 + 3 + 1 + 1 + 1 + 5 + 1 + 1


def _assert_descriptive_files_match_their_schemas(package: Path) -> int:
    count = 0
    for path in package.rglob("EAD*.xml"):
        document = etree.parse(str(path))
        location = document.getroot().get("{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation")
        schema_path = (path.parent / location).resolve()
        assert schema_path.is_relative_to(package.resolve()) and schema_path.parent.name == "schemas"
        etree.XMLSchema(etree.parse(str(schema_path))).assertValid(document)
        count += 1
    return count


def test_descriptive_files_match_the_generated_schemas_in_the_package(aip):
    assert _assert_descriptive_files_match_their_schemas(aip) == 4
    schema = etree.XMLSchema(etree.parse(str(aip / "schemas/tt05-document.xsd")))
    bad = etree.parse(str(aip / "representations/rep1/metadata/descriptive/EAD_doc_0000002.xml"))
    bad.getroot().find("typeName").text = "99"
    assert not schema.validate(bad)


def test_dip_describes_the_request_and_marks_copies(tmp_path, sources):
    request = DipRequest("PYC-12/2026", "02", "Trần Thị Bình", dt.date(2026, 5, 4),
                         organisation="Sở Nội vụ tỉnh Quảng Ninh", description="Phục vụ thanh tra")
    dip = write_dip(tmp_path / "out", _dossier(), _documents(sources), request, ARCHIVE,
                    PackageOptions(created=CREATED))
    assert validate_package(dip).errors == ()
    ead = etree.parse(str(dip / "metadata/descriptive/EAD.xml")).getroot()
    assert ead.findtext("purpose") == "02" and ead.findtext("requester") == "Trần Thị Bình"
    assert ead.find("title") is None  # the records are not described here
    rep = etree.parse(str(dip / "representations/rep1/METS.xml"))
    assert {f.get("USE") for f in rep.iterfind(".//mets:file", NS)} == {"copy"}
    assert _assert_descriptive_files_match_their_schemas(dip) == 4
    assert (dip / "schemas/tt05-request.xsd").is_file() and not (dip / "schemas/tt05-dossier.xsd").exists()
    with pytest.raises(MetadataError):
        write_dip(tmp_path / "out2", _dossier(), _documents(sources), dataclasses.replace(request, purpose="04"),
                  ARCHIVE)
    with pytest.raises(MetadataError, match="requester"):
        write_dip(tmp_path / "out2", _dossier(), _documents(sources), dataclasses.replace(request, requester=" "),
                  ARCHIVE)


def test_zipped_package_validates_and_has_one_top_folder(sip):
    archive = zip_package(sip)
    with zipfile.ZipFile(archive) as zipped:
        assert {n.split("/", 1)[0] for n in zipped.namelist()} == {sip.name}
    assert validate_package(archive).errors == ()


# --- names inside the package are ours ---------------------------------------------------------

def test_hostile_file_names_never_become_paths(tmp_path, sources):
    docs = _documents(sources)
    docs = [Document(i + 10, docs[0].fields, tuple(DocumentFile(sources / "qd", label) for label in HOSTILE))
            for i in range(1)]
    package = write_sip(tmp_path / "out", _dossier(), docs, PackageOptions(created=CREATED))
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [package.name]
    assert not (tmp_path / "x").exists() and not (out / "x").exists()
    data = sorted(p.name for p in (package / "representations/rep1/data").iterdir())
    assert all(re.fullmatch(r"\d{7}-\d{2}\.[a-z0-9]{1,8}", n) for n in data), data
    assert len(data) == len(HOSTILE)
    titles = [f.get("{http://www.w3.org/1999/xlink}title") for f in
              etree.parse(str(package / "representations/rep1/METS.xml")).iterfind(".//mets:FLocat", NS)]
    assert "../../etc/passwd" in titles and "ab.pdf" in titles  # labels kept as labels, NUL dropped
    assert validate_package(package).errors == ()


@pytest.mark.parametrize("code,name", [("000.00.01.H41.2026.05.ĐĐ", "000.00.01.H41.2026.05.DD"),
                                        ("000.00.01.H41.2026.07.QĐ-UBND", "000.00.01.H41.2026.07.QD-UBND"),
                                        ("../..", "_.."), ("...", "package")])
def test_folder_names_are_ascii(code, name):
    assert ascii_name(code) == name


def test_bad_metadata_writes_nothing(tmp_path, sources):
    with pytest.raises(MetadataError) as err:
        write_sip(tmp_path / "out", _dossier(maintenance="08", mode="public"), _documents(sources))
    assert any("maintenance" in p for p in err.value.problems) and any("mode" in p for p in err.value.problems)
    docs = _documents(sources)
    docs[1] = Document(2, {**docs[1].fields, "typeName": "99", "secretField": 1}, docs[1].files)
    with pytest.raises(MetadataError) as err:
        write_sip(tmp_path / "out", _dossier(), docs)
    assert len(err.value.problems) == 2
    with pytest.raises(MetadataError, match="startDate is after endDate"):
        write_sip(tmp_path / "out", _dossier(start_date=dt.date(2026, 4, 1)), _documents(sources))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_existing_package_is_not_overwritten(tmp_path, sources, sip):
    with pytest.raises(FileExistsError):
        write_sip(sip.parent, _dossier(), _documents(sources))


# --- broken packages ---------------------------------------------------------------------------

def _broken(sip: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "broken" / sip.name
    shutil.copytree(sip, copy)
    return copy


def test_missing_file_is_an_error(sip, tmp_path):
    package = _broken(sip, tmp_path)
    (package / "representations/rep1/data/0000002-01.pdf").unlink()
    report = validate_package(package)
    assert not report.valid
    assert [e.rule for e in report.errors] == ["FIXITY-MISSING"]


def test_changed_byte_is_a_checksum_error(sip, tmp_path):
    package = _broken(sip, tmp_path)
    path = package / "representations/rep1/data/0000001-01.pdf"
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    assert [e.rule for e in validate_package(package).errors] == ["FIXITY-CHECKSUM"]


def test_reference_leaving_the_package_is_an_error_and_is_not_read(sip, tmp_path):
    package = _broken(sip, tmp_path)
    (tmp_path / "broken" / "secret.txt").write_text("bí mật")
    mets = package / "representations/rep1/METS.xml"
    mets.write_text(mets.read_text(encoding="utf-8").replace('"data/0000003-01.pdf"', '"../../../secret.txt"'),
                    encoding="utf-8")
    rules = [e.rule for e in validate_package(package).errors]
    assert "FIXITY-HREF" in rules and "FIXITY-CHECKSUM" in rules  # the root METS saw the rep METS change


def test_symbolic_link_out_of_the_package_is_an_error(sip, tmp_path):
    package = _broken(sip, tmp_path)
    outside = tmp_path / "outside.pdf"
    target = package / "representations/rep1/data/0000003-01.pdf"
    shutil.copyfile(target, outside)
    target.unlink()
    target.symlink_to(outside)
    assert [e.rule for e in validate_package(package).errors] == ["FIXITY-HREF"]


def test_percent_encoded_reference_is_followed_but_cannot_escape(sip, tmp_path):
    package = _broken(sip, tmp_path)
    (tmp_path / "broken" / "secret.txt").write_text("bí mật")
    mets = package / "representations/rep1/METS.xml"
    text = mets.read_text(encoding="utf-8")
    (package / "representations/rep1/data/0000002-01.pdf").rename(package / "representations/rep1/data/Tờ trình.pdf")
    text = text.replace('"data/0000002-01.pdf"', '"data/T%E1%BB%9D%20tr%C3%ACnh.pdf"')
    text = text.replace('"data/0000003-01.pdf"', '"data/%2e%2e/%2e%2e/%2e%2e/secret.txt"')
    mets.write_text(text, encoding="utf-8")
    errors = validate_package(package).errors
    assert [(e.rule, e.location) for e in errors if e.location.startswith("representations/rep1/METS.xml")] == [
        ("FIXITY-HREF", "representations/rep1/METS.xml -> data/%2e%2e/%2e%2e/%2e%2e/secret.txt")]


def test_representation_mets_is_checked_against_the_mets_schema(sip, tmp_path):
    package = _broken(sip, tmp_path)
    mets = package / "representations/rep1/METS.xml"
    mets.write_text(mets.read_text(encoding="utf-8").replace('USE="Data"', 'USE="Data" BOGUS="1"'), encoding="utf-8")
    rules = {e.rule for e in validate_package(package).errors}
    assert rules == {"XML-1", "FIXITY-SIZE"}  # the schema error, and the root METS sees the changed size


def test_a_document_without_files_is_refused(tmp_path, sources):
    docs = _documents(sources)
    docs[2] = Document(3, docs[2].fields, ())
    with pytest.raises(MetadataError, match="no file"):
        write_sip(tmp_path / "out", _dossier(), docs)


def test_missing_root_mets_is_an_error(sip, tmp_path):
    package = _broken(sip, tmp_path)
    (package / "METS.xml").unlink()
    report = validate_package(package)
    assert not report.valid and report.errors


def test_zip_entry_leaving_the_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("pkg/METS.xml", "<mets/>")
        zipped.writestr("../evil.txt", "x")
    report = validate_package(archive)
    assert [e.rule for e in report.errors] == ["ZIP-PATH"]
    assert not (tmp_path.parent / "evil.txt").exists()


def test_not_a_package(tmp_path):
    (tmp_path / "note.txt").write_text("không phải gói")
    assert [e.rule for e in validate_package(tmp_path / "note.txt").errors] == ["PACKAGE-PATH"]


# --- offline, and the command ------------------------------------------------------------------

def test_vocabularies_come_from_the_vendored_copies_and_nothing_else():
    assert b"CURRENT" in _local_urlopen("https://earkcsip.dilcis.eu/schema/CSIPVocabularyStatus.xml").read()
    for url in ("https://earkcsip.dilcis.eu/schema/../x.xml", "https://example.org/x.xml",
                "https://earkcsip.dilcis.eu/schema/Nope.xml"):
        with pytest.raises(OfflineError):
            _local_urlopen(url)


def test_validation_runs_with_the_network_cut(sip):
    """A fresh interpreter with sockets disabled imports eark-validator and validates the SIP."""
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network is cut in this test')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from recordsys.preservation.eark.validate import validate_package\n"
        f"r = validate_package({str(sip)!r}); print(r.valid, len(r.errors))\n")
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "True 0", result.stderr


def test_validate_package_command_prints_json(sip, tmp_path):
    result = CliRunner().invoke(validate_package_command, [str(sip), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True and report["errors"] == [] and isinstance(report["warnings"], list)
    broken = _broken(sip, tmp_path)
    (broken / "documentation/danh-muc-tai-lieu.csv").write_text("sửa")
    result = CliRunner().invoke(validate_package_command, [str(broken), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0]["rule"] in ("FIXITY-SIZE", "FIXITY-CHECKSUM")
