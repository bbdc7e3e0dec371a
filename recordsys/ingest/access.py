"""The one access rule for registered documents (and what shows them: dossiers, exports, files).

A person sees a document when they hold a role granting the permission in the document's agency
*and* their clearance reaches its confidentiality (độ mật): 0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật.
An unknown confidentiality value counts as the highest level (fail closed).

Use :func:`visible_documents` in the query of every listing (so hidden rows never leave the
database and pages stay full), :func:`can_see` for one document already loaded.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, or_, true

from recordsys.core.roles import ROLE_PERMISSIONS
from recordsys.search.interfaces import CONFIDENTIALITY_LEVEL


@dataclass(frozen=True)
class Access:
    """Who looks: the agencies where they hold the permission and their clearance. ``None``
    organizations means every agency (the trusted operator at the command line)."""

    organization_ids: frozenset[int] | None
    clearance: int = 0


#: the command line's operator: every agency, every level
OPERATOR = Access(None, 3)


def level(confidentiality: str | None) -> int:
    return CONFIDENTIALITY_LEVEL.get(confidentiality, 3)


def access_for(user, permission: str = "document.read") -> Access:
    """The access of a signed-in user (or an :class:`Access` / search ``Viewer`` passed through)."""
    if isinstance(user, Access):
        return user
    if user is None:
        return Access(frozenset(), 0)
    if hasattr(user, "organization_ids") and hasattr(user, "clearance") and not hasattr(user, "roles"):
        return Access(frozenset(user.organization_ids), int(user.clearance or 0))  # a search Viewer
    orgs = frozenset(a.organization_id for a in user.roles if permission in ROLE_PERMISSIONS[a.role])
    return Access(orgs, int(user.clearance or 0))


def allowed_levels(clearance: int) -> list[str]:
    """Confidentiality values (non-empty) a clearance reaches."""
    return sorted(k for k, v in CONFIDENTIALITY_LEVEL.items() if k and v <= clearance)


def document_clause(who, permission: str = "document.read"):
    """The SQL condition on :class:`~recordsys.ingest.models.Document` for ``who``."""
    from recordsys.ingest.models import Document

    access = access_for(who, permission)
    conf = Document.confidentiality
    if access.clearance >= max(CONFIDENTIALITY_LEVEL.values()):
        clause = true()  # the highest clearance reaches every level, unknown ones included
    else:
        clause = or_(conf.is_(None), conf == "", conf.in_(allowed_levels(access.clearance)))
    if access.organization_ids is not None:
        clause = (Document.organization_id.in_(sorted(access.organization_ids)) & clause
                  if access.organization_ids else false())
    return clause


def visible_documents(stmt: Select, who, permission: str = "document.read") -> Select:
    """``stmt`` (selecting or joining documents) narrowed to what ``who`` may see."""
    return stmt.where(document_clause(who, permission))


def can_see(who, document, permission: str = "document.read") -> bool:
    access = access_for(who, permission)
    if access.organization_ids is not None and document.organization_id not in access.organization_ids:
        return False
    return level(document.confidentiality or None) <= access.clearance

