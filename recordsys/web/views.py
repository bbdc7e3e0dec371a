"""Login, logout, language choice and the home page of each role."""
from __future__ import annotations

from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPFound, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config

from recordsys.core import audit, services, throttle
from recordsys.core.events import AuditAction
from recordsys.core.roles import PERMISSIONS, ROLE_LABELS, ROLE_PERMISSIONS, Permission
from recordsys.i18n import LOCALES


def _safe_next(request, value: str | None) -> str:
    # Only local paths: never redirect a user to another site after login.
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return request.route_url("home")


@view_config(route_name="login", renderer="login.jinja2", request_method="GET",
             permission=NO_PERMISSION_REQUIRED)
def login_form(request):
    return {"next": request.params.get("next", ""), "error": None, "username": ""}


@view_config(route_name="login", renderer="login.jinja2", request_method="POST",
             permission=NO_PERMISSION_REQUIRED)
def login(request):
    username = request.POST.get("username", "")
    address = request.client_addr
    settings = request.registry.settings
    wait = throttle.locked_for(request.dbsession, username, address)
    if wait:  # refused without checking the password; the attempt still counts
        throttle.record_failure(request.dbsession, username, address, settings)
        request.response.status = 429
        request.response.headers["Retry-After"] = str(wait)
        return {"next": request.POST.get("next", ""), "error": "throttled", "username": username,
                "error_message": throttle.message(wait, request.locale_name)}
    user = services.authenticate(request.dbsession, username, request.POST.get("password", ""))
    if user is None:
        # counted, and audited as one event per streak of failures (see recordsys.core.throttle)
        wait = throttle.record_failure(request.dbsession, username, address, settings)
        request.response.status = 429 if wait else 401
        if wait:
            request.response.headers["Retry-After"] = str(wait)
        return {"next": request.POST.get("next", ""), "error": "login_failed", "username": username,
                "error_message": throttle.message(wait, request.locale_name) if wait else None}
    throttle.record_success(request.dbsession, username, address)
    headers = remember(request, user.id)
    new_csrf_token(request)
    audit.record(request.dbsession, actor=user.username, action=AuditAction.login, object_type="user", object_id=user.id)
    return HTTPSeeOther(_safe_next(request, request.POST.get("next")), headers=headers)


@view_config(route_name="logout", request_method="POST", permission=Permission.view)
def logout(request):
    audit.record(request.dbsession, actor=request.user.username, action=AuditAction.logout, object_type="user",
                 object_id=request.user.id)
    # ends this session and every other one of the user (a copied cookie stops working too)
    services.end_sessions(request.dbsession, request.user, actor=request.user.username)
    return HTTPSeeOther(request.route_url("login"), headers=forget(request))


@view_config(route_name="language", request_method="GET", permission=NO_PERMISSION_REQUIRED)
def language(request):
    code = request.matchdict["code"]
    response = HTTPFound(_safe_next(request, request.params.get("next")))
    if code in LOCALES:
        response.set_cookie("_LOCALE_", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@view_config(route_name="home", renderer="home.jinja2", request_method="GET", permission=Permission.view)
def home(request):
    """The home page: the user's inbox of work (deadlines, overdue in red) and, for each
    organization and role of the user, what the role may do."""
    cards = []
    for assignment in sorted(request.user.roles, key=lambda a: (a.organization.code, a.role.value)):
        cards.append({
            "organization": assignment.organization,
            "role": assignment.role.value,
            "role_label": ROLE_LABELS[assignment.role],
            "abilities": [PERMISSIONS[p] for p in sorted(ROLE_PERMISSIONS[assignment.role]) if p != "view"],
        })
    from recordsys.web import HOME_PARTS

    return {"cards": cards, **{name: build(request) for name, build in HOME_PARTS.items()}}
