"""Processing an incoming document through `recordsys workflow`: the leader assigns it, the
coordinator gives an opinion, the main handler closes it; out-of-order actions are refused with a
reason and change nothing."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core.models import AuditEvent
from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage.local import LocalFileStorage
from recordsys.workflow.models import Assignment, Opinion
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, ["--lang", "en", *[str(a) for a in args]], catch_exceptions=False)


@pytest.fixture
def incoming(tx, settings, tmp_path, run):
    pdf = plain_pdf(tmp_path / "cong-van-den.pdf")
    with tx() as s:
        result = register_checked_file(
            s, storage=LocalFileStorage(settings["storage.path"]), path=pdf,
            verdict={"accepted": True, "signature": {"status": "valid", "signatures": []}},
            organization=require_org(s, OFFICE), direction="incoming", actor="vanthu",
            metadata={"subject": "Đề nghị hỗ trợ kinh phí sửa chữa trường tiểu học Cam Hải Đông",
                      "number_and_symbol": "45/UBND-VP"}, extracted={"text": ""})
    return result.document_id


def _state(tx, document_id):
    with tx() as s:
        a = s.scalar(select(Assignment).where(Assignment.document_id == document_id))
        return (a.state if a else None, a.main_handler if a else None,
                s.scalar(select(func.count()).select_from(Opinion)), s.scalar(select(func.count()).select_from(AuditEvent)))


def test_assign_opinion_done(run, incoming, tx):
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    before = _state(tx, incoming)
    early = run("workflow", "done", incoming, "--result", "Đã xử lý", "--as", "chuyenvien")
    assert early.exit_code == 1 and "registered" in early.output
    not_leader = run("workflow", "assign", incoming, "--to", "chuyenvien", "--as", "vanthu")
    assert not_leader.exit_code == 1 and "Only a leader" in not_leader.output
    past = run("workflow", "assign", incoming, "--to", "chuyenvien", "--deadline", "2020-01-01", "--as", "lanhdao")
    assert past.exit_code == 1 and "deadline cannot be in the past" in past.output
    assert _state(tx, incoming)[1:] == before[1:]

    assigned = run("workflow", "assign", incoming, "--to", "chuyenvien", "--coordinator", "luutru",
                   "--inform", "kiemtra", "--deadline", deadline, "--note", "Đề nghị chủ trì, tham mưu trả lời",
                   "--as", "lanhdao", "--json")
    assert assigned.exit_code == 0, assigned.output
    data = json.loads(assigned.stdout)
    assert (data["state"], data["main_handler"], data["coordinators"], data["deadline"]) == (
        "assigned", "chuyenvien", ["luutru"], deadline)

    stranger = run("workflow", "opinion", incoming, "--text", "Ý kiến", "--as", "vanthu")
    assert stranger.exit_code == 1 and "coordinator" in stranger.output
    assert run("workflow", "opinion", incoming, "--text", "Thống nhất đề xuất hỗ trợ 200 triệu đồng",
               "--as", "luutru").exit_code == 0
    not_handler = run("workflow", "done", incoming, "--result", "Xong", "--as", "luutru")
    assert not_handler.exit_code == 1 and "main handler" in not_handler.output
    done = run("workflow", "done", incoming, "--result", "Đã trình UBND tỉnh công văn trả lời số 120/UBND-VP",
               "--as", "chuyenvien", "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["state"] == "done" and data["opinions"][0]["user"] == "luutru"
    again = run("workflow", "opinion", incoming, "--text", "Muộn", "--as", "lanhdao")
    assert again.exit_code == 1 and "done" in again.output


def test_unknown_document_and_user(run, incoming):
    missing = run("workflow", "assign", 999, "--to", "chuyenvien", "--as", "lanhdao")
    assert missing.exit_code == 1 and "no document 999" in missing.output
    nobody = run("workflow", "assign", incoming, "--to", "khongco", "--as", "lanhdao")
    assert nobody.exit_code == 1 and "khongco" in nobody.output
