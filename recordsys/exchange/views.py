"""The clerk's exchange pages: the agency's inbox (accept: register as incoming and send 03; refuse
with a reason: send 02) and its outbox (what was sent, how far it got, the statuses that came back)."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from recordsys.errors import DomainError
from recordsys.exchange import services
from recordsys.exchange.models import InboxEntry, OutboxMessage, StatusRecord
from recordsys.params import int_param
from recordsys.storage import IFileStorage


def _org(request):
    return request.context.organization


@view_config(route_name="exchange.inbox", renderer="exchange/inbox.jinja2", request_method="GET",
             permission="document.read")
def inbox_page(request):
    rows = request.dbsession.scalars(select(InboxEntry).where(InboxEntry.organization_id == _org(request).id)
                                     .order_by(InboxEntry.id.desc()).limit(200)).all()
    return {"entries": rows, "messages": request.session.pop_flash()}


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
