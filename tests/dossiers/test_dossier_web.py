"""The archivist's screens: open a dossier, field-level errors, add documents, close, refusal."""
import datetime as dt

import pytest
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
    assert "không phải là số và ký hiệu hồ sơ" in bad.text
    made = testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2026",
                                                    "plan_code": "01.TCCB", "title": "Hồ sơ giao đất đai",
                                                    "retention": "20"}, status=303).follow()
    assert "000.00.01.H41.2026.01.TCCB" in made.text
    url = made.request.path
    invalid = testapp.post(url + "/fields", {"csrf_token": _token(made), "mode": "09"}, status=400)
    assert "&#39;09&#39; của Mức độ tiếp cận (mode) không có trong danh mục." in invalid.text
    saved = testapp.post(url + "/fields", [("csrf_token", _token(made)), ("add", str(documents[0])),
                                           ("add", str(documents[1])), ("keyword", "đất đai")], status=303).follow()
    assert saved.text.count("data-document=") == 2
    closed = testapp.post(url + "/close", {"csrf_token": _token(saved)}, status=303).follow()
    assert "đã kết thúc" in closed.text
    refused = testapp.post(url + "/fields", {"csrf_token": _token(closed), "keyword": "khác"}, status=409)
    assert "không được sửa đổi" in refused.text
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
    from recordsys.core.models import User
    from recordsys.core.services import create_token
    from recordsys.dossiers.models import Dossier

    with tx() as session:
        token = create_token(session, session.scalar(select(User).where(User.username == "luutru")), "máy")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"/api/v1/orgs/{OFFICE}/dossiers"
    made = testapp.post(url, '{"year": 2026, "plan_code": "03.VP", "title": "Hồ sơ hội nghị", "retention": "10"}',
                        headers=headers, status=201).json
    assert made["archival_code"] == "000.00.01.H41.2026.03.VP"
    for body, needle in (("{khong phai json", "not valid JSON"), ("[1, 2]", "JSON object"),
                         ('{"plan_code": "04", "title": "x", "retention": "99"}', "not a retention period")):
        problem = testapp.post(url, body, headers=headers, status=400)
        assert problem.content_type == "application/problem+json" and needle in problem.json["detail"]
    testapp.post("/api/v1/orgs/999.99.99.Z99/dossiers", "{}", headers=headers, status=404)
    with tx() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 1  # nothing written by the bad ones


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reorder_hand_over_and_dispose_on_the_web(testapp, demo, documents, tx, settings):
    from recordsys.dossiers.models import DispositionBatch, Dossier

    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers")
    detail = testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2020",
                                                      "plan_code": "09.HC", "title": "Hồ sơ hội nghị",
                                                      "retention": "2"}).follow()
    url = detail.request.path
    testapp.post(url + "/fields", [("csrf_token", _token(detail)), ("add", str(documents[0])),
                                   ("add", str(documents[1]))])
    testapp.post(url + "/order", {"csrf_token": _token(detail), "order": f"{documents[1]},{documents[0]}"}, status=303)
    testapp.post(url + "/order", {"csrf_token": _token(detail), "order": f"{documents[1]}"}, status=400)
    closed = testapp.post(url + "/close", {"csrf_token": _token(detail)}).follow()
    assert closed.text.index(f'data-document="{documents[1]}"') < closed.text.index(f'data-document="{documents[0]}"')
    archive = testapp.get(f"/orgs/{OFFICE}/archive")
    assert "000.00.01.H41.2020.09.HC" in archive.text
    with tx() as session:
        dossier_id = session.scalar(select(Dossier.id))
    testapp.post(f"/orgs/{OFFICE}/transfers", {"csrf_token": _token(archive), "dossier": str(dossier_id)}, status=303)
    archive = testapp.get(f"/orgs/{OFFICE}/archive")
    accept = next(f for f in archive.forms.values() if f.action.endswith("/accept"))
    accept.submit(status=303)
    with tx() as session:
        session.get(Dossier, dossier_id).due_date = dt.date(2023, 1, 1)
    testapp.post(f"/orgs/{OFFICE}/dispositions", {"csrf_token": _token(archive)}, status=303)
    with tx() as session:
        batch_id = session.scalar(select(DispositionBatch.id))
    step = f"/orgs/{OFFICE}/dispositions/{batch_id}"
    testapp.post(step, {"csrf_token": _token(archive), "action": "appraise"}, status=303)
    refused = testapp.post(step, {"csrf_token": _token(archive), "action": "approve"}, status=400)
    assert "Chỉ vai trò leader mới được approve" in refused.text
    login(testapp, "lanhdao")
    testapp.post(step, {"csrf_token": _token(testapp.get("/")), "action": "approve"}, status=303)
    with tx() as session:
        assert session.get(DispositionBatch, batch_id).status == "approved"
        assert session.get(Dossier, dossier_id).status == "transferred"


def test_plan_on_the_web(testapp, demo):
    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers", params={"year": 2026})
    assert "Danh mục hồ sơ năm nay chưa có." in page.text
    testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2026", "plan_code": "02.VP",
                                              "title": "Hồ sơ hội nghị tổng kết", "retention": "10",
                                              "responsible_unit": "Phòng Hành chính", "plan_only": "1"}, status=303)
    page = testapp.get(f"/orgs/{OFFICE}/dossiers", params={"year": 2026})
    assert "Phòng Hành chính" in page.text
    open_form = next(f for f in page.forms.values() if "plan_code" in f.fields
                     and f["plan_code"].value == "02.VP" and "plan_only" not in f.fields)
    opened = open_form.submit().follow()
    assert "000.00.01.H41.2026.02.VP" in opened.text


