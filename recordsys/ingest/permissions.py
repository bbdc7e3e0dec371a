"""Permissions of intake and registered documents (declared once, used by views and services)."""
import enum

from recordsys.core.models import Role
from recordsys.core.roles import declare


class Permission(enum.StrEnum):
    document_read = "document.read"
    document_register = "document.register"


declare(Permission, {
    Permission.document_read: "read registered documents",
    Permission.document_register: "check, accept, refuse and register documents (văn thư)",
}, {
    Permission.document_read: {Role.clerk, Role.specialist, Role.leader, Role.archivist, Role.auditor},
    Permission.document_register: {Role.clerk},
})
