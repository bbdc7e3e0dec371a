"""Our hub's ``/axis/{operation}`` through WebTest with real ``XroadVnpt-*`` HMAC headers: routing to
a member's received list until acknowledged, to a local agency's inbox, and the refusals (unknown
system, wrong hash, stale timestamp, replay, a member sending as an organ not its own, a body that
does not match hash-file)."""
import base64
import datetime as dt
import json

import pytest
from sqlalchemy import select

from recordsys.exchange.axis import (
    PREFIX,
    format_timestamp,
    hash_file,
    parse_timestamp,
    signed_headers,
)
from recordsys.exchange.hub import add_member
from recordsys.exchange.models import HubMessage, InboxEntry
from recordsys.exchange.pack import envelope_for_document
from tests.exchange.conftest import HOME_AFFAIRS

GOVERNMENT_OFFICE = "000.00.00.G22"  # Văn phòng Chính phủ, a member of the hub
MINISTRY = "000.00.00.G09"  # Bộ Nội vụ, on another member system


@pytest.fixture
def members(tx, demo):
    with tx() as session:
        return {"vpcp": ("00.53.W00", add_member(session, "00.53.W00", [GOVERNMENT_OFFICE], None, actor="test")),
                "bnv": ("00.09.W00", add_member(session, "00.09.W00", [MINISTRY], "bi-mat-bo-noi-vu", actor="test"))}


def envelope(corpus, to, sender=GOVERNMENT_OFFICE):
    meta = {"sender_id": sender, "sender_name": "Văn phòng Chính phủ", "code_number": "7816",
            "code_notation": "VPCP-TTĐT", "promulgation_date": "2026-11-27", "document_type": 18,
            "document_type_name": "Công văn", "subject": "Về việc kết nối, liên thông văn bản điện tử"}
    return envelope_for_document(meta, [("7816-VPCP.pdf", corpus.valid)], to)


def post(testapp, operation, member, headers, body=b"{}", *, now=None, secret=None, status="*",
         content_type="application/json"):
    system_id, real_secret = member
    signed = signed_headers(system_id, secret or real_secret, headers, content_type=content_type, now=now)
    signed.pop("Content-Type")
    return testapp.post(f"/axis/{operation}", params=body, headers=signed, content_type=content_type, status=status)


def send(testapp, member, data, **kw):
    from recordsys.exchange.reading import read_envelope

    sender = read_envelope(data).envelope.sender.organ_id
    return post(testapp, "sendEdoc", member, {"from": sender, "servicetype": "eDoc", "messagetype": "edoc",
                                              "hash-file": hash_file(data)}, data,
                content_type="application/octet-stream", **kw)


def test_timestamp_and_hash_file_shapes():
    when = dt.datetime(2026, 11, 30, 4, 39, 45, 88000, tzinfo=dt.UTC)
    assert format_timestamp(when) == "30112026T113945+0088"
    assert parse_timestamp("30112026T113945+0088") == when
    assert len(hash_file(b"edXML")) <= 64


def test_member_to_member_until_acknowledged(testapp, members, corpus):
    data = envelope(corpus, [MINISTRY])
    sent = send(testapp, members["vpcp"], data)
    assert sent.status_int == 200 and sent.json["ErrorCode"] == "0", sent.text
    doc_id = sent.json["DocId"]
    listed = post(testapp, "getReceivedEdocList", members["bnv"], {"servicetype": "eDoc", "messagetype": "edoc"})
    assert [(d["docId"], d["from"], d["to"]) for d in listed.json["data"]] == [(doc_id, GOVERNMENT_OFFICE, MINISTRY)]
    nothing = post(testapp, "getReceivedEdocList", members["vpcp"], {"servicetype": "eDoc", "messagetype": "edoc"})
    assert nothing.json["data"] == []
    stolen = post(testapp, "getEdoc", members["vpcp"], {"docid": doc_id})
    assert stolen.status_int == 404
    fetched = post(testapp, "getEdoc", members["bnv"], {"docid": doc_id, "filePath": "/tmp/ignored"})
    assert base64.b64decode(fetched.json["data"]) == data
    assert post(testapp, "updateStatus", members["bnv"], {"docid": doc_id, "status": "done"}).json["ErrorCode"] == "0"
    listed = post(testapp, "getReceivedEdocList", members["bnv"], {"servicetype": "eDoc", "messagetype": "edoc"})
    assert listed.json["data"] == []


def test_local_agency_gets_it_in_its_inbox_and_strangers_are_undeliverable(testapp, members, corpus, tx):
    sent = send(testapp, members["vpcp"], envelope(corpus, [HOME_AFFAIRS, "000.00.00.G03"]))
    assert sent.status_int == 200, sent.text
    with tx() as session:
        [entry] = session.scalars(select(InboxEntry)).all()
        assert entry.organization.code == HOME_AFFAIRS and entry.received_via == "hub"
        assert entry.edxml_document_id == f"{GOVERNMENT_OFFICE},2026/11/27,7816/VPCP-TTĐT"
        [kept] = session.scalars(select(HubMessage)).all()
        assert (kept.to_organ, kept.state, kept.system_id) == ("000.00.00.G03", "undeliverable", None)


