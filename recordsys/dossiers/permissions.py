"""Permissions of dossiers, hand-over and disposition."""
import enum

from recordsys.core.models import Role
from recordsys.core.roles import declare


class Permission(enum.StrEnum):
    dossier_read = "dossier.read"
    dossier_manage = "dossier.manage"
    dossier_close = "dossier.close"
    disposition_approve = "disposition.approve"


declare(Permission, {
    Permission.dossier_read: "read dossiers",
    Permission.dossier_manage: "open, build and describe dossiers",
    Permission.dossier_close: "close dossiers and hand them over to the archive",
    Permission.disposition_approve: "approve disposition lists",
}, {
    Permission.dossier_read: {Role.clerk, Role.specialist, Role.leader, Role.archivist, Role.auditor},
    Permission.dossier_manage: {Role.specialist, Role.archivist},
    Permission.dossier_close: {Role.archivist},
    Permission.disposition_approve: {Role.leader},
})
