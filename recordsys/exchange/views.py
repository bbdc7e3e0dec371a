"""The clerk's exchange pages: the agency's inbox (accept: register as incoming and send 03; refuse
with a reason: send 02) and its outbox (what was sent, how far it got, the statuses that came back)."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from recordsys.errors import DomainError
from recordsys.exchange import services
from recordsys.exchange.models import InboxEntry, OutboxMessage, StatusRecord
from recordsys.exchange.requests import UPDATABLE
from recordsys.params import int_param
from recordsys.storage import IFileStorage


def _org(request):
    return request.context.organization


@view_config(route_name="exchange.inbox", renderer="exchange/inbox.jinja2", request_method="GET",
             permission="document.read")
def inbox_page(request):
    rows = request.dbsession.scalars(select(InboxEntry).where(InboxEntry.organization_id == _org(request).id)
                                     .order_by(InboxEntry.id.desc()).limit(200)).all()
    return {"entries": rows, "messages": request.session.pop_flash(), "business_type": services.business_type_of,
            "field_labels": UPDATABLE}


@view_config(route_name="exchange.decide", request_method="POST", permission="document.register")
def decide(request):
    entry = request.dbsession.get(InboxEntry, int_param(request, "id", min=1, source="matchdict"))
    if entry is None or entry.organization_id != _org(request).id:
        raise HTTPNotFound()
    storage = request.find_service(IFileStorage)
    actor = request.user.username
    try:
        if request.POST.get("decision") == "accept":
            result = services.accept(request.dbsession, storage, entry.id, actor, request.registry.settings)
            if entry.request:  # an update, replacement or take-back agreed (15)
                request.session.flash(f"{entry.edxml_document_id}: đã đồng ý (15) / agreed (15)")
            else:
                request.session.flash(f"{entry.edxml_document_id}: đã vào sổ số {result['number']} / registered "
                                      f"as number {result['number']}")
        else:
            services.refuse(request.dbsession, storage, entry.id, request.POST.get("reason", ""), actor,
                            request.registry.settings)
            request.session.flash(f"{entry.edxml_document_id}: đã từ chối / refused")
    except DomainError as exc:
        request.session.flash(f"{exc.localized('vi')} / {exc}")
    return HTTPSeeOther(request.route_url("exchange.inbox", org=_org(request).code))


@view_config(route_name="exchange.outbox", renderer="exchange/outbox.jinja2",
             request_method="GET", permission="document.read")
def outbox_page(request):
    rows = request.dbsession.scalars(select(OutboxMessage).where(OutboxMessage.organization_id == _org(request).id)
                                     .order_by(OutboxMessage.id.desc()).limit(200)).all()
    ids = {m.edxml_document_id for m in rows if m.kind == "document"}
    statuses: dict[str, list] = {}
    for record in request.dbsession.scalars(select(StatusRecord).where(StatusRecord.edxml_document_id.in_(ids))
                                            .order_by(StatusRecord.id)):
        statuses.setdefault(record.edxml_document_id, []).append(record)
    return {"outbox": rows, "statuses": statuses}


# --- one document's exchange page: its statuses and the status actions allowed now ------------

def _document(request):
    from recordsys.ingest.access import can_see
    from recordsys.ingest.models import Document

    document = request.dbsession.get(Document, int_param(request, "id", min=1, source="matchdict"))
    if document is None or document.organization_id != _org(request).id or not can_see(request.user, document):
        raise HTTPNotFound()  # above the user's clearance: as if missing
    return document


def _exchange_state(request, document) -> dict:
    from recordsys.exchange.followups import allowed_followups
    from recordsys.exchange.requests import allowed_now, pending_requests, received_entry

    session = request.dbsession
    entry = received_entry(session, document.id)
    followups = allowed_followups(session, document.id)
    return {"history": services.status_history(session, str(document.id)), "allowed": allowed_now(session, document.id),
            "followups": {kind: [o for o, kinds in followups.items() if code in kinds]
                          for kind, code in (("update", 2), ("replacement", 3), ("revoke", 1))},
            "entry": entry, "requests": pending_requests(session, entry) if entry else [],
            "versions": (document.extra or {}).get("versions", [])}


@view_config(route_name="exchange.document", renderer="exchange/document.jinja2", request_method="GET",
             permission="document.read")
def document_page(request):
    document = _document(request)
    from recordsys.exchange.codes import STATUS_MEANINGS

    return {"document": document, **_exchange_state(request, document), "messages": request.session.pop_flash(),
            "meanings": {c.value: m.en for c, m in STATUS_MEANINGS.items()}, "business_type": services.business_type_of,
            "field_labels": UPDATABLE}


def _send(request, document, fields: dict) -> dict:
    from recordsys.exchange.requests import send_status

    to = [t.strip() for t in (fields.get("to") or "").split(",") if t.strip()]
    inbox_id = fields.get("inbox_id")
    return send_status(request.dbsession, request.find_service(IFileStorage), document.id, fields.get("code") or "",
                       actor=request.user.username, to=to, description=fields.get("description") or "",
                       inbox_id=inbox_id, settings=request.registry.settings)


@view_config(route_name="exchange.document.status", request_method="POST", permission="document.register")
def document_status(request):
    from recordsys.params import parse_int

    document = _document(request)
    fields = {k: request.POST.get(k, "") for k in ("code", "to", "description")}
    fields["inbox_id"] = parse_int(request.POST.get("inbox_id"), "inbox_id", min=1, default=None)
    try:
        result = _send(request, document, fields)
        request.session.flash(f"Đã gửi trạng thái {result['status_code']} / status {result['status_code']} sent")
    except DomainError as exc:
        request.tm.doom()
        request.session.flash(f"{exc.localized('vi')} / {exc}")
    return HTTPSeeOther(request.route_url("exchange.document", org=_org(request).code, id=document.id))


@view_config(route_name="exchange.document.version", request_method="GET", permission="document.read")
def document_version(request):
    """An earlier file of a document replaced through exchange (version n, 1 the oldest), when the
    caller may see the document; audited like every download."""
    from pyramid.response import FileIter, Response

    from recordsys.core import audit

    document = _document(request)
    n = int_param(request, "n", min=1, max=10_000, source="matchdict")
    versions = (document.extra or {}).get("versions", [])
    storage = request.find_service(IFileStorage)
    if n > len(versions) or not storage.exists(versions[n - 1]["sha256"]):
        raise HTTPNotFound()
    version = versions[n - 1]
    audit.record(request.dbsession, actor=request.user.username, action="document.download", object_type="document",
                 object_id=document.id, organization_code=_org(request).code,
                 payload={"sha256": version["sha256"], "version": n})
    response = Response(content_type="application/octet-stream")
    response.app_iter = FileIter(storage.open(version["sha256"]))
    response.headers["Content-Disposition"] = f'attachment; filename="van-ban-{document.id}-v{n}.bin"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@view_config(route_name="api.exchange.status", renderer="json", request_method="GET", permission="document.read")
def api_status(request):
    """Per recipient, the statuses of the document (sent by this agency) with their times, and what may
    be sent now (``allowed``: receiver codes, pending requests, 13 per recipient)."""
    from recordsys.exchange.requests import allowed_now

    document = _document(request)
    return {**services.status_history(request.dbsession, str(document.id)),
            "allowed": allowed_now(request.dbsession, document.id)}


@view_config(route_name="api.exchange.status", renderer="json", request_method="POST", permission="document.register")
def api_send_status(request):
    """Send a status by hand: ``{"code": "04"|"05"|"06"|"13"|"15"|"16", "to": "organ,organ",
    "description": "...", "inbox_id": n}``; refused (409, in the caller's language) when not allowed now."""
    from recordsys.api.problems import problem
    from recordsys.params import Int, Text, json_fields

    document = _document(request)
    fields = json_fields(request, code=Text(max_length=2), to=Text(max_length=2000, default=""),
                         description=Text(max_length=2000, default=""), inbox_id=Int(min=1, default=None))
    try:
        return _send(request, document, fields)
    except DomainError as exc:
        request.tm.doom()
        extra = {"code": exc.code, **({"field": exc.field} if exc.field else {})}
        return problem(exc.http_status, "Refused", exc.localized(request.locale_name), **extra)


# --- the sender's update (2), replacement (3) and revocation (1) of a document already sent -------

def _to(fields: dict) -> list[str]:
    return [t.strip() for t in (fields.get("to") or "").split(",") if t.strip()]


def _followup(request, send) -> dict:
    """Run ``send(session, storage, document, settings)`` for the document of the URL (our agency's,
    visible to the caller, a clerk there by the route's permission); a refusal is a problem (422, in
    the caller's language) and nothing is queued."""
    from recordsys.api.problems import problem

    document = _document(request)
    try:
        return send(request.dbsession, request.find_service(IFileStorage), document, request.registry.settings)
    except DomainError as exc:
        request.tm.doom()
        extra = {"code": exc.code, **({"field": exc.field} if exc.field else {})}
        return problem(exc.http_status, "Refused", exc.localized(request.locale_name), **extra)


@view_config(route_name="api.exchange.update", renderer="json", request_method="POST", permission="document.register")
def api_send_update(request):
    """Send an update (business type 2) of our document: ``{"set": {"subject": "…", …}, "to": "organ,organ",
    "reason": "…"}``; our document takes the new values; default recipients: every earlier one it may go to."""
    from recordsys.exchange.followups import send_update
    from recordsys.params import Mapping, Text, json_fields

    fields = json_fields(request, set=Mapping(), to=Text(max_length=2000, default=""),
                         reason=Text(max_length=2000, default=""))
    return _followup(request, lambda session, storage, document, settings: send_update(
        session, storage, document.id, fields["set"], actor=request.user.username, to=_to(fields),
        reason=fields["reason"], org=_org(request), settings=settings))


@view_config(route_name="api.exchange.replacement", renderer="json", request_method="POST",
             permission="document.register")
def api_send_replacement(request):
    """Send a replacement (business type 3): ``{"file": "<base64 of the new signed PDF>", "file_name":
    "…", "set": {"number_and_symbol": "…"}, "to": "organ,organ", "reason": "…"}``; the file is checked
    like any outgoing file first (refused with the reasons, nothing queued)."""
    import base64
    import binascii

    from recordsys.exchange.services import ExchangeError
    from recordsys.params import Mapping, Text, json_fields

    fields = json_fields(request, file=Text(max_length=80_000_000), file_name=Text(max_length=255, default=""),
                         set=Mapping(default={}), to=Text(max_length=2000, default=""),
                         reason=Text(max_length=2000, default=""))

    def send(session, storage, document, settings):
        try:
            data = base64.b64decode(fields["file"], validate=True)
        except (binascii.Error, ValueError):
            raise ExchangeError("The file is not valid base64.", field="file", code="invalid-file") from None
        return _replace(request, session, storage, document, settings, lambda path: path.write_bytes(data),
                        fields["file_name"], fields["set"], _to(fields), fields["reason"])

    return _followup(request, send)


def _replace(request, session, storage, document, settings, write, file_name: str, values: dict, to: list[str],
             reason: str) -> dict:
    """Send a replacement whose new file ``write(path)`` puts at ``path`` (our own name in a private
    folder; the client's name is only a label), after the outgoing intake check of that file."""
    import tempfile
    from pathlib import Path

    from recordsys.exchange.followups import check_file, send_replacement
    from recordsys.exchange.services import ExchangeError
    from recordsys.ingest.interfaces import IDocumentChecker
    from recordsys.ingest.views import UploadNameError, upload_label

    try:
        name = upload_label(file_name or document.original_name)
    except UploadNameError:
        raise ExchangeError("The file name cannot be used.", field="file_name", code="invalid-file") from None
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="exchange-replacement-") as folder:
        path = Path(folder) / f"replacement{suffix[:9] if suffix.isascii() else ''}"
        write(path)
        if not path.stat().st_size:
            raise ExchangeError("The file is empty.", field="file", code="invalid-file")
        verdict = check_file(request.find_service(IDocumentChecker), path,
                             (_org(request).settings or {}).get("ingest"), request.locale_name)
        return send_replacement(session, storage, document.id, path, verdict, actor=request.user.username,
                                name=name, fields=values, to=to, reason=reason, org=_org(request), settings=settings)


