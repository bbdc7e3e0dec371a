"""Core API views: health, OpenAPI, the current user, organizations, audit verification."""
from __future__ import annotations

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select, text

import recordsys
from recordsys.api.openapi import build_openapi
from recordsys.core import audit
from recordsys.core.models import Organization
from recordsys.core.roles import Permission
from recordsys.services import IHealthCheck


def search_health(request) -> dict:
    return request.find_service(IHealthCheck, name="search")()


@view_config(route_name="api.health", renderer="json", request_method="GET",
             permission=NO_PERMISSION_REQUIRED)
def health(request):
    """Health of the service, its database and its search backend."""
    engine = request.registry["db_engine"]
    try:
        # the request's own session: a second SQLite connection would queue behind it
        request.dbsession.execute(text("SELECT 1"))
        database_ok = True
    except Exception:
        database_ok = False
    search = search_health(request)
    ok = database_ok and search.get("reachable") is not False
    request.response.status = 200 if ok else 503
    return {
        "status": "ok" if ok else "degraded",
        "database": engine.dialect.name,
        "database_reachable": database_ok,
        "search": search,
        "version": recordsys.__version__,
    }


@view_config(route_name="api.openapi", renderer="json", request_method="GET",
             permission=NO_PERMISSION_REQUIRED)
def openapi(request):
    """The OpenAPI 3.1 description of this API."""
    return build_openapi(request)


@view_config(route_name="api.me", renderer="json", request_method="GET", permission=Permission.view)
def me(request):
    """The current user and the roles held in each organization."""
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": [{"organization": a.organization.code, "role": a.role.value} for a in user.roles],
    }


def org_dict(org: Organization) -> dict:
    return {"code": org.code, "name": org.name, "level": org.level.value,
            "parent": org.parent.code if org.parent else None, "fonds_code": org.fonds_code}


@view_config(route_name="api.orgs", renderer="json", request_method="GET", permission=Permission.view)
def orgs(request):
    """Organizations in which the current user holds a role."""
    ids = request.org_ids_with("view")
    rows = request.dbsession.scalars(
        select(Organization).where(Organization.id.in_(ids)).order_by(Organization.code)
    ).all()
    return {"organizations": [org_dict(o) for o in rows]}


@view_config(route_name="api.org", renderer="json", request_method="GET", permission=Permission.view)
def org_detail(request):
    """One organization (only for users holding a role in it)."""
    return org_dict(request.context.organization)


@view_config(route_name="api.audit.verify", renderer="json", request_method="GET", permission=Permission.audit_read)
def audit_verify(request):
    """Walk the audit chain and report whether it is intact."""
    report = audit.verify(request.dbsession)
    return report.to_dict()
