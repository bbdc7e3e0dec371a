"""Audit actions of intake and registration."""
import enum


class AuditAction(enum.StrEnum):
    document_register = "document.register"
    document_refuse = "document.refuse"
