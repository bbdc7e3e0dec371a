"""Dossiers end to end through `recordsys dossier`: open, add, close (refused, then allowed),
immutability with an audited refusal, export, hand-over into archival packages, disposition."""
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.services import require_org
from recordsys.preservation.bagcheck import verify_bag
from recordsys.preservation.eark.validate import validate_package

OFFICE = "000.00.01.H41"


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_dossier_life(run, documents, tx, tmp_path, settings):
    created = run("dossier", "create", "--org", OFFICE, "--year", 2026, "--plan-code", "01.TCCB",
                  "--title", "Hồ sơ giao đất đai phường Lộc Thọ", "--retention", "20")
    assert created.exit_code == 0, created.output
    dossier_id = int(created.stdout.strip())
    assert run("dossier", "add", dossier_id, *documents).exit_code == 0
    bad = run("dossier", "describe", dossier_id, "--set", "Rights=bi_mat", "--set", "Mau=do")
    assert bad.exit_code == 1 and "Rights" in bad.output and "Mau" in bad.output
    assert run("dossier", "describe", dossier_id, "--set", "Keyword=đất đai").exit_code == 0
    wrong = run("dossier", "describe", dossier_id, "--set", "maintenance=99", "--set", "keyword=giao đất")
    assert wrong.exit_code == 1 and "maintenance" in wrong.output
    described = run("dossier", "describe", dossier_id, "--set", "maintenance=05", "--set", "language=01,02",
                    "--set", "keyword=giao đất; Lộc Thọ")
    assert described.exit_code == 0, described.output
    exported = run("dossier", "export", dossier_id, "--format", "json")
    record = json.loads(exported.stdout)
    assert record["maintenance"] == "05" and record["language"] == ["01", "02"]
    assert "giao đất" in record["keyword"] and "Lộc Thọ" in record["keyword"]

    refused = run("dossier", "close", dossier_id)
    assert refused.exit_code == 1 and "document 3 is not PDF/A" in refused.output
    assert run("dossier", "waive", dossier_id, documents[2], "--reason",
               "Bản chụp bản đồ giấy, giữ nguyên để tham khảo").exit_code == 0
    closed = run("dossier", "close", dossier_id)
    assert closed.exit_code == 0, closed.output

    for args in (("add", dossier_id, documents[0]), ("describe", dossier_id, "--set", "Keyword=x"),
                 ("close", dossier_id)):
        result = run("dossier", *args)
        assert result.exit_code == 1 and "không được sửa đổi" in result.output
    with tx() as session:
        refusals = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "dossier.refused")).all()
        assert len(refusals) == 3 and audit.verify(session).intact

    xml = run("dossier", "export", dossier_id, "--format", "xml")
    root = ET.fromstring(xml.stdout_bytes)
    assert root.findtext("FileCode") == "000.00.01.H41.2026.01.TCCB"
    assert root.findtext("StartDate") == "2026-01-10" and root.findtext("EndDate") == "2026-03-10"
    assert root.findtext("TotalDoc") == "3" and root.findtext("PageNumber") == "9"
    docs = root.findall("VanBan")
    assert [d.findtext("DocCode") for d in docs] == [f"000.00.01.H41.2026.01.TCCB.000000{i}" for i in (1, 2, 3)]
    assert docs[0].findtext("CodeNumber") == "15" and docs[0].findtext("CodeNotation") == "QĐ-UBND"
    out = tmp_path / "xuat"
    assert run("dossier", "export", dossier_id, "--format", "json", "--out", out).exit_code == 0
    assert json.loads((out / "ho-so.json").read_text())["keyword"] == ["giao đất", "Lộc Thọ"]  # Circular 05 entries win
    exported = sorted(p.name for p in (out / "van-ban").iterdir())
    assert exported == [f"{i + 1:03d}-{doc}.pdf" for i, doc in enumerate(documents)]  # our ids, never labels

    batch = run("dossier", "transfer", "--org", OFFICE, dossier_id)
    assert batch.exit_code == 0, batch.output
    from tests.common.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    for side, who in (("giver", "good"), ("receiver", "second")):
        party = pki.signers[who]
        signed = run("dossier", "sign-handover", batch.stdout.strip(), "--side", side, "--key", party.key_path,
                     "--cert", party.cert_path, "--chain", pki.intermediate.cert_path, "--chain", pki.root_pem)
        assert signed.exit_code == 0, signed.output
    accepted = run("dossier", "accept", batch.stdout.strip())
    assert accepted.exit_code == 0, accepted.output
    for location in settings["preservation.locations"].split(";"):
        bag = Path(location.split("=", 1)[1]) / "000.00.01.H41.2026.01.TCCB"
        report = verify_bag(bag)
        aip = bag / "data" / "000.00.01.H41.000.00.01.H41.2026.01.TCCB"  # the agency's own archive in front
        assert report.valid and [p.name for p in (bag / "data").iterdir()] == [aip.name]
        assert sorted(p.name for p in (aip / "representations/rep1/data").iterdir()) == [
            f"000000{i}-0{j}.{'pdf' if j == 1 else 'json'}" for i in (1, 2, 3) for j in (1, 2)]
        assert validate_package(aip).valid and (aip / "metadata/preservation/PREMIS.xml").exists()
        assert (bag / "metadata" / "dossier.xml").exists()
        from recordsys.ingest import signatures

        record = signatures.validate((bag / "metadata" / "handover-record.pdf").read_bytes(),
                                     signatures.load_trust_roots([pki.root_pem]))
        assert record.status == "valid" and len(record.signatures) == 2  # signed by both sides
    listing = [json.loads(line) for line in run("dossier", "list", "--json").stdout.splitlines()]
    assert listing[0]["status"] == "transferred" and listing[0]["due_date"] == "2047-01-01"


