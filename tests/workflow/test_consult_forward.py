"""Consultation (xin ý kiến) and forwarding within the unit for incoming documents, and the
approval chain's forward step for drafts: through `recordsys workflow` / `recordsys outgoing`
and the JSON API, with refusals that give a reason and change nothing."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.core import services as core
from recordsys.core.models import AuditEvent
from recordsys.core.services import require_org
from recordsys.ingest.registration import register_checked_file
from recordsys.storage.local import LocalFileStorage
from recordsys.workflow import services
from recordsys.workflow.models import Assignment, Draft
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNITS = {"chuyenvien": "TH", "luutru": "TH", "kiemtra": "KT", "phochanh": "LĐ"}


@pytest.fixture
def office(tx, demo):
    """The demo office with units and a deputy leader (phochanh) who can decide in lanhdao's place."""
    with tx() as s:
        org = require_org(s, OFFICE)
        services.set_workflow_settings(s, org, {"units": UNITS}, actor="test")
        deputy = core.create_user(s, username="phochanh", full_name="Hồ Thị Mai", password="phochanh-2026-xx")
        core.grant_role(s, deputy, org, "leader")
    return OFFICE


@pytest.fixture
def run(settings, office):
    env = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"], "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"]}
    runner = CliRunner(env=env)
    return lambda *args: runner.invoke(main, ["--lang", "en", *[str(a) for a in args]], catch_exceptions=False)


@pytest.fixture
def incoming(tx, settings, tmp_path, office):
    pdf = plain_pdf(tmp_path / "cong-van-den.pdf")
    with tx() as s:
        result = register_checked_file(
            s, storage=LocalFileStorage(settings["storage.path"]), path=pdf,
            verdict={"accepted": True, "signature": {"status": "valid", "signatures": []}},
            organization=require_org(s, OFFICE), direction="incoming", actor="vanthu",
            metadata={"subject": "Đề nghị góp ý dự thảo quy hoạch sử dụng đất", "number_and_symbol": "77/STNMT-QLĐĐ"},
            extracted={"text": ""})
    return result.document_id


def _snapshot(tx, document_id):
    with tx() as s:
        a = s.scalar(select(Assignment).where(Assignment.document_id == document_id))
        return (a.state, a.main_handler, a.consultations, a.forwards,
                s.scalar(select(func.count()).select_from(AuditEvent)))


def _assign(run, document_id):
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    done = run("workflow", "assign", document_id, "--to", "chuyenvien", "--deadline", deadline, "--as", "lanhdao")
    assert done.exit_code == 0, done.output


