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
