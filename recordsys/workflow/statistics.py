"""Statistics of one agency over a period (thống kê): documents received and sent by channel
(the axis, the internal exchange, paper, other electronic), the share fully electronic and the
share signed, the average processing time of incoming documents and the overdue work.

A pure aggregation: three GROUP BY queries on ``documents`` (by the index on organization and
registration time, see :mod:`recordsys.workflow.models`), the exchange inbox/outbox and the
workflow tables; nothing is stored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import Date, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from recordsys.exchange.models import DeliveryAttempt, InboxEntry, OutboxMessage
from recordsys.ingest.models import Document
from recordsys.workflow.models import Assignment, Task

CHANNELS = ("axis", "internal", "paper", "electronic")
CHANNEL_LABELS = {"axis": ("Trục liên thông", "National exchange axis"),
                  "internal": ("Liên thông nội bộ", "Internal exchange"),
                  "paper": ("Giấy (kèm bản điện tử)", "Paper (with an electronic copy)"),
                  "electronic": ("Điện tử khác", "Other electronic")}


@dataclass
class Statistics:
    organization_id: int
    start: dt.date
    end: dt.date
    received: dict = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    sent: dict = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    total: int = 0
    electronic: int = 0
    signed: int = 0
    processed: int = 0
    average_processing_days: float | None = None
    overdue_open: int = 0
    done_late: int = 0
    tasks_overdue: int = 0

    @property
    def electronic_share(self) -> float:
        return round(self.electronic / self.total, 4) if self.total else 0.0

    @property
    def signed_share(self) -> float:
        return round(self.signed / self.total, 4) if self.total else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(start=self.start.isoformat(), end=self.end.isoformat(),
                    electronic_share=self.electronic_share, signed_share=self.signed_share,
                    received_total=sum(self.received.values()), sent_total=sum(self.sent.values()))
        return data


def _days_between(session: Session, later, earlier_timestamp):
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(func.date(earlier_timestamp))
    return later - cast(earlier_timestamp, Date)


#: the agencies' day (Asia/Ho_Chi_Minh): periods are whole days of it, whatever the server's zone
AGENCY_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")


def agency_today() -> dt.date:
    """Today in the agencies' day (a server on UTC is still on yesterday until 07:00 there)."""
    return dt.datetime.now(AGENCY_TIME).date()


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time(), AGENCY_TIME),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), AGENCY_TIME))


def documents_query(organization_id: int, start: dt.date, end: dt.date):
    """Documents of the agency registered in the period by direction and channel (one GROUP BY)."""
    lo, hi = _bounds(start, end)
    inbox = (select(InboxEntry.registered_document_id.label("doc_id"), func.max(InboxEntry.received_via).label("via"))
             .where(InboxEntry.organization_id == organization_id, InboxEntry.registered_document_id.is_not(None))
             .group_by(InboxEntry.registered_document_id).subquery())
    outbox = (select(OutboxMessage.document_id.label("doc_id"), func.max(DeliveryAttempt.transport).label("via"))
              .join(DeliveryAttempt, and_(DeliveryAttempt.message_id == OutboxMessage.id, DeliveryAttempt.ok))
              .where(OutboxMessage.organization_id == organization_id, OutboxMessage.kind == "document",
                     OutboxMessage.document_id.is_not(None))
              .group_by(OutboxMessage.document_id).subquery())
    via = func.coalesce(inbox.c.via, outbox.c.via)
    channel = case((via.in_(("axis", "hub")), literal("axis")), (via == "internal", literal("internal")),
                   (Document.delivery_mode != "electronic", literal("paper")), else_=literal("electronic")).label("channel")
    return (select(Document.direction, channel, func.count().label("n"),
                   func.sum(case((Document.delivery_mode == "electronic", 1), else_=0)).label("electronic"),
                   func.sum(case((Document.signature_status != "unsigned", 1), else_=0)).label("signed"))
            .select_from(Document)
            .outerjoin(inbox, inbox.c.doc_id == Document.id)
            .outerjoin(outbox, outbox.c.doc_id == Document.id)
            .where(Document.organization_id == organization_id, Document.registered_at >= lo,
                   Document.registered_at < hi)
            .group_by(Document.direction, channel))


def processing_query(session: Session, organization_id: int, start: dt.date, end: dt.date, today: dt.date):
    """Incoming documents of the period under processing: done, average days, overdue."""
    lo, hi = _bounds(start, end)
    done = Assignment.state == "done"
    return (select(func.sum(case((done, 1), else_=0)).label("processed"),
                   func.avg(case((done, _days_between(session, Assignment.completed_on, Document.registered_at)))).label("days"),
                   func.sum(case((and_(~done, Assignment.deadline < today), 1), else_=0)).label("overdue_open"),
                   func.sum(case((and_(done, Assignment.completed_on > Assignment.deadline), 1), else_=0)).label("late"))
            .select_from(Assignment).join(Document, Document.id == Assignment.document_id)
            .where(Assignment.organization_id == organization_id, Document.registered_at >= lo,
                   Document.registered_at < hi))


def tasks_query(organization_id: int, start: dt.date, end: dt.date, today: dt.date):
    return (select(func.count()).select_from(Task)
            .where(Task.organization_id == organization_id, Task.deadline >= start, Task.deadline <= end,
                   ((Task.state != "approved") & (Task.deadline < today)) |
                   ((Task.state == "approved") & (Task.finished_on > Task.deadline))))


def agency_statistics(session: Session, organization_id: int, start: dt.date, end: dt.date,
                      today: dt.date | None = None) -> Statistics:
    today = today or agency_today()
    stats = Statistics(organization_id, start, end)
    for direction, channel, n, electronic, signed in session.execute(documents_query(organization_id, start, end)):
        bucket = stats.received if direction == "incoming" else stats.sent
        bucket[channel] = bucket.get(channel, 0) + n
        stats.total += n
        stats.electronic += electronic or 0
        stats.signed += signed or 0
    row = session.execute(processing_query(session, organization_id, start, end, today)).one()
    stats.processed = int(row.processed or 0)
    stats.average_processing_days = round(float(row.days), 1) if row.days is not None else None
    stats.overdue_open = int(row.overdue_open or 0)
    stats.done_late = int(row.late or 0)
    stats.tasks_overdue = session.scalar(tasks_query(organization_id, start, end, today)) or 0
    return stats


def svg_bars(stats: Statistics, lang: str = "vi") -> list[dict]:
    """Bars for the dashboard's inline SVG: one group per channel, received and sent."""
    top = max([*stats.received.values(), *stats.sent.values(), 1])
    out = []
    for i, ch in enumerate(CHANNELS):
        label = CHANNEL_LABELS[ch][0 if lang == "vi" else 1]
        r, s = stats.received.get(ch, 0), stats.sent.get(ch, 0)
        out.append({"channel": ch, "label": label, "received": r, "sent": s, "y": 10 + i * 50,
                    "received_width": round(300 * r / top), "sent_width": round(300 * s / top)})
    return out