@SQLITE
def test_consult_answer_then_done(run, incoming, tx):
    _assign(run, incoming)
    before = _snapshot(tx, incoming)
    not_handler = run("workflow", "consult", incoming, "--to", "kiemtra", "--question", "?", "--as", "luutru")
    assert not_handler.exit_code == 1 and "main handler" in not_handler.output
    nobody = run("workflow", "consult", incoming, "--to", "kiemtra", "--to", "khongco", "--question", "Ý kiến?",
                 "--as", "chuyenvien")
    assert nobody.exit_code == 1 and "khongco" in nobody.output
    outsider = run("workflow", "consult", incoming, "--to", "quantri", "--question", "Ý kiến?", "--as", "chuyenvien")
    assert outsider.exit_code == 1 and "colleagues of the agency" in outsider.output
    empty = run("workflow", "consult", incoming, "--to", "kiemtra", "--question", "  ", "--as", "chuyenvien")
    assert empty.exit_code == 1 and "question is empty" in empty.output
    assert _snapshot(tx, incoming) == before  # each refusal changed nothing, not even half of a request

    asked = run("workflow", "consult", incoming, "--to", "kiemtra", "--to", "luutru",
                "--question", "Đề nghị cho ý kiến về số liệu diện tích đất", "--as", "chuyenvien", "--json")
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.stdout)
    assert data["state"] == "processing"
    assert [(c["number"], c["to"], c["state"]) for c in data["consultations"]] == [
        (1, "kiemtra", "pending"), (2, "luutru", "pending")]

    wrong = run("workflow", "answer", incoming, "--number", 1, "--text", "Đồng ý", "--as", "luutru")
    assert wrong.exit_code == 1 and "not addressed to you" in wrong.output
    bad_number = run("workflow", "answer", incoming, "--number", "x1", "--text", "Đồng ý", "--as", "kiemtra")
    assert bad_number.exit_code != 0 and "number" in bad_number.output
    answered = run("workflow", "answer", incoming, "--number", 1, "--text", "Thống nhất số liệu 120 ha",
                   "--as", "kiemtra", "--json")
    assert answered.exit_code == 0, answered.output
    states = [c["state"] for c in json.loads(answered.stdout)["consultations"]]
    assert states == ["answered", "pending"]
    twice = run("workflow", "answer", incoming, "--number", 1, "--text", "Lại", "--as", "kiemtra")
    assert twice.exit_code == 1 and "already answered" in twice.output

    early = run("workflow", "done", incoming, "--result", "Xong", "--as", "chuyenvien")
    assert early.exit_code == 1 and "unanswered (number 2)" in early.output
    assert run("workflow", "answer", incoming, "--number", 2, "--text", "Không có ý kiến khác",
               "--as", "luutru").exit_code == 0
    assert run("workflow", "done", incoming, "--result", "Đã góp ý bằng văn bản",
               "--as", "chuyenvien").exit_code == 0
    with tx() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(incoming),
                                                            AuditEvent.object_type == "document")).all()
    assert actions.count("incoming.consult") == 1 and actions.count("incoming.answer") == 2


@SQLITE
def test_forward_only_within_the_unit(run, incoming, tx):
    _assign(run, incoming)
    before = _snapshot(tx, incoming)
    other_unit = run("workflow", "forward", incoming, "--to", "kiemtra", "--as", "chuyenvien")
    assert other_unit.exit_code == 1 and "only within your unit" in other_unit.output
    not_handler = run("workflow", "forward", incoming, "--to", "chuyenvien", "--as", "luutru")
    assert not_handler.exit_code == 1 and "main handler" in not_handler.output
    assert _snapshot(tx, incoming) == before

    forwarded = run("workflow", "forward", incoming, "--to", "luutru", "--as", "chuyenvien", "--json")
    assert forwarded.exit_code == 0, forwarded.output
    data = json.loads(forwarded.stdout)
    assert data["main_handler"] == "luutru" and data["forwards"] == [{"from": "chuyenvien", "to": "luutru"}]
    gone = run("workflow", "done", incoming, "--result", "Xong", "--as", "chuyenvien")
    assert gone.exit_code == 1 and "main handler" in gone.output
    assert run("workflow", "done", incoming, "--result", "Đã xử lý", "--as", "luutru").exit_code == 0
    with tx() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "incoming.forward"))
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert event.actor == "chuyenvien" and payload["to"] == "luutru" and payload["unit"] == "TH"


@pytest.fixture
def tokens(office, tx):
    from recordsys.core.models import User
    from recordsys.core.services import create_token

    with tx() as s:
        return {u: create_token(s, s.scalar(select(User).where(User.username == u)), "máy")
                for u in ("chuyenvien", "lanhdao", "phochanh", "kiemtra", "luutru", "quantri")}


def _auth(tokens, user):
    return {"Authorization": f"Bearer {tokens[user]}", "Content-Type": "application/json"}


