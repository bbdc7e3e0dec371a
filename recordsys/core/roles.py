"""Which role may do what: one table, pure lookups."""
from __future__ import annotations

from recordsys.core.models import Role

#: permission names used by views and services
PERMISSIONS = {
    "view": "see the agency's home page",
    "search": "search the records the user may open",
    "document.read": "read registered documents",
    "document.register": "check, accept, refuse and register documents (văn thư)",
    "document.process": "process assigned documents",
    "document.approve": "approve and sign",
    "dossier.read": "read dossiers",
    "dossier.manage": "open, build and describe dossiers",
    "dossier.close": "close dossiers and hand them over to the archive",
    "disposition.approve": "approve disposition lists",
    "preservation.read": "see archival packages and fixity",
    "preservation.manage": "build, store, verify and repair archival packages",
    "audit.read": "read and verify the audit trail",
    "org.admin": "manage users and roles of the agency",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.clerk: frozenset({"view", "search", "document.read", "document.register", "dossier.read"}),
    Role.specialist: frozenset(
        {"view", "search", "document.read", "document.process", "dossier.read", "dossier.manage"}
    ),
    Role.leader: frozenset(
        {"view", "search", "document.read", "document.process", "document.approve", "dossier.read",
         "disposition.approve"}
    ),
    Role.archivist: frozenset(
        {"view", "search", "document.read", "dossier.read", "dossier.manage", "dossier.close",
         "preservation.read", "preservation.manage"}
    ),
    Role.auditor: frozenset(
        {"view", "search", "document.read", "dossier.read", "preservation.read", "audit.read"}
    ),
    Role.admin: frozenset({"view", "org.admin", "audit.read"}),
}

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
