"""`recordsys ingest register` and `scan` end to end: check, store, number or quarantine."""
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.ingest.models import Document, QuarantinedFile

OFFICE = "000.00.01.H41"


@pytest.fixture
def run(settings, demo, verapdf_home, pki, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    monkeypatch.setenv("RECORDSYS_VERAPDF_HOME", str(verapdf_home))

    def invoke(*args):
        return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)

    return invoke


def test_register_prints_the_number_and_refuses_bad_files(run, corpus, pki, tx):
    meta = json.dumps({"subject": "Về việc giao đất đai cho hộ gia đình", "number_and_symbol": "15/QĐ-UBND",
                       "issuer": "UBND tỉnh Khánh Hòa", "issued_date": "2026-03-15"}, ensure_ascii=False)
    first = run("ingest", "register", corpus.valid, "--org", OFFICE, "--direction", "incoming",
                "--metadata", meta, "--trust-root", pki.root_pem)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "1"
    second = run("ingest", "register", corpus.two_signatures, "--org", OFFICE, "--direction", "incoming",
                 "--trust-root", pki.root_pem, "--json")
    assert json.loads(second.stdout)["number"] == 2
    refused = run("ingest", "register", corpus.revoked, "--org", OFFICE, "--direction", "incoming",
                  "--trust-root", pki.root_pem, "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["reasons"] == ["Chứng thư số của Phạm Văn Dũng đã bị thu hồi."]
    third = run("ingest", "register", corpus.valid, "--org", OFFICE, "--direction", "incoming",
                "--trust-root", pki.root_pem)
    assert third.stdout.strip() == "3"  # the refusal took no number
    with tx() as session:
        doc = session.scalar(select(Document).where(Document.number == 1))
        assert doc.number_and_symbol == "15/QĐ-UBND" and doc.issued_date.isoformat() == "2026-03-15"
        assert doc.pdfa_flavour == "2b" and doc.page_count == 1 and "15/Q" in doc.extracted_text
        second_doc = session.scalar(select(Document).where(Document.number == 2))
        assert second_doc.signer == "Nguyễn Văn An, Trần Thị Bình"
        assert second_doc.subject.startswith("Về việc giao đất đai")  # taken from the PDF's title
        assert session.scalar(select(func.count()).select_from(QuarantinedFile)) == 1
        assert audit.verify(session).intact


def test_register_usage_errors(run, corpus):
    unknown = run("ingest", "register", corpus.valid, "--org", "999.99.99.Z99", "--direction", "incoming")
    assert unknown.exit_code == 1 and "Không có cơ quan mã" in unknown.output
    bad_json = run("ingest", "register", corpus.valid, "--org", OFFICE, "--direction", "incoming",
                   "--metadata", "{khong hop le")
    assert bad_json.exit_code == 2 and "not valid JSON" in bad_json.output
    bad_field = run("ingest", "register", corpus.valid, "--org", OFFICE, "--direction", "incoming",
                    "--metadata", '{"issued_date": "15/03/2026"}')
    assert bad_field.exit_code == 1 and "issued_date" in bad_field.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_scan_registers_an_internal_scan_when_the_agency_allows_it(run, tx, tmp_path):
    from recordsys.core.services import require_org
    from tests.common.scans import scanned_page

    with tx() as session:
        org = require_org(session, OFFICE)
        org.settings = {"ingest": {"allow_unsigned_internal": True}}
    tiff = scanned_page(tmp_path / "to-trinh.tiff")
    result = run("ingest", "scan", tiff, "--org", OFFICE, "--json", "--metadata", '{"subject": "Tờ trình số 5"}')
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["accepted"] and out["flags"] == ["unsigned_internal_scan"] and out["register"] == "internal"
    with tx() as session:
        doc = session.get(Document, out["document_id"])
        assert doc.pdfa_flavour == "2b" and doc.delivery_mode == "electronic_and_paper"
