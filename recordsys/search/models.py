"""The search outbox: index updates queued in the same transaction as the change."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from recordsys.core.models import utcnow
from recordsys.db import Base


class IndexOutbox(Base):
    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))  # document | dossier
    entity_id: Mapped[int] = mapped_column()
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
