"""Every route, every role: the response matches the permission the view declares.

The routes are read from the application itself, so a route added by any domain is covered here
without editing this file; a view that declares no permission fails the first test.
"""
import re

import pytest
from pyramid.security import NO_PERMISSION_REQUIRED

from recordsys.core.demo import DEMO_USERS, OFFICE
from recordsys.core.models import Role
from recordsys.core.roles import ROLE_PERMISSIONS
from tests.conftest import login

OTHER_ORG = "000.00.31.H41"  # the demo users hold no role there
MISSING_ORG = "999.99.99.Z99"  # no such agency
PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def all_views(registry):
    """(route name, pattern, method, permission) for every routed view."""
    introspector = registry.introspector
    for route_intr in introspector.get_category("routes") or []:
        route = route_intr["introspectable"]
        for view in introspector.related(route):
            if view.category_name != "views":
                continue
            permission = next((p["value"] for p in introspector.related(view)
                               if p.category_name == "permissions"), None)
            methods = view["request_methods"] or ("GET",)
            for method in ([methods] if isinstance(methods, str) else methods):
                yield route["name"], route["pattern"], method, permission


def _url(pattern, org_code):
    return PLACEHOLDER.sub(lambda m: org_code if m.group(1) == "org" else "0", pattern)


def test_every_view_declares_a_permission(app):
    undeclared = [(name, method) for name, pattern, method, permission in all_views(app.registry)
                  if permission is None and not pattern.startswith("/static")]
    assert undeclared == []


def _request(testapp, method, url):
    kwargs = {"status": "*", "expect_errors": True}
    if method == "GET":
        return testapp.get(url, **kwargs)
    token = testapp.get("/login").forms[0]["csrf_token"].value
    return testapp.request(url, method=method, POST={"csrf_token": token}, headers={"X-CSRF-Token": token},
                           **kwargs)


@pytest.mark.parametrize("username,role", [(u, r) for u, _, r, _ in DEMO_USERS])
def test_role_matrix(testapp, demo, username, role):
    login(testapp, username)
    own_org = OFFICE if role != "admin" else "000.00.00.H41"
    checked = 0
    for name, pattern, method, permission in all_views(testapp.app.registry):
        if pattern.lstrip("/").startswith("static") or name == "logout" or (name, method) == ("login", "POST"):
            continue
        allowed = permission == NO_PERMISSION_REQUIRED or permission in ROLE_PERMISSIONS[Role(role)]
        response = _request(testapp, method, _url(pattern, own_org))
        other_placeholders = set(PLACEHOLDER.findall(pattern)) - {"org"}
        if allowed:
            assert response.status_int not in (401, 403), (name, method, role, response.text[:300])
        else:
            expected = {403, 404} if other_placeholders else {403}
            assert response.status_int in expected, (name, method, role, response.status)
        if "{org" in pattern and permission != NO_PERMISSION_REQUIRED:
            # another agency's route is refused exactly like a missing agency's: 404 both
            for code in (OTHER_ORG, MISSING_ORG):
                response = _request(testapp, method, _url(pattern, code))
                assert response.status_int == 404, (name, method, role, code, response.status)
        checked += 1
    assert checked >= 6


def test_anonymous_is_sent_to_login_or_gets_401(testapp, demo):
    for name, pattern, method, permission in all_views(testapp.app.registry):
        if pattern.lstrip("/").startswith("static") or permission == NO_PERMISSION_REQUIRED or method != "GET":
            continue
        response = testapp.get(_url(pattern, OFFICE), status="*")
        if "{org" in pattern:
            # agency routes: anonymous gets the answer of a missing agency, whether or not it exists
            missing = testapp.get(_url(pattern, MISSING_ORG), status="*")
            assert response.status_int == missing.status_int == 404, (name, response.status, missing.status)
            assert response.content_type == missing.content_type
        elif pattern.startswith("/api/"):
            assert response.status_int == 401, name
            assert response.content_type == "application/problem+json"
        else:
            assert response.status_int == 302 and "/login" in response.location, name
