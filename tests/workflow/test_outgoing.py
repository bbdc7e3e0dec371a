"""Outgoing documents end to end on both databases: the demo path through `recordsys outgoing`
(chuyenvien drafts, lanhdao approves and signs, vanthu issues), the issued file accepted by
`recordsys ingest check` with both signatures valid under the demo trust; refusals that change
nothing; two clerks issuing at once never share a number."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from recordsys.cli import main
from recordsys.cli.context import AppEnv
from recordsys.ingest.models import Document, Register
from recordsys.workflow import services
from recordsys.workflow.keys import ISignerProvider
from recordsys.workflow.models import Draft, DraftApproval, DraftSignature
from tests.common.pdfs import plain_pdf

OFFICE = "000.00.01.H41"
SUBJECT = "Về việc giao đất cho hộ gia đình, cá nhân tại phường Lộc Thọ"


@pytest.fixture
def env_vars(settings, verapdf_home, monkeypatch):
    values = {"RECORDSYS_DATABASE_URL": settings["sqlalchemy.url"],
              "RECORDSYS_DATA_DIR": settings["recordsys.data_dir"],
              "RECORDSYS_VERAPDF_HOME": str(verapdf_home)}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def run(env_vars):
    runner = CliRunner(env=env_vars)
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def draft_pdf(tmp_path):
    return plain_pdf(tmp_path / "du-thao-quyet-dinh.pdf", pages=2)


@pytest.fixture
def app_env(env_vars, demo):
    return AppEnv()


def _checker(app_env):
    from recordsys.ingest.interfaces import IDocumentChecker

    return app_env.find_service(IDocumentChecker)


def _signed_draft(app_env, pdf_path: Path, tmp_path: Path, subject=SUBJECT) -> int:
    """A draft of the demo office taken to `signed` through the services."""
    pdf = services.prepare_pdfa(pdf_path, tmp_path, _checker(app_env))
    storage, signers = app_env.storage, app_env.find_service(ISignerProvider)
    with app_env.transaction() as s:
        draft_id = services.create_draft(s, storage=storage, org_code=OFFICE, username="chuyenvien", pdf=pdf,
                                         label=pdf_path.name, type_code="QĐ", subject=subject).id
    for action, user in ((services.submit_draft, "chuyenvien"), (services.approve_draft, "lanhdao")):
        with app_env.transaction() as s:
            action(s, storage=storage, draft_id=draft_id, username=user)
    with app_env.transaction() as s:
        services.sign_draft(s, storage=storage, signers=signers, draft_id=draft_id, username="lanhdao")
    return draft_id


def _snapshot(app_env, draft_id):
    with app_env.transaction() as s:
        draft = s.get(Draft, draft_id)
        return (draft.state, draft.step, draft.approved_hash, draft.signed_hash, draft.number_and_symbol,
                draft.current_version_id,
                s.scalar(select(func.count()).select_from(DraftApproval).where(DraftApproval.draft_id == draft_id)),
                s.scalar(select(func.count()).select_from(DraftSignature).where(DraftSignature.draft_id == draft_id)),
                s.scalar(select(func.count()).select_from(Document)),
                s.scalar(select(func.coalesce(func.max(Register.last_number), 0))))


def test_demo_path_from_draft_to_an_issued_document_that_intake_accepts(run, env_vars, draft_pdf, tmp_path, tx):
    from recordsys.core.models import AuditEvent

    assert run("demo").exit_code == 0  # also makes the demo PKI and trusts its root
    data = Path(env_vars["RECORDSYS_DATA_DIR"])
    [anchor] = (data / "trust").glob("*.pem")
    assert (data / "demo-pki" / "root.cert.pem").read_bytes() == anchor.read_bytes()
    with tx() as s:
        assert s.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "trust.add")).all() == [anchor.stem]

    drafted = run("outgoing", "draft", "--org", OFFICE, "--file", draft_pdf, "--type", "QĐ", "--subject", SUBJECT,
                  "--as", "chuyenvien")
    assert drafted.exit_code == 0, drafted.output
    draft_id = int(drafted.stdout.strip())

    unsigned = run("outgoing", "issue", draft_id, "--as", "vanthu")
    assert unsigned.exit_code == 1 and "chưa được ký" in unsigned.output
    assert run("outgoing", "submit", draft_id, "--as", "chuyenvien").exit_code == 0
    approved = run("outgoing", "approve", draft_id, "--as", "lanhdao")
    assert approved.exit_code == 0 and "approved" in approved.stdout
    twice = run("--lang", "en", "outgoing", "approve", draft_id, "--as", "lanhdao")
    assert twice.exit_code == 1 and "cannot be approved twice" in twice.output
    assert run("outgoing", "sign", draft_id, "--as", "lanhdao").exit_code == 0

    out = tmp_path / "ban-hanh.pdf"
    issued = run("outgoing", "issue", draft_id, "--as", "vanthu", "--json", "--out", out)
    assert issued.exit_code == 0, issued.output
    result = json.loads(issued.stdout)
    assert result["number_and_symbol"] == "01/QĐ-VP" and Path(result["file"]) == out and out.is_file()
    assert isinstance(result["document_id"], int)

    checked = run("ingest", "check", "--json", "--direction", "outgoing", out)
    assert checked.exit_code == 0, checked.output
    verdict = json.loads(checked.stdout)
    assert verdict["accepted"] and verdict["signature"]["status"] == "valid"
    signers = [(s["signer"], s["status"]) for s in verdict["signature"]["signatures"]]
    assert signers == [("Nguyễn Đình Quang", "valid"), ("Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa", "valid")]

    again = run("outgoing", "issue", draft_id, "--as", "vanthu")
    assert again.exit_code == 1
    shown = run("outgoing", "show", draft_id)
    assert json.loads(shown.stdout)["state"] == "issued"


def test_issued_document_is_registered_with_its_number(app_env, draft_pdf, tmp_path):
    draft_id = _signed_draft(app_env, draft_pdf, tmp_path)
    with app_env.transaction() as s:
        result = services.issue_draft(s, storage=app_env.storage, signers=app_env.find_service(ISignerProvider),
                                      checker=_checker(app_env), draft_id=draft_id, username="vanthu", out=None,
                                      data_dir=Path(app_env.settings["recordsys.data_dir"]))
    assert Path(result["file"]).is_file()
    assert Path(result["file"]).is_relative_to(Path(app_env.settings["recordsys.data_dir"]))
    with app_env.transaction() as s:
        doc = s.get(Document, result["document_id"])
        draft = s.get(Draft, draft_id)
        assert (doc.direction, doc.number, doc.number_and_symbol, doc.subject) == ("outgoing", 1, "01/QĐ-VP", SUBJECT)
        assert doc.signature_status == "valid" and doc.pdfa_compliant
        assert draft.document_id == doc.id and draft.state == "issued"
        kinds = s.scalars(select(DraftSignature.kind).where(DraftSignature.draft_id == draft_id)
                          .order_by(DraftSignature.id)).all()
        assert kinds == ["person", "agency"]


def test_refusals_change_nothing(app_env, draft_pdf, tmp_path):
    storage, signers = app_env.storage, app_env.find_service(ISignerProvider)
    pdf = services.prepare_pdfa(draft_pdf, tmp_path, _checker(app_env))
    with app_env.transaction() as s:
        draft_id = services.create_draft(s, storage=storage, org_code=OFFICE, username="chuyenvien", pdf=pdf,
                                         label="du-thao.pdf", type_code="QĐ", subject=SUBJECT).id

    def refused(fn, code, **kwargs):
        before = _snapshot(app_env, draft_id)
        with pytest.raises(services.WorkflowRefused) as exc, app_env.transaction() as s:
            fn(s, storage=storage, draft_id=draft_id, **kwargs)
        assert exc.value.code == code, exc.value
        assert exc.value.message and exc.value.localized("vi") != exc.value.message
        assert _snapshot(app_env, draft_id) == before

    def issue(s, **kwargs):
        return services.issue_draft(s, signers=signers, checker=_checker(app_env), out=None,
                                    data_dir=Path(app_env.settings["recordsys.data_dir"]), **kwargs)

    def sign(s, **kwargs):
        return services.sign_draft(s, signers=signers, **kwargs)

    refused(issue, "issue_unsigned", username="vanthu")
    refused(services.approve_draft, "approve_when_draft", username="lanhdao")
    refused(services.submit_draft, "not_drafter", username="lanhdao")
    with app_env.transaction() as s:
        services.submit_draft(s, storage=storage, draft_id=draft_id, username="chuyenvien")
    refused(sign, "sign_unapproved", username="lanhdao")
    refused(services.approve_draft, "not_current_approver", username="chuyenvien")
    refused(services.approve_draft, "other_agency", username="quantri")  # the province's administrator
    with app_env.transaction() as s:
        services.approve_draft(s, storage=storage, draft_id=draft_id, username="lanhdao")
    refused(services.approve_draft, "already_approved", username="lanhdao")
    refused(sign, "not_signer", username="vanthu")

    # the content changes after approval (a new version slipped in): the leader does not sign it
    (tmp_path / "k").mkdir()
    other = services.prepare_pdfa(plain_pdf(tmp_path / "khac.pdf", lines=["Nội dung khác"]), tmp_path / "k",
                                  _checker(app_env))
    with app_env.transaction() as s:
        draft = s.get(Draft, draft_id)
        services._add_version(s, storage, draft, other, "khac.pdf", "chuyenvien")
    refused(sign, "content_changed_after_approval", username="lanhdao")


def test_another_agencys_leader_and_clerk_are_refused(app_env, draft_pdf, tmp_path):
    from recordsys.core import services as core

    with app_env.transaction() as s:
        for username, role in (("lanhdao.snv", "leader"), ("vanthu.snv", "clerk")):
            user = core.create_user(s, username=username, full_name="Hoàng Văn Nam", password="x" * 12)
            core.grant_role(s, user, core.require_org(s, "000.00.31.H41"), role)
    draft_id = _signed_draft(app_env, draft_pdf, tmp_path)
    before = _snapshot(app_env, draft_id)
    with pytest.raises(services.WorkflowRefused) as exc, app_env.transaction() as s:
        services.issue_draft(s, storage=app_env.storage, signers=app_env.find_service(ISignerProvider),
                             checker=_checker(app_env), draft_id=draft_id, username="vanthu.snv", out=None,
                             data_dir=Path(app_env.settings["recordsys.data_dir"]))
    assert exc.value.code == "other_agency" and "000.00.01.H41" in exc.value.message
    assert _snapshot(app_env, draft_id) == before


def test_a_docx_draft_is_converted_and_checked(run, demo, tmp_path):
    from tests.workflow.test_keys import make_docx

    docx = make_docx(tmp_path, ["VĂN PHÒNG UBND TỈNH KHÁNH HÒA", "KẾ HOẠCH", "Tổ chức hội nghị tổng kết năm 2026"])
    drafted = run("outgoing", "draft", "--org", OFFICE, "--file", docx, "--type", "KH",
                  "--subject", "Kế hoạch tổ chức hội nghị tổng kết năm 2026", "--as", "chuyenvien", "--json")
    assert drafted.exit_code == 0, drafted.output
    summary = json.loads(drafted.stdout)
    assert summary["type"] == "KH" and summary["version"] == 1


def test_unknown_type_and_non_pdf_are_refused(run, demo, tmp_path, draft_pdf):
    bad_type = run("--lang", "en", "outgoing", "draft", "--org", OFFICE, "--file", draft_pdf, "--type", "XYZ",
                   "--subject", SUBJECT, "--as", "chuyenvien")
    assert bad_type.exit_code == 1 and "not a numbered document type" in bad_type.output
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải PDF", encoding="utf-8")
    not_pdf = run("--lang", "en", "outgoing", "draft", "--org", OFFICE, "--file", text, "--type", "QĐ",
                  "--subject", SUBJECT, "--as", "chuyenvien")
    assert not_pdf.exit_code == 1 and "PDF or a DOCX" in not_pdf.output


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # row locks between transactions
def test_two_clerks_issuing_at_once_get_different_numbers(app_env, database_url, draft_pdf, tmp_path):
    ids = []
    for i in (1, 2):
        (tmp_path / str(i)).mkdir()
        ids.append(_signed_draft(app_env, draft_pdf, tmp_path / str(i), subject=f"{SUBJECT} (đợt {i})"))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def issue(draft_id):
        try:
            barrier.wait()
            with app_env.transaction() as s:
                results.append(services.issue_draft(
                    s, storage=app_env.storage, signers=app_env.find_service(ISignerProvider),
                    checker=_checker(app_env), draft_id=draft_id, username="vanthu", out=None,
                    data_dir=Path(app_env.settings["recordsys.data_dir"])))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert sorted(r["number_and_symbol"] for r in results) == ["01/QĐ-VP", "02/QĐ-VP"]
    with app_env.transaction() as s:
        numbers = s.scalars(select(Document.number).where(Document.direction == "outgoing")).all()
        assert sorted(numbers) == [1, 2]


def test_a_two_step_chain_from_the_agency_settings(run, app_env, draft_pdf, tmp_path):
    from recordsys.core import services as core

    with app_env.transaction() as s:
        head = core.create_user(s, username="truongphong", full_name="Bùi Thị Lan", password="x" * 12)
        core.grant_role(s, head, core.require_org(s, OFFICE), "specialist")
    bad = run("--lang", "en", "outgoing", "settings", "--org", OFFICE, "--set", "approval_chain=[{\"label\": 1}]")
    assert bad.exit_code == 1 and "approval chain is not valid" in bad.output
    configured = run("outgoing", "settings", "--org", OFFICE, "--set", 'unit_heads=["truongphong"]',
                     "--set", 'units={"chuyenvien": "TH", "truongphong": "TH"}')
    assert configured.exit_code == 0, configured.output
    drafted = run("outgoing", "draft", "--org", OFFICE, "--file", draft_pdf, "--type", "QD", "--subject", SUBJECT,
                  "--as", "chuyenvien", "--json")
    draft = json.loads(drafted.stdout)
    assert draft["steps"] == 2 and draft["type"] == "QĐ"
    assert run("outgoing", "submit", draft["id"], "--as", "chuyenvien").exit_code == 0
    leader_first = run("--lang", "en", "outgoing", "approve", draft["id"], "--as", "lanhdao")
    assert leader_first.exit_code == 1 and "head of unit" in leader_first.output
    assert run("outgoing", "approve", draft["id"], "--as", "truongphong", "--json").exit_code == 0
    assert json.loads(run("outgoing", "show", draft["id"]).stdout)["state"] == "submitted"
    done = run("outgoing", "approve", draft["id"], "--as", "lanhdao", "--json")
    assert json.loads(done.stdout)["state"] == "approved"
    assert run("outgoing", "sign", draft["id"], "--as", "lanhdao").exit_code == 0
    issued = json.loads(run("outgoing", "issue", draft["id"], "--as", "vanthu", "--json").stdout)
    assert issued["number_and_symbol"] == "01/QĐ-VP-TH"  # the drafting unit, as the symbol may name it
