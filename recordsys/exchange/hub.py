"""Our hub: ``POST /axis/{operation}`` speaking the axis protocol to member systems.

Every request is authenticated from its ``XroadVnpt-*`` headers (see :mod:`recordsys.exchange.axis`):
a known ``systemid``, the HMAC of the signed headers with the member's secret, signed values equal to
those sent, a timestamp within ``exchange.hub.max_skew_seconds`` (default 300) of our clock, and a
signature never seen before (no replay). ``sendEdoc`` also checks the body against ``hash-file`` and
that the envelope's sender is an organ of the member.

Routing by ``To`` (a status: by the original sender): agencies on this installation -> their inbox;
members' organs -> that member's received list until acknowledged (``updateStatus`` done|fail);
anyone else -> forwarded upstream by a job when ``exchange.axis_url`` is set (state ``upstream``,
then ``forwarded``), else kept as ``undeliverable``.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import uuid

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from recordsys.core import audit
from recordsys.core.models import Organization
from recordsys.db import mark_written
from recordsys.exchange.axis import PREFIX, axis_hex, hmac_hex, parse_timestamp
from recordsys.exchange.codes import is_party_id
from recordsys.exchange.model import StatusEnvelope
from recordsys.exchange.models import HubMember, HubMessage, HubRequestSeen
from recordsys.exchange.services import ExchangeError

FORWARD_JOB = "exchange.hub_forward"
# The protocol's requests go through SQLAlchemy Core on these tables (bench/exchange.py: the ORM's
# unit of work cost the hub more than its own checks).
_MEMBERS = HubMember.__table__
_MESSAGES = HubMessage.__table__
_SEEN = HubRequestSeen.__table__
OPERATION_HEADERS = {
    "sendEdoc": ("from", "hash-file"),
    "getReceivedEdocList": (),
    "getEdoc": ("docid",),
    "updateStatus": ("docid", "status"),
    "getSentEdocList": (),
}


def add_member(session, system_id: str, organs: list[str], secret: str | None, actor: str) -> str:
    """Add (or update) a member system; returns its secret (generated when not given)."""
    bad = [o for o in organs if not is_party_id(o)]
    if bad:
        raise ExchangeError("Not an organ id: ${items} (expected e.g. 000.00.00.H41).", mapping={"items": ', '.join(bad)}, field="organ")
    secret = secret or secrets.token_urlsafe(32)
    member = session.scalar(select(HubMember).where(HubMember.system_id == system_id))
    if member is None:
        member = HubMember(system_id=system_id, secret=secret, organs=list(organs))
        session.add(member)
    else:
        member.secret, member.organs = secret, sorted(set(member.organs) | set(organs))
    session.flush()
    audit.record(session, actor=actor, action="exchange.member.add", object_type="exchange_hub_member",
                 object_id=member.id, organization_code=None, payload={"system_id": system_id, "organs": list(organs)})
    return secret


class HubRefusal(Exception):
    """A refused hub request. The answer's ErrorDesc goes to another system whose language we do not
    know, so it carries both (``vi / en``), both taken from the catalog."""

    def __init__(self, status: int, code: str, message: str, mapping: dict | None = None):
        from recordsys.i18n import translate

        self.status, self.code = status, code
        self.vi, self.en = translate(message, "vi", mapping), translate(message, "en", mapping)
        super().__init__(self.en)


def _answer(http_status: int = 200, **body) -> Response:
    body = {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", **body}
    return Response(json.dumps(body, ensure_ascii=False), status=http_status, content_type="application/json",
                    charset="utf-8")


def _refusal(exc: HubRefusal) -> Response:
    return _answer(exc.status, status="FAIL", ErrorCode=exc.code, ErrorDesc=f"{exc.vi} / {exc.en}")


#: when this process last removed signatures too old to be replayed (a stale timestamp is refused anyway)
_swept = {"at": float("-inf")}


def authenticate(request, operation: str):
    """The member sending ``request`` (``system_id``, ``secret``, ``organs``), or ``HubRefusal``."""
    headers = request.headers
    conn = request.dbsession.connection()
    system_id = headers.get(PREFIX + "systemid", "")
    member = conn.execute(select(_MEMBERS.c.system_id, _MEMBERS.c.secret, _MEMBERS.c.organs)
                          .where(_MEMBERS.c.system_id == system_id)).first() if system_id else None
    if member is None:
        raise HubRefusal(401, "401", "Unknown system id.")
    sign_header = headers.get(PREFIX + "sign-header", "")
    given = headers.get(PREFIX + "hash-header", "").lower()
    if not sign_header or not hmac.compare_digest(given, hmac_hex(member.secret, sign_header)):
        raise HubRefusal(401, "401", "Wrong hash-header.")
    try:
        signed = json.loads(sign_header)
    except ValueError:
        raise HubRefusal(401, "401", "sign-header is not JSON.") from None
    names = [n for n in headers.get(PREFIX + "sign-header-key", "").split(";") if n]
    if not isinstance(signed, dict) or [PREFIX + n for n in names] != list(signed):
        raise HubRefusal(401, "401", "sign-header-key does not match sign-header.")
    for name in ("systemid", "timestamp", *OPERATION_HEADERS.get(operation, ())):
        if name not in names:
            raise HubRefusal(401, "401", "Header not signed: ${name}.", {"name": name})
    for name in names:
        if headers.get(PREFIX + name) != str(signed[PREFIX + name]):
            raise HubRefusal(401, "401", "Header ${name} differs from its signed value.", {"name": name})
    stamp = parse_timestamp(headers.get(PREFIX + "timestamp", ""))
    skew = float(request.registry.settings.get("exchange.hub.max_skew_seconds") or 300)
    now = dt.datetime.now(dt.UTC)
    if stamp is None or abs((now - stamp).total_seconds()) > skew:
        raise HubRefusal(401, "401", "The request timestamp is too far from the hub's clock.")
    if time.monotonic() - _swept["at"] >= skew:  # forgetting old signatures: not on every request
        _swept["at"] = time.monotonic()
        conn.execute(delete(_SEEN).where(_SEEN.c.seen_at < now - dt.timedelta(seconds=3 * skew)))
    if not _first_sighting(conn, given, member.system_id, now):
        raise HubRefusal(401, "401", "The request was already seen (replay).")
    mark_written(request.dbsession)  # the sighting (and what the operation writes in Core) is committed
    return member


def _first_sighting(conn, signature: str, system_id: str, now: dt.datetime) -> bool:
    """Remember ``signature``; False when it was already there. One statement (``ON CONFLICT DO
    NOTHING``), so two copies of one request sent at once cannot both pass."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = (dialect_insert(_SEEN).values(signature=signature, system_id=system_id, seen_at=now)
            .on_conflict_do_nothing(index_elements=["signature"]).returning(_SEEN.c.id))
    return conn.execute(stmt).first() is not None


