"""E-ARK packages in the archive, end to end through the command line: a real dossier handed over
is kept as a valid AIP in a bag; a DIP is written for a reader and recorded; packages are validated
by `recordsys preservation validate-package`; a SIP from another system is converted to an AIP, and
an invalid one is refused with every problem named and nothing left behind."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.services import require_org
from recordsys.dossiers import building, transfer
from recordsys.preservation.bagcheck import verify_bag
from recordsys.preservation.eark.validate import validate_package
from recordsys.preservation.models import Package, PreservationEvent
from recordsys.storage import LocalFileStorage
from tests.dossiers.conftest import documents  # noqa: F401  (the fixture)

OFFICE = "000.00.01.H41"
CODE = "000.00.01.H41.2026.01.TCCB"


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def dossier_id(tx, documents):  # noqa: F811
    with tx() as session:
        made = building.open_dossier(session, organization=require_org(session, OFFICE), year=2026,
                                     plan_code="01.TCCB", title="Hồ sơ giao đất đai phường Lộc Thọ", retention="20",
                                     actor="luutru")
        building.add_documents(session, made, documents, "luutru")
        building.waive(session, made, documents[2], "Bản chụp bản đồ giấy, giữ để tham khảo", "luutru")
        building.close(session, made, "luutru")
        return made.id


@pytest.fixture
def package_id(tx, settings, dossier_id, tmp_path):
    storage = LocalFileStorage(settings["storage.path"])
    with tx() as session:
        batch = transfer.create_transfer(session, require_org(session, OFFICE), [dossier_id], "vanthu", storage,
                                         tmp_path)
        batch_id = batch.id
    with tx() as session:
        from recordsys.dossiers.models import TransferBatch

        return transfer.accept_transfer(session, settings, session.get(TransferBatch, batch_id), "luutru",
                                        storage)[0]


def _locations(settings):
    return [Path(spec.split("=", 1)[1]) for spec in settings["preservation.locations"].split(";")]


def test_dip_for_a_reader_is_valid_and_recorded(run, package_id, tmp_path, tx):
    out = tmp_path / "dip"
    result = run("preservation", "export", package_id, "--format", "dip", "--out", out, "--purpose", "02",
                 "--requester", "Nguyễn Thị Hương", "--requester-org", "Sở Tư pháp tỉnh Khánh Hòa")
    assert result.exit_code == 0, result.output
    dip = Path(result.stdout.strip())
    assert dip.parent == out and dip.name == f"{CODE}.DIP.{package_id}-1"
    report = validate_package(dip)
    assert report.valid and report.errors == (), report.errors
    request = etree.parse(str(dip / "metadata/descriptive/EAD.xml")).getroot()
    assert request.findtext("purpose") == "02" and request.findtext("requester") == "Nguyễn Thị Hương"
    assert request.findtext("fileCode") == CODE
    data = sorted(p.name for p in (dip / "representations/rep1/data").iterdir())
    assert len(data) == 6 and data[0] == "0000001-01.pdf"
    assert b'USE="copy"' in (dip / "representations/rep1/METS.xml").read_bytes()
    second = run("preservation", "export", package_id, "--format", "dip", "--out", out, "--purpose", "01",
                 "--requester", "Trần Văn Đức")
    assert second.exit_code == 0 and second.stdout.strip().endswith(f".DIP.{package_id}-2")
    with tx() as session:
        events = session.scalars(select(PreservationEvent).where(
            PreservationEvent.event_type == "dissemination")).all()
        assert [(e.detail["purpose"], e.detail["requester"]) for e in events] == [
            ("02", "Nguyễn Thị Hương"), ("01", "Trần Văn Đức")]
        audited = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "package.dip")).all()
        assert len(audited) == 2 and audit.verify(session).intact


def test_dip_needs_a_purpose_and_a_requester(run, package_id, tmp_path):
    assert run("preservation", "export", package_id, "--format", "dip", "--out", tmp_path / "d").exit_code == 2
    bad = run("preservation", "export", package_id, "--format", "dip", "--out", tmp_path / "d", "--purpose", "02",
              "--requester", "  ")
    assert bad.exit_code == 2


def test_stored_aip_is_valid_and_audits_unchanged(run, package_id, settings):
    for location in _locations(settings):
        bag = next(p for p in location.iterdir() if not p.name.startswith("."))
        assert verify_bag(bag).valid
        aip = next((bag / "data").iterdir())
        assert validate_package(aip).valid
        ead = etree.parse(str(aip / "metadata/descriptive/EAD.xml")).getroot()
        assert ead.findtext("arcFileCode") == f"{OFFICE}.{CODE}" and ead.findtext("riskRecoveryStatus") == "01"
    audited = run("preservation", "audit", "--all", "--json")
    assert audited.exit_code == 0, audited.output
    assert all(json.loads(line)["ok"] for line in audited.stdout.splitlines())


def test_validate_package_command(run, dossier_id, tmp_path):
    sip = Path(run("dossier", "export", dossier_id, "--format", "sip", "--out", tmp_path / "sip").stdout.strip())
    good = run("preservation", "validate-package", sip, "--json")
    assert good.exit_code == 0, good.output
    verdict = json.loads(good.stdout)
    assert verdict["valid"] is True and verdict["errors"] == [] and "warnings" in verdict
    (sip / "representations/rep1/data/0000002-01.pdf").write_bytes("%PDF-1.7 sửa đổi".encode())
    bad = run("preservation", "validate-package", sip, "--json")
    assert bad.exit_code == 1
    assert any(e["rule"] == "FIXITY-SIZE" for e in json.loads(bad.stdout)["errors"])


def test_sip_from_another_system_becomes_an_aip(run, dossier_id, tmp_path, tx, settings):
    zipped = Path(run("dossier", "export", dossier_id, "--format", "sip-zip", "--out", tmp_path / "in").stdout.strip())
    result = run("preservation", "import-sip", zipped, "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["imported"] and outcome["identifier"] == CODE
    with tx() as session:
        package = session.get(Package, outcome["package"])
        assert package.source == "import" and len(package.copies) == 2
        assert session.scalar(select(func.count()).select_from(audit.AuditEvent).where(
            audit.AuditEvent.action == "package.import_sip")) == 1
    for location in _locations(settings):
        bag = location / CODE
        assert verify_bag(bag).valid and (bag / "metadata/original-sip.zip").is_file()
        aip = bag / "data" / f"{OFFICE}.{CODE}"
        assert validate_package(aip).valid
        assert b"PREMIS" in (aip / "METS.xml").read_bytes()
        assert len(list((aip / "representations/rep1/data").iterdir())) == 6
    again = run("preservation", "import-sip", zipped)
    assert again.exit_code == 1 and "already kept" in again.output


def test_invalid_sip_is_refused_in_words_and_nothing_is_kept(run, dossier_id, tmp_path, tx, settings):
    sip = Path(run("dossier", "export", dossier_id, "--format", "sip", "--out", tmp_path / "in").stdout.strip())
    (sip / "representations/rep1/data/0000001-01.pdf").write_bytes("%PDF-1.7 bị thay".encode())
    (sip / "schemas" / "mets.xsd").unlink()
    before = {p: sorted(p.iterdir()) if p.exists() else None for p in _locations(settings)}
    result = run("--lang", "en", "preservation", "import-sip", sip)
    assert result.exit_code == 1
    assert "refused" in result.output and "0000001-01.pdf" in result.output and "mets.xsd" in result.output
    in_vietnamese = run("preservation", "import-sip", sip)
    assert in_vietnamese.exit_code == 1 and "bị từ chối" in in_vietnamese.output
    as_json = run("preservation", "import-sip", sip, "--json")
    problems = json.loads(as_json.stdout)["problems"]
    assert as_json.exit_code == 1 and len(problems) >= 2
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Package)) == 0
        refusals = session.scalars(select(audit.AuditEvent).where(
            audit.AuditEvent.action == "package.import_refused")).all()
        assert len(refusals) == 3
    assert {p: sorted(p.iterdir()) if p.exists() else None for p in _locations(settings)} == before
    shutil.rmtree(sip)


# certified copies (bản sao y) ---------------------------------------------------------------------
@pytest.fixture
def signed_package(tx, settings, demo, tmp_path):
    """A closed dossier of the office, kept as an AIP, with two real PDF/A documents: one issued
    (the leader's certification and the office's seal, demo keys) and one unsigned."""
    import datetime as dt

    from recordsys.ingest.registration import register_checked_file
    from recordsys.workflow import signers
    from recordsys.workflow.keys import SignerProvider
    from tests.common.factories import verdict_for
    from tests.common.pdfs import pdfa

    provider = SignerProvider(settings)
    provider.ensure_demo()
    leader = provider.for_user("lanhdao", "Nguyễn Đình Quang", "Chánh Văn phòng")
    seal = provider.for_agency(OFFICE, "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa")
    signed = signers.sign(pdfa(tmp_path / "du-thao.pdf"), tmp_path / "da-ky.pdf", leader)
    issued = signers.certify_issue(signed, "15/QĐ-VP", dt.date(2026, 3, 5), seal, target=tmp_path / "ban-hanh.pdf")
    plain = pdfa(tmp_path / "to-trinh.pdf", ["Tờ trình về việc giao đất", "phường Lộc Thọ"])
    storage = LocalFileStorage(settings["storage.path"])
    ids = []
    for path, subject in ((issued, "Quyết định giao đất đai"), (plain, "Tờ trình về việc giao đất")):
        with tx() as session:
            ids.append(register_checked_file(
                session, storage=storage, path=path, verdict=verdict_for(path),
                organization=require_org(session, OFFICE), direction="outgoing", actor="vanthu",
                extracted={"page_count": 1},
                metadata={"subject": subject, "number_and_symbol": "15/QĐ-VP", "issued_date": "2026-03-05",
                          "type_name": "Quyết định", "issuer": "Văn phòng UBND tỉnh Khánh Hòa"}).document_id)
    with tx() as session:
        made = building.open_dossier(session, organization=require_org(session, OFFICE), year=2026,
                                     plan_code="01.TCCB", title="Hồ sơ giao đất đai phường Lộc Thọ", retention="20",
                                     actor="luutru")
        building.add_documents(session, made, ids, "luutru")
        building.close(session, made, "luutru")
        batch = transfer.create_transfer(session, require_org(session, OFFICE), [made.id], "vanthu", storage, tmp_path)
        batch_id = batch.id
    with tx() as session:
        from recordsys.dossiers.models import TransferBatch

        return transfer.accept_transfer(session, settings, session.get(TransferBatch, batch_id), "luutru", storage)[0]


def test_certified_copies_carry_the_agency_signature_and_pass_our_check(run, signed_package, tmp_path, tx,
                                                                      verapdf_home, monkeypatch):
    monkeypatch.setenv("RECORDSYS_VERAPDF_HOME", str(verapdf_home))
    result = run("preservation", "export", signed_package, "--format", "dip", "--out", tmp_path / "dip",
                 "--purpose", "02", "--requester", "Nguyễn Thị Hương", "--certified")
    assert result.exit_code == 0, result.output
    dip = Path(result.stdout.strip())
    report = validate_package(dip)
    assert report.valid and report.errors == (), report.errors
    copies = sorted((dip / "representations/rep1/data").glob("*.pdf"))  # beside the processing histories
    assert [p.name for p in copies] == ["0000001-01.pdf", "0000002-01.pdf"]
    assert b'USE="copy"' in (dip / "representations/rep1/METS.xml").read_bytes()
    checked = run("ingest", "check", "--json", "--direction", "incoming", *copies)
    verdicts = [json.loads(line) for line in checked.stdout.splitlines()]
    assert checked.exit_code == 0, checked.output
    office = "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa"
    issued, plain = verdicts
    assert all(v["accepted"] and v["signature"]["status"] == "valid" for v in verdicts), verdicts
    # the issued original keeps its two signatures; the office's copy signature comes last
    assert [s["signer"] for s in issued["signature"]["signatures"]] == ["Nguyễn Đình Quang", office, office]
    assert [s["signer"] for s in plain["signature"]["signatures"]] == [office]
    assert [s["field"] for s in plain["signature"]["signatures"]] == ["ChuKySaoY"]
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(copies[1], "rb") as handle:  # the unsigned original: the visible marking at the top right
        sig = PdfFileReader(handle).embedded_signatures[-1]
        assert sig.sig_object["/Reason"].startswith("SAO Y — " + office)
        widget = sig.sig_field
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        assert x1 > 400 and y1 > 780 and x1 - x0 > 100
    with open(copies[0], "rb") as handle:  # the certified original: invisible, marked in the reason
        sig = PdfFileReader(handle).embedded_signatures[-1]
        assert "SAO Y" in sig.sig_object["/Reason"] and "/SY" in sig.sig_object["/Reason"]
    with tx() as session:
        event = session.scalars(select(PreservationEvent).where(
            PreservationEvent.event_type == "dissemination")).one()
        assert event.detail["certified"] == {"signer": office, "copies": 2}
        done = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "package.dip")).one()
        assert json.loads(done.payload)["certified"] is True


def test_certified_copy_of_a_file_that_is_no_pdf_is_refused_and_nothing_written(run, package_id, tmp_path, tx):
    """The demo dossier's files are not real PDFs: no certified copy, no DIP, no record."""
    out = tmp_path / "dip"
    result = run("--lang", "en", "preservation", "export", package_id, "--format", "dip", "--out", out,
                 "--purpose", "01", "--requester", "Trần Văn Đức", "--certified")
    assert result.exit_code == 1 and "No certified copy was made" in result.output
    assert not out.exists() or list(out.iterdir()) == []
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(PreservationEvent).where(
            PreservationEvent.event_type == "dissemination")) == 0
    assert run("preservation", "export", package_id, "--format", "zip", "--out", out, "--certified").exit_code == 2
