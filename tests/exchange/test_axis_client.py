"""Our installation as a member of a hub over real HTTP (the hub being this application served by
wsgiref on a local port): delivery through ``sendEdoc`` and the poller fetching, taking in and
acknowledging what the hub holds for us."""
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from sqlalchemy import select

from recordsys.exchange.hub import add_member
from recordsys.exchange.jobs import poll_axis
from recordsys.exchange.models import HubMessage, InboxEntry, OutboxMessage
from recordsys.exchange.services import _store_bytes
from recordsys.storage import LocalFileStorage
from tests.exchange.conftest import HOME_AFFAIRS, OFFICE
from tests.exchange.test_flow import run_jobs
from tests.exchange.test_hub import MINISTRY, envelope


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def hub_url(app):
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/axis"
    server.shutdown()
    server.server_close()


def member_settings(settings, url, system_id, secret):
    return {**settings, "exchange.axis_url": url, "exchange.system_id": system_id, "exchange.secret": secret,
            "exchange.timeout_seconds": "30"}


def test_send_through_the_hub(run, outgoing, hub_url, tx, session_factory, settings):
    with tx() as session:
        secret = add_member(session, "00.41.W00", [OFFICE], None, actor="test")
        add_member(session, "00.09.W00", [MINISTRY], None, actor="test")
    sent = run("exchange", "send", outgoing, "--to", MINISTRY)
    assert sent.exit_code == 0, sent.output
    assert run_jobs(session_factory, member_settings(settings, hub_url, "00.41.W00", secret)) == 1
    with tx() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
        assert message.state == "sent" and message.attempts == 1 and message.attempt_log[0].transport == "axis"
        [waiting] = session.scalars(select(HubMessage)).all()
        assert (waiting.to_organ, waiting.system_id, waiting.state) == (MINISTRY, "00.09.W00", "pending")
        assert waiting.sha256 == message.sha256  # the exact bytes went over the wire


def test_wrong_secret_is_retried_and_recorded(run, outgoing, hub_url, tx, session_factory, settings):
    with tx() as session:
        add_member(session, "00.41.W00", [OFFICE], None, actor="test")
    run("exchange", "send", outgoing, "--to", MINISTRY)
    run_jobs(session_factory, {**member_settings(settings, hub_url, "00.41.W00", "sai"), "jobs.max_attempts": "2"})
    with tx() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
        assert message.state == "failed" and message.attempts == 2 and "401" in message.last_error


def test_poller_takes_in_and_acknowledges(hub_url, tx, session_factory, settings, demo, corpus, trusted):
    storage = LocalFileStorage(settings["storage.path"])
    with tx() as session:
        secret = add_member(session, "00.31.W00", [HOME_AFFAIRS], None, actor="test")
        for doc_id, data in (("a1", envelope(corpus, [HOME_AFFAIRS])), ("a2", b"<edXML><broken")):
            row = _store_bytes(session, storage, data)
            session.add(HubMessage(doc_id=doc_id, message_type="edoc", from_organ="000.00.00.G22",
                                   to_organ=HOME_AFFAIRS, system_id="00.31.W00", file=row, sha256=row.sha256))
    report = poll_axis(session_factory, member_settings(settings, hub_url, "00.31.W00", secret))
    assert [r["doc_id"] for r in report["received"]] == ["a1"] and [r["doc_id"] for r in report["refused"]] == ["a2"]
    assert report["errors"] == []
    with tx() as session:
        [entry] = session.scalars(select(InboxEntry)).all()
        assert entry.organization.code == HOME_AFFAIRS and entry.received_via == "axis"
        assert entry.verdict["attachments"][0]["accepted"]
        states = dict(session.execute(select(HubMessage.doc_id, HubMessage.state)).all())
        assert states == {"a1": "done", "a2": "fail"}
    again = poll_axis(session_factory, member_settings(settings, hub_url, "00.31.W00", secret))
    assert again == {"received": [], "refused": [], "errors": []}


def test_hub_forwards_unknown_organs_upstream(hub_url, settings, tx, corpus, demo):
    """Our hub (a second app whose ``exchange.axis_url`` is the upstream) forwards what none of its
    members or agencies can take; the upstream, knowing nobody either, keeps it as undeliverable."""
    from webtest import TestApp

    from recordsys.config import make_wsgi_app
    from tests.exchange.test_hub import GOVERNMENT_OFFICE, send

    with tx() as session:
        ours = add_member(session, "00.53.W00", [GOVERNMENT_OFFICE], None, actor="test")
        upstream_secret = add_member(session, "00.41.W00", [GOVERNMENT_OFFICE], None, actor="test")
    app = make_wsgi_app(dict(member_settings(settings, hub_url, "00.41.W00", upstream_secret)))
    try:
        sent = send(TestApp(app), ("00.53.W00", ours), envelope(corpus, ["000.00.00.G03"]))
        assert sent.status_int == 200, sent.text
    finally:
        app.registry["db_engine"].dispose()
    with tx() as session:
        [waiting] = session.scalars(select(HubMessage)).all()
        assert waiting.state == "upstream"
    from recordsys.db import get_engine, get_session_factory

    engine = get_engine(settings)
    try:
        assert run_jobs(get_session_factory(engine), member_settings(settings, hub_url, "00.41.W00", upstream_secret)) == 1
    finally:
        engine.dispose()
    with tx() as session:
        rows = {(m.sender_system_id, m.state) for m in session.scalars(select(HubMessage))}
        assert rows == {("00.53.W00", "forwarded"), ("00.41.W00", "undeliverable")}
