"""One access rule for documents: a confidential document's subject and number never reach a user
without clearance, on any page, listing, API answer, export or download.

The routes are read from the application itself (as in test_permissions), so a listing added
later is walked too.
"""
import datetime as dt

import pytest
from sqlalchemy import func, select

from recordsys.core.demo import DEMO_USERS, OFFICE
from recordsys.core.models import AuditEvent, User
from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage import LocalFileStorage
from tests.conftest import login
from tests.core.test_permissions import PLACEHOLDER, all_views
from tests.ingest.test_registration import verdict_for

SECRET_SUBJECT = "Ke hoach XQZSECRET bao ve muc tieu"
SECRET_NUMBER = "731/KH-XQZ"
SECRET_TOKENS = ("XQZSECRET", "KH-XQZ")
PUBLIC_SUBJECT = "Cong van PUBLICDOC ve lich hop"


@pytest.fixture
def records(tx, settings, demo, tmp_path):
    """A public and a confidential (mật) document of the office, both in one open dossier."""
    from recordsys.dossiers import building

    storage = LocalFileStorage(settings["storage.path"])
    ids = {}
    for key, subject, symbol, conf in (("public", PUBLIC_SUBJECT, "12/CV-VP", None),
                                       ("secret", SECRET_SUBJECT, SECRET_NUMBER, "mat")):
        path = tmp_path / (f"{key}.pdf" if key == "public" else "XQZSECRET-plan.pdf")
        path.write_bytes(b"%PDF-1.7 " + subject.encode())
        meta = {"subject": subject, "number_and_symbol": symbol, "issued_date": "2026-03-10"}
        if conf:
            meta["confidentiality"] = conf
        with tx() as session:
            result = register_checked_file(
                session, storage=storage, path=path, verdict=verdict_for(path),
                organization=require_org(session, OFFICE), direction="incoming", actor="vanthu",
                extracted={"page_count": 1}, metadata=meta, original_name=path.name)
            ids[key] = result.document_id
    with tx() as session:
        office = require_org(session, OFFICE)
        dossier = building.open_dossier(session, organization=office, year=dt.date.today().year, plan_code="01",
                                        title="Ho so an ninh", retention="10", actor="luutru")
        building.add_documents(session, dossier, [ids["public"], ids["secret"]], "luutru")
        ids["dossier"] = dossier.id
    return ids


def _urls(pattern, records):
    values = [records["secret"], records["dossier"], records["public"]] if "{id" in pattern else [None]
    for value in values:
        yield PLACEHOLDER.sub(lambda m: OFFICE if m.group(1) == "org" else str(value or 0), pattern)  # noqa: B023 - called at once


def _leaks(text: str) -> list[str]:
    return [t for t in SECRET_TOKENS if t in text]


@pytest.mark.parametrize("username", [u for u, _, _, _ in DEMO_USERS])
def test_no_route_shows_a_confidential_document_to_a_user_without_clearance(testapp, records, username):
    login(testapp, username)
    walked = 0
    for name, pattern, method, _permission in all_views(testapp.app.registry):
        if method != "GET" or pattern.lstrip("/").startswith("static") or name in ("logout", "language"):
            continue
        for url in _urls(pattern, records):
            for query in ("", "?q=xqzsecret", "?q=731%2Fkh-xqz", "?page=1", f"?year={dt.date.today().year}"):
                response = testapp.get(url + query, status="*", expect_errors=True)
                assert response.status_int < 500, (url + query, response.status)
                body = response.body.decode("utf-8", "replace") + str(response.headers)
                assert _leaks(body) == [], (username, url + query, response.status)
                walked += 1
    assert walked > 40


def test_a_cleared_user_sees_it_and_the_rule_is_not_vacuous(testapp, tx, records):
    with tx() as session:
        session.scalar(select(User).where(User.username == "vanthu")).clearance = 1
    login(testapp, "vanthu")
    assert SECRET_NUMBER in testapp.get(f"/orgs/{OFFICE}/documents").text
    listed = testapp.get(f"/api/v1/orgs/{OFFICE}/documents").json["documents"]
    assert {d["id"] for d in listed} == {records["public"], records["secret"]}
    download = testapp.get(f"/orgs/{OFFICE}/documents/{records['secret']}/file")
    assert download.body.startswith(b"%PDF") and "XQZSECRET-plan.pdf" in download.headers["Content-Disposition"]


def test_listings_leave_out_what_the_user_may_not_see(testapp, records):
    login(testapp, "vanthu")
    listed = testapp.get(f"/api/v1/orgs/{OFFICE}/documents").json["documents"]
    assert [d["id"] for d in listed] == [records["public"]]
    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers/{records['dossier']}")
    assert PUBLIC_SUBJECT in page.text and not _leaks(page.text)


def test_download_is_checked_audited_and_safely_named(testapp, tx, records):
    login(testapp, "vanthu")
    refused = testapp.get(f"/orgs/{OFFICE}/documents/{records['secret']}/file", status=404)
    assert not _leaks(refused.text)
    testapp.get(f"/api/v1/orgs/{OFFICE}/documents/{records['secret']}/file", status=404)
    testapp.get(f"/orgs/000.00.31.H41/documents/{records['public']}/file", status=404)  # no role there
    ok = testapp.get(f"/api/v1/orgs/{OFFICE}/documents/{records['public']}/file")
    assert ok.body.startswith(b"%PDF")
    disposition = ok.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "public.pdf" in disposition and "/" not in disposition
    with tx() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.download")).all()
        assert [(e.actor, e.object_id) for e in events] == [("vanthu", str(records["public"]))]


