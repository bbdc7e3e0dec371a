"""Reminders (nhắc việc): before a deadline and on overdue work, by e-mail and on the home page.

The daily periodic task ``workflow.reminders`` enqueues the job ``workflow.reminders``; the job
finds the open assignments of incoming documents and the open tasks whose deadline is within
``workflow.remind_days`` days (default 2) or past, and sends each person one message per item,
kind and day: a row of ``workflow_reminders`` (unique on item, kind, day) is written in the same
transaction as the sending, so a second run the same day sends nothing and a failed send is
retried by the next run.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordsys.core.models import User
from recordsys.db import transaction_scope
from recordsys.workflow.models import Assignment, ReminderSent, Task

log = logging.getLogger(__name__)

OPEN_TASK_STATES = ("assigned", "in_progress", "reported", "returned")
OPEN_INCOMING_STATES = ("assigned", "processing")


@dataclass(frozen=True)
class Due:
    item_type: str  # task | incoming
    item_id: int
    username: str
    title: str
    deadline: dt.date
    kind: str  # due_soon | overdue

    def days(self, today: dt.date) -> int:
        return (self.deadline - today).days


def remind_days(settings: dict) -> int:
    return int(settings.get("workflow.remind_days") or 2)


def due_items(session: Session, today: dt.date, days: int = 2, username: str | None = None) -> list[Due]:
    """Open work whose deadline is at most ``days`` away (due_soon) or past (overdue)."""
    limit = today + dt.timedelta(days=days)
    out: list[Due] = []
    tasks = select(Task).where(Task.state.in_(OPEN_TASK_STATES), Task.deadline <= limit)
    if username:
        tasks = tasks.where(Task.assignee == username)
    for t in session.scalars(tasks.order_by(Task.deadline, Task.id)):
        out.append(Due("task", t.id, t.assignee, t.title, t.deadline,
                       "overdue" if t.deadline < today else "due_soon"))
    incoming = select(Assignment).where(Assignment.state.in_(OPEN_INCOMING_STATES),
                                        Assignment.deadline.is_not(None), Assignment.deadline <= limit,
                                        Assignment.main_handler.is_not(None))
    if username:
        incoming = incoming.where(Assignment.main_handler == username)
    for a in session.scalars(incoming.order_by(Assignment.deadline, Assignment.id)):
        d = a.document
        title = f"{d.number_and_symbol or d.number or ''}: {d.subject or ''}".strip(": ")
        out.append(Due("incoming", a.document_id, a.main_handler, title, a.deadline,
                       "overdue" if a.deadline < today else "due_soon"))
    return out


def user_lang(user: User) -> str:
    """The language of the person's messages: their locale when it is one we speak, else Vietnamese."""
    from recordsys.i18n import LOCALES

    return user.locale if user.locale in LOCALES else "vi"


def compose(due: Due, user: User, today: dt.date, sender: str) -> EmailMessage:
    """The reminder e-mail, in the person's language (``users.locale``: vi by default, or en)."""
    from recordsys.i18n import translate

    lang = user_lang(user)
    what = translate("The task", lang) if due.item_type == "task" else translate("The incoming document", lang)
    values = {"what": what, "title": due.title, "deadline": due.deadline.strftime("%d/%m/%Y"),
              "days": abs(due.days(today))}
    if due.kind == "overdue":
        subject = translate("[Reminder] ${days} days overdue: ${title}", lang, values)
        line = translate("${what} «${title}» is past its deadline (due ${deadline}, ${days} days overdue).", lang, values)
    else:
        subject = translate("[Reminder] Due on ${deadline}: ${title}", lang, values)
        line = translate("${what} «${title}» is nearly due: deadline ${deadline} (${days} days left).", lang, values)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = user.email
    msg.set_content("\n\n".join((translate("Dear ${name},", lang, {"name": user.full_name}), line,
                                   translate("Please deal with it promptly.", lang),
                                   translate("(An automatic message of the records management system.)", lang)))
                    + "\n")
    msg["Content-Language"] = lang  # after set_content, which replaces the Content-* headers
    return msg


def _smtp(settings: dict) -> smtplib.SMTP:
    return smtplib.SMTP(settings.get("mail.host") or "localhost", int(settings.get("mail.port") or 25), timeout=30)


def send_reminders(session_factory, settings: dict, today: dt.date | None = None) -> dict:
    """Send what is due today and not yet sent; one transaction per reminder (row + e-mail)."""
    today = today or dt.date.today()
    sender = settings.get("mail.sender") or "recordsys@localhost"
    with transaction_scope(session_factory) as session:
        items = due_items(session, today, remind_days(settings))
    sent = skipped = failed = 0
    smtp = None
    try:
        for due in items:
            with transaction_scope(session_factory) as session:
                exists = session.scalar(select(ReminderSent.id).where(
                    ReminderSent.item_type == due.item_type, ReminderSent.item_id == due.item_id,
                    ReminderSent.kind == due.kind, ReminderSent.day == today))
                if exists:
                    skipped += 1
                    continue
                user = session.scalar(select(User).where(User.username == due.username))
                email = user.email if user is not None and user.active else None
                session.add(ReminderSent(item_type=due.item_type, item_id=due.item_id, kind=due.kind, day=today,
                                         username=due.username, email=email))
                session.flush()  # the unique constraint guards against a concurrent run
                if email:
                    try:
                        smtp = smtp or _smtp(settings)
                        smtp.send_message(compose(due, user, today, sender))
                    except (OSError, smtplib.SMTPException) as exc:
                        log.warning("reminder for %s %s to %s not sent: %s", due.item_type, due.item_id, email, exc)
                        failed += 1
                        smtp = None
                        raise _Retry() from exc
                sent += 1
    except _Retry:
        pass
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return {"due": len(items), "sent": sent, "already_sent": skipped, "failed": failed}


class _Retry(Exception):
    """The mail server failed: stop, roll back this reminder; the next run sends it."""
