"""Turning a person's request into a search: who they are (viewer) and what they asked."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core.models import Organization, User
from recordsys.core.roles import ROLE_PERMISSIONS
from recordsys.search.interfaces import QueryError, SearchRequest, Viewer
from recordsys.search.query import parse_query


def viewer_for(user: User) -> Viewer:
    """The organizations where ``user`` holds a role allowing search, and their clearance."""
    orgs = frozenset(a.organization_id for a in user.roles if "search" in ROLE_PERMISSIONS[a.role])
    return Viewer(orgs, user.clearance or 0)


def everything(session: Session) -> Viewer:
    """The command line's own view (trusted operator): every agency, every level."""
    return Viewer(frozenset(session.scalars(select(Organization.id))), 3)


def _int(params, name, default, low, high):
    from recordsys.params import ParameterError, parse_int

    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = parse_int(raw, name, min=-(2**31), max=2**31 - 1)  # ASCII digits only, never 10**30
    except ParameterError:
        error = QueryError("Parameter ${name} must be a number.", mapping={"name": name})
        error.field = name
        raise error from None
    if not low <= value <= high:
        error = QueryError("Parameter ${name} is out of range.", mapping={"name": name})
        error.field = name
        raise error
    return value


def build_request(session: Session, params, viewer: Viewer) -> SearchRequest:
    """From query parameters (q, kind, type, year, org, status, retention, issuer, sort, page,
    page_size) to a SearchRequest; raises QueryError with a sentence for bad values."""
    filters = {}
    for name in ("kind", "type", "status", "retention", "issuer"):
        if params.get(name):
            filters[name] = str(params[name])[:200]
    year = _int(params, "year", None, 1900, 2200)
    if year is not None:
        filters["year"] = year
    if params.get("org"):
        org_id = session.scalar(select(Organization.id).where(Organization.code == str(params["org"])[:20]))
        # another agency's code narrows to nothing rather than revealing whether it exists
        viewer = Viewer(viewer.organization_ids & frozenset({org_id} if org_id else set()), viewer.clearance)
    return SearchRequest(parse_query(params.get("q")), viewer, filters, params.get("sort") or "relevance",
                         _int(params, "page", 1, 1, 10_000), _int(params, "page_size", 20, 1, 100))
