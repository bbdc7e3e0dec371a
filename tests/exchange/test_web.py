"""The clerk's inbox and outbox pages: a delivered document accepted from the inbox page."""
import json

from sqlalchemy import select

from recordsys.exchange.models import InboxEntry
from tests.conftest import login
from tests.exchange.conftest import FINANCE, OFFICE
from tests.exchange.test_flow import run_jobs


def test_inbox_page_accept_and_outbox_page(run, outgoing, trusted, testapp, tx, session_factory, settings):
    assert run("exchange", "send", outgoing, "--to", OFFICE, "--to", FINANCE).exit_code == 0
    run_jobs(session_factory, settings)
    login(testapp, "vanthu")
    page = testapp.get(f"/orgs/{OFFICE}/exchange/inbox")
    assert "Về việc triển khai chuyển đổi số" in page.text and "received" in page.text
    form = next(f for f in page.forms.values() if "decision" in f.fields)
    done = form.submit("decision", value="accept").follow()
    assert "đã vào sổ số" in done.text
    with tx() as session:
        entry = session.scalar(select(InboxEntry).where(InboxEntry.state == "accepted"))
        assert entry.organization.code == OFFICE and entry.registered_document_id
    assert testapp.get(f"/orgs/{FINANCE}/exchange/inbox", status="*").status_int in (403, 404)
    run_jobs(session_factory, settings)
    outbox = testapp.get(f"/orgs/{OFFICE}/exchange/outbox")
    assert f"{OFFICE}: 03" in outbox.text and f"{FINANCE}: 01" in outbox.text
    assert json.loads(run("exchange", "status", outgoing, "--json").stdout)["recipients"]
