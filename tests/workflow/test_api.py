"""The workflow's JSON API acts as the bearer of the token, with the same rules as the CLI:
refusals are problem+json with the rule's code, and another agency's draft is not found."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recordsys.workflow.models import Draft
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"


@pytest.fixture
def tokens(demo, tx):
    from recordsys.core.models import User
    from recordsys.core.services import create_token

    with tx() as s:
        return {u: create_token(s, s.scalar(select(User).where(User.username == u)), "máy")
                for u in ("chuyenvien", "lanhdao", "vanthu", "quantri")}


def _auth(tokens, user, json=True):
    headers = {"Authorization": f"Bearer {tokens[user]}"}
    if json:
        headers["Content-Type"] = "application/json"
    return headers


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_draft_to_issue_over_the_api(testapp, tokens, tmp_path, tx, verapdf_home, settings):
    pdf = plain_pdf(tmp_path / "du-thao.pdf")
    base = f"/api/v1/orgs/{OFFICE}/drafts"
    made = testapp.post(base, {"type": "KH", "subject": "Kế hoạch chuyển đổi số năm 2027"},
                        upload_files=[("file", "../../etc/du thảo.pdf", pdf.read_bytes())],
                        headers=_auth(tokens, "chuyenvien", json=False), status=201).json
    draft_id = made["id"]
    assert made["state"] == "draft" and made["type"] == "KH"

    refused = testapp.post(f"{base}/{draft_id}/issue", "{}", headers=_auth(tokens, "vanthu"), status=409)
    assert refused.content_type == "application/problem+json" and refused.json["code"] == "issue_unsigned"
    testapp.post(f"{base}/{draft_id}/approve", "{}", headers=_auth(tokens, "chuyenvien"), status=409)
    testapp.post(f"{base}/{draft_id}/submit", "{}", headers=_auth(tokens, "chuyenvien"), status=200)
    assert testapp.post(f"{base}/{draft_id}/approve", "{}", headers=_auth(tokens, "lanhdao")).json["state"] == "approved"
    twice = testapp.post(f"{base}/{draft_id}/approve", "{}", headers=_auth(tokens, "lanhdao"), status=409)
    assert twice.json["code"] == "already_approved"
    assert testapp.post(f"{base}/{draft_id}/sign", "{}", headers=_auth(tokens, "lanhdao")).json["state"] == "signed"
    issued = testapp.post(f"{base}/{draft_id}/issue", "{}", headers=_auth(tokens, "vanthu")).json
    assert issued["number_and_symbol"] == "01/KH-VP"
    assert testapp.get(f"{base}/{draft_id}", headers=_auth(tokens, "lanhdao")).json["state"] == "issued"
    listed = testapp.get(base, headers=_auth(tokens, "vanthu")).json["drafts"]
    assert [d["id"] for d in listed] == [draft_id]

    # the province's administrator holds no role in the office: its drafts are not even found
    testapp.post(f"{base}/{draft_id}/approve", "{}", headers=_auth(tokens, "quantri"), status=404)
    testapp.post(f"{base}/{draft_id}/dance", "{}", headers=_auth(tokens, "lanhdao"), status=404)
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(Draft)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_draft_to_issue_on_the_web_pages(app, demo, tmp_path, verapdf_home):
    from webtest import TestApp

    from tests.conftest import login

    pdf = plain_pdf(tmp_path / "du-thao.pdf")
    page_url = f"/orgs/{OFFICE}/drafts"
    drafter = login(TestApp(app), "chuyenvien")
    page = drafter.get(page_url)
    assert "Dự thảo văn bản đi" in page.text
    form = next(f for f in page.forms.values() if "subject" in f.fields)
    form["type"], form["subject"] = "TB", "Thông báo lịch tiếp công dân tháng 12 năm 2026"
    form["file"] = ("thong-bao.pdf", pdf.read_bytes())
    page = form.submit().follow()
    assert "Thông báo lịch tiếp công dân" in page.text
    page = next(f for f in page.forms.values() if f.action.endswith("/submit")).submit().follow()
    assert "Đang trình duyệt" in page.text

    leader = login(TestApp(app), "lanhdao")
    page = leader.get(page_url)
    assert "Duyệt" in page.text
    approve = next(f for f in page.forms.values() if f.action.endswith("/approve"))
    page = approve.submit().follow()
    sign = next(f for f in page.forms.values() if f.action.endswith("/sign"))
    page = sign.submit().follow()
    assert "Đã ký" in page.text

    clerk = login(TestApp(app), "vanthu")
    page = clerk.get(page_url)
    assert "Tạo dự thảo" not in page.text  # a clerk does not draft
    issue = next(f for f in page.forms.values() if f.action.endswith("/issue"))
    page = issue.submit().follow()
    assert "01/TB-VP" in page.text
