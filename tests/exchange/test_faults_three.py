"""Three installations on loopback ports, each its own PostgreSQL database and data folder, served by
real processes: the hub (``recordsys serve`` + ``jobs work``), the provincial office A and the
ministry B (each ``serve`` + ``jobs work`` + ``exchange poll --every``), A and B members of the hub.

A sends a stream of documents to B through the hub while the hub and B are SIGKILLed and started
again; afterwards B holds one inbox entry per DocumentId and A has exactly one 01 and, after B
accepts, one 03 per document. Hostile requests to the hub (malformed, oversized, wrongly
authenticated, replayed) are refused and leave nothing."""
import hashlib
import json
import os
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from tests.common.installations import Installation
from tests.exchange.conftest import OFFICE

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MINISTRY = "000.00.00.G09"  # Bộ Nội vụ, on installation B
SYSTEM_A, SECRET_A = "00.41.W00", "bi-mat-van-phong-ubnd-khanh-hoa"
SYSTEM_B, SECRET_B = "00.09.W00", "bi-mat-bo-noi-vu"
#: 30 on a quiet machine (EXCHANGE_FAULT_DOCUMENTS=30); every envelope's PDF goes through veraPDF at B,
#: seconds each when the two cores are shared
DOCUMENTS = int(os.environ.get("EXCHANGE_FAULT_DOCUMENTS", "12"))


def _database(server, name):
    server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    server.execute(f"CREATE DATABASE {name} TEMPLATE recordsys_template")
    return server.url(name)


def register_documents(a: Installation, path, count: int, start: int = 1) -> list[int]:
    """``count`` signed PDF/A letters registered as outgoing by the office (the intake verdict given)."""
    from recordsys.core.services import require_org
    from recordsys.ingest.registration import register_checked_file

    verdict = {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "size": path.stat().st_size,
               "signature": {"status": "valid", "signatures": [{"signer": "Nguyễn Văn An"}]},
               "pdfa": {"compliant": True, "flavour": "2b", "failed_rules": []}, "accepted": True, "reasons": []}
    ids = []
    with a.app.transaction() as session:
        office = require_org(session, OFFICE)
        for n in range(start, start + count):
            result = register_checked_file(
                session, storage=a.app.storage, path=path, verdict=verdict, organization=office,
                direction="outgoing", actor="vanthu", original_name=f"{n}-UBND-VP.pdf",
                extracted={"page_count": 1, "text": "Chuyển đổi số"},
                metadata={"subject": f"Về việc báo cáo công tác văn thư, lưu trữ đợt {n} năm 2026",
                          "number_and_symbol": f"{n}/UBND-VP", "issued_date": "2026-11-27",
                          "type_name": "Công văn", "signer": "Nguyễn Văn An"})
            ids.append(result.document_id)
    return ids


def send(a: Installation, document_ids) -> None:
    from recordsys.exchange.services import send_document

    with a.app.transaction() as session:
        for document_id in document_ids:
            send_document(session, a.app.storage, document_id, [MINISTRY], actor="vanthu", settings=a.app.settings)


