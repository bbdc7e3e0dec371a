"""Permissions of processing and approving documents."""
import enum

from recordsys.core.models import Role
from recordsys.core.roles import declare


class Permission(enum.StrEnum):
    document_process = "document.process"
    document_approve = "document.approve"


declare(Permission, {
    Permission.document_process: "process assigned documents",
    Permission.document_approve: "approve and sign",
}, {
    Permission.document_process: {Role.specialist, Role.leader},
    Permission.document_approve: {Role.leader},
})
