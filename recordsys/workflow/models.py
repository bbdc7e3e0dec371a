"""Workflow tables: outgoing drafts (dự thảo) with their versions, approvals and signatures; the
processing of incoming documents (giao xử lý, ý kiến); tasks (công việc) and their reports.

The state of each record is decided by :mod:`recordsys.workflow.rules`; these rows only store it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recordsys.core.models import Organization, utcnow
from recordsys.db import Base
from recordsys.exchange.models import InboxEntry
from recordsys.ingest.models import Document
from recordsys.storage.models import StoredFile


class Draft(Base):
    """An outgoing draft (dự thảo văn bản đi) of one agency, from drafting to its issue."""

    __tablename__ = "workflow_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(16))  # QĐ, KH, CV … (metadata/workflow/document_types.json)
    subject: Mapped[str] = mapped_column(Text)  # trích yếu
    recipients: Mapped[list] = mapped_column(JSON, default=list)  # nơi nhận
    urgency: Mapped[str | None] = mapped_column(String(16))
    confidentiality: Mapped[str | None] = mapped_column(String(16))
    drafter: Mapped[str] = mapped_column(String(64))
    drafter_unit: Mapped[str | None] = mapped_column(String(50))
    chain: Mapped[list] = mapped_column(JSON)  # the approval chain fixed when the draft was created
    signer_role: Mapped[str] = mapped_column(String(20), default="leader")
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    delegate: Mapped[str | None] = mapped_column(String(64))
    comments: Mapped[list] = mapped_column(JSON, default=list)  # [[user, text]] of returns
    #: the version shown to approvers and signed (no foreign key: versions refer to their draft)
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    signed_by: Mapped[str | None] = mapped_column(String(64))
    signed_hash: Mapped[str | None] = mapped_column(String(64))
    signed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    number_and_symbol: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # the registered outgoing document
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    signed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[signed_file_id])
    document: Mapped[Document | None] = relationship()


class DraftVersion(Base):
    """One content of a draft (the PDF/A the approvers and the signer see)."""

    __tablename__ = "workflow_draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("workflow_drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored file
    content_hash: Mapped[str] = mapped_column(String(64))  # what approvals and the signature refer to
    original_name: Mapped[str] = mapped_column(String(255))  # a label, never a path
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    file: Mapped[StoredFile] = relationship()


class DraftApproval(Base):
    """A decision taken on a draft: approve (one chain step), return, forward."""

    __tablename__ = "workflow_draft_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("workflow_drafts.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))  # approve | return | forward
    user: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    comments: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(default=True)  # False once the draft was returned
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DraftSignature(Base):
    """A signature applied to a draft: the competent person's, then the agency's at issue."""

    __tablename__ = "workflow_draft_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("workflow_drafts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # person | agency
    signed_by: Mapped[str] = mapped_column(String(64))  # user name or organ code
    signer_name: Mapped[str] = mapped_column(String(255))
    certificate_subject: Mapped[str | None] = mapped_column(String(500))
    certificate_serial: Mapped[str | None] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))  # the approved content that was signed
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))  # the file after this signature
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """The processing of an incoming document (giao xử lý): main handler, coordinators, deadline."""

    __tablename__ = "workflow_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="registered", index=True)
    main_handler: Mapped[str | None] = mapped_column(String(64), index=True)
    handler_unit: Mapped[str | None] = mapped_column(String(50))
    coordinators: Mapped[list] = mapped_column(JSON, default=list)
    for_information: Mapped[list] = mapped_column(JSON, default=list)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  # the leader's instruction (bút phê)
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    consultations: Mapped[list] = mapped_column(JSON, default=list)
    forwards: Mapped[list] = mapped_column(JSON, default=list)
    result: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    document: Mapped[Document] = relationship()


class Opinion(Base):
    """An opinion (ý kiến) on an incoming document under processing."""

    __tablename__ = "workflow_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("workflow_assignments.id"), index=True)
    user: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Task(Base):
    """A task (công việc) given to someone of a unit, with a deadline."""

    __tablename__ = "workflow_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    assigner: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str] = mapped_column(String(64), index=True)
    deadline: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="assigned", index=True)
    comments: Mapped[list] = mapped_column(JSON, default=list)
    extensions: Mapped[list] = mapped_column(JSON, default=list)  # [{requested, reason, granted}]
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaskReport(Base):
    """A report on a task's result (báo cáo kết quả)."""

    __tablename__ = "workflow_task_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("workflow_tasks.id"), index=True)
    user: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderSent(Base):
    """A reminder already sent: once per (item, kind, day), whatever the number of runs."""

    __tablename__ = "workflow_reminders"
    __table_args__ = (UniqueConstraint("item_type", "item_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(16))  # task | incoming
    item_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # due_soon | overdue
    day: Mapped[dt.date] = mapped_column(Date)
    username: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


#: the statistics (recordsys.workflow.statistics) read an agency's documents of a period, their
#: processing and their exchange channel from these indexes alone (index-only scans on PostgreSQL)
Index("ix_documents_org_registered_at", Document.organization_id, Document.registered_at,
      postgresql_include=["id", "direction", "delivery_mode", "signature_status"])
Index("ix_workflow_assignments_org_stats", Assignment.organization_id,
      postgresql_include=["document_id", "state", "deadline", "completed_on"])
Index("ix_exchange_inbox_org_registered", InboxEntry.organization_id,
      postgresql_include=["registered_document_id", "received_via"])
