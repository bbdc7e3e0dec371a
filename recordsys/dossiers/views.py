"""The archivist's screens: the year's dossiers, a dossier with its documents and metadata form,
closing. Thin: parse, call the service, render."""
from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from recordsys import metadata
from recordsys.dossiers import building, disposition, services, transfer
from recordsys.dossiers.models import Dossier
from recordsys.dossiers.permissions import Permission
from recordsys.ingest.access import can_see, visible_documents
from recordsys.ingest.models import Document
from recordsys.params import Int, Text, int_csv, int_list, int_param, json_fields
from recordsys.storage import IFileStorage

#: the years a dossier, plan line or listing may be about
YEARS = {"min": 1900, "max": 2200}


def _dossier(request) -> Dossier:
    try:
        return services.get(request.dbsession, int_param(request, "id", min=1, source="matchdict"),
                            {request.context.organization.id})
    except services.DossierError:
        raise HTTPNotFound("No such dossier in this agency.") from None


def _messages(exc: services.DossierError, lang: str) -> list[str]:
    out = [exc.localized(lang)]
    for p in exc.problems:
        out.append(p if isinstance(p, str) else p.localized(lang))
    return out


@view_config(route_name="dossiers", renderer="dossiers/dossiers.jinja2", request_method="GET", permission=Permission.dossier_read)
def dossier_list(request):
    year = int_param(request, "year", **YEARS, default=dt.date.today().year)
    rows = services.list_dossiers(request.dbsession, organization_ids={request.context.organization.id}, year=year)
    return {"dossiers": rows, "year": year, "errors": [], "retention": metadata.load().codes("retention"),
            "plan": building.plan(request.dbsession, request.context.organization, year)}


@view_config(route_name="dossiers", renderer="dossiers/dossiers.jinja2", request_method="POST", permission=Permission.dossier_manage)
def dossier_create(request):
    """Open a dossier from a plan line, or (``plan_only``) add a line to the year's plan."""
    year = int_param(request, "year", **YEARS, default=dt.date.today().year, source="POST")
    try:
        if request.POST.get("plan_only"):
            building.add_plan_entry(request.dbsession, organization=request.context.organization, year=year,
                                    code=request.POST.get("plan_code", "").strip(),
                                    title=request.POST.get("title", ""), retention=request.POST.get("retention", ""),
                                    actor=request.user.username,
                                    responsible_unit=request.POST.get("responsible_unit") or None,
                                    responsible_person=request.POST.get("responsible_person") or None)
            return HTTPSeeOther(request.route_url("dossiers", org=request.context.organization.code,
                                                  _query={"year": year}))
        made = building.open_dossier(request.dbsession, organization=request.context.organization, year=year,
                                     plan_code=request.POST.get("plan_code", "").strip(),
                                     title=request.POST.get("title", ""), retention=request.POST.get("retention", ""),
                                     actor=request.user.username)
    except services.DossierError as exc:
        request.tm.doom()
        context = dossier_list(request)
        context["errors"] = _messages(exc, request.locale_name)
        request.response.status = 400
        return context
    return HTTPSeeOther(request.route_url("dossier", org=request.context.organization.code, id=made.id))


def _detail(request, dossier, errors=()):
    """The dossier with the documents the user may see (the others are only counted) and the
    candidates to add, chosen by the access rule in the query."""
    present = {i.document_id for i in dossier.items}
    query = select(Document).where(Document.organization_id == dossier.organization_id)
    if present:
        query = query.where(Document.id.not_in(sorted(present)))
    candidates = request.dbsession.scalars(
        visible_documents(query, request.user).order_by(Document.id.desc()).limit(100)).all()
    items = [i for i in dossier.items if can_see(request.user, i.document)]
    from recordsys.dossiers import circular05, export

    return {"dossier": dossier, "fields": metadata.load_circular05().dossier, "errors": list(errors), "items": items,
            "hidden_items": len(dossier.items) - len(items), "candidates": candidates,
            "definition": metadata.load(), "c05": metadata.load_circular05(), "editable": circular05.EDITABLE,
            "values": circular05.form_values(export.circular05_row(dossier, request.dbsession, request.user))}


