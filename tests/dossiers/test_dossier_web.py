"""The archivist's screens: open a dossier, field-level errors, add documents, close, refusal."""
from sqlalchemy import func, select

from recordsys.core import audit
from tests.conftest import login

OFFICE = "000.00.01.H41"


def _token(page):
    return next(f for f in page.forms.values() if "csrf_token" in f.fields)["csrf_token"].value


def test_archivist_builds_and_closes(testapp, demo, documents, tx):
    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers", params={"year": 2026})
    bad = testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2026", "plan_code": "a b",
                                                   "title": "Hồ sơ", "retention": "20"}, status=400)
    assert "is not a dossier number and symbol" in bad.text
    made = testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2026",
                                                    "plan_code": "01.TCCB", "title": "Hồ sơ giao đất đai",
                                                    "retention": "20"}, status=303).follow()
    assert "H41-02.2026.01.TCCB" in made.text
    url = made.request.path
    invalid = testapp.post(url + "/fields", {"csrf_token": _token(made), "Rights": "bi_mat"}, status=400)
    assert "bi_mat" in invalid.text and "của Chế độ sử dụng (Rights) không có trong danh mục." in invalid.text
    saved = testapp.post(url + "/fields", [("csrf_token", _token(made)), ("add", str(documents[0])),
                                           ("add", str(documents[1])), ("Keyword", "đất đai")], status=303).follow()
    assert saved.text.count("<li>") >= 2
    closed = testapp.post(url + "/close", {"csrf_token": _token(saved)}, status=303).follow()
    assert "đã kết thúc" in closed.text
    refused = testapp.post(url + "/fields", {"csrf_token": _token(closed), "Keyword": "khác"}, status=409)
    assert "cannot be changed" in refused.text
    with tx() as session:
        assert session.scalars(select(audit.AuditEvent.action).where(
            audit.AuditEvent.action == "dossier.refused")).all() == ["dossier.refused"]
    api = testapp.get(f"/api/v1/orgs/{OFFICE}/dossiers").json["dossiers"]
    assert api[0]["status"] == "closed" and api[0]["documents"] == 2


def test_clerk_reads_but_cannot_open(testapp, demo):
    login(testapp, "vanthu")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers")
    testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "plan_code": "01", "title": "x",
                                              "retention": "20"}, status=403)


def test_api_create_and_bad_json(testapp, demo, tx):
    from recordsys.core.services import create_token
    from recordsys.core.models import User
    from recordsys.dossiers.models import Dossier

    with tx() as session:
        token = create_token(session, session.scalar(select(User).where(User.username == "luutru")), "máy")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"/api/v1/orgs/{OFFICE}/dossiers"
    made = testapp.post(url, '{"year": 2026, "plan_code": "03.VP", "title": "Hồ sơ hội nghị", "retention": "10"}',
                        headers=headers, status=201).json
    assert made["archival_code"] == "H41-02.2026.03.VP"
    for body, needle in (("{khong phai json", "not valid JSON"), ("[1, 2]", "JSON object"),
                         ('{"plan_code": "04", "title": "x", "retention": "99"}', "not a retention period")):
        problem = testapp.post(url, body, headers=headers, status=400)
        assert problem.content_type == "application/problem+json" and needle in problem.json["detail"]
    testapp.post("/api/v1/orgs/999.99.99.Z99/dossiers", "{}", headers=headers, status=404)
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 1  # nothing written by the bad ones
