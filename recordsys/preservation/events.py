"""Audit actions of archival packages."""
import enum


class AuditAction(enum.StrEnum):
    package_store = "package.store"
    package_damaged = "package.damaged"
    package_repair = "package.repair"
    package_export = "package.export"
