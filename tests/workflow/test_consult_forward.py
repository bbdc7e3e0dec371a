"""Consultation (xin ý kiến) and forwarding within the unit for incoming documents, and the
approval chain's forward step for drafts: through `recordsys workflow` / `recordsys outgoing`
and the JSON API, with refusals that give a reason and change nothing."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import services as core
from recordsys.core.models import AuditEvent
from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage.local import LocalFileStorage
from recordsys.workflow import services
from recordsys.workflow.models import Assignment
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNITS = {"chuyenvien": "TH", "luutru": "TH", "kiemtra": "KT", "phochanh": "LĐ"}


@pytest.fixture
def office(tx, demo):
    """The demo office with units and a deputy leader (phochanh) who can decide in lanhdao's place."""
    with tx() as s:
        org = require_org(s, OFFICE)
        services.set_workflow_settings(s, org, {"units": UNITS}, actor="test")
        deputy = core.create_user(s, username="phochanh", full_name="Hồ Thị Mai", password="phochanh-2026-xx")
        core.grant_role(s, deputy, org, "leader")
    return OFFICE


@pytest.fixture
def run(settings, office):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, ["--lang", "en", *[str(a) for a in args]], catch_exceptions=False)


@pytest.fixture
def incoming(tx, settings, tmp_path, office):
    pdf = plain_pdf(tmp_path / "cong-van-den.pdf")
    with tx() as s:
        result = register_checked_file(
            s, storage=LocalFileStorage(settings["storage.path"]), path=pdf,
            verdict={"accepted": True, "signature": {"status": "valid", "signatures": []}},
            organization=require_org(s, OFFICE), direction="incoming", actor="vanthu",
            metadata={"subject": "Đề nghị góp ý dự thảo quy hoạch sử dụng đất", "number_and_symbol": "77/STNMT-QLĐĐ"},
            extracted={"text": ""})
    return result.document_id


def _snapshot(tx, document_id):
    with tx() as s:
        a = s.scalar(select(Assignment).where(Assignment.document_id == document_id))
        return (a.state, a.main_handler, a.consultations, a.forwards,
                s.scalar(select(func.count()).select_from(AuditEvent)))


def _assign(run, document_id):
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    done = run("workflow", "assign", document_id, "--to", "chuyenvien", "--deadline", deadline, "--as", "lanhdao")
    assert done.exit_code == 0, done.output


def test_consult_answer_then_done(run, incoming, tx):
    _assign(run, incoming)
    before = _snapshot(tx, incoming)
    not_handler = run("workflow", "consult", incoming, "--to", "kiemtra", "--question", "?", "--as", "luutru")
    assert not_handler.exit_code == 1 and "main handler" in not_handler.output
    nobody = run("workflow", "consult", incoming, "--to", "kiemtra", "--to", "khongco", "--question", "Ý kiến?",
                 "--as", "chuyenvien")
    assert nobody.exit_code == 1 and "khongco" in nobody.output
    outsider = run("workflow", "consult", incoming, "--to", "quantri", "--question", "Ý kiến?", "--as", "chuyenvien")
    assert outsider.exit_code == 1 and "colleagues of the agency" in outsider.output
    empty = run("workflow", "consult", incoming, "--to", "kiemtra", "--question", "  ", "--as", "chuyenvien")
    assert empty.exit_code == 1 and "question is empty" in empty.output
    assert _snapshot(tx, incoming) == before  # each refusal changed nothing, not even half of a request

    asked = run("workflow", "consult", incoming, "--to", "kiemtra", "--to", "luutru",
                "--question", "Đề nghị cho ý kiến về số liệu diện tích đất", "--as", "chuyenvien", "--json")
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.stdout)
    assert data["state"] == "processing"
    assert [(c["number"], c["to"], c["state"]) for c in data["consultations"]] == [
        (1, "kiemtra", "pending"), (2, "luutru", "pending")]

    wrong = run("workflow", "answer", incoming, "--number", 1, "--text", "Đồng ý", "--as", "luutru")
    assert wrong.exit_code == 1 and "not addressed to you" in wrong.output
    bad_number = run("workflow", "answer", incoming, "--number", "x1", "--text", "Đồng ý", "--as", "kiemtra")
    assert bad_number.exit_code != 0 and "number" in bad_number.output
    answered = run("workflow", "answer", incoming, "--number", 1, "--text", "Thống nhất số liệu 120 ha",
                   "--as", "kiemtra", "--json")
    assert answered.exit_code == 0, answered.output
    states = [c["state"] for c in json.loads(answered.stdout)["consultations"]]
    assert states == ["answered", "pending"]
    twice = run("workflow", "answer", incoming, "--number", 1, "--text", "Lại", "--as", "kiemtra")
    assert twice.exit_code == 1 and "already answered" in twice.output

    early = run("workflow", "done", incoming, "--result", "Xong", "--as", "chuyenvien")
    assert early.exit_code == 1 and "unanswered (number 2)" in early.output
    assert run("workflow", "answer", incoming, "--number", 2, "--text", "Không có ý kiến khác",
               "--as", "luutru").exit_code == 0
    assert run("workflow", "done", incoming, "--result", "Đã góp ý bằng văn bản",
               "--as", "chuyenvien").exit_code == 0
    with tx() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(incoming),
                                                            AuditEvent.object_type == "document")).all()
    assert actions.count("incoming.consult") == 1 and actions.count("incoming.answer") == 2


def test_forward_only_within_the_unit(run, incoming, tx):
    _assign(run, incoming)
    before = _snapshot(tx, incoming)
    other_unit = run("workflow", "forward", incoming, "--to", "kiemtra", "--as", "chuyenvien")
    assert other_unit.exit_code == 1 and "only within your unit" in other_unit.output
    not_handler = run("workflow", "forward", incoming, "--to", "chuyenvien", "--as", "luutru")
    assert not_handler.exit_code == 1 and "main handler" in not_handler.output
    assert _snapshot(tx, incoming) == before

    forwarded = run("workflow", "forward", incoming, "--to", "luutru", "--as", "chuyenvien", "--json")
    assert forwarded.exit_code == 0, forwarded.output
    data = json.loads(forwarded.stdout)
    assert data["main_handler"] == "luutru" and data["forwards"] == [{"from": "chuyenvien", "to": "luutru"}]
    gone = run("workflow", "done", incoming, "--result", "Xong", "--as", "chuyenvien")
    assert gone.exit_code == 1 and "main handler" in gone.output
    assert run("workflow", "done", incoming, "--result", "Đã xử lý", "--as", "luutru").exit_code == 0
    with tx() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "incoming.forward"))
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert event.actor == "chuyenvien" and payload["to"] == "luutru" and payload["unit"] == "TH"
