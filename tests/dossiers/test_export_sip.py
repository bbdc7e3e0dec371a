"""A real dossier (built through the services) exported as Circular 05 JSON and as an E-ARK SIP
that eark-validator accepts with no error; the Circular 02 XML export still works."""
import datetime as dt
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.services import require_org
from recordsys.dossiers import building
from recordsys.dossiers import circular05 as c05
from recordsys.preservation.eark.validate import validate_package

OFFICE = "000.00.01.H41"
DOSSIER_KEYS = ["fileCode", "title", "maintenance", "mode", "language", "startDate", "endDate", "keyword",
                "totalDoc", "numberOfPage", "confidenceLevel", "riskRecovery", "riskRecoveryStatus"]


@pytest.fixture
def dossier_id(tx, documents):
    with tx() as session:
        org = require_org(session, OFFICE)
        made = building.open_dossier(session, organization=org, year=2026, plan_code="01.TCCB",
                                     title="Hồ sơ giao đất đai phường Lộc Thọ", retention="20", actor="luutru")
        building.add_documents(session, made, documents, "luutru")
        building.set_fields(session, made, {"Keyword": "đất đai, Lộc Thọ", "InforSign": "ĐĐ-01"}, "luutru")
        building.waive(session, made, documents[2], "Bản chụp bản đồ giấy, giữ để tham khảo", "luutru")
        building.close(session, made, "luutru")
        return made.id


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_json_export_has_circular_05_element_names(run, dossier_id):
    result = run("dossier", "export", dossier_id, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [k for k in data if k in DOSSIER_KEYS] == DOSSIER_KEYS  # in the circular's order
    assert data["fileCode"] == "000.00.01.H41.2026.01.TCCB"
    assert data["maintenance"] == "05" and data["mode"] == "01" and data["language"] == ["01"]
    assert data["startDate"] == "10/01/2026" and data["endDate"] == "10/03/2026"
    assert data["keyword"] == ["đất đai", "Lộc Thọ"] and data["inforSign"] == "ĐĐ-01"
    assert data["totalDoc"] == 3 and data["numberOfPage"] == 9 and data["confidenceLevel"] == "01"
    first, *_, last = data["documents"]
    assert first["docId"] == first["docCode"] == "000.00.01.H41.2026.01.TCCB.0000001"
    assert first["typeName"] == "02" and first["codeNumber"] == "15" and first["codeNotation"] == "QĐ-UBND"
    assert first["issuedDate"] == "10/01/2026" and first["organName"] == "UBND tỉnh Khánh Hòa"
    assert first["subject"] == "Quyết định giao đất đai cho hộ gia đình"
    assert first["process"] == "representations/rep1/data/0000001-02.json"
    assert last["description"].startswith("Bản chụp bản đồ")
    assert not any(k[0].isupper() for k in data) and not any(k[0].isupper() for d in data["documents"] for k in d)


def test_xml_export_keeps_circular_02(run, dossier_id):
    root = ET.fromstring(run("dossier", "export", dossier_id, "--format", "xml").stdout_bytes)
    assert root.findtext("FileCode") == "000.00.01.H41.2026.01.TCCB" and root.findtext("TotalDoc") == "3"


def test_sip_folder_validates_with_no_error(run, dossier_id, tmp_path, tx):
    result = run("dossier", "export", dossier_id, "--format", "sip", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "000.00.01.H41.2026.01.TCCB"
    assert result.stdout.strip() == str(folder)
    report = validate_package(folder)
    assert report.valid and report.errors == (), report.errors
    data = sorted(p.name for p in (folder / "representations/rep1/data").iterdir())
    assert data == [f"000000{i}-0{j}.{'pdf' if j == 1 else 'json'}" for i in (1, 2, 3) for j in (1, 2)]
    ead = (folder / "metadata/descriptive/EAD.xml").read_text()
    assert "<fileCode>000.00.01.H41.2026.01.TCCB</fileCode>" in ead and "<keyword>Lộc Thọ</keyword>" in ead
    history = json.loads((folder / "representations/rep1/data/0000001-02.json").read_text())
    assert history["events"][0]["action"] == "document.register"
    with tx() as session:
        event = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "dossier.export")).one()
        assert json.loads(event.payload)["format"] == "sip"


def test_sip_zip_validates(run, dossier_id, tmp_path):
    tmp_path = tmp_path / "zips"
    result = run("dossier", "export", dossier_id, "--format", "sip-zip", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    zipped = tmp_path / "000.00.01.H41.2026.01.TCCB.zip"
    assert zipfile.is_zipfile(zipped) and sorted(p.name for p in tmp_path.iterdir()) == [zipped.name]
    report = validate_package(zipped)
    assert report.valid, report.errors
    again = run("dossier", "export", dossier_id, "--format", "sip-zip", "--out", tmp_path)
    assert again.exit_code == 1 and "already exists" in again.output


def test_sip_needs_out(run, dossier_id):
    assert run("dossier", "export", dossier_id, "--format", "sip").exit_code == 2


def test_dossier_without_documents_is_refused_in_words(run, tx, tmp_path):
    with tx() as session:
        made = building.open_dossier(session, organization=require_org(session, OFFICE), year=2026,
                                     plan_code="02.VP", title="Hồ sơ trống", retention="10", actor="luutru")
        empty = made.id
    result = run("dossier", "export", empty, "--format", "sip", "--out", tmp_path / "x")
    assert result.exit_code == 1 and "startDate" in result.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def _row(**changes):
    base = dict(agency_code=OFFICE, agency_name="Văn phòng UBND tỉnh Khánh Hòa", year=2026, plan_code="05.TH",
                status="closed", retention="vinh_vien", fields={"Title": "Hồ sơ tổng hợp", "Rights": "han_che",
                                                                 "Language": ["vi", "en"], "Format": "hu_hong"},
                documents=(c05.DocumentRow(1, "Công văn đôn đốc", dt.date(2026, 5, 2), type_name="CV",
                                           number_and_symbol="1234/UBND-TH", confidentiality="mat"),
                           c05.DocumentRow(2, "Bản chụp tờ trình", dt.date(2026, 6, 1), type_name="Tờ trình",
                                           flags=("unsigned_internal_scan",), page_count=3)))
    return c05.DossierRow(**{**base, **changes})


def test_mapping_codes():
    record = c05.to_circular05(_row())
    assert record.dossier.maintenance == "01" and record.dossier.mode == "02"
    assert record.dossier.language == ("01", "02") and record.dossier.format == "03"
    assert record.dossier.confidence_level == "03"  # one born-digital, one digitised
    assert record.dossier.start_date == dt.date(2026, 5, 2) and record.dossier.end_date == dt.date(2026, 6, 1)
    (_, first), (_, second) = record.documents
    assert first["typeName"] == "22" and first["mode"] == "03" and first["codeNotation"] == "UBND-TH"
    assert second["typeName"] == "16" and second["mode"] == "02" and second["confidenceLevel"] == "02"
    assert c05.to_circular05(_row(retention="15", fields={"Title": "x"})).dossier.maintenance == "07"


def test_mapping_lists_every_problem():
    with pytest.raises(c05.Circular05Error) as caught:
        c05.to_circular05(_row(fields={"Title": ""}, documents=(c05.DocumentRow(1, "", dt.date(2026, 1, 1)),)))
    text = " ".join(caught.value.problems)
    assert "title" in text and "subject" in text
    with pytest.raises(c05.Circular05Error, match="05.TH/x|notation"):
        c05.to_circular05(_row(plan_code="05/TH"))
