"""Login, logout, CSRF, language, API conventions and bad input, through the WSGI app."""
import json

from tests.conftest import login


def test_login_logout_and_home(testapp, demo):
    page = testapp.get("/login")
    assert "Đăng nhập" in page.text  # Vietnamese by default
    login(testapp, "luutru")
    home = testapp.get("/")
    assert "Xin chào, Phạm Thị Đào" in home.text and "Lưu trữ viên" in home.text
    token = home.forms[0]["csrf_token"].value
    testapp.post("/logout", {"csrf_token": token}, status=303)
    assert testapp.get("/", status=302).location.startswith("http://localhost/login")


def test_bad_login_is_refused_and_audited(testapp, demo, tx):
    from recordsys.core import audit

    form = testapp.get("/login").forms[0]
    form["username"], form["password"] = "vanthu", "sai-mat-khau"
    response = form.submit(status=401)
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    with tx() as session:
        assert audit.verify(session).intact


def test_post_without_csrf_token_is_refused(testapp, demo):
    login(testapp, "vanthu")
    testapp.post("/logout", {}, status=400)
    assert testapp.get("/").status_int == 200  # still signed in


def test_english_is_selectable(testapp, demo):
    login(testapp, "vanthu")
    page = testapp.get("/language/en", params={"next": "/"}).follow()
    assert "Welcome, Trần Thị Thu Hà" in page.text and "Clerk" in page.text
    assert testapp.get("/language/en", params={"next": "//evil.example"}).location == "http://localhost/"


def test_health_and_openapi(testapp, settings):
    health = testapp.get("/api/v1/health").json
    expected_db = "postgresql" if settings["sqlalchemy.url"].startswith("postgresql") else "sqlite"
    assert health["status"] == "ok" and health["database"] == expected_db
    assert health["version"] and "search" in health
    spec = testapp.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["paths"]["/api/v1/orgs/{org}"]["get"]["x-permission"] == "view"
    assert spec["paths"]["/api/v1/health"]["get"]["x-permission"] == "public"


def test_api_token_and_problem_json(testapp, demo, tx):
    from sqlalchemy import select

    from recordsys.core import services
    from recordsys.core.models import User

    with tx() as session:
        user = session.scalar(select(User).where(User.username == "kiemtra"))
        token = services.create_token(session, user, "máy chấm điểm")
    headers = {"Authorization": f"Bearer {token}"}
    me = testapp.get("/api/v1/me", headers=headers).json
    assert me["roles"] == [{"organization": "000.00.01.H41", "role": "auditor"}]
    assert testapp.get("/api/v1/audit/verify", headers=headers).json["intact"] is True
    # an agency the token's user holds no role in is answered like a missing one (no probing)
    denied = testapp.get("/api/v1/orgs/000.00.31.H41", headers=headers, status=404)
    assert denied.content_type == "application/problem+json" and denied.json["status"] == 404
    bad = testapp.get("/api/v1/me", headers={"Authorization": "Bearer rs_wrong"}, status=401)
    assert bad.content_type == "application/problem+json"
    missing = testapp.get("/api/v1/orgs/999.99.99.Z99", headers=headers, status=404)
    assert json.loads(missing.body)["title"] == "Not Found"


def test_unreachable_database_stops_startup_with_a_sentence(tmp_path):
    import pytest

    from recordsys.config import SettingsError, make_wsgi_app

    with pytest.raises(SettingsError, match="Cannot reach the database"):
        make_wsgi_app({"sqlalchemy.url": "postgresql://nobody@127.0.0.1:1/none",
                       "recordsys.data_dir": str(tmp_path)})


def test_openapi_lists_every_api_route_with_its_parameters(testapp):
    spec = testapp.get("/api/v1/openapi.json").json
    assert {"/api/v1/search", "/api/v1/orgs/{org}/documents", "/api/v1/orgs/{org}/dossiers",
            "/api/v1/packages"} <= set(spec["paths"])
    search = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "kind", "year", "org", "page"}
    assert spec["paths"]["/api/v1/orgs/{org}/dossiers"]["post"]["x-permission"] == "dossier.manage"
