"""The home page's inbox of work, a document's workflow page (the leader assigns from it) and the
statistics of an agency (JSON API and the dashboard with its SVG bars)."""
from __future__ import annotations

import datetime as dt

import pytest
import webtest
from sqlalchemy import select

from recordsys.core.services import require_org
from recordsys.exchange.models import InboxEntry
from recordsys.ingest.models import Document
from recordsys.ingest.registration import register_checked_file
from recordsys.storage.local import LocalFileStorage
from recordsys.workflow import statistics
from recordsys.workflow.models import Assignment, Task
from tests.common.pdfs import plain_pdf
from tests.conftest import login

OFFICE = "000.00.01.H41"


def _register(tx, settings, tmp_path, name, subject, number, direction="incoming", mode="electronic",
              status="valid"):
    pdf = plain_pdf(tmp_path / f"{name}.pdf")
    with tx() as s:
        result = register_checked_file(
            s, storage=LocalFileStorage(settings["storage.path"]), path=pdf,
            verdict={"accepted": True, "signature": {"status": status, "signatures": []}},
            organization=require_org(s, OFFICE), direction=direction, actor="vanthu",
            metadata={"subject": subject, "number_and_symbol": number, "delivery_mode": mode}, extracted={"text": ""})
    return result.document_id


@pytest.fixture
def documents(tx, settings, tmp_path, demo):
    ids = {
        "axis": _register(tx, settings, tmp_path, "a", "Đề nghị hỗ trợ kinh phí sửa chữa trường tiểu học Cam Hải Đông",
                          "45/UBND-VP"),
        "paper": _register(tx, settings, tmp_path, "b", "Báo cáo tình hình thu ngân sách quý III", "12/BC-CCT",
                           mode="electronic_and_paper", status="unsigned"),
        "out": _register(tx, settings, tmp_path, "c", "Quyết định thành lập Đoàn kiểm tra", "15/QĐ-UBND",
                         direction="outgoing"),
    }
    with tx() as s:
        doc = s.get(Document, ids["axis"])
        s.add(InboxEntry(organization_id=doc.organization_id, file_id=doc.file_id, envelope_sha256="0" * 64,
                         edxml_document_id="000.00.01.H41,2026/11/30,45/UBND-VP", from_organ="000.00.00.H41",
                         subject=doc.subject, state="registered", received_via="axis", registered_document_id=doc.id))
    return ids


def _app(app, user):
    return login(webtest.TestApp(app), user)


def test_assign_from_the_page_then_inbox_and_history(app, documents, tx, demo):
    leader = _app(app, "lanhdao")
    url = f"/orgs/{OFFICE}/documents/{documents['axis']}/workflow"
    page = leader.get(url)
    form = page.forms["assign-form"]
    form["to"] = "chuyenvien"
    form["deadline"] = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    form["note"] = "Giao Phòng Tài chính tham mưu, trả lời trước hạn."
    form.submit(status=303)
    with tx() as s:
        a = s.scalar(select(Assignment).where(Assignment.document_id == documents["axis"]))
        assert (a.state, a.main_handler) == ("assigned", "chuyenvien")
        s.add(Task(organization_id=a.organization_id, title="Rà soát hồ sơ Đội thuế Cam Lâm", assigner="lanhdao",
                   assignee="chuyenvien", deadline=dt.date.today() - dt.timedelta(days=4)))
    specialist = _app(app, "chuyenvien")
    home = specialist.get("/")
    inbox = home.html.select_one("#inbox")
    assigned = inbox.select_one("ul.inbox-assigned li")
    assert "45/UBND-VP" in assigned.text and "due-soon" in assigned["class"]
    task = inbox.select_one("ul.inbox-tasks li")
    assert "Rà soát hồ sơ Đội thuế Cam Lâm" in task.text and "overdue" in task["class"]
    assert "color:#b00020" in task["style"] and "4" in task.text
    # the leader's own inbox does not list the specialist's work
    assert "Rà soát hồ sơ" not in leader.get("/").text

    page = specialist.get(url)
    assert "incoming.assign" in page.html.select_one("#history").text
    assert not page.html.select("#assign-form")  # only a leader assigns
    form = next(f for f in page.forms.values() if "text" in f.fields)
    form["text"] = "Đề nghị Phòng Giáo dục phối hợp kiểm tra hiện trạng."
    form.submit(status=303)
    page = specialist.get(url)
    assert "Phòng Giáo dục phối hợp" in page.text and "incoming.opinion" in page.text


def test_statistics_by_channel(app, documents, tx, demo, session_factory):
    with tx() as s:
        org = require_org(s, OFFICE)
        today = statistics.agency_today()  # the period is in the agencies' day, whatever this machine's zone
        stats = statistics.agency_statistics(s, org.id, today.replace(month=1, day=1), today)
    assert stats.received == {"axis": 1, "internal": 0, "paper": 1, "electronic": 0}
    assert stats.sent == {"axis": 0, "internal": 0, "paper": 0, "electronic": 1}
    assert stats.total == 3 and stats.electronic == 2 and stats.signed == 2
    assert stats.electronic_share == round(2 / 3, 4)

    leader = _app(app, "lanhdao")
    data = leader.get(f"/api/v1/orgs/{OFFICE}/statistics").json
    assert data["received_total"] == 2 and data["sent_total"] == 1 and data["received"]["axis"] == 1
    empty = leader.get(f"/api/v1/orgs/{OFFICE}/statistics", {"from": "2020-01-01", "to": "2020-12-31"}).json
    assert empty["received_total"] == 0
    leader.get(f"/api/v1/orgs/{OFFICE}/statistics", {"from": "2026-13-01"}, status=400)
    page = leader.get(f"/orgs/{OFFICE}/statistics")
    svg = page.html.select_one("svg#channels")
    assert len(svg.select("rect")) == 8 and "Trục liên thông" in svg.text
    assert page.html.select_one("#received-total").text == "2"
