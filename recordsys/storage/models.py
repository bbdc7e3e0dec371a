"""The database's record of stored files (the content-addressed store's index)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from recordsys.core.models import utcnow
from recordsys.db import Base
from recordsys.storage.local import Blob


class StoredFile(Base):
    """A file in the content-addressed store; many documents may share one."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def stored_file(session: Session, blob: Blob) -> StoredFile:
    """The row for ``blob``, created on first use (many documents and packages may share one file)."""
    existing = session.scalar(select(StoredFile).where(StoredFile.sha256 == blob.sha256))
    if existing:
        return existing
    row = StoredFile(sha256=blob.sha256, size=blob.size)
    session.add(row)
    session.flush()
    return row
