"""Tasks through `recordsys workflow task` and the report of tasks and incoming processing as a
spreadsheet and a PDF (`recordsys report tasks`)."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from recordsys.cli import main

OFFICE = "000.00.01.H41"


@pytest.fixture
def run(settings, demo):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, ["--lang", "en", *[str(a) for a in args]], catch_exceptions=False)


def test_tasks_and_their_report(run, tmp_path):
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    title = "Tổng hợp báo cáo công tác văn thư, lưu trữ năm 2026"
    not_leader = run("workflow", "task", "add", "--org", OFFICE, "--to", "luutru", "--title", title,
                     "--deadline", deadline, "--as", "vanthu")
    assert not_leader.exit_code == 1 and "Only a leader" in not_leader.output
    added = run("workflow", "task", "add", "--org", OFFICE, "--to", "luutru", "--title", title,
                "--deadline", deadline, "--as", "lanhdao")
    assert added.exit_code == 0, added.output
    task_id = int(added.stdout.strip())
    early = run("workflow", "task", "approve", task_id, "--as", "lanhdao")
    assert early.exit_code == 1 and "assigned" in early.output
    assert run("workflow", "task", "report", task_id, "--text", "Đã tổng hợp, gửi kèm báo cáo",
               "--as", "luutru").stdout.strip() == f"{task_id} reported"
    assert run("workflow", "task", "approve", task_id, "--as", "luutru").exit_code == 1
    assert run("workflow", "task", "approve", task_id, "--as", "lanhdao").stdout.strip() == f"{task_id} approved"

    from openpyxl import load_workbook

    xlsx = tmp_path / "bao-cao.xlsx"
    made = run("report", "tasks", "--org", OFFICE, "--format", "xlsx", "--out", xlsx)
    assert made.exit_code == 0, made.output
    sheet = load_workbook(xlsx).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "No." and values[2][2] == title and values[2][6] == 0
    by_unit = [[c.value for c in row] for row in load_workbook(xlsx)["By unit"].iter_rows()]
    assert by_unit == [["Unit", "On time", "Late", "Overdue", "Within the deadline"], ["(no unit)", 1, 0, 0, 0]]
    import zipfile

    with zipfile.ZipFile(xlsx) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "barChart" in chart and "<f>'By unit'!$A$2</f>" in chart  # categories: the units
    assert all(f"<f>'By unit'!{c}1</f>" in chart for c in "BCD")  # series: on time, late, overdue

    pdf = tmp_path / "bao-cao.pdf"
    assert run("--lang", "vi", "report", "tasks", "--org", OFFICE, "--format", "pdf", "--out", pdf).exit_code == 0
    from recordsys.ingest.extract import extract_text

    text = extract_text(pdf)
    assert "Báo cáo tình hình xử lý công việc" in text and "Tổng hợp báo cáo" in text
    assert all(label in text for label in ("Tình hình xử lý theo đơn vị", "Đúng hạn", "Trễ hạn", "Quá hạn"))


def test_counts_by_unit():
    from recordsys.workflow.report import by_unit

    rows = [{"unit": "TH", "state": "approved", "overdue_days": 0}, {"unit": "TH", "state": "done", "overdue_days": 3},
            {"unit": "KT", "state": "in_progress", "overdue_days": 2}, {"unit": None, "state": "assigned",
                                                                          "overdue_days": 0},
            {"unit": "TH", "state": "processing", "overdue_days": 1}]
    assert by_unit(rows) == {"KT": {"on_time": 0, "late": 0, "overdue": 1, "in_progress": 0},
                             "TH": {"on_time": 1, "late": 1, "overdue": 1, "in_progress": 0},
                             None: {"on_time": 0, "late": 0, "overdue": 0, "in_progress": 1}}
