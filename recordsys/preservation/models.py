"""Archival packages (AIPs), their copies in storage locations, fixity checks and PREMIS-style
preservation events."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recordsys.core.models import utcnow
from recordsys.db import Base


class StorageLocation(Base):
    """An independent place (folder, volume) holding one copy of every package."""

    __tablename__ = "storage_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(1024))
    cycle_days: Mapped[int] = mapped_column(Integer, default=365)  # every copy re-hashed once per cycle


class Package(Base):
    """One archival package: a BagIt bag, stored as identical copies in every location."""

    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)  # folder name of the bag
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    external_identifier: Mapped[str] = mapped_column(String(255), index=True)  # archival code
    source: Mapped[str] = mapped_column(String(16))  # dossier | import
    source_id: Mapped[int | None] = mapped_column(Integer)
    tagmanifest_sha256: Mapped[str] = mapped_column(String(64))  # digest of the bag as stored
    payload_oxum: Mapped[str] = mapped_column(String(64))
    files: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))

    copies: Mapped[list[PackageCopy]] = relationship(back_populates="package", cascade="all, delete-orphan")


class PackageCopy(Base):
    __tablename__ = "package_copies"
    __table_args__ = (UniqueConstraint("package_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("storage_locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | damaged | repaired
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    next_check_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

    package: Mapped[Package] = relationship(back_populates="copies")
    location: Mapped[StorageLocation] = relationship()


class FixityCheck(Base):
    __tablename__ = "fixity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("package_copies.id"), index=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    seconds: Mapped[float] = mapped_column(default=0.0)


class PreservationEvent(Base):
    """A PREMIS-style event in the life of a package (ingest, validation, transfer, fixity check,
    repair, export, import)."""

    __tablename__ = "preservation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agent: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # success | failure
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