@view_config(route_name="dossier", renderer="dossiers/dossier.jinja2", request_method="GET", permission=Permission.dossier_read)
def dossier_detail(request):
    return _detail(request, _dossier(request))


@view_config(route_name="dossier.fields", renderer="dossiers/dossier.jinja2", request_method="POST",
             permission=Permission.dossier_manage)
def dossier_fields(request):
    dossier = _dossier(request)
    try:
        add = int_list(request, "add")
        if add:
            building.add_documents(request.dbsession, dossier, add, request.user.username, viewer=request.user)
        from recordsys.dossiers.circular05 import EDITABLE

        posted = {e: (request.POST.getall(e) if e == "language" else request.POST[e])
                  for e in EDITABLE if e in request.POST}
        if posted:
            building.set_circular05_fields(request.dbsession, dossier, posted, request.user.username)
    except services.DossierError as exc:
        return _refused(request, dossier, "edit", exc)
    return HTTPSeeOther(request.route_url("dossier", org=request.context.organization.code, id=dossier.id))


@view_config(route_name="dossier.close", renderer="dossiers/dossier.jinja2", request_method="POST", permission=Permission.dossier_close)
def dossier_close(request):
    dossier = _dossier(request)
    try:
        building.close(request.dbsession, dossier, request.user.username)
    except services.DossierError as exc:
        return _refused(request, dossier, "close", exc)
    return HTTPSeeOther(request.route_url("dossier", org=request.context.organization.code, id=dossier.id))


def _refused(request, dossier, attempted, exc):
    """A closed dossier's refusal is audited (nothing else changed, so the request commits it);
    any other refusal rolls the whole attempt back."""
    if isinstance(exc, services.DossierClosed):
        services.record_refusal(request.dbsession, dossier.id, request.user.username, attempted, str(exc))
        request.response.status = 409
    else:
        request.tm.doom()
        request.response.status = 400
    return _detail(request, dossier, _messages(exc, request.locale_name))


@view_config(route_name="api.dossiers", renderer="json", request_method="GET", permission=Permission.dossier_read)
def api_dossiers(request):
    """Dossiers of one agency with their archival codes and status."""
    rows = services.list_dossiers(request.dbsession, organization_ids={request.context.organization.id})
    return {"dossiers": [services.dossier_row(d) for d in rows]}


@view_config(route_name="api.dossiers", renderer="json", request_method="POST", permission=Permission.dossier_manage)
def api_create_dossier(request):
    """Open a dossier from the plan: {"year", "plan_code", "title", "retention"} (201 with its id)."""
    from pyramid.httpexceptions import HTTPBadRequest

    body = json_fields(request, year=Int(**YEARS, default=dt.date.today().year), plan_code=Text(100, ""),
                       title=Text(1000, ""), retention=Text(50, ""))
    try:
        made = building.open_dossier(request.dbsession, organization=request.context.organization,
                                     year=body["year"], plan_code=body["plan_code"], title=body["title"],
                                     retention=body["retention"], actor=request.user.username)
    except (services.DossierError, ValueError) as exc:
        request.tm.doom()
        raise HTTPBadRequest(str(exc)) from None
    request.response.status = 201
    return {"id": made.id, "archival_code": made.archival_code}


@view_config(route_name="dossier.reorder", request_method="POST", permission=Permission.dossier_manage,
             renderer="dossiers/dossier.jinja2")
def dossier_reorder(request):
    """The new order from the drag-and-drop list (document ids, comma-separated)."""
    dossier = _dossier(request)
    order = _full_order(request, dossier, int_csv(request.POST.get("order"), "order"))
    try:
        building.reorder(request.dbsession, dossier, order, request.user.username)
    except services.DossierError as exc:
        return _refused(request, dossier, "reorder", exc)
    return HTTPSeeOther(request.route_url("dossier", org=request.context.organization.code, id=dossier.id))


