"""Registers, registered documents and quarantined (refused) files."""
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
from recordsys.storage.models import StoredFile


class Register(Base):
    """A register (sổ đăng ký) of one agency, kind and year; holds the last number issued."""

    __tablename__ = "registers"
    __table_args__ = (UniqueConstraint("organization_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """A registered document (văn bản đến / đi / nội bộ) with its verdicts and metadata."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("register_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    number: Mapped[int] = mapped_column(Integer)  # số đến / số đi in the register
    year: Mapped[int] = mapped_column(Integer, index=True)
    direction: Mapped[str] = mapped_column(String(16))
    delivery_mode: Mapped[str] = mapped_column(String(24))  # electronic | electronic_and_paper
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    number_and_symbol: Mapped[str | None] = mapped_column(String(100), index=True)  # 15/QĐ-UBND
    type_name: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(Text)  # trích yếu
    issuer: Mapped[str | None] = mapped_column(String(255))  # cơ quan ban hành
    issued_date: Mapped[dt.date | None] = mapped_column(Date)
    signer: Mapped[str | None] = mapped_column(String(255))
    page_count: Mapped[int | None] = mapped_column(Integer)
    confidentiality: Mapped[str | None] = mapped_column(String(16))  # None | mat | toi_mat | tuyet_mat
    urgency: Mapped[str | None] = mapped_column(String(16))
    signature_status: Mapped[str] = mapped_column(String(16))
    pdfa_compliant: Mapped[bool | None] = mapped_column()
    pdfa_flavour: Mapped[str | None] = mapped_column(String(8))
    flags: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["must_convert_before_archiving"]
    verdict: Mapped[dict] = mapped_column(JSON)  # the full check result, for the clerk and auditors
    extracted_text: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # other metadata given at registration
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(64))

    organization: Mapped[Organization] = relationship()
    register: Mapped[Register] = relationship()
    file: Mapped[StoredFile] = relationship()


class QuarantinedFile(Base):
    """A refused file, kept with its verdict for the audit trail; never registered."""

    __tablename__ = "quarantined_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[dict] = mapped_column(JSON)
    reasons: Mapped[list] = mapped_column(JSON)
    refused_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    refused_by: Mapped[str] = mapped_column(String(64))

    file: Mapped[StoredFile] = relationship()