@pytest.fixture
def three(postgresql_server, tmp_path, corpus, pki, verapdf_home):
    from recordsys.core import demo
    from recordsys.core.models import Organization, OrgLevel

    hub = Installation("hub", _database(postgresql_server, "xhub"), tmp_path / "hub",
                       {"RECORDSYS_RECORDSYS__MAX_UPLOAD_BYTES": str(4 * 1024 * 1024)})
    a = Installation("a", _database(postgresql_server, "xa"), tmp_path / "a")
    b = Installation("b", _database(postgresql_server, "xb"), tmp_path / "b")
    hub.cli("exchange", "member", "add", "--system-id", SYSTEM_A, "--organ", OFFICE, "--secret", SECRET_A)
    hub.cli("exchange", "member", "add", "--system-id", SYSTEM_B, "--organ", MINISTRY, "--secret", SECRET_B)
    a.set(exchange__axis_url=hub.url + "/axis", exchange__system_id=SYSTEM_A, exchange__secret=SECRET_A,
          verapdf__home=verapdf_home)
    b.set(exchange__axis_url=hub.url + "/axis", exchange__system_id=SYSTEM_B, exchange__secret=SECRET_B,
          verapdf__home=verapdf_home)
    with a.app.transaction() as session:
        demo.seed(session)
    with b.app.transaction() as session:
        session.add(Organization(code=MINISTRY, name="Bộ Nội vụ", short_name="BNV", level=OrgLevel.national))
    b.cli("trust", "add", pki.root_pem, "--reason", "Chứng thư gốc thử nghiệm")
    installations = {"hub": hub, "a": a, "b": b, "pdf": corpus.valid}
    try:
        yield installations
    finally:
        for inst in (hub, a, b):
            inst.stop()
            if inst._app is not None:
                inst.app.engine.dispose()


def wait_for(what, predicate, timeout: float, installations=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    logs = "\n".join(f"--- {i.name} {role}\n{i.log(role)[-1500:]}" for i in installations
                     for role in ("worker", "poller"))
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def inbox_counts(b: Installation) -> dict[str, int]:
    from recordsys.exchange.models import InboxEntry

    with b.app.transaction() as session:
        return dict(session.execute(select(InboxEntry.edxml_document_id, func.count())
                                    .group_by(InboxEntry.edxml_document_id)).all())


def status_counts(a: Installation) -> dict[tuple[str, str], int]:
    from recordsys.exchange.models import StatusRecord

    with a.app.transaction() as session:
        return {(d, c): n for d, c, n in session.execute(
            select(StatusRecord.edxml_document_id, StatusRecord.status_code, func.count())
            .group_by(StatusRecord.edxml_document_id, StatusRecord.status_code))}


def test_kills_of_hub_and_receiver_lose_and_double_nothing(three):
    from recordsys.exchange.models import InboxEntry, OutboxMessage
    from recordsys.exchange.services import accept

    hub, a, b = three["hub"], three["a"], three["b"]
    documents = register_documents(a, three["pdf"], DOCUMENTS)
    hub.start("serve", "worker")
    a.start("serve", "worker", "poller")
    b.start("serve", "worker", "poller")
    third = DOCUMENTS // 3
    everyone = (hub, a, b)

    send(a, documents[:third])
    time.sleep(1.5)
    hub.kill()  # the hub dies while A delivers and B polls
    send(a, documents[third:2 * third])
    time.sleep(1.0)
    hub.start("serve", "worker")
    time.sleep(1.0)
    b.kill()  # the receiver dies while taking documents in and sending 01
    send(a, documents[2 * third:])
    time.sleep(1.0)
    b.start("serve", "worker", "poller")
    time.sleep(1.5)
    hub.kill()
    b.kill()
    time.sleep(0.5)
    hub.start("serve", "worker")
    b.start("serve", "worker", "poller")

    with a.app.transaction() as session:
        sent = dict(session.execute(select(OutboxMessage.edxml_document_id, OutboxMessage.id)
                                    .where(OutboxMessage.kind == "document")).all())
    assert len(sent) == DOCUMENTS
    wait_for("every document in B's inbox", lambda: set(inbox_counts(b)) == set(sent), 400, everyone)
    wait_for("every 01 at A", lambda: all((d, "01") in status_counts(a) for d in sent), 300, everyone)

    with b.app.transaction() as session:  # the clerk at B accepts each one …
        entries = session.scalars(select(InboxEntry.id).order_by(InboxEntry.id)).all()
    for i, inbox_id in enumerate(entries):
        with b.app.transaction() as session:
            accept(session, b.app.storage, inbox_id, actor="vanthu", settings=b.app.settings)
        if i == len(entries) // 2:  # … while the hub dies once more
            hub.kill()
            hub.start("serve", "worker")
    wait_for("every 03 at A", lambda: all((d, "03") in status_counts(a) for d in sent), 300, everyone)
    time.sleep(2)  # let any late duplicate arrive before counting

    assert inbox_counts(b) == {d: 1 for d in sent}  # exactly once in effect
    statuses = status_counts(a)
    assert {k: n for k, n in statuses.items() if n != 1} == {}
    assert set(statuses) == {(d, code) for d in sent for code in ("01", "03")}
    with a.app.transaction() as session:
        states = session.scalars(select(OutboxMessage.state)).all()
        retried = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.attempts > 1))
    assert set(states) == {"sent"}
    assert retried > 0  # the kills landed while envelopes were on their way
    with b.app.transaction() as session:
        b_states = session.scalars(select(OutboxMessage.state)).all()
    assert len(b_states) == 2 * DOCUMENTS and set(b_states) == {"sent"}  # one 01 and one 03 each
    wait_for("the hub holds nothing unacknowledged", lambda: _hub_pending(hub) == 0, 30, everyone)


