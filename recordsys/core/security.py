"""Authentication (cookie session or API token) and per-organization ACL authorization."""
from __future__ import annotations

import hashlib
import secrets
import time

from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.session import SignedCookieSessionFactory
from sqlalchemy import select

from recordsys.config import as_bool
from recordsys.core.models import ApiToken, Organization, User
from recordsys.core.roles import ROLE_PERMISSIONS

TOKEN_PREFIX = "rs_"


def new_token() -> tuple[str, str]:
    """A fresh API token and the SHA-256 that is stored instead of it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def org_principal(org_id: int, role) -> str:
    return f"org:{org_id}:{getattr(role, 'value', role)}"


class RootContext:
    """Context of routes not bound to one organization: grants a permission to anyone who holds
    it in at least one organization. Views then filter data with ``request.org_ids_with``."""

    def __init__(self, request):
        self.request = request

    @property
    def __acl__(self):
        return [(Allow, Authenticated, "view")] + [
            (Allow, f"role:{role.value}", perm)
            for role, perms in ROLE_PERMISSIONS.items()
            for perm in sorted(perms)
        ]


class OrganizationContext:
    """Context of routes under ``/orgs/{org}``: only roles held in *that* organization count."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self.__acl__ = [
            (Allow, org_principal(organization.id, role), perm)
            for role, perms in ROLE_PERMISSIONS.items()
            for perm in sorted(perms)
        ]


def organization_factory(request):
    """The agency of ``/orgs/{org}``; an agency the user holds no role in (or any agency, for an
    anonymous request) is answered exactly like a missing one, so codes cannot be probed."""
    from pyramid.httpexceptions import HTTPNotFound

    code = request.matchdict.get("org")
    org = request.dbsession.scalar(select(Organization).where(Organization.code == code))
    user = request.user
    if org is None or user is None or not any(a.organization_id == org.id for a in user.roles):
        raise HTTPNotFound(f"Unknown organization {code!r}")
    return OrganizationContext(org)


class SecurityPolicy:
    def __init__(self):
        self.helper = ACLHelper()

    def identity(self, request) -> User | None:
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return user.id if user else None

    def principals(self, request) -> list[str]:
        user = request.user
        if user is None:
            return [Everyone]
        principals = [Everyone, Authenticated, f"user:{user.id}"]
        for assignment in user.roles:
            principals.append(org_principal(assignment.organization_id, assignment.role))
            principals.append(f"role:{assignment.role.value}")
        return principals

    def permits(self, request, context, permission):
        return self.helper.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        request.session.invalidate()
        user = request.dbsession.get(User, userid)
        request.session["user_id"] = userid
        request.session["session_version"] = user.session_version if user else 0
        request.session["authenticated_at"] = int(time.time())
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        return []


def _load_user(request) -> User | None:
    auth = request.authorization
    if auth is not None and auth.authtype.lower() == "bearer":
        token = request.dbsession.scalar(
            select(ApiToken).where(
                ApiToken.token_sha256 == token_digest(str(auth.params)), ApiToken.revoked.is_(False)
            )
        )
        if token and token.user.active:
            request.environ["recordsys.authenticated_by"] = "bearer"
            return token.user
        return None
    user_id = request.session.get("user_id")
    if user_id is None:
        return None
    user = request.dbsession.get(User, user_id)
    lifetime = float(request.registry.settings.get("recordsys.session_lifetime_hours", 12)) * 3600
    authenticated_at = request.session.get("authenticated_at")
    if (user is None or not user.active
            or request.session.get("session_version") != user.session_version
            or not isinstance(authenticated_at, int) or time.time() - authenticated_at > lifetime):
        # ended server-side (logout elsewhere, password change, disabled user) or too old
        request.session.invalidate()
        return None
    request.environ["recordsys.authenticated_by"] = "session"
    return user


def org_ids_with(request, permission: str) -> set[int]:
    """Organizations in which the current user holds a role granting ``permission``."""
    user = request.user
    if user is None:
        return set()
    return {a.organization_id for a in user.roles if permission in ROLE_PERMISSIONS[a.role]}


def _csrf_needed(request) -> bool:
    # Only a request actually authenticated by a valid bearer token is exempt: it carries no
    # ambient credential to forge. Any other Authorization header (Basic, a wrong token, …) still
    # leaves the cookie session in play, so the CSRF token is required.
    return not (request.user is not None and request.environ.get("recordsys.authenticated_by") == "bearer")


def includeme(config):
    settings = config.get_settings()
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings["recordsys.secret"],
            cookie_name="recordsys_session",
            httponly=True,
            samesite="Lax",
            secure=as_bool(settings["recordsys.secure_cookies"]),
            # idle timeout (slides with use); the absolute lifetime is checked in _load_user
            timeout=int(float(settings.get("recordsys.session_idle_minutes", 480)) * 60),
            reissue_time=600,
        )
    )
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True, callback=_csrf_needed)
    config.set_security_policy(SecurityPolicy())
    config.set_root_factory(RootContext)
    config.add_request_method(_load_user, "user", reify=True)
    config.add_request_method(org_ids_with, "org_ids_with")
