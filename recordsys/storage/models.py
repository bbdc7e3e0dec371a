"""The database's record of stored files (the content-addressed store's index)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
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


def stored_file_id(conn: Connection, blob: Blob) -> int:
    """The id of the row for ``blob`` (created on first use), in SQLAlchemy Core: one ``INSERT … ON
    CONFLICT DO NOTHING``, then a look-up only when the file was known already. Through a request's
    session, tell its transaction manager (``db.mark_written``)."""
    table = StoredFile.__table__
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    new = conn.execute(dialect_insert(table).values(sha256=blob.sha256, size=blob.size, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["sha256"]).returning(table.c.id)).scalar()
    return new if new is not None else conn.execute(select(table.c.id).where(table.c.sha256 == blob.sha256)).scalar_one()


def stored_file(session: Session, blob: Blob) -> StoredFile:
    """The row for ``blob``, created on first use (many documents and packages may share one file)."""
    existing = session.scalar(select(StoredFile).where(StoredFile.sha256 == blob.sha256))
    if existing:
        return existing
    row = StoredFile(sha256=blob.sha256, size=blob.size)
    session.add(row)
    session.flush()
    return row