def test_no_clearance_cannot_add_a_confidential_document_to_a_dossier(testapp, tx, records):
    from recordsys.dossiers import building
    from recordsys.dossiers.models import Dossier, DossierItem
    from recordsys.dossiers.services import DossierError

    with tx() as session:
        office = require_org(session, OFFICE)
        other = building.open_dossier(session, organization=office, year=dt.date.today().year, plan_code="02",
                                      title="Ho so khac", retention="10", actor="luutru")
        other_id = other.id
    login(testapp, "chuyenvien")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers/{other_id}")
    assert f'value="{records["public"]}"' in page.text and not _leaks(page.text)
    form = page.forms[1] if len(page.forms) > 1 else page.forms[0]
    token = form["csrf_token"].value
    response = testapp.post(f"/orgs/{OFFICE}/dossiers/{other_id}/fields",
                            {"csrf_token": token, "add": str(records["secret"])}, status=400)
    assert not _leaks(response.text)
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(DossierItem)
                              .where(DossierItem.dossier_id == other_id)) == 0
        user = session.scalar(select(User).where(User.username == "chuyenvien"))
        dossier = session.get(Dossier, other_id)
        with pytest.raises(DossierError):  # the service refuses too, not only the page
            building.add_documents(session, dossier, [records["secret"]], "chuyenvien", viewer=user)
        assert building.add_documents(session, dossier, [records["public"]], "chuyenvien", viewer=user) == [1]


def test_reordering_keeps_hidden_documents_in_place(testapp, tx, records):
    from recordsys.dossiers.models import Dossier

    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers/{records['dossier']}")
    token = page.forms[0]["csrf_token"].value
    testapp.post(f"/orgs/{OFFICE}/dossiers/{records['dossier']}/order",
                 {"csrf_token": token, "order": str(records["public"])}, status=303)
    with tx() as session:
        items = session.get(Dossier, records["dossier"]).items
        assert [i.document_id for i in items] == [records["public"], records["secret"]]


def test_exports_leave_out_hidden_documents(tx, records):
    from recordsys.dossiers.export import export_json, export_xml
    from recordsys.dossiers.models import Dossier
    from recordsys.ingest.access import OPERATOR, Access

    with tx() as session:
        dossier = session.get(Dossier, records["dossier"])
        office_id = dossier.organization_id
        for viewer in (Access(frozenset({office_id}), 0), session.scalar(select(User).where(User.username == "luutru"))):
            assert not _leaks(export_json(dossier, viewer).decode()) and not _leaks(export_xml(dossier, viewer).decode())
        assert "XQZSECRET" in export_json(dossier, OPERATOR).decode()
        assert "XQZSECRET" in export_json(dossier, Access(frozenset({office_id}), 1)).decode()


@pytest.mark.parametrize("original", ['a"b;\r\nX-Evil: 1.pdf', "../../etc/passwd", "C:\\\\tmp\\\\x.pdf", "Tờ trình.pdf",
                                      "", "..", "\x00.pdf", "'; rm -rf /"])
def test_download_label_is_safe(original):
    from types import SimpleNamespace

    from recordsys.ingest.views import _content_disposition, download_label

    label = download_label(SimpleNamespace(original_name=original, id=7))
    header = _content_disposition(label)
    assert label and "/" not in label and "\\" not in label and not any(c in label for c in '"\r\n\x00;')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.isascii()


def test_the_query_rule_and_the_object_rule_agree():
    """visible_documents (SQL) and can_see (Python) give the same answer for every level and
    clearance, unknown levels included (they count as the highest), and for other agencies."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from recordsys.db import Base
    from recordsys.ingest.access import Access, can_see, visible_documents
    from recordsys.ingest.models import Document
    from recordsys.models import import_all_models

    import_all_models()
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    levels = [None, "", "mat", "toi_mat", "tuyet_mat", "MAT", "secret"]
    with Session(engine) as session:
        for i, level in enumerate(levels * 2, 1):
            session.add(Document(id=i, organization_id=1 + (i > len(levels)), register_id=1, number=i, year=2026,
                                 direction="incoming", delivery_mode="electronic", file_id=1, original_name="x.pdf",
                                 subject="s", confidentiality=level, signature_status="valid", verdict={}, registered_by="t"))
        session.flush()
        documents = session.scalars(select(Document)).all()
        for clearance in range(4):
            for orgs in (frozenset({1}), frozenset({1, 2}), frozenset(), None):
                who = Access(orgs, clearance)
                by_query = set(session.scalars(visible_documents(select(Document.id), who)))
                assert by_query == {d.id for d in documents if can_see(who, d)}, (clearance, orgs)
        assert {d.confidentiality for d in documents if can_see(Access(None, 2), d)} == {None, "", "mat", "toi_mat"}