def _full_order(request, dossier, order: list[int]) -> list[int]:
    """The page lists only the documents the user may see; those they may not keep their places
    and the visible ones fill the other places in the new order."""
    hidden = {i.document_id for i in dossier.items if not can_see(request.user, i.document)}
    if not hidden or set(order) & hidden or len(order) != len(dossier.items) - len(hidden):
        return order  # nothing hidden, or not a permutation of the visible ones: the service decides
    moved = iter(order)
    return [i.document_id if i.document_id in hidden else next(moved) for i in dossier.items]


def _archive(request, errors=()):
    from recordsys.dossiers.models import DispositionBatch, TransferBatch

    org_id = request.context.organization.id
    return {
        "transfers": request.dbsession.scalars(select(TransferBatch).where(TransferBatch.organization_id == org_id)
                                               .order_by(TransferBatch.id.desc()).limit(50)).all(),
        "dispositions": request.dbsession.scalars(select(DispositionBatch).where(
            DispositionBatch.organization_id == org_id).order_by(DispositionBatch.id.desc()).limit(50)).all(),
        "closed": request.dbsession.scalars(select(Dossier).where(
            Dossier.organization_id == org_id, Dossier.status == "closed").order_by(Dossier.archival_code)).all(),
        "errors": list(errors),
        "dossier_codes": {d.id: d.archival_code for d in request.dbsession.scalars(
            select(Dossier).where(Dossier.organization_id == org_id))},
    }


@view_config(route_name="archive", renderer="dossiers/archive.jinja2", request_method="GET", permission=Permission.dossier_read)
def archive_page(request):
    """Hand-over batches and disposition lists of the agency."""
    return _archive(request)


def _act(request, fn):
    try:
        fn()
    except services.DossierError as exc:
        request.tm.doom()
        request.response.status = 400
        return _archive(request, _messages(exc, request.locale_name))
    return HTTPSeeOther(request.route_url("archive", org=request.context.organization.code))


@view_config(route_name="transfers", renderer="dossiers/archive.jinja2", request_method="POST", permission=Permission.dossier_close)
def transfer_create(request):
    import tempfile
    from pathlib import Path


    ids = int_list(request, "dossier")

    def work():
        with tempfile.TemporaryDirectory() as tmp:
            transfer.create_transfer(request.dbsession, request.context.organization, ids, request.user.username,
                                     request.find_service(IFileStorage), Path(tmp))
    return _act(request, work)


@view_config(route_name="transfer.accept", renderer="dossiers/archive.jinja2", request_method="POST",
             permission=Permission.dossier_close)
def transfer_accept(request):
    from recordsys.dossiers.models import TransferBatch
    from recordsys.preservation.bagging import PreservationError

    batch = request.dbsession.get(TransferBatch, int_param(request, "id", min=1, source="matchdict"))
    if batch is None or batch.organization_id != request.context.organization.id:
        raise HTTPNotFound("No such hand-over.")

    def work():
        try:
            transfer.accept_transfer(request.dbsession, request.registry.settings, batch, request.user.username,
                                     request.find_service(IFileStorage))
        except PreservationError as exc:
            raise services.DossierError("${error}", mapping={"error": exc}) from None
    return _act(request, work)


@view_config(route_name="disposition", renderer="dossiers/archive.jinja2", request_method="POST", permission=Permission.dossier_close)
def disposition_propose(request):
    return _act(request, lambda: disposition.propose_disposition(
        request.dbsession, request.context.organization, dt.date.today(), request.user.username))


@view_config(route_name="disposition.step", renderer="dossiers/archive.jinja2", request_method="POST",
             permission=Permission.dossier_read)
def disposition_step(request):
    """One step of a disposition list; the user's roles in this agency decide what is allowed."""
    from recordsys.dossiers.models import DispositionBatch

    batch = request.dbsession.get(DispositionBatch, int_param(request, "id", min=1, source="matchdict"))
    if batch is None or batch.organization_id != request.context.organization.id:
        raise HTTPNotFound("No such disposition list.")
    roles = {a.role.value for a in request.user.roles if a.organization_id == batch.organization_id}
    return _act(request, lambda: disposition.disposition_action(
        request.dbsession, batch, request.POST.get("action", ""), roles, request.user.username,
        request.POST.get("note", "")))
