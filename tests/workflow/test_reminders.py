"""Reminders before a deadline and on overdue work, sent by a real SMTP server (aiosmtpd in a
subprocess), once per item, kind and day, through the periodic task and its job."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from recordsys import jobs
from recordsys.core.models import User
from recordsys.core.services import require_org
from recordsys.workflow.models import ReminderSent, Task
from tests.common.smtp import start_smtp

OFFICE = "000.00.01.H41"


@pytest.fixture
def smtp(tmp_path):
    server = start_smtp(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def work(tx, demo):
    today = dt.date.today()
    with tx() as s:
        org = require_org(s, OFFICE)
        for name, email in (("chuyenvien", "chuyenvien@camlam.gov.vn"), ("luutru", "luutru@camlam.gov.vn")):
            s.scalar(select(User).where(User.username == name)).email = email
        soon = Task(organization_id=org.id, title="Tổng hợp báo cáo công tác văn thư năm 2026", assigner="lanhdao",
                    assignee="chuyenvien", deadline=today + dt.timedelta(days=1))
        late = Task(organization_id=org.id, title="Chỉnh lý hồ sơ Đội thuế Cam Lâm", assigner="lanhdao",
                    assignee="luutru", deadline=today - dt.timedelta(days=3))
        far = Task(organization_id=org.id, title="Kế hoạch năm 2027", assigner="lanhdao", assignee="luutru",
                   deadline=today + dt.timedelta(days=30))
        done = Task(organization_id=org.id, title="Đã xong", assigner="lanhdao", assignee="luutru",
                    deadline=today - dt.timedelta(days=5), state="approved", finished_on=today)
        s.add_all([soon, late, far, done])
    return today


def test_reminders_by_mail_once_a_day(settings, session_factory, smtp, work, tx):
    settings = {**settings, "mail.host": smtp.host, "mail.port": str(smtp.port),
                "mail.sender": "nhacviec@camlam.gov.vn"}
    jobs.import_handlers(settings)
    assert "workflow.reminders" in jobs.PERIODIC
    job_id = jobs.PERIODIC["workflow.reminders"].fn(session_factory, settings)
    assert job_id is not None
    assert jobs.run_next(session_factory, settings) == job_id
    with tx() as s:
        job = s.get(jobs.Job, job_id)
        assert job.status == "done", job.error
        assert job.result["sent"] == 2
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    by_to = {str(m["To"]): m for m in messages}
    overdue = by_to["luutru@camlam.gov.vn"]
    assert overdue["Subject"] == "[Nhắc việc] Quá hạn 3 ngày: Chỉnh lý hồ sơ Đội thuế Cam Lâm"
    assert "đã quá hạn xử lý" in overdue.get_content()
    soon = by_to["chuyenvien@camlam.gov.vn"]
    assert soon["Subject"].startswith("[Nhắc việc] Sắp đến hạn ngày ")
    assert "còn 1 ngày" in soon.get_content() and "Kính gửi" in soon.get_content()
    assert soon["Content-Language"] == "vi"

    # a second run the same day sends nothing more
    from recordsys.workflow.reminders import send_reminders

    again = send_reminders(session_factory, settings)
    assert again["sent"] == 0 and again["already_sent"] == 2
    assert len(smtp.wait_for(3, timeout=1)) == 2
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(ReminderSent)) == 2
    # the next day the overdue one is sent again
    tomorrow = send_reminders(session_factory, settings, today=work + dt.timedelta(days=1))
    assert tomorrow["sent"] == 2
    assert len(smtp.wait_for(4)) == 4


def test_failed_server_sends_later(settings, session_factory, work, tx):
    from recordsys.workflow.reminders import send_reminders
    from tests.common.smtp import free_port

    settings = {**settings, "mail.host": "127.0.0.1", "mail.port": str(free_port())}
    result = send_reminders(session_factory, settings)
    assert result["failed"] == 1 and result["sent"] == 0
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_remind_command(settings, smtp, work, tx):
    from click.testing import CliRunner

    from recordsys.cli import main

    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"],
           "RECORDSYS_MAIL__HOST": smtp.host, "RECORDSYS_MAIL__PORT": str(smtp.port),
           "RECORDSYS_MAIL__SENDER": "nhacviec@camlam.gov.vn"}
    runner = CliRunner(env=env)
    first = runner.invoke(main, ["workflow", "remind", "--json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert '"sent": 2' in first.output
    again = runner.invoke(main, ["--lang", "en", "workflow", "remind"], catch_exceptions=False)
    assert again.output.strip() == "0 sent, 2 already sent, 0 failed"
    assert {str(m["From"]) for m in smtp.wait_for(2)} == {"nhacviec@camlam.gov.vn"}


def test_reminder_in_the_persons_language(settings, session_factory, smtp, work, tx):
    """luutru reads English (users.locale = en); chuyenvien has no locale: Vietnamese."""
    from recordsys.workflow.reminders import send_reminders

    with tx() as s:
        s.scalar(select(User).where(User.username == "luutru")).locale = "en"
    settings = {**settings, "mail.host": smtp.host, "mail.port": str(smtp.port)}
    assert send_reminders(session_factory, settings)["sent"] == 2
    by_to = {str(m["To"]): m for m in smtp.wait_for(2)}
    english = by_to["luutru@camlam.gov.vn"]
    assert english["Subject"] == "[Reminder] 3 days overdue: Chỉnh lý hồ sơ Đội thuế Cam Lâm"
    assert english["Content-Language"] == "en"
    body = english.get_content()
    assert body.startswith("Dear Phạm Thị Đào,") and "is past its deadline" in body and "3 days overdue" in body
    assert "Kính gửi" not in body
    assert by_to["chuyenvien@camlam.gov.vn"]["Subject"].startswith("[Nhắc việc] Sắp đến hạn ngày ")