def _hub_pending(hub) -> int:
    from recordsys.exchange.models import HubMessage

    with hub.app.transaction() as session:
        return session.scalar(select(func.count()).select_from(HubMessage).where(HubMessage.state == "pending"))


def _post(url, headers, body: bytes):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:200]}


def _hub_state(hub) -> tuple:
    from recordsys.exchange.models import HubMessage
    from recordsys.storage.models import StoredFile

    with hub.app.transaction() as session:
        files = sorted(p.name for p in (hub.data_dir).rglob("*") if p.is_file() and len(p.name) == 64)
        return (session.scalar(select(func.count()).select_from(HubMessage)),
                session.scalar(select(func.count()).select_from(StoredFile)), files)


def test_hostile_requests_to_the_hub_are_refused_and_leave_nothing(three):
    from recordsys.exchange.axis import hash_file, signed_headers
    from recordsys.exchange.services import pack_document

    hub, a = three["hub"], three["a"]
    [document] = register_documents(a, three["pdf"], 1)
    with a.app.transaction() as session:
        envelope, _ = pack_document(session, a.app.storage, document, [MINISTRY])
    hub.start("serve")
    url = hub.url + "/axis/sendEdoc"
    before = _hub_state(hub)

    def headers(body, secret=SECRET_A, **extra):
        return signed_headers(SYSTEM_A, secret, {"from": OFFICE, "servicetype": "eDoc", "messagetype": "edoc",
                                                 "hash-file": hash_file(body), **extra},
                              content_type="application/octet-stream")

    malformed = b"<?xml version='1.0'?><edXML><edXMLEnvelope><From>" + b"x" * 100
    status, answer = _post(url, headers(malformed), malformed)
    assert status == 400 and answer["status"] == "FAIL"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<edXML>&lol2;</edXML>")
    status, answer = _post(url, headers(bomb), bomb)
    assert status == 400 and answer["status"] == "FAIL"
    oversized = envelope + b" " * (5 * 1024 * 1024)
    status, _ = _post(url, headers(oversized), oversized)
    assert status == 413
    status, answer = _post(url, headers(envelope, secret="khong-dung"), envelope)  # wrong secret
    assert status == 401 and answer["ErrorCode"] == "401"
    tampered = headers(envelope)
    tampered["XroadVnpt-from"] = MINISTRY  # a signed header changed after signing
    status, _ = _post(url, tampered, envelope)
    assert status == 401
    status, _ = _post(url, headers(envelope), envelope + b"<!-- -->")  # body differs from hash-file
    assert status == 400
    assert _hub_state(hub) == before  # nothing stored by any refusal

    good = headers(envelope)
    status, answer = _post(url, good, envelope)
    assert status == 200 and answer["status"] == "OK", answer
    after_one = _hub_state(hub)
    assert after_one[0] == before[0] + 1
    status, answer = _post(url, good, envelope)  # the same request again: a replay
    assert status == 401 and "replay" in answer["ErrorDesc"]
    assert _hub_state(hub) == after_one