@SQLITE
def test_incoming_consult_and_forward_over_the_api(testapp, tokens, incoming, run):
    _assign(run, incoming)
    base = f"/api/v1/orgs/{OFFICE}/incoming/{incoming}"
    post = lambda action, body, user, status=200: testapp.post(
        f"{base}/{action}", json.dumps(body), headers=_auth(tokens, user), status=status)
    refused = post("consult", {"to": ["kiemtra"], "question": "?"}, "kiemtra", 409)
    assert refused.content_type == "application/problem+json" and refused.json["code"] == "not_main_handler"
    post("consult", {"to": 7, "question": "?"}, "chuyenvien", 400)
    asked = post("consult", {"to": "kiemtra", "question": "Xin ý kiến về số liệu"}, "chuyenvien").json
    assert asked["consultations"][0]["state"] == "pending"
    assert post("answer", {"number": "abc", "text": "x"}, "kiemtra", 400).json["field"] == "number"
    answered = post("answer", {"number": 1, "text": "Thống nhất"}, "kiemtra").json
    assert answered["consultations"][0] == {"number": 1, "by": "chuyenvien", "to": "kiemtra",
                                            "question": "Xin ý kiến về số liệu", "answer": "Thống nhất",
                                            "state": "answered"}
    assert post("forward", {"to": "kiemtra"}, "chuyenvien", 409).json["code"] == "forward_outside_unit"
    assert post("forward", {"to": "luutru"}, "chuyenvien").json["main_handler"] == "luutru"
    post("forward", {"to": "luutru"}, "quantri", 404)  # another agency's user does not even find it

    spec = testapp.get("/api/v1/openapi.json").json["paths"]
    incoming_op = spec["/api/v1/orgs/{org}/incoming/{id}/{action}"]["post"]
    assert "consult" in incoming_op["summary"] and "forward" in incoming_op["summary"]
    assert "forward" in spec["/api/v1/orgs/{org}/drafts/{id}/{action}"]["post"]["summary"]


@SQLITE
def test_draft_forwarded_to_a_deputy(testapp, tokens, run, tx, settings, tmp_path):
    pdf = plain_pdf(tmp_path / "du-thao.pdf")
    with tx() as s:
        draft_id = services.create_draft(s, storage=LocalFileStorage(settings["storage.path"]), org_code=OFFICE,
                                         username="chuyenvien", pdf=pdf, label="du-thao.pdf", type_code="CV",
                                         subject="Về việc góp ý quy hoạch").id
    early = run("outgoing", "forward", draft_id, "--to", "phochanh", "--as", "lanhdao")
    assert early.exit_code == 1 and "a draft" in early.output
    assert run("outgoing", "submit", draft_id, "--as", "chuyenvien").exit_code == 0
    not_approver = run("outgoing", "forward", draft_id, "--to", "phochanh", "--as", "chuyenvien")
    assert not_approver.exit_code == 1 and "not this step's approver" in not_approver.output
    outside = run("outgoing", "forward", draft_id, "--to", "quantri", "--as", "lanhdao")
    assert outside.exit_code == 1 and "only within the agency" in outside.output

    forwarded = run("outgoing", "forward", draft_id, "--to", "phochanh", "--comments", "Đồng chí Phó Chánh xem",
                    "--as", "lanhdao", "--json")
    assert forwarded.exit_code == 0, forwarded.output
    assert json.loads(forwarded.stdout)["delegate"] == "phochanh"
    base = f"/api/v1/orgs/{OFFICE}/drafts/{draft_id}"
    assert testapp.post(f"{base}/approve", "{}", headers=_auth(tokens, "lanhdao"), status=409).json["code"] == \
        "not_current_approver"
    back = testapp.post(f"{base}/forward", json.dumps({"to": "lanhdao"}), headers=_auth(tokens, "phochanh")).json
    assert back["delegate"] == "lanhdao"
    testapp.post(f"{base}/forward", json.dumps({"to": "phochanh"}), headers=_auth(tokens, "quantri"), status=404)
    approved = testapp.post(f"{base}/approve", "{}", headers=_auth(tokens, "lanhdao")).json
    assert approved["state"] == "approved" and approved["delegate"] is None
    with tx() as s:
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "draft",
                                                           AuditEvent.object_id == str(draft_id))).all()
    assert events.count("draft.forward") == 2


