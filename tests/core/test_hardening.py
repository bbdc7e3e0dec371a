"""Issue #11: CSRF only waived for real bearer tokens, revocable sessions, login throttling and
the request-size limit, through the WSGI app."""
import datetime as dt
import io

import pytest
from sqlalchemy import select

from recordsys.core import audit
from recordsys.core.demo import demo_password
from recordsys.core.models import AuditEvent, User
from tests.conftest import login


def _csrf(testapp):
    return testapp.get("/").forms[0]["csrf_token"].value


# --- 4. CSRF --------------------------------------------------------------------------------------

def test_a_non_bearer_authorization_header_does_not_skip_csrf(testapp, demo):
    login(testapp, "vanthu")
    for header in ("Basic dmFudGh1Onh4eA==", "Bearer rs_not-a-token", "Token abc"):
        response = testapp.post("/logout", {}, headers={"Authorization": header}, status="*")
        # Basic/Token: the cookie session authenticates, so the missing CSRF token is refused (400);
        # an invalid bearer token authenticates nobody (sent to the login page)
        assert response.status_int in (400, 302), (header, response.status)
        assert testapp.get("/").status_int == 200, header  # the forged logout did nothing


def test_a_valid_bearer_token_needs_no_csrf_token(testapp, demo, tx):
    from recordsys.core import services

    with tx() as session:
        user = session.scalar(select(User).where(User.username == "luutru"))
        token = services.create_token(session, user, "máy")
    # authenticated by the token: no cookie in play, so no CSRF token is asked for
    response = testapp.post("/logout", {}, headers={"Authorization": f"Bearer {token}"}, status=303)
    assert response.status_int == 303


# --- 6. sessions ----------------------------------------------------------------------------------

def test_a_copied_cookie_stops_working_after_logout(testapp, demo, app):
    from webtest import TestApp

    login(testapp, "luutru")
    cookie = testapp.cookies["recordsys_session"]
    thief = TestApp(app)
    thief.set_cookie("recordsys_session", cookie)
    assert thief.get("/").status_int == 200  # the copy works while the session lives
    testapp.post("/logout", {"csrf_token": _csrf(testapp)}, status=303)
    assert thief.get("/", status=302).location.startswith("http://localhost/login")
    assert thief.get("/api/v1/me", status=401)


def test_password_change_and_disabling_end_every_session(testapp, demo, tx, app):
    from webtest import TestApp

    from recordsys.core import services

    other = login(TestApp(app), "luutru")
    login(testapp, "luutru")
    with tx() as session:
        user = session.scalar(select(User).where(User.username == "luutru"))
        services.change_password(session, user, "mật-khẩu-mới-2026")
    for browser in (testapp, other):
        browser.get("/", status=302)
    login(testapp, "luutru", "mật-khẩu-mới-2026")
    with tx() as session:
        services.set_active(session, session.scalar(select(User).where(User.username == "luutru")), False)
    testapp.get("/", status=302)


def test_sessions_have_an_absolute_lifetime(testapp, demo, monkeypatch):
    import time

    login(testapp, "luutru")
    assert testapp.get("/").status_int == 200
    real = time.time
    # still in use every few minutes (the idle timeout keeps sliding), but 12 h after sign-in it ends
    monkeypatch.setattr("recordsys.core.security.time.time", lambda: real() + 12 * 3600 + 1)
    testapp.get("/", status=302)


# --- 7. login throttling --------------------------------------------------------------------------

def _attempt(testapp, username, password, status):
    form = testapp.get("/login").forms[0]
    form["username"], form["password"] = username, password
    return form.submit(status=status)


def test_login_is_throttled_with_backoff_and_audited_once(testapp, demo, tx, monkeypatch):
    from recordsys.core import throttle

    now = [dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(throttle, "utcnow", lambda: now[0])
    for _ in range(4):
        _attempt(testapp, "vanthu", "sai-mat-khau", 401)
    locked = _attempt(testapp, "vanthu", "sai-mat-khau", 429)  # the 5th failure locks for 30 s
    assert "thử lại sau 30 giây" in locked.text and locked.headers["Retry-After"] == "30"
    # even the right password is refused while locked, with the same clear sentence
    refused = _attempt(testapp, "vanthu", demo_password("vanthu"), 429)
    assert "Đăng nhập sai quá nhiều lần" in refused.text
    with tx() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
        assert len(events) == 1  # five failures, ONE event with their count
        assert '"count":5' in events[0].payload and '"outcome":"locked"' in events[0].payload
        assert audit.verify(session).intact
    now[0] += dt.timedelta(seconds=31)
    for _ in range(3):
        _attempt(testapp, "vanthu", "sai-mat-khau", 401)
    # the refused attempt while locked counted too: this is the 5th of the new streak
    relocked = _attempt(testapp, "vanthu", "sai-mat-khau", 429)
    assert "60" in relocked.headers["Retry-After"]  # back-off doubles
    now[0] += dt.timedelta(seconds=61)
    login(testapp, "vanthu")
    with tx() as session:
        assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()) == 2


