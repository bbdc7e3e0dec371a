"""Agencies (organizations), users, roles, API tokens and the audit chain."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recordsys.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OrgLevel(str, enum.Enum):
    """Level of an agency in the administrative tree (cấp)."""

    national = "national"  # trung ương
    province = "province"  # tỉnh
    district = "district"  # huyện
    commune = "commune"  # xã


class Role(str, enum.Enum):
    clerk = "clerk"  # văn thư
    specialist = "specialist"  # chuyên viên
    leader = "leader"  # lãnh đạo
    archivist = "archivist"  # lưu trữ viên
    auditor = "auditor"  # kiểm toán / thanh tra
    admin = "admin"  # quản trị


class Organization(Base):
    """An agency (cơ quan, tổ chức) with its organ identifier code on the national axis."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)  # e.g. 000.00.31.H41
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(50))
    level: Mapped[OrgLevel] = mapped_column(Enum(OrgLevel, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    fonds_code: Mapped[str | None] = mapped_column(String(20))  # mã phông lưu trữ
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organization]] = relationship(back_populates="parent")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    clearance: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật
    #: stored in each session cookie; bumping it (logout, password change, disabling) ends them all
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class RoleAssignment(Base):
    """A role a user holds in one organization."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))

    user: Mapped[User] = relationship(back_populates="roles")
    organization: Mapped[Organization] = relationship()


class ApiToken(Base):
    """A bearer token for machines; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins of one user name or one address (``key`` is ``user:NAME`` or ``addr:IP``).

    The streak of failures is audited as one event with its count when it closes (success,
    lock-out or a new failure after the streak expired), not one event per attempt."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lockouts: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """One link of the append-only, hash-chained audit trail (see :mod:`recordsys.core.audit`).

    ``seq``, ``prev_hash`` and ``hash`` are empty from the event's commit until the sealer gives it
    its chain position (just after that commit)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, hashed as stored
    actor: Mapped[str] = mapped_column(String(64))
    organization_code: Mapped[str | None] = mapped_column(String(13), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of what changed
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """Single row holding the chain head; locked by the sealer so the chain stays linear."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