def test_refusals(testapp, members, corpus, tx):
    data = envelope(corpus, [MINISTRY])
    unknown = post(testapp, "getReceivedEdocList", ("99.99.W99", "x"), {"servicetype": "eDoc", "messagetype": "edoc"})
    assert unknown.status_int == 401
    wrong = send(testapp, members["vpcp"], data, secret="not-the-secret")
    assert wrong.status_int == 401 and "hash-header" in wrong.json["ErrorDesc"]
    stale = send(testapp, members["vpcp"], data, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert stale.status_int == 401 and "timestamp" in stale.json["ErrorDesc"]
    foreign = send(testapp, members["bnv"], data)  # Bộ Nội vụ's system sending as Văn phòng Chính phủ
    assert foreign.status_int == 403 and GOVERNMENT_OFFICE in foreign.json["ErrorDesc"]

    system_id, secret = members["vpcp"]
    headers = signed_headers(system_id, secret, {"from": GOVERNMENT_OFFICE, "servicetype": "eDoc",
                                                  "messagetype": "edoc", "hash-file": hash_file(data)},
                             content_type="application/octet-stream")
    headers.pop("Content-Type")
    first = testapp.post("/axis/sendEdoc", params=data, headers=headers, content_type="application/octet-stream")
    assert first.json["ErrorCode"] == "0"
    replay = testapp.post("/axis/sendEdoc", params=data, headers=headers, content_type="application/octet-stream",
                          status="*")
    assert replay.status_int == 401 and "replay" in replay.json["ErrorDesc"]

    tampered = dict(headers, **{PREFIX + "from": MINISTRY})  # a signed value changed on the way
    assert testapp.post("/axis/sendEdoc", params=data, headers=tampered, content_type="application/octet-stream",
                        status="*").status_int == 401
    other = send(testapp, members["vpcp"], data.replace(b"7816", b"7817"), status="*")
    assert other.status_int == 200  # a new request, fresh signature
    body_swapped = post(testapp, "sendEdoc", members["vpcp"], {
        "from": GOVERNMENT_OFFICE, "servicetype": "eDoc", "messagetype": "edoc", "hash-file": hash_file(data)},
        data + b" ", content_type="application/octet-stream")
    assert body_swapped.status_int == 400
    with tx() as session:
        assert len(session.scalars(select(HubMessage)).all()) == 2  # the first send and the new one only


def test_broken_attachment_is_refused_by_the_hub_and_nothing_is_kept(testapp, members, corpus, tx):
    """The hub checks the attachments' base64 without decoding them: a broken one is still refused."""
    data = envelope(corpus, [MINISTRY])
    start = data.index(b"<ContentTransferEncoded>") + len(b"<ContentTransferEncoded>")
    broken = data[:start + 40] + b"*" + data[start + 41:]
    refused = send(testapp, members["vpcp"], broken, status="*")
    assert refused.status_int == 400 and "base64" in refused.json["ErrorDesc"], refused.text
    with tx() as session:
        assert session.scalars(select(HubMessage)).all() == []


def test_member_add_prints_a_secret(run):
    result = run("exchange", "member", "add", "--system-id", "00.58.W00", "--organ", "000.00.00.H58")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip()) >= 32
    [listed] = [json.loads(line) for line in run("exchange", "member", "list").stdout.splitlines()]
    assert listed == {"system_id": "00.58.W00", "organs": ["000.00.00.H58"]}
    bad = run("exchange", "member", "add", "--system-id", "x", "--organ", "not-an-organ")
    assert bad.exit_code != 0


def test_take_back_request_goes_to_the_organs_asked(testapp, members, corpus, tx):
    """A 13 travels from the original sender to its recipients (its To), not back to the sender."""
    import dataclasses
    import datetime as dt

    from recordsys.exchange.edxml import write_status_envelope
    from recordsys.exchange.model import Organization, ResponseFor, StatusEnvelope

    assert send(testapp, members["vpcp"], envelope(corpus, [HOME_AFFAIRS, MINISTRY])).status_int == 200
    document_id = f"{GOVERNMENT_OFFICE},2026/11/27,7816/VPCP-TTĐT"
    ask = StatusEnvelope(sender=Organization(GOVERNMENT_OFFICE, "Văn phòng Chính phủ"),
                         response_for=ResponseFor(GOVERNMENT_OFFICE, "7816/VPCP-TTĐT", dt.date(2026, 11, 27), document_id),
                         status_code="13", timestamp=dt.datetime.now().replace(microsecond=0),
                         description="Đề nghị thu hồi để ban hành lại",
                         recipients=(Organization(HOME_AFFAIRS), Organization(MINISTRY)))
    data = write_status_envelope(ask)
    sent = post(testapp, "sendEdoc", members["vpcp"], {"from": GOVERNMENT_OFFICE, "servicetype": "eDoc",
                                                        "messagetype": "status", "hash-file": hash_file(data)}, data,
                content_type="application/octet-stream")
    assert sent.status_int == 200 and sent.json["ErrorCode"] == "0", sent.text
    with tx() as session:
        [request] = session.scalars(select(InboxEntry).where(InboxEntry.request == "take_back")).all()
        assert request.organization.code == HOME_AFFAIRS and request.related.edxml_document_id == document_id
        routed = session.scalars(select(HubMessage).where(HubMessage.message_type == "status")).all()
        assert [(m.to_organ, m.system_id) for m in routed] == [(MINISTRY, "00.09.W00")]
    stranger = dataclasses.replace(ask, recipients=(Organization("000.00.00.G03"),), description="Lần hai")
    data = write_status_envelope(stranger)
    again = post(testapp, "sendEdoc", members["vpcp"], {"from": GOVERNMENT_OFFICE, "servicetype": "eDoc",
                                                         "messagetype": "status", "hash-file": hash_file(data)}, data,
                 content_type="application/octet-stream")
    assert again.status_int == 200
    with tx() as session:
        assert session.scalar(select(HubMessage).where(HubMessage.to_organ == "000.00.00.G03")).state == "undeliverable"