def test_login_is_throttled_by_address(testapp, demo, monkeypatch):
    monkeypatch.setitem(testapp.app.registry.settings, "recordsys.login_max_failures_per_address", "3")
    testapp.extra_environ = {"REMOTE_ADDR": "10.0.0.1"}
    for name in ("vanthu", "luutru"):
        _attempt(testapp, name, "sai-mat-khau", 401)
    _attempt(testapp, "kiemtra", "sai-mat-khau", 429)  # three user names, one address
    locked = _attempt(testapp, "lanhdao", "whatever", 429)
    assert "giây" in locked.text
    testapp.extra_environ = {"REMOTE_ADDR": "10.0.0.2"}  # another address is not locked
    login(testapp, "luutru")


def test_english_throttle_message(testapp, demo, monkeypatch):
    monkeypatch.setitem(testapp.app.registry.settings, "recordsys.login_max_failures", "1")
    testapp.set_cookie("_LOCALE_", "en")
    locked = _attempt(testapp, "vanthu", "wrong-password", 429)
    assert "Too many failed sign-ins. Try again in 30 seconds." in locked.text


# --- 9. request size ------------------------------------------------------------------------------

@pytest.fixture
def small_app(settings):
    from webtest import TestApp

    from recordsys.config import make_wsgi_app

    app = make_wsgi_app({**settings, "recordsys.max_upload_bytes": "1000"})
    yield TestApp(app)
    app.registry["db_engine"].dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_oversized_request_is_refused_before_its_body_is_read(small_app, demo):
    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

        readinto = read

    statuses = []
    for path, content_type, cookie in (("/login", "text/plain", ""),
                                       ("/api/v1/orgs", "application/problem+json", "_LOCALE_=en")):
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
                   "HTTP_COOKIE": cookie,
                   "wsgi.url_scheme": "http", "CONTENT_LENGTH": "5000",
                   "CONTENT_TYPE": "multipart/form-data; boundary=x", "wsgi.input": Unreadable(),
                   "wsgi.errors": io.StringIO()}
        body = b"".join(small_app.app(environ, lambda status, headers, exc_info=None: statuses.append(
            (status, dict(headers)))))
        status, headers = statuses[-1]
        assert status.startswith("413") and headers["Content-Type"].startswith(content_type)
        text = body.decode()
        assert "1000 bytes" in text
        if cookie:  # the language chosen by cookie, since the body is not read
            assert "The request is too large" in text and "Yêu cầu quá lớn" not in text
        else:
            assert "Yêu cầu quá lớn" in text and "The request is too large" not in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_within_the_limit_passes(small_app, demo):
    small_app.get("/login")
    form = small_app.get("/login").forms[0]
    form["username"], form["password"] = "vanthu", demo_password("vanthu")
    assert form.submit().status_int == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_administrators_end_sessions_from_the_command_line(testapp, demo, settings, monkeypatch):
    from click.testing import CliRunner

    from recordsys.cli import main

    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    runner = CliRunner()
    login(testapp, "luutru")
    assert runner.invoke(main, ["user", "end-sessions", "luutru"]).exit_code == 0
    testapp.get("/", status=302)
    login(testapp, "luutru")
    result = runner.invoke(main, ["user", "password", "luutru", "--password", "mật-khẩu-mới-2026"])
    assert result.exit_code == 0, result.output
    testapp.get("/", status=302)
    login(testapp, "luutru", "mật-khẩu-mới-2026")
    assert runner.invoke(main, ["user", "disable", "luutru"]).exit_code == 0
    testapp.get("/", status=302)
    _attempt(testapp, "luutru", "mật-khẩu-mới-2026", 401)
    assert runner.invoke(main, ["user", "enable", "luutru"]).exit_code == 0
    login(testapp, "luutru", "mật-khẩu-mới-2026")
    assert runner.invoke(main, ["user", "disable", "nobody"]).exit_code == 1


def test_audited_throttle_rows_are_forgotten_after_a_day(tx, demo):
    from recordsys.core import throttle
    from recordsys.core.models import LoginThrottle

    settings = {"recordsys.login_max_failures": "2"}
    t0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    with tx() as session:
        throttle.record_failure(session, "a", "10.0.0.9", settings, now=t0)
        assert throttle.record_failure(session, "a", "10.0.0.9", settings, now=t0) == 30  # locked, audited
        throttle.record_failure(session, "b", None, settings, now=t0)  # one failure, not yet audited
    with tx() as session:
        throttle.record_failure(session, "c", None, settings, now=t0 + dt.timedelta(days=2))
        keys = set(session.scalars(select(LoginThrottle.key)))
    assert keys == {"addr:10.0.0.9", "user:b", "user:c"}  # user:a was audited and is over