def test_open_rules(run):
    dup_args = ("dossier", "create", "--org", OFFICE, "--year", 2026, "--plan-code", "02.VP", "--title", "Hồ sơ A",
                "--retention", "10")
    assert run(*dup_args).exit_code == 0
    again = run(*dup_args)
    assert again.exit_code == 1 and "đã được mở" in again.output
    bad = run("dossier", "create", "--org", OFFICE, "--plan-code", "03", "--title", "B", "--retention", "99")
    assert bad.exit_code == 1 and "không phải là thời hạn bảo quản" in bad.output


def test_disposition_flow(tx, documents):
    from recordsys.dossiers import building, disposition, services
    from recordsys.dossiers.models import Dossier

    with tx() as session:
        org = require_org(session, OFFICE)
        made = building.open_dossier(session, organization=org, year=2020, plan_code="09.HC", title="Hồ sơ hết hạn",
                                     retention="2", actor="luutru")
        building.add_documents(session, made, documents[:1], "luutru")
        building.close(session, made, "luutru")
        made.due_date = dt.date(2023, 1, 1)
        kept = building.open_dossier(session, organization=org, year=2020, plan_code="10.HC", title="Hồ sơ vĩnh viễn",
                                     retention="vinh_vien", actor="luutru")
        building.add_documents(session, kept, documents[1:2], "luutru")
        building.close(session, kept, "luutru")
        assert kept.due_date is None
        batch = disposition.propose_disposition(session, org, dt.date(2026, 6, 1), "luutru")
        assert batch.dossier_ids == [made.id]
        with pytest.raises(services.DossierError, match="Only the role archivist may"):
            disposition.disposition_action(session, batch, "appraise", {"clerk"}, "vanthu")
        disposition.disposition_action(session, batch, "appraise", {"archivist"}, "luutru", "Hội đồng đã thẩm định")
        disposition.disposition_action(session, batch, "approve", {"leader"}, "lanhdao")
        disposition.disposition_action(session, batch, "destroy", {"archivist"}, "luutru")
        assert session.get(Dossier, made.id).status == "destroyed" and "Biên bản hủy" in batch.destroyed_record
        assert session.get(Dossier, kept.id).status == "closed"


def test_disposition_commands(run, documents):
    created = run("dossier", "create", "--org", OFFICE, "--year", 2020, "--plan-code", "09.HC", "--title",
                  "Hồ sơ hội nghị 2020", "--retention", "2")
    dossier_id = created.stdout.strip()
    run("dossier", "add", dossier_id, documents[1], documents[0])
    assert run("dossier", "reorder", dossier_id, documents[0], documents[1]).exit_code == 0
    assert run("dossier", "close", dossier_id).exit_code == 0
    assert run("dossier", "hold", dossier_id, "--reason", "Đang thanh tra").exit_code == 0
    nothing = run("dossier", "disposition", "propose", "--org", OFFICE, "--today", "2099-01-01")
    assert nothing.exit_code == 1 and "Không có hồ sơ nào đến hạn hủy" in nothing.output
    assert run("dossier", "hold", dossier_id).exit_code == 0
    batch = run("dossier", "disposition", "propose", "--org", OFFICE, "--today", "2099-01-01").stdout.strip()
    wrong = run("dossier", "disposition", "step", batch, "approve", "--as", "luutru")
    assert wrong.exit_code == 1 and "không thể approve" in wrong.output
    assert run("dossier", "disposition", "step", batch, "appraise", "--as", "luutru").stdout.strip() == "appraised"
    assert run("dossier", "disposition", "step", batch, "approve", "--as", "lanhdao").stdout.strip() == "approved"
    assert run("dossier", "disposition", "step", batch, "destroy", "--as", "luutru").stdout.strip() == "destroyed"


def test_plan(run):
    assert run("dossier", "plan", "add", "--org", OFFICE, "--year", 2026, "--code", "01.TCCB", "--title",
               "Hồ sơ tuyển dụng công chức", "--retention", "vinh_vien", "--unit", "Phòng Tổ chức").exit_code == 0
    dup = run("dossier", "plan", "add", "--org", OFFICE, "--year", 2026, "--code", "01.TCCB", "--title", "x",
              "--retention", "10")
    assert dup.exit_code == 1 and "đã có" in dup.output
    rows = [json.loads(x) for x in run("dossier", "plan", "list", "--org", OFFICE, "--year", 2026, "--json").stdout.splitlines()]
    assert rows == [{"code": "01.TCCB", "title": "Hồ sơ tuyển dụng công chức", "retention": "vinh_vien",
                     "unit": "Phòng Tổ chức", "person": None, "dossier": None}]
    opened = run("dossier", "create", "--org", OFFICE, "--year", 2026, "--plan-code", "01.TCCB", "--title",
                 "Hồ sơ tuyển dụng công chức", "--retention", "vinh_vien")
    rows = [json.loads(x) for x in run("dossier", "plan", "list", "--org", OFFICE, "--year", 2026, "--json").stdout.splitlines()]
    assert rows[0]["dossier"] == int(opened.stdout.strip())
