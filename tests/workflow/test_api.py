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
