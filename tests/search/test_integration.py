"""Search end to end: registered documents reach the index only when committed; the API, the
command and the page answer with what the asking user may open; health reports the backend."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core.services import require_org
from recordsys.domains import import_submodules
from recordsys.ingest.registration import register_checked_file
from recordsys.search.models import IndexOutbox
from recordsys.search.outbox import install
from recordsys.storage import LocalFileStorage
from tests.common.factories import verdict_for
from tests.conftest import login

OFFICE, DEPT = "000.00.01.H41", "000.00.31.H41"


@pytest.fixture
def backend(settings):
    from recordsys.search.factory import make_backend

    return make_backend(settings)


@pytest.fixture
def register(tx, session_factory, settings, backend, tmp_path, demo):
    import_submodules("indexing")  # the domains' projections, as the app's configurator does
    install(session_factory, backend)
    storage = LocalFileStorage(settings["storage.path"])

    def run(name, subject, symbol, org=OFFICE, fail=False, **meta):
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.7 " + name.encode())
        with tx() as session:
            result = register_checked_file(
                session, storage=storage, path=path, verdict=verdict_for(path), organization=require_org(session, org),
                direction="incoming", actor="vanthu", today=dt.date(2026, 5, 4),
                metadata={"subject": subject, "number_and_symbol": symbol, **meta})
            if fail:
                raise RuntimeError("rolled back after registering")
        return result
    return run


def test_committed_rows_are_indexed_rolled_back_ones_never(register, backend, tx):
    register("a.pdf", "Quyết định giao đất đai", "15/QĐ-UBND")
    with pytest.raises(RuntimeError):
        register("b.pdf", "Quyết định thu hồi đất", "16/QĐ-UBND", fail=True)
    from recordsys.search.interfaces import SearchRequest, Viewer
    from recordsys.search.query import parse_query

    with tx() as session:
        org_ids = frozenset(session.scalars(select(require_org(session, OFFICE).__class__.id)))
        assert session.scalar(select(func.count()).select_from(IndexOutbox)) == 0  # applied, nothing left
    result = backend.search(SearchRequest(parse_query("quyet dinh"), Viewer(org_ids, 3)))
    assert [h.entry["number_and_symbol"] for h in result.hits] == ["15/QĐ-UBND"]


def test_unreachable_backend_keeps_updates_queued(register, backend, tx, session_factory, monkeypatch):
    def down(entries):
        raise ConnectionError("index down")

    monkeypatch.setattr(backend, "index", down)
    register("a.pdf", "Công văn về đào tạo", "07/UBND-VP")
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(IndexOutbox)) == 1  # not lost
    monkeypatch.undo()
    from recordsys.search.outbox import apply_pending

    assert apply_pending(session_factory, backend) == 1 and backend.count() == 1


def test_api_cli_and_page(register, testapp, demo, settings, tx):
    with tx() as session:
        from recordsys.core.models import User

        session.scalar(select(User).where(User.username == "lanhdao")).clearance = 1
    register("a.pdf", "Quyết định giao đất đai cho hộ gia đình", "15/QĐ-UBND")
    register("b.pdf", "Báo cáo mật về đất đai", "3/BC-UBND", confidentiality="mat")
    register("c.pdf", "Quyết định của Sở Nội vụ về đất đai", "9/QĐ-SNV", org=DEPT)
    login(testapp, "vanthu")
    data = testapp.get("/api/v1/search", params={"q": "dat dai"}).json
    assert [h["entry"]["number_and_symbol"] for h in data["hits"]] == ["15/QĐ-UBND"]  # no Mật, no other agency
    assert data["facets"]["year"] == {"2026": 1}
    top = testapp.get("/api/v1/search", params={"q": "15/qd-ubnd"}).json["hits"][0]
    assert top["entry"]["number_and_symbol"] == "15/QĐ-UBND"
    bad = testapp.get("/api/v1/search", params={"q": "x", "page": "abc"}, status=400)
    assert bad.content_type == "application/problem+json"
    assert bad.json["code"] == "query" and bad.json["status"] == 400  # one mapping of domain errors
    testapp.set_cookie("_LOCALE_", "en")
    assert testapp.get("/api/v1/search", params={"q": "x", "sort": "size"}, status=400).json["detail"] == \
        "Sort must be 'relevance' or 'date'."
    testapp.set_cookie("_LOCALE_", "vi")
    assert testapp.get("/api/v1/search", params={"q": "\"đất" + "x" * 5000}).status_int == 200
    page = testapp.get("/search", params={"q": "giao dat"})
    assert "<mark>giao</mark> <mark>đất</mark>" in page.text.lower() or "<mark>Giao</mark>" in page.text
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    everything = json.loads(runner.invoke(main, ["search", "dat", "dai", "--json"]).stdout)
    assert everything["total"] == 3
    as_leader = json.loads(runner.invoke(main, ["search", "dat dai", "--json", "--as", "lanhdao"]).stdout)
    assert as_leader["total"] == 2  # cleared for Mật in the office, not the department
    reindexed = runner.invoke(main, ["search", "reindex"])
    assert reindexed.exit_code == 0 and "Đã lập chỉ mục 3 bản ghi" in reindexed.stdout
    assert json.loads(runner.invoke(main, ["search", "dat", "--json"]).stdout)["total"] == 3


def test_health_reports_the_backend(testapp):
    health = testapp.get("/api/v1/health").json
    assert health["search"]["backend"] == "fts5" and health["search"]["reachable"] is True


def test_health_and_page_say_when_opensearch_is_down(settings, demo):
    from webtest import TestApp

    from recordsys.config import make_wsgi_app

    app = TestApp(make_wsgi_app({**settings, "search.backend": "opensearch",
                                 "search.opensearch_url": "http://127.0.0.1:1"}))
    health = app.get("/api/v1/health", status=503).json
    assert health["status"] == "degraded" and health["search"]["reachable"] is False
    login(app, "vanthu")
    page = app.get("/search", params={"q": "dat"}, status=503)
    assert "Tra cứu tạm thời không hoạt động" in page.text
    assert app.get("/api/v1/search", params={"q": "dat"}, status=503).content_type == "application/problem+json"
