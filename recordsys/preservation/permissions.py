"""Permissions of archival packages and fixity."""
import enum

from recordsys.core.models import Role
from recordsys.core.roles import declare


class Permission(enum.StrEnum):
    preservation_read = "preservation.read"
    preservation_manage = "preservation.manage"


declare(Permission, {
    Permission.preservation_read: "see archival packages and fixity",
    Permission.preservation_manage: "build, store, verify and repair archival packages",
}, {
    Permission.preservation_read: {Role.archivist, Role.auditor},
    Permission.preservation_manage: {Role.archivist},
})
