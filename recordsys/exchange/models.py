"""Exchange tables: the outbox (messages sent, with their exact bytes) and its delivery attempts, the
inbox of each agency, the status history of documents per recipient, and the hub's members and
messages (``/axis/{operation}``).

Envelope bytes live in the content-addressed store (``stored_files``); rows keep their SHA-256.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
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

MESSAGE_KINDS = ("document", "status")
OUTBOX_STATES = ("queued", "sent", "delivered", "failed", "undeliverable")
INBOX_STATES = ("received", "accepted", "refused", "revoked")
#: what an inbox entry asks of an earlier one: None (a new document), an update (business type 2),
#: a replacement (3), or a take-back request (status 13); the clerk answers 15 (agree) or 16 (refuse)
INBOX_REQUESTS = ("update", "replace", "take_back")


class OutboxMessage(Base):
    """An envelope this installation sends (gói tin gửi đi): the exact bytes, to whom, how far it got."""

    __tablename__ = "exchange_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)  # the sender
    kind: Mapped[str] = mapped_column(String(16))  # document | status
    recipients: Mapped[list] = mapped_column(JSON, default=list)  # organ ids (To; for a status: the sender)
    edxml_document_id: Mapped[str] = mapped_column(String(255), index=True)  # DocumentId (or ResponseFor's)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)  # our document
    status_code: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship()
    file: Mapped[StoredFile] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(back_populates="message",
                                                                order_by="DeliveryAttempt.id")


class DeliveryAttempt(Base):
    """One try at delivering an outbox message (lần gửi), successful or not."""

    __tablename__ = "exchange_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("exchange_outbox.id"), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    transport: Mapped[str] = mapped_column(String(32))  # internal | axis | none
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    message: Mapped[OutboxMessage] = relationship(back_populates="attempt_log")


class InboxEntry(Base):
    """A document that arrived for one of our agencies (văn bản đến qua trục), until the clerk decides.

    ``(organization, DocumentId, message_key)`` is unique: the same document arriving twice never makes
    a second entry, so it can never be registered twice. ``message_key`` is empty for a new document
    and the envelope's SHA-256 for a request about an earlier one (update, replacement, take-back),
    which may carry the same DocumentId; the same request delivered again is still one entry.
    """

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("organization_id", "edxml_document_id", "message_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    edxml_document_id: Mapped[str] = mapped_column(String(255))
    from_organ: Mapped[str] = mapped_column(String(20))
    from_name: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    verdict: Mapped[dict] = mapped_column(JSON, default=dict)
    registered_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was refused
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_via: Mapped[str] = mapped_column(String(32), default="file")  # file | internal | hub | axis
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    message_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    request: Mapped[str | None] = mapped_column(String(16))  # INBOX_REQUESTS, or None for a new document
    related_inbox_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_inbox.id"))  # the earlier entry

    organization: Mapped[Organization] = relationship()
    file: Mapped[StoredFile] = relationship()
    related: Mapped[InboxEntry | None] = relationship(remote_side=[id])


class StatusRecord(Base):
    """A status a recipient reported about a document (01 arrived … 16), in arrival order."""

    __tablename__ = "exchange_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    edxml_document_id: Mapped[str] = mapped_column(String(255), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)  # ours, if sent by us
    recipient: Mapped[str] = mapped_column(String(20))  # the organ whose status this is
    status_code: Mapped[str] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # envelope Timestamp
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    envelope_sha256: Mapped[str | None] = mapped_column(String(64))


class HubMember(Base):
    """A member system of our hub (``XroadVnpt-systemid``) with its shared secret and its organs."""

    __tablename__ = "exchange_hub_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(128))
    organs: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HubMessage(Base):
    """An envelope waiting at the hub for a member to fetch (``getReceivedEdocList``/``getEdoc``) and
    acknowledge (``updateStatus`` done|fail), or kept as undeliverable."""

    __tablename__ = "exchange_hub_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(64), unique=True)
    message_type: Mapped[str] = mapped_column(String(16))  # edoc | status
    from_organ: Mapped[str] = mapped_column(String(20))
    to_organ: Mapped[str] = mapped_column(String(20))
    system_id: Mapped[str | None] = mapped_column(String(64), index=True)  # the member that fetches it
    sender_system_id: Mapped[str | None] = mapped_column(String(64))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|done|fail|undeliverable
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    file: Mapped[StoredFile] = relationship()


class HubRequestSeen(Base):
    """Signatures of requests already accepted, so a captured request cannot be replayed."""

    __tablename__ = "exchange_hub_seen"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    system_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
