"""The archivist's screens: open a dossier, field-level errors, add documents, close, refusal."""
from sqlalchemy import select

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
