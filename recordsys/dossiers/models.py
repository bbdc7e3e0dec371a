"""Dossier plans (danh mục hồ sơ), dossiers (hồ sơ) and their documents, hand-over batches
(nộp lưu) and disposition lists (tiêu hủy)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recordsys.core.models import Organization, utcnow
from recordsys.db import Base
from recordsys.ingest.models import Document


class DossierPlanEntry(Base):
    """One line of an agency's annual dossier plan."""

    __tablename__ = "dossier_plan_entries"
    __table_args__ = (UniqueConstraint("organization_id", "year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))  # số và ký hiệu hồ sơ in the plan
    title: Mapped[str] = mapped_column(Text)
    retention: Mapped[str] = mapped_column(String(20))  # code from the retention code list
    responsible_unit: Mapped[str | None] = mapped_column(String(255))
    responsible_person: Mapped[str | None] = mapped_column(String(255))


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("organization_id", "year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_plan_entries.id"))
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    retention: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|closed|transferred|destroyed
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # Circular 02 metadata entered
    archival_code: Mapped[str] = mapped_column(String(255), index=True)
    legal_hold: Mapped[str | None] = mapped_column(Text)  # reason when disposition is blocked
    due_date: Mapped[dt.date | None] = mapped_column(Date)  # end of retention (None: permanent)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))

    organization: Mapped[Organization] = relationship()
    items: Mapped[list[DossierItem]] = relationship(
        back_populates="dossier", order_by="DossierItem.ordinal", cascade="all, delete-orphan"
    )


class DossierItem(Base):
    """A document in a dossier at a position (số thứ tự văn bản trong hồ sơ)."""

    __tablename__ = "dossier_items"
    __table_args__ = (UniqueConstraint("dossier_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    waiver: Mapped[str | None] = mapped_column(Text)  # archivist's written reason to accept a flaw
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="items")
    document: Mapped[Document] = relationship()


class TransferBatch(Base):
    """A hand-over of closed dossiers to the agency's archive (nộp lưu)."""

    __tablename__ = "transfer_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|submitted|accepted
    dossier_ids: Mapped[list] = mapped_column(JSON, default=list)
    record_sha256: Mapped[str | None] = mapped_column(String(64))  # signed hand-over record PDF
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[str | None] = mapped_column(String(64))


class DispositionBatch(Base):
    """A list of expired dossiers going through appraisal and approval before destruction."""

    __tablename__ = "disposition_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="draft")
    dossier_ids: Mapped[list] = mapped_column(JSON, default=list)
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{step, by, at, note}]
    destroyed_record: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class Fonds(Base):
    """An archival fonds (phông lưu trữ) with the ten fields of Circular 05/2025: the records of
    one agency. A fonds is closed (đóng) when its agency is dissolved or merged; ``successor``
    names the fonds that continues its open work."""

    __tablename__ = "fonds"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # fondsCode (mã phông)
    name: Mapped[str] = mapped_column(Text)  # fondsName
    status: Mapped[str] = mapped_column(String(8), default="open")  # fondsStatus: open (02) | closed (01)
    history: Mapped[str | None] = mapped_column(Text)  # lịch sử đơn vị hình thành phông
    archives_time: Mapped[str | None] = mapped_column(String(30))  # thời gian tài liệu, e.g. 1976-2025
    classification: Mapped[str | None] = mapped_column(Text)  # phương án phân loại / nhóm tài liệu chủ yếu
    language: Mapped[list] = mapped_column(JSON, default=lambda: ["01"])  # Circular 05 language codes
    risk_recovery: Mapped[str] = mapped_column(String(1), default="1")  # chế độ dự phòng: 1 yes, 0 no
    description: Mapped[str | None] = mapped_column(Text)  # ghi chú
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("fonds.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organization: Mapped[Organization] = relationship()
    successor: Mapped[Fonds | None] = relationship(remote_side=[id])


class AlternativeIdentifier(Base):
    """An earlier identifier of a dossier, a document or a package, kept when its code changed
    (e.g. the Circular 02/2019 codes built on the fonds code, re-coded by migration 0011)."""

    __tablename__ = "alternative_identifiers"
    __table_args__ = (UniqueConstraint("kind", "object_id", "scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # dossier | document | package
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    scheme: Mapped[str] = mapped_column(String(32), default="circular02")
    value: Mapped[str] = mapped_column(String(255), index=True)
