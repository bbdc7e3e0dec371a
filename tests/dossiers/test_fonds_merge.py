"""Fonds as a table (Circular 05 fields, open/closed, successor) and agency mergers: preview
changes nothing, apply closes the fonds, names the successor, moves open work, one audited batch;
conflicts refuse the merger."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import audit
from recordsys.core.services import require_org
from recordsys.dossiers import building
from recordsys.dossiers.fonds import merge_plan
from recordsys.dossiers.models import Dossier, DossierPlanEntry, Fonds

OFFICE, HOME_AFFAIRS = "000.00.01.H41", "000.00.31.H41"
YEAR = dt.date.today().year


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def work(tx, documents):
    with tx() as session:
        org = require_org(session, OFFICE)
        done = building.open_dossier(session, organization=org, year=YEAR, plan_code="01.VP", retention="10",
                                     title="Hồ sơ hội nghị tổng kết", actor="luutru")
        building.add_documents(session, done, documents[:1], "luutru")
        building.close(session, done, "luutru")
        going = building.open_dossier(session, organization=org, year=YEAR, plan_code="02.VP", retention="20",
                                      title="Hồ sơ sắp xếp đơn vị hành chính cấp xã", actor="luutru")
        building.add_documents(session, going, documents[1:2], "luutru")
        building.add_plan_entry(session, organization=org, year=YEAR, code="03.VP", retention="10",
                                title="Hồ sơ tiếp công dân", actor="luutru")
        building.add_plan_entry(session, organization=org, year=2020, code="09.VP", retention="10",
                                title="Hồ sơ năm cũ chưa lập", actor="luutru")
        return {"done": done.id, "going": going.id}


def test_merge_plan_is_pure():
    plan = merge_plan("A", "B", "FA", "FB", [(1, 2026, "01", "x", "closed"), (2, 2026, "02", "y", "open")],
                      [(7, 2026, "02", "y", True), (8, 2026, "03", "z", False), (9, 2020, "04", "w", False)],
                      {(2026, "03")}, 2026)
    assert [(m.kind, m.id) for m in plan.moves] == [("dossier", 2), ("plan", 8)] and plan.stays == 1
    assert plan.moves[0].new_code == "B.2026.02" and plan.conflicts == ("plan line 2026 03 is already in B's plan",)


def test_preview_changes_nothing(run, work, tx):
    result = run("org", "merge", "--from", OFFICE, "--into", HOME_AFFAIRS, "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["applied"] is False and plan["stays"] == 1 and plan["conflicts"] == []
    assert [(m["kind"], m["code"]) for m in plan["moves"]] == [("dossier", "02.VP"), ("plan", "03.VP")]
    assert plan["moves"][0]["new_code"] == f"000.00.31.H41.{YEAR}.02.VP"
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Fonds)) == 0
        assert session.get(Dossier, work["going"]).organization.code == OFFICE


def test_apply_closes_the_fonds_and_moves_open_work(run, work, tx):
    result = run("org", "merge", "--from", OFFICE, "--into", HOME_AFFAIRS, "--apply")
    assert result.exit_code == 0, result.output
    assert "Đã thực hiện" in result.output and "02.VP" in result.output
    with tx() as session:
        closed = session.scalar(select(Fonds).where(Fonds.code == "H41-02"))
        assert closed.status == "closed" and closed.successor.code == "H41-31" and closed.closed_by == "cli"
        going, done = session.get(Dossier, work["going"]), session.get(Dossier, work["done"])
        assert going.organization.code == HOME_AFFAIRS and going.archival_code == f"000.00.31.H41.{YEAR}.02.VP"
        assert going.fields["FileCode"] == going.archival_code and going.status == "open"
        assert done.organization.code == OFFICE and done.archival_code == f"000.00.01.H41.{YEAR}.01.VP"
        lines = {(e.year, e.code): e.organization_id for e in session.scalars(select(DossierPlanEntry))}
        target_id = require_org(session, HOME_AFFAIRS).id
        assert lines[(YEAR, "03.VP")] == target_id and lines[(YEAR, "02.VP")] == target_id
        assert lines[(2020, "09.VP")] == require_org(session, OFFICE).id
        merge = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "org.merge")).one()
        assert len(json.loads(merge.payload)["moves"]) == 2 and audit.verify(session).intact
    refused = run("dossier", "create", "--org", OFFICE, "--year", YEAR, "--plan-code", "04.VP", "--title", "Mới",
                  "--retention", "10")
    assert refused.exit_code == 1 and "đã đóng" in refused.output
    shown = json.loads(run("dossier", "fonds", "--org", OFFICE, "--json").stdout)
    assert shown["fondsCode"] == "H41-02" and shown["fondsStatus"] == "01" and shown["successor"] == "H41-31"
    assert shown["totalFile"] == 1 and shown["language"] == ["01"]
    again = run("org", "merge", "--from", OFFICE, "--into", HOME_AFFAIRS, "--apply")
    assert again.exit_code == 1 and "đã đóng" in again.output


def test_conflict_refuses_the_merger(run, work, tx):
    with tx() as session:
        building.add_plan_entry(session, organization=require_org(session, HOME_AFFAIRS), year=YEAR, code="02.VP",
                                retention="10", title="Trùng số ký hiệu", actor="luutru")
    result = run("org", "merge", "--from", OFFICE, "--into", HOME_AFFAIRS, "--apply")
    assert result.exit_code == 1 and "02.VP" in result.output
    with tx() as session:
        assert session.get(Dossier, work["going"]).organization.code == OFFICE
        assert session.scalar(select(func.count()).select_from(Fonds).where(Fonds.status == "closed")) == 0


# the 2025 reorganisation: two communes merged, a district dissolved ------------------------------
LOC_THO, CAM_HAI_DONG = "000.01.41.H41", "000.01.42.H41"  # the merged commune goes into Lộc Thọ
CAM_LAM, PROVINCE = "000.00.42.H41", "000.00.00.H41"  # the dissolved district's open work: the province


def _register(tx, settings, tmp_path, org_code, subject, symbol, issued):
    from recordsys.ingest.registration import register_checked_file
    from recordsys.storage import LocalFileStorage
    from tests.common.factories import verdict_for

    path = tmp_path / f"{org_code}-{symbol.replace('/', '_')}.pdf"
    path.write_bytes(b"%PDF-1.7 " + subject.encode())
    with tx() as session:
        return register_checked_file(
            session, storage=LocalFileStorage(settings["storage.path"]), path=path, verdict=verdict_for(path),
            organization=require_org(session, org_code), direction="incoming", actor="vanthu",
            extracted={"page_count": 2}, metadata={"subject": subject, "number_and_symbol": symbol,
                                                   "issued_date": issued, "type_name": "Công văn",
                                                   "issuer": "UBND tỉnh Khánh Hòa"}).document_id


@pytest.fixture
def reorganisation(tx, settings, demo, tmp_path):
    """Cam Hải Đông: a closed dossier and an open one; Cam Lâm district: an open dossier."""
    docs = {name: _register(tx, settings, tmp_path, org, subject, symbol, f"{YEAR}-03-0{i + 1}")
            for i, (name, org, subject, symbol) in enumerate([
                ("closed", CAM_HAI_DONG, "Báo cáo tổng kết năm", "12/BC-UBND"),
                ("open", CAM_HAI_DONG, "Đề án sắp xếp đơn vị hành chính", "15/ĐA-UBND"),
                ("district", CAM_LAM, "Kế hoạch bàn giao hồ sơ khi giải thể", "30/KH-UBND")])}
    ids = {}
    with tx() as session:
        commune, district = require_org(session, CAM_HAI_DONG), require_org(session, CAM_LAM)
        done = building.open_dossier(session, organization=commune, year=YEAR, plan_code="01.VP", retention="10",
                                     title="Hồ sơ tổng kết năm", actor="luutru")
        building.add_documents(session, done, [docs["closed"]], "luutru")
        building.close(session, done, "luutru")
        going = building.open_dossier(session, organization=commune, year=YEAR, plan_code="02.VP", retention="20",
                                      title="Hồ sơ sắp xếp đơn vị hành chính", actor="luutru")
        building.add_documents(session, going, [docs["open"]], "luutru")
        work = building.open_dossier(session, organization=district, year=YEAR, plan_code="05.TH", retention="20",
                                     title="Hồ sơ giải thể huyện Cam Lâm", actor="luutru")
        building.add_documents(session, work, [docs["district"]], "luutru")
        ids = {"done": done.id, "going": going.id, "district": work.id}
    with tx() as session:
        from recordsys.ingest.models import Document

        numbers = {k: (d.organization_id, d.register_id, d.number, d.year, d.number_and_symbol)
                   for k, d in ((k, session.get(Document, v)) for k, v in docs.items())}
    return ids, docs, numbers


def test_two_communes_merge_and_a_district_is_dissolved(run, reorganisation, tx):
    from recordsys.dossiers.models import AlternativeIdentifier
    from recordsys.ingest.models import Document

    ids, docs, numbers = reorganisation
    old_going, old_district = f"{CAM_HAI_DONG}.{YEAR}.02.VP", f"{CAM_LAM}.{YEAR}.05.TH"
    new_going, new_district = f"{LOC_THO}.{YEAR}.02.VP", f"{PROVINCE}.{YEAR}.05.TH"
    # preview first: the plan, and nothing changed
    for source, target, moved in ((CAM_HAI_DONG, LOC_THO, new_going), (CAM_LAM, PROVINCE, new_district)):
        preview = run("org", "merge", "--from", source, "--into", target, "--json")
        assert preview.exit_code == 0, preview.output
        plan = json.loads(preview.stdout)
        assert plan["applied"] is False and plan["conflicts"] == []
        assert [m["new_code"] for m in plan["moves"] if m["kind"] == "dossier"] == [moved]
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(AlternativeIdentifier)) == 0
        assert session.get(Dossier, ids["going"]).archival_code == old_going
    # apply: the commune into Lộc Thọ, the district's open work to the province
    for source, target in ((CAM_HAI_DONG, LOC_THO), (CAM_LAM, PROVINCE)):
        applied = run("org", "merge", "--from", source, "--into", target, "--apply", "--json")
        assert applied.exit_code == 0, applied.output
        assert json.loads(applied.stdout)["applied"] is True
    with tx() as session:
        going, done, work = (session.get(Dossier, ids[k]) for k in ("going", "done", "district"))
        assert (going.organization.code, going.archival_code, going.status) == (LOC_THO, new_going, "open")
        assert (work.organization.code, work.archival_code) == (PROVINCE, new_district)
        # the closed dossier stays in the closed fonds of its agency, with its code
        assert (done.organization.code, done.archival_code) == (CAM_HAI_DONG, f"{CAM_HAI_DONG}.{YEAR}.01.VP")
        former = {(a.kind, a.object_id, a.value) for a in session.scalars(
            select(AlternativeIdentifier).where(AlternativeIdentifier.scheme == "merger"))}
        assert former == {("dossier", ids["going"], old_going), ("document", docs["open"], f"{old_going}.0000001"),
                          ("dossier", ids["district"], old_district),
                          ("document", docs["district"], f"{old_district}.0000001")}
        # nothing already issued is renumbered: each document keeps its agency, register and number
        assert {k: (d.organization_id, d.register_id, d.number, d.year, d.number_and_symbol)
                for k, d in ((k, session.get(Document, v)) for k, v in docs.items())} == numbers
        fonds = {f.code: f for f in session.scalars(select(Fonds))}
        assert fonds["H41-42-01"].status == "closed" and fonds["H41-42-01"].successor.code == "H41-41-01"
        assert fonds["H41-42"].status == "closed" and fonds["H41-42"].successor.code == "H41-01"
        merges = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "org.merge")).all()
        assert [m.organization_code for m in merges] == [CAM_HAI_DONG, CAM_LAM]
        moved = session.scalars(select(audit.AuditEvent).where(audit.AuditEvent.action == "dossier.moved")).all()
        assert sorted(json.loads(m.payload)["old_code"] for m in moved) == sorted([old_going, old_district])
        assert audit.verify(session).intact
    # still readable under the original agency and code
    for code, dossier_id, agency, scheme in ((old_going, ids["going"], LOC_THO, "merger"),
                                             (old_district, ids["district"], PROVINCE, "merger"),
                                             (f"{CAM_HAI_DONG}.{YEAR}.01.VP", ids["done"], CAM_HAI_DONG,
                                              "archival_code")):
        found = run("dossier", "find", code, "--json")
        assert found.exit_code == 0, found.output
        row = json.loads(found.stdout)
        assert (row["id"], row["organization"], row["found_by"]) == (dossier_id, agency, scheme)
    assert {"scheme": "merger", "code": old_going} in json.loads(run("dossier", "find", new_going, "--json").stdout)[
        "former_codes"]
    exported = json.loads(run("dossier", "export", ids["going"], "--format", "json").stdout)
    assert exported["fileCode"] == new_going
    missing = run("--lang", "en", "dossier", "find", f"{CAM_HAI_DONG}.{YEAR}.99.VP")
    assert missing.exit_code == 1 and "No dossier has or had the code" in missing.output


def test_the_demo_province_has_two_levels_after_the_reorganisation(settings):
    """`recordsys demo`: the province and its communes; the dissolved city and district keep closed
    fonds naming the province; the merged ward's fonds names the new ward; its open dossier moved."""
    from recordsys.dossiers.demo import CITY, DISTRICT, MERGED_WARD, NEW_WARD

    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)

    def run(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    seeded = run("demo")
    assert seeded.exit_code == 0, seeded.output
    assert "Sắp xếp đơn vị hành chính năm 2025" in seeded.output
    orgs = {r["code"]: r for r in map(json.loads, run("org", "list", "--json").stdout.splitlines())}
    communes = [r for r in orgs.values() if r["level"] == "commune"]
    assert {r["parent"] for r in communes} == {PROVINCE} and NEW_WARD[0] in {r["code"] for r in communes}
    for code, successor in ((CITY, "H41-01"), (DISTRICT, "H41-01"), (MERGED_WARD, NEW_WARD[5])):
        fonds = json.loads(run("dossier", "fonds", "--org", code, "--json").stdout)
        assert (fonds["fondsStatus"], fonds["successor"]) == ("01", successor), code
    assert json.loads(run("dossier", "fonds", "--org", NEW_WARD[0], "--json").stdout)["fondsStatus"] == "02"
    moved = json.loads(run("dossier", "find", f"{MERGED_WARD}.{YEAR}.01.VP", "--json").stdout)
    assert moved["organization"] == NEW_WARD[0] and moved["archival_code"] == f"{NEW_WARD[0]}.{YEAR}.01.VP"
    at_province = json.loads(run("dossier", "find", f"{CITY}.{YEAR}.01.TH", "--json").stdout)
    assert at_province["organization"] == PROVINCE and at_province["found_by"] == "merger"
    refused = run("dossier", "create", "--org", DISTRICT, "--year", YEAR, "--plan-code", "03.TH", "--title", "Mới",
                  "--retention", "10")
    assert refused.exit_code == 1 and "đã đóng" in refused.output
    verify = run("audit", "verify", "--json")
    assert verify.exit_code == 0 and json.loads(verify.stdout)["intact"] is True