def test_the_form_edits_the_circular05_fields(testapp, demo, documents, tx, settings):
    """Vietnamese labels, code lists as selects from metadata/codelists/c05, every error of a post
    reported with nothing saved, the values saved into the Circular 05 export."""
    import json

    from click.testing import CliRunner

    from recordsys.cli import main
    from recordsys.dossiers.models import Dossier

    login(testapp, "luutru")
    page = testapp.get(f"/orgs/{OFFICE}/dossiers", params={"year": 2026})
    made = testapp.post(f"/orgs/{OFFICE}/dossiers", {"csrf_token": _token(page), "year": "2026",
                                                    "plan_code": "02.TCCB", "title": "Hồ sơ giao đất",
                                                    "retention": "20"}, status=303).follow()
    assert "Siêu dữ liệu (Thông tư 05/2025)" in made.text and "Thông tư 02/2019" not in made.text
    assert "Mức độ tiếp cận (mode)" in made.text and "Tình trạng vật lý (format)" in made.text
    form = made.forms[[k for k, f in made.forms.items() if "mode" in f.fields][0]]
    assert [o[0] for o in form["maintenance"].options] == ["", "01", "02", "03", "04", "05", "06", "07"]
    assert form["maintenance"].value == "05" and form["mode"].value == "01"
    assert "11" in [o[0] for o in form["language"].options] and "01 — Tiếng Việt" in made.text
    assert "fileCode" in made.text and 'name="fileCode"' not in made.text  # computed: shown, not entered
    url = made.request.path
    bad = testapp.post(url + "/fields", [("csrf_token", _token(made)), ("title", ""), ("numberOfPaper", "-3"),
                                         ("language", "01"), ("language", "99"), ("format", "04")], status=400)
    for message in ("Trường Tiêu đề hồ sơ (title) là bắt buộc.", "Trường Số lượng tờ (numberOfPaper) phải là số nguyên.",
                    "&#39;99&#39; của Ngôn ngữ (language) không có trong danh mục.",
                    "&#39;04&#39; của Tình trạng vật lý (format) không có trong danh mục."):
        assert message in bad.text, message
    with tx() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == "02.TCCB")).one()
        assert "c05" not in dossier.fields and dossier.title == "Hồ sơ giao đất"
        dossier_id = dossier.id
    form["title"] = "Hồ sơ giao đất phường Lộc Thọ"
    form["maintenance"] = "01"
    form["mode"] = "02"
    form["language"] = ["01", "02"]
    form["keyword"] = "đất đai; Lộc Thọ"
    form["numberOfPaper"] = "12"
    form["format"] = "01"
    form["inforSign"] = "TCCB"
    form["description"] = "Bản giấy lưu tại Văn phòng"
    saved = form.submit(status=303).follow()
    assert "Hồ sơ giao đất phường Lộc Thọ" in saved.text
    with tx() as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier.retention == "vinh_vien" and dossier.fields["Title"] == "Hồ sơ giao đất phường Lộc Thọ"
        assert dossier.fields["c05"]["numberOfPaper"] == 12 and dossier.fields["c05"]["language"] == ["01", "02"]
    testapp.post(url + "/fields", [("csrf_token", _token(saved)), ("add", str(documents[0]))], status=303)
    runner = CliRunner(env={"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"],
                            "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]})
    exported = runner.invoke(main, ["dossier", "export", str(dossier_id), "--format", "json"], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    values = json.loads(exported.stdout)
    assert {k: values[k] for k in ("title", "maintenance", "mode", "language", "keyword", "numberOfPaper", "format",
                                   "inforSign", "description")} == {
        "title": "Hồ sơ giao đất phường Lộc Thọ", "maintenance": "01", "mode": "02", "language": ["01", "02"],
        "keyword": ["đất đai", "Lộc Thọ"], "numberOfPaper": 12, "format": "01", "inforSign": "TCCB",
        "description": "Bản giấy lưu tại Văn phòng"}
    shown = testapp.get(url)
    again = shown.forms[[k for k, f in shown.forms.items() if "mode" in f.fields][0]]
    assert again["mode"].value == "02" and again["language"].value == ["01", "02"]
    assert again["keyword"].value == "đất đai, Lộc Thọ"


def test_a_closed_dossier_shows_its_circular05_fields_read_only(testapp, demo, documents, tx):
    from recordsys.core.services import require_org
    from recordsys.dossiers import building

    with tx() as session:
        made = building.open_dossier(session, organization=require_org(session, OFFICE), year=2026,
                                     plan_code="03.TCCB", title="Hồ sơ đã kết thúc", retention="vinh_vien",
                                     actor="luutru")
        building.set_circular05_fields(session, made, {"language": ["01", "03"], "format": "02"}, "luutru")
        building.add_documents(session, made, documents[:2], "luutru")
        building.close(session, made, "luutru")
        url = f"/orgs/{OFFICE}/dossiers/{made.id}"
    login(testapp, "luutru")
    page = testapp.get(url)
    assert not any("mode" in f.fields for f in page.forms.values())  # nothing to enter any more
    assert 'value="Tiếng Việt, Tiếng Pháp"' in page.text and 'value="Bình thường"' in page.text
    assert 'value="Vĩnh viễn"' in page.text and "000.00.01.H41.2026.03.TCCB" in page.text