@view_config(route_name="axis", request_method="POST", permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def axis(request):
    operation = request.matchdict["operation"]
    if operation not in OPERATION_HEADERS:
        return _answer(404, status="FAIL", ErrorCode="404", ErrorDesc=f"Không có thao tác / No operation {operation}.")
    try:
        member = authenticate(request, operation)
        return OPERATIONS[operation](request, member)
    except HubRefusal as exc:
        return _refusal(exc)


def _route(conn, envelope) -> list[tuple[str, str | None]]:
    """(organ, member system id or "local" or None) per addressee."""
    if isinstance(envelope, StatusEnvelope):
        addressees = envelope.addressees  # the original sender; for a take-back (13), the organs asked
    else:
        addressees = [o.organ_id for o in envelope.recipients]
    organizations = Organization.__table__
    local = set(conn.execute(select(organizations.c.code).where(organizations.c.code.in_(addressees))).scalars())
    owners: dict[str, str] = {}
    if set(addressees) - local:
        for system_id, organs in conn.execute(select(_MEMBERS.c.system_id, _MEMBERS.c.organs).order_by(_MEMBERS.c.id)):
            for organ in organs or ():
                owners.setdefault(organ, system_id)
    return [(organ, "local" if organ in local else owners.get(organ)) for organ in dict.fromkeys(addressees)]


def _body(request) -> bytes:
    """The request body read once from the server's input (webob's ``request.body`` would first copy
    a body this size into a temporary file, then read it back)."""
    if request.is_body_seekable:
        return request.body
    length = request.content_length or 0
    data = request.body_file_raw.read(length)
    if len(data) != length:
        raise HubRefusal(400, "400", "The request body is shorter than its Content-Length.")
    request.body = data  # anything reading request.body later gets the same bytes
    return data


def send_edoc(request, member):
    from recordsys.exchange.reading import read_envelope
    from recordsys.exchange.services import check_envelope, limits, store_received
    from recordsys.ingest.interfaces import IDocumentChecker
    from recordsys.storage import IFileStorage
    from recordsys.storage.models import stored_file_id

    data = _body(request)
    headers = request.headers
    digest = hashlib.sha256(data).digest()  # once: for hash-file and for the store's address
    if headers.get(PREFIX + "hash-file", "").lower() != axis_hex(digest):
        raise HubRefusal(400, "400", "hash-file does not match the body.")
    # Acceptance needs a well-formed envelope, its parties and strict base64; decoding and hashing
    # the attachments is the receiving side's inbox work (check_envelope below, or the member's own).
    result = read_envelope(data, limits(request.registry.settings), decode=False)
    if not result.valid:
        raise HubRefusal(400, "400", "Invalid envelope: ${errors}",
                         {"errors": "; ".join(e.en for e in result.errors),
                          "errors_vi": "; ".join(e.vi for e in result.errors)})
    sender = result.envelope.sender.organ_id
    if sender != headers.get(PREFIX + "from") or sender not in (member.organs or []):
        raise HubRefusal(403, "403", "System ${system_id} may not send as ${sender}.", {"system_id": member.system_id, "sender": sender})
    session = request.dbsession
    conn = session.connection()
    storage = request.find_service(IFileStorage)
    routes = _route(conn, result.envelope)
    message_type = "status" if isinstance(result.envelope, StatusEnvelope) else "edoc"
    locals_ = [organ for organ, where in routes if where == "local"]
    doc_ids, local_result = [], None
    if locals_:
        checked = check_envelope(data, request.find_service(IDocumentChecker), request.registry.settings)
        try:
            local_result = store_received(session, storage, checked, actor=f"hub:{member.system_id}", via="hub",
                                          only_orgs=locals_, settings=request.registry.settings)
        except ExchangeError as exc:
            raise HubRefusal(400, "400", "${error}", {"error": exc}) from None
    upstream = bool(request.registry.settings.get("exchange.axis_url"))
    remote = [(organ, where) for organ, where in routes if where != "local"]
    forward = []
    if remote:
        file_id = stored_file_id(conn, storage.put_bytes(data, digest.hex()))
        for organ, where in remote:
            doc_id = uuid.uuid4().hex
            state = "pending" if where else ("upstream" if upstream else "undeliverable")
            row_id = conn.execute(insert(_MESSAGES).values(
                doc_id=doc_id, message_type=message_type, from_organ=sender, to_organ=organ, system_id=where,
                sender_system_id=member.system_id, file_id=file_id, sha256=digest.hex(), state=state,
            ).returning(_MESSAGES.c.id)).scalar_one()
            doc_ids.append(doc_id)
            if state == "upstream":
                forward.append(row_id)
    if forward:  # after the commit, by a job: no network call inside this transaction
        from recordsys import jobs

        jobs.enqueue(session, FORWARD_JOB, {"hub_message_ids": forward}, requested_by=f"hub:{member.system_id}")
    audit.record(session, actor=f"hub:{member.system_id}", action="exchange.hub.send", object_type="exchange_hub",
                 object_id=None, organization_code=None,
                 payload={"from": sender, "routes": [[o, w] for o, w in routes], "doc_ids": doc_ids,
                          "inbox_ids": (local_result or {}).get("inbox_ids", [])})
    return _answer(DocId=",".join(doc_ids) or (local_result or {}).get("document_id") or "")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def received_list(request, member):
    message_type = request.headers.get(PREFIX + "messagetype") or None
    stmt = select(HubMessage).where(HubMessage.system_id == member.system_id, HubMessage.state == "pending")
    if message_type:
        stmt = stmt.where(HubMessage.message_type == message_type)
    data = [{"docId": m.doc_id, "serviceType": "eDoc", "messageType": m.message_type,
             "created_time": _iso(m.created_at), "updated_time": _iso(m.updated_at), "from": m.from_organ,
             "to": m.to_organ, "status": m.state, "status_desc": ""}
            for m in request.dbsession.scalars(stmt.order_by(HubMessage.id))]
    return _answer(data=data)


def _own_message(request, member) -> HubMessage:
    doc_id = request.headers.get(PREFIX + "docid", "")
    message = request.dbsession.scalar(select(HubMessage).where(HubMessage.doc_id == doc_id))
    if message is None or message.system_id != member.system_id:
        raise HubRefusal(404, "404", "No such message.")
    return message


def get_edoc(request, member):
    from recordsys.storage import IFileStorage

    message = _own_message(request, member)
    with request.find_service(IFileStorage).open(message.sha256) as handle:
        data = handle.read()
    return _answer(data=base64.b64encode(data).decode("ascii"))


def update_status(request, member):
    status = request.headers.get(PREFIX + "status", "")
    if status not in ("done", "fail"):
        raise HubRefusal(400, "400", "status must be done or fail.")
    message = _own_message(request, member)
    message.state, message.updated_at = status, dt.datetime.now(dt.UTC)
    return _answer()


def sent_list(request, member):
    stmt = select(HubMessage).where(HubMessage.sender_system_id == member.system_id).order_by(HubMessage.id)
    data = [{"docId": m.doc_id, "from": m.from_organ, "to": m.to_organ, "sendStatus": "sent",
             "receiveStatus": m.state, "created_time": _iso(m.created_at), "updated_time": _iso(m.updated_at)}
            for m in request.dbsession.scalars(stmt)]
    return _answer(data=data)


OPERATIONS = {"sendEdoc": send_edoc, "getReceivedEdocList": received_list, "getEdoc": get_edoc,
              "updateStatus": update_status, "getSentEdocList": sent_list}
