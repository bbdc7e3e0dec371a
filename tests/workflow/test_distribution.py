"""Distribution and filing at issue: agencies of this installation named as recipients find the
issued document in their exchange inbox at once, other agencies get it through the exchange
outbox, and the document with its draft history goes into the dossier that the agency's plan
names for its type (and nowhere when the plan names none)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from recordsys.core.services import require_org
from recordsys.dossiers.building import add_plan_entry
from recordsys.dossiers.models import Dossier, DossierItem
from recordsys.exchange.models import InboxEntry, OutboxMessage
from recordsys.ingest.models import Document
from recordsys.workflow import services
from recordsys.workflow.keys import ISignerProvider
from tests.common.pdfs import plain_pdf
from tests.workflow.test_outgoing import _checker, app_env, env_vars  # noqa: F401 (fixtures)

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
OFFICE, SNV, NINH_THUAN = "000.00.01.H41", "000.00.31.H41", "000.00.00.H58"


def _issue(app_env, tmp_path, type_code, recipients):  # noqa: F811
    pdf = services.prepare_pdfa(plain_pdf(tmp_path / f"{type_code}.pdf"), tmp_path, _checker(app_env))
    storage, signers = app_env.storage, app_env.find_service(ISignerProvider)
    with app_env.transaction() as s:
        draft_id = services.create_draft(s, storage=storage, org_code=OFFICE, username="chuyenvien", pdf=pdf,
                                         label="du-thao.pdf", type_code=type_code, recipients=recipients,
                                         subject="Về việc triển khai lưu trữ điện tử").id
    for action, user in ((services.submit_draft, "chuyenvien"), (services.approve_draft, "lanhdao")):
        with app_env.transaction() as s:
            action(s, storage=storage, draft_id=draft_id, username=user)
    with app_env.transaction() as s:
        services.sign_draft(s, storage=storage, signers=signers, draft_id=draft_id, username="lanhdao")
    with app_env.transaction() as s:
        return services.issue_draft(s, storage=storage, signers=signers, checker=_checker(app_env),
                                    draft_id=draft_id, username="vanthu", out=None, settings=app_env.settings,
                                    data_dir=Path(app_env.settings["recordsys.data_dir"]))


def test_internal_at_once_external_through_the_outbox_and_filed(app_env, app, tmp_path):  # noqa: F811
    import datetime as dt

    year = dt.date.today().year
    with app_env.transaction() as s:
        org = require_org(s, OFFICE)
        add_plan_entry(s, organization=org, year=year, code="05.TH", title="Hồ sơ chuyển đổi số",
                       retention="10", actor="luutru")
        services.set_workflow_settings(s, org, {"filing": {"KH": "05.TH", "TB": "09.XX"}}, actor="test")
    result = _issue(app_env, tmp_path, "KH", [SNV, NINH_THUAN, "Như trên", "Lưu: VT, TH", OFFICE])
    sent = result["distribution"]
    assert (sent["internal"], sent["external"], sent["paper"]) == ([SNV], [NINH_THUAN], ["Như trên", "Lưu: VT, TH"])
    with app_env.transaction() as s:
        [entry] = s.scalars(select(InboxEntry).where(InboxEntry.organization_id == require_org(s, SNV).id)).all()
        assert (entry.received_via, entry.from_organ, entry.state) == ("internal", OFFICE, "received")
        assert entry.id in sent["inbox_ids"]
        message = s.get(OutboxMessage, sent["outbox_id"])
        assert (message.kind, message.recipients, message.document_id, message.state) == (
            "document", [NINH_THUAN], result["document_id"], "queued")

        assert result["filing"]["filed"] and result["filing"]["plan_code"] == "05.TH"
        dossier = s.get(Dossier, result["filing"]["dossier_id"])
        assert (dossier.code, dossier.year, dossier.title, dossier.status) == ("05.TH", year, "Hồ sơ chuyển đổi số", "open")
        assert [i.document_id for i in s.scalars(select(DossierItem).where(DossierItem.dossier_id == dossier.id))] \
            == [result["document_id"]]
        history = s.get(Document, result["document_id"]).extra["draft_history"]
        assert [v["number"] for v in history["versions"]] == [1]
        assert [d["decision"] for d in history["decisions"]] == ["submit", "approve"]
        assert [(g["kind"], g["by"]) for g in history["signatures"]] == [("person", "lanhdao"), ("agency", OFFICE)]

    # the issued document's page says where it went
    from webtest import TestApp

    from tests.conftest import login

    page = login(TestApp(app), "lanhdao").get(
        f"/orgs/{OFFICE}/documents/{result['document_id']}/workflow").html.select_one("#distribution").text
    assert SNV in page and NINH_THUAN in page and "Như trên" in page and "05.TH" in page

    # a type the plan of the year does not have: issued and distributed, filed nowhere, said so
    second = _issue(app_env, tmp_path, "TB", [])
    assert second["filing"] == {"dossier_id": None, "plan_code": "09.XX", "filed": False, "reason": "not_in_plan"}
    assert second["distribution"]["inbox_ids"] == [] and second["distribution"]["outbox_id"] is None
    with app_env.transaction() as s:
        assert s.scalar(select(DossierItem).where(DossierItem.document_id == second["document_id"])) is None


def test_filing_setting_is_checked(app_env):  # noqa: F811
    from recordsys.errors import DomainError

    with app_env.transaction() as s, pytest.raises(DomainError) as info:
        services.set_workflow_settings(s, require_org(s, OFFICE), {"filing": ["KH"]}, actor="test")
    assert info.value.field == "filing"


def test_refused_internal_delivery_issues_nothing(app_env, tmp_path, monkeypatch):  # noqa: F811
    """When a recipient here would refuse the envelope, the issue is rolled back whole: no number
    taken, no document, no file, the draft still signed."""
    from recordsys.errors import DomainError
    from recordsys.exchange import services as exchange
    from recordsys.ingest.models import Register
    from recordsys.workflow.models import Draft

    real = exchange.check_envelope

    def refusing(data, checker, settings=None, **kw):
        checked = real(data, checker, settings, **kw)
        checked.errors = ["chữ ký không hợp lệ / the signature is not valid"]
        return checked

    monkeypatch.setattr(exchange, "check_envelope", refusing)
    with pytest.raises(DomainError) as info:
        _issue(app_env, tmp_path, "KH", [SNV])
    assert info.value.code == "distribution" and SNV in info.value.localized("en")
    assert "Chưa ban hành" in info.value.localized("vi")
    with app_env.transaction() as s:
        assert s.scalar(select(Draft.state)) == "signed"
        assert s.scalar(select(Document).where(Document.direction == "outgoing")) is None
        assert s.scalar(select(InboxEntry)) is None
        assert (s.scalar(select(Register.last_number).where(Register.kind.like("outgoing%"))) or 0) == 0
    assert not (Path(app_env.settings["recordsys.data_dir"]) / "issued").exists()
