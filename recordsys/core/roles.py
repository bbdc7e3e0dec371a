"""Which role may do what: one table, filled by the domains, and pure lookups.

Each domain declares its permissions as an enum (``recordsys/<domain>/permissions.py``) with a
description and the roles that hold each, through :func:`declare`; views use the enum members
(they are strings, so Pyramid's ACLs compare them as such).
"""
from __future__ import annotations

import enum

from recordsys.core.models import Role

#: permission -> description (English message id), every declared permission
PERMISSIONS: dict[str, str] = {}

#: role -> the permissions it holds (filled by :func:`declare`; mutated in place, never replaced)
ROLE_PERMISSIONS: dict[Role, set[str]] = {role: set() for role in Role}


def declare(permissions: type[enum.StrEnum], descriptions: dict, grants: dict) -> None:
    """Register a domain's permissions: each member's description and the roles that hold it."""
    missing = [p for p in permissions if p not in descriptions or p not in grants]
    if missing:
        raise ValueError(f"permissions without a description or grant: {missing}")
    for permission in permissions:
        PERMISSIONS[permission.value] = descriptions[permission]
        for role in grants[permission]:
            ROLE_PERMISSIONS[role].add(permission.value)


class Permission(enum.StrEnum):
    """Permissions of the core: every domain builds on these."""

    view = "view"
    search = "search"
    audit_read = "audit.read"
    org_admin = "org.admin"


_EVERYONE_BUT_ADMIN = {Role.clerk, Role.specialist, Role.leader, Role.archivist, Role.auditor}
declare(Permission, {
    Permission.view: "see the agency's home page",
    Permission.search: "search the records the user may open",
    Permission.audit_read: "read and verify the audit trail",
    Permission.org_admin: "manage users and roles of the agency",
}, {
    Permission.view: set(Role),
    Permission.search: _EVERYONE_BUT_ADMIN,
    Permission.audit_read: {Role.auditor, Role.admin},
    Permission.org_admin: {Role.admin},
})

#: English labels (message ids); the Vietnamese comes from the catalog
ROLE_LABELS = {
    Role.clerk: "Clerk",
    Role.specialist: "Specialist",
    Role.leader: "Leader",
    Role.archivist: "Archivist",
    Role.auditor: "Auditor",
    Role.admin: "Administrator",
}


def roles_with(permission: str) -> set[Role]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if permission in perms}


def permits(roles, permission: str) -> bool:
    return any(permission in ROLE_PERMISSIONS[Role(r)] for r in roles)
