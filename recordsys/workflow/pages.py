"""Workflow pages: a document's whole workflow history (with the leader's assignment form), and
the leader's statistics dashboard with its JSON API."""
from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from recordsys.errors import DomainError
from recordsys.workflow import inbox, services, statistics
from recordsys.workflow.rules import NAMES


def _document(request):
    from recordsys.ingest.access import can_see
    from recordsys.ingest.models import Document
    from recordsys.params import parse_int

    raw = request.matchdict["id"]
    document = request.dbsession.get(Document, parse_int(raw, "id", min=1))
    if document is None or document.organization_id != request.context.organization.id \
            or not can_see(request.user, document):  # above the user's clearance: as if missing
        raise HTTPNotFound("Unknown document.")
    return document


def _names(request) -> dict:
    lang = 0 if request.locale_name == "vi" else 1
    return {k: v[lang][:1].upper() + v[lang][1:] for k, v in NAMES.items()}


@view_config(route_name="document.workflow", renderer="workflow/document.jinja2", request_method="GET",
             permission="document.read")
def document_page(request):
    """One document with its whole workflow history."""
    document = _document(request)
    data = inbox.history(request.dbsession, document)
    a = data["assignment"]
    return {**data, "names": _names(request), "messages": request.session.pop_flash(),
            "can_assign": _is_leader(request), "me": request.user.username,
            "consultations": services.consultation_rows(a) if a else [],
            "today": dt.date.today()}


def _is_leader(request) -> bool:
    org_id = request.context.organization.id
    return any(r.organization_id == org_id and r.role.value == "leader" for r in request.user.roles)


@view_config(route_name="document.workflow.action", request_method="POST", permission="view")
def document_action(request):
    """assign | opinion | consult | answer | forward | done from the document's page (the rules
    decide who may)."""
    from recordsys.params import parse_int

    action = request.matchdict["action"]
    if action not in ("assign", "opinion", "consult", "answer", "forward", "done"):
        raise HTTPNotFound("Unknown action.")
    document = _document(request)
    session, user, form = request.dbsession, request.user.username, request.POST
    try:
        if action == "assign":
            try:
                deadline = dt.date.fromisoformat(form["deadline"]) if form.get("deadline") else None
            except ValueError:
                raise HTTPBadRequest("deadline must be a date such as 2026-12-15.") from None
            services.assign_incoming(session, document_id=document.id, username=user, to=form.get("to", ""),
                                     deadline=deadline, note=form.get("note") or None)
        elif action == "opinion":
            services.add_opinion(session, document_id=document.id, username=user, text=form.get("text", ""))
        elif action == "consult":  # one or more user names, separated by commas or spaces
            names = tuple(n for n in form.get("to", "").replace(",", " ").split() if n)
            services.consult(session, document_id=document.id, username=user, to=names,
                             question=form.get("question", ""))
        elif action == "answer":
            services.answer_consultation(session, document_id=document.id, username=user,
                                         number=parse_int(form.get("number"), "number", min=1),
                                         text=form.get("text", ""))
        elif action == "forward":
            services.forward_incoming(session, document_id=document.id, username=user, to=form.get("to", ""))
        else:
            services.complete_incoming(session, document_id=document.id, username=user, result=form.get("result", ""))
    except DomainError as exc:
        request.tm.doom()
        request.session.flash(exc.localized(request.locale_name))
    return HTTPSeeOther(request.route_url("document.workflow", org=request.context.organization.code, id=document.id))


def _period(request) -> tuple[dt.date, dt.date]:
    today = statistics.agency_today()
    try:
        start = dt.date.fromisoformat(request.params["from"]) if request.params.get("from") else today.replace(
            month=1, day=1)
        end = dt.date.fromisoformat(request.params["to"]) if request.params.get("to") else today
    except ValueError:
        raise HTTPBadRequest("from and to must be dates such as 2026-01-01.") from None
    if end < start:
        raise HTTPBadRequest("to is before from.")
    return start, end


@view_config(route_name="api.workflow.statistics", renderer="json", request_method="GET", permission="document.read")
def api_statistics(request):
    """Documents received and sent by channel, shares electronic and signed, processing time, overdue."""
    start, end = _period(request)
    return statistics.agency_statistics(request.dbsession, request.context.organization.id, start, end).to_json()


@view_config(route_name="workflow.statistics", renderer="workflow/statistics.jinja2", request_method="GET",
             permission="document.read")
def statistics_page(request):
    start, end = _period(request)
    stats = statistics.agency_statistics(request.dbsession, request.context.organization.id, start, end)
    return {"stats": stats, "bars": statistics.svg_bars(stats, request.locale_name), "start": start, "end": end}