@view_config(route_name="api.exchange.revoke", renderer="json", request_method="POST", permission="document.register")
def api_revoke(request):
    """Revoke our document (business type 1) at its earlier recipients: ``{"reason": "…", "to": "organ,organ"}``."""
    from recordsys.exchange.followups import send_revoke
    from recordsys.params import Text, json_fields

    fields = json_fields(request, reason=Text(max_length=2000), to=Text(max_length=2000, default=""))
    return _followup(request, lambda session, storage, document, settings: send_revoke(
        session, storage, document.id, actor=request.user.username, reason=fields["reason"], to=_to(fields),
        org=_org(request), settings=settings))


#: the follow-ups a clerk sends from the document's exchange page, and how the notice names them
FOLLOW_UPS = {"update": ("bản cập nhật", "update"), "replacement": ("văn bản thay thế", "replacement"),
              "revoke": ("yêu cầu thu hồi", "revocation")}


@view_config(route_name="exchange.document.followup", request_method="POST", permission="document.register")
def document_followup(request):
    """The page's forms for an update (the fields given), a replacement (an uploaded file) or a
    revocation (a reason) of our document, sent to the earlier recipients chosen (all by default);
    a refusal is shown on the page and nothing is sent."""
    from recordsys.exchange.followups import send_revoke, send_update
    from recordsys.exchange.requests import UPDATABLE
    from recordsys.params import Text, TextList, form_fields

    kind = request.matchdict["kind"]
    document = _document(request)
    upload = request.POST.get("file")

    def copy_upload(path):
        with open(path, "wb") as out:
            while hasattr(upload, "file") and (chunk := upload.file.read(1 << 20)):
                out.write(chunk)

    session, storage, settings = request.dbsession, request.find_service(IFileStorage), request.registry.settings
    try:
        fields = form_fields(request, to=TextList(), reason=Text(max_length=2000, default=""),
                             **{k: Text(max_length=2000, default="") for k in UPDATABLE})
        to, reason = fields.pop("to"), fields.pop("reason").strip()
        values = {k: v.strip() for k, v in fields.items() if v.strip()}  # the fields left empty keep their value
        if kind == "update":
            result = send_update(session, storage, document.id, values, actor=request.user.username, to=to,
                                 reason=reason, org=_org(request), settings=settings)
        elif kind == "replacement":
            result = _replace(request, session, storage, document, settings, copy_upload,
                              getattr(upload, "filename", "") or "", values, to, reason)
        else:
            result = send_revoke(session, storage, document.id, actor=request.user.username, reason=reason, to=to,
                                 org=_org(request), settings=settings)
        vi, en = FOLLOW_UPS[kind]
        request.session.flash(f"Đã gửi {vi} tới {', '.join(result['to'])} / {en} sent to {', '.join(result['to'])}")
    except DomainError as exc:
        request.tm.doom()
        request.session.flash(f"{exc.localized('vi')} / {exc}")
    return HTTPSeeOther(request.route_url("exchange.document", org=_org(request).code, id=document.id))
