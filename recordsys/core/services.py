"""Agencies, users, roles and tokens: the services views and commands call."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core import audit
from recordsys.core.events import AuditAction
from recordsys.core.models import (
    ApiToken,
    Organization,
    OrgLevel,
    Role,
    RoleAssignment,
    User,
)
from recordsys.core.security import new_token
from recordsys.errors import DomainError

_hasher = PasswordHasher()

#: organ identifier code of the national interchange axis (Decision 20/2020/QĐ-TTg): four groups
ORGAN_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class ValidationError(DomainError, ValueError):
    """Input that breaks a rule; ``field`` names the input, the message is a sentence."""

    code = "invalid"

    def __init__(self, field: str, message: str, mapping: dict | None = None):
        super().__init__(message, field=field, mapping=mapping)


def check_organ_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not ORGAN_CODE.match(code):
        raise ValidationError(
            "code",
            "${code} is not an organ identifier code: expected four dot-separated groups such as 000.00.31.H41", mapping={"code": f"{code!r}"},
        )
    return code


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationError("password", "A password needs at least 8 characters.")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_org(session: Session, code: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.code == code.strip().upper()))


def require_org(session: Session, code: str) -> Organization:
    org = find_org(session, code)
    if org is None:
        raise ValidationError("org", "Unknown organization code ${code} (see `recordsys org list`).",
                              mapping={"code": repr(code)})
    return org


def create_org(
    session: Session, *, code: str, name: str, level: str, parent_code: str | None = None,
    fonds_code: str | None = None, short_name: str | None = None, actor: str = "system",
) -> Organization:
    code = check_organ_code(code)
    try:
        level_value = OrgLevel(level)
    except ValueError:
        raise ValidationError("level", "Level must be one of ${items}.", mapping={"items": ', '.join(lv.value for lv in OrgLevel)}) from None
    if not name.strip():
        raise ValidationError("name", "An organization needs a name.")
    if find_org(session, code):
        raise ValidationError("code", "Organization ${code} already exists.", mapping={"code": code})
    parent = require_org(session, parent_code) if parent_code else None
    org = Organization(
        code=code, name=name.strip(), short_name=short_name, level=level_value,
        parent=parent, fonds_code=fonds_code, settings={},
    )
    session.add(org)
    session.flush()
    audit.record(
        session, actor=actor, action=AuditAction.org_create, object_type="organization", object_id=org.id,
        organization_code=code, payload={"code": code, "name": org.name, "level": level_value.value,
                                         "parent": parent_code, "fonds_code": fonds_code},
    )
    return org


def create_user(
    session: Session, *, username: str, full_name: str, password: str, email: str | None = None,
    actor: str = "system",
) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError("username", "A username is 2-64 lower-case letters, digits, '.', '_' or '-'.")
    if session.scalar(select(User).where(User.username == username)):
        raise ValidationError("username", "User ${username} already exists.", mapping={"username": f"{username!r}"})
    user = User(username=username, full_name=full_name.strip() or username,
                password_hash=hash_password(password), email=email)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.user_create, object_type="user", object_id=user.id,
                 payload={"username": username, "full_name": user.full_name})
    return user


def grant_role(session: Session, user: User, org: Organization, role: str, actor: str = "system") -> None:
    try:
        role_value = Role(role)
    except ValueError:
        raise ValidationError("role", "Role must be one of ${items}.", mapping={"items": ', '.join(r.value for r in Role)}) from None
    if any(a.organization_id == org.id and a.role == role_value for a in user.roles):
        return
    user.roles.append(RoleAssignment(organization=org, role=role_value))
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.role_grant, object_type="user", object_id=user.id,
                 organization_code=org.code, payload={"role": role_value.value, "org": org.code})


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.active:
        _hasher.hash("timing-equaliser")  # same cost whether or not the user exists
        return None
    return user if verify_password(user.password_hash, password or "") else None


def end_sessions(session: Session, user: User, actor: str = "system", reason: str = "logout") -> None:
    """End every browser session of ``user`` (each cookie carries the version it was issued at)."""
    user.session_version = (user.session_version or 0) + 1
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.user_sessions_ended, object_type="user", object_id=user.id,
                 payload={"reason": reason})


def change_password(session: Session, user: User, new_password: str, actor: str = "system") -> None:
    """Set a new password; every session of the user ends."""
    user.password_hash = hash_password(new_password)
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.user_password, object_type="user", object_id=user.id)
    end_sessions(session, user, actor=actor, reason="password changed")


def set_active(session: Session, user: User, active: bool, actor: str = "system") -> None:
    """Enable or disable a user; disabling ends every session of the user."""
    user.active = active
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.user_enable if active else "user.disable", object_type="user",
                 object_id=user.id)
    if not active:
        end_sessions(session, user, actor=actor, reason="disabled")


def create_token(session: Session, user: User, name: str, actor: str = "system") -> str:
    token, digest = new_token()
    session.add(ApiToken(user=user, name=name, token_sha256=digest))
    session.flush()
    audit.record(session, actor=actor, action=AuditAction.token_create, object_type="user", object_id=user.id,
                 payload={"name": name})
    return token
