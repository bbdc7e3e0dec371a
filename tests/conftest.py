"""Fixtures every domain shares: the databases (SQLite and a real PostgreSQL), settings,
transactions, the WSGI app and the demo province.

Integration tests take ``database_url`` (or anything built on it) and run once on SQLite and once
on PostgreSQL; each test gets a fresh, migrated database cloned from a template.
"""
from __future__ import annotations

import contextlib
import itertools
import shutil
import subprocess

import pytest

from recordsys import migrate
from recordsys.config import load_settings
from tests.common import postgres
from tests.common.components import missing

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgresql_server():
    bindir = postgres.find_bindir()
    if bindir is None:
        missing("PostgreSQL", "initdb/pg_ctl not found (apt-get install postgresql)")
    server = postgres.PostgresServer(bindir)
    try:
        server.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        server.stop()
        missing("PostgreSQL", f"the throwaway server did not start: {detail.strip()[:500]}")
    server.execute("CREATE DATABASE recordsys_template")
    migrate.upgrade({"sqlalchemy.url": server.url("recordsys_template")})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite"
    migrate.upgrade({"sqlalchemy.url": f"sqlite:///{path}"})
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh migrated database, on each of the two engines."""
    if request.param == "sqlite":
        path = tmp_path / "recordsys.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgresql_server")
    name = f"test_{next(_counter)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE recordsys_template")
    yield server.url(name)
    server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database_url, tmp_path, monkeypatch):
    for name in ("RECORDSYS_DATABASE_URL", "RECORDSYS_DATA_DIR", "RECORDSYS_SEARCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    return load_settings({
        "sqlalchemy.url": database_url,
        "recordsys.data_dir": str(tmp_path / "data"),
        "recordsys.secret": "test-secret-not-for-production",
        "search.backend": "fts5",
        "jobs.in_process": "false",  # tests run jobs explicitly with recordsys.jobs.run_next
    })


@pytest.fixture
def engine(settings):
    from recordsys.db import get_engine

    engine = get_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    from recordsys.db import get_session_factory

    return get_session_factory(engine)


@pytest.fixture
def tx(session_factory):
    """``with tx() as session:`` runs one committed transaction (aborted on exception)."""
    from recordsys.db import transaction_scope

    return lambda: transaction_scope(session_factory)


@pytest.fixture
def demo(tx):
    from recordsys.core import demo as demo_data

    with tx() as session:
        return demo_data.seed(session)


@pytest.fixture
def app(settings):
    from recordsys.config import make_wsgi_app

    app = make_wsgi_app(dict(settings))
    yield app
    with contextlib.suppress(Exception):
        app.registry["db_engine"].dispose()


@pytest.fixture
def testapp(app):
    from webtest import TestApp

    return TestApp(app)


def login(testapp, username: str, password: str | None = None):
    """Sign in through the real login form; returns the TestApp (now carrying the session)."""
    from recordsys.core.demo import demo_password

    page = testapp.get("/login")
    form = next(f for f in page.forms.values() if "username" in f.fields)
    form["username"] = username
    form["password"] = password or demo_password(username)
    response = form.submit()
    assert response.status_int == 303, response.text[:500]
    return testapp


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """The test PKI (root, intermediate, signers for every verdict), shared by every domain."""
    from tests.common.pki import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, pki):
    """Signed PDF/A files for every verdict (real pyHanko signatures)."""
    from tests.common.pdfs import Corpus

    return Corpus(tmp_path_factory.mktemp("corpus"), pki)


@pytest.fixture(scope="session")
def verapdf_home():
    """veraPDF's folder (scripts/install-verapdf); missing: a failure under CI=true."""
    from recordsys.config import REPO_ROOT
    from recordsys.ingest.pdfa import VeraPdf

    home = REPO_ROOT / ".tools" / "verapdf"
    if not VeraPdf(home).available():
        missing("veraPDF", "run scripts/install-verapdf")
    return home
