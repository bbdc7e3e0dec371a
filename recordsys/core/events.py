"""Audit actions of the core (agencies, users, sign-in, trust anchors): the ``action`` of audit events."""
import enum


class AuditAction(enum.StrEnum):
    org_create = "org.create"
    role_grant = "role.grant"
    token_create = "token.create"
    user_create = "user.create"
    user_enable = "user.enable"
    user_disable = "user.disable"
    user_password = "user.password"
    user_sessions_ended = "user.sessions_ended"
    login = "login"
    logout = "logout"
    login_failed = "login.failed"
    trust_add = "trust.add"
    trust_remove = "trust.remove"