def test_document_page_consults_answers_and_forwards(app, incoming, run):  # both databases: the inbox query
    from webtest import TestApp

    from tests.conftest import login

    _assign(run, incoming)
    page_url = f"/orgs/{OFFICE}/documents/{incoming}/workflow"
    handler = login(TestApp(app), "chuyenvien")
    page = handler.get(page_url)
    form = page.forms["consult-form"]
    form["to"], form["question"] = "kiemtra, luutru", "Đề nghị cho ý kiến về số liệu"
    page = form.submit().follow()
    rows = page.html.select("#consultations tr.consultation")
    assert [r.select("td")[2].text for r in rows] == ["kiemtra", "luutru"]
    assert all("pending" in r["class"] for r in rows)

    colleague = login(TestApp(app), "kiemtra")
    home = colleague.get("/").html
    assert home.select_one("#inbox-to_answer") is not None and f"/documents/{incoming}/workflow" in str(home)
    assert login(TestApp(app), "lanhdao").get("/").html.select_one("#inbox-to_answer") is None
    mine = colleague.get(page_url)
    assert "forward-form" not in mine.forms and "consult-form" not in mine.forms  # not the main handler
    [answer] = [f for f in mine.forms.values() if f.action.endswith("/answer")]  # only the request addressed to me
    answer["text"] = "Thống nhất số liệu"
    answered = answer.submit().follow().html.select("#consultations tr.consultation")
    assert "answered" in answered[0]["class"] and "Thống nhất số liệu" in answered[0].text
    assert colleague.get("/").html.select_one("#inbox-to_answer") is None  # answered: off the inbox

    page = handler.get(page_url)
    forward = page.forms["forward-form"]
    forward["to"] = "kiemtra"  # another unit: refused with the reason, in Vietnamese
    refused = forward.submit().follow()
    assert "Chỉ chuyển văn bản cho người trong cùng đơn vị" in refused.text
    forward = refused.forms["forward-form"]
    forward["to"] = "luutru"
    done = forward.submit().follow()
    assert done.html.select_one("#assignment .handler").text == "luutru"
    assert "chuyenvien → luutru" in done.html.select_one("#forwards").text


@SQLITE
def test_drafts_page_forwards(app, run, tx, settings, tmp_path):
    from webtest import TestApp

    from tests.conftest import login

    with tx() as s:
        draft_id = services.create_draft(s, storage=LocalFileStorage(settings["storage.path"]), org_code=OFFICE,
                                         username="chuyenvien", pdf=plain_pdf(tmp_path / "d.pdf"), label="d.pdf",
                                         type_code="CV", subject="Về việc góp ý").id
    assert run("outgoing", "submit", draft_id, "--as", "chuyenvien").exit_code == 0
    leader = login(TestApp(app), "lanhdao")
    page = leader.get(f"/orgs/{OFFICE}/drafts")
    [form] = [f for f in page.forms.values() if f.action.endswith(f"/drafts/{draft_id}/forward")]
    form["to"] = "phochanh"
    after = form.submit().follow()
    assert "phochanh" in after.html.select_one("tbody tr").text
    with tx() as s:
        assert s.get(Draft, draft_id).delegate == "phochanh"


@SQLITE
def test_a_secret_document_is_not_given_to_someone_without_clearance(run, incoming, tx):
    from recordsys.core.models import User
    from recordsys.ingest.models import Document

    with tx() as s:
        s.get(Document, incoming).confidentiality = "mat"
        for user in s.scalars(select(User).where(User.username.in_(["lanhdao", "chuyenvien"]))):
            user.clearance = 1
    with tx() as s:
        s_count = s.scalar(select(func.count()).select_from(AuditEvent))
    refused = run("workflow", "assign", incoming, "--to", "kiemtra", "--as", "lanhdao")
    assert refused.exit_code == 1 and "kiemtra" in refused.output and "clearance" in refused.output
    _assign(run, incoming)
    before = _snapshot(tx, incoming)
    asked = run("workflow", "consult", incoming, "--to", "luutru", "--question", "Ý kiến về quy hoạch?",
                "--as", "chuyenvien")
    assert asked.exit_code == 1 and "luutru" in asked.output
    moved = run("workflow", "forward", incoming, "--to", "luutru", "--as", "chuyenvien")
    assert moved.exit_code == 1 and "luutru" in moved.output
    assert _snapshot(tx, incoming) == before
    with tx() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == s_count + 1  # the one assignment
