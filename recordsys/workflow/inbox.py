"""Each person's inbox of work (hộp việc): incoming documents assigned to them, drafts awaiting
their approval, signature or issue, their tasks, with deadlines and what is overdue; and the
whole workflow history of one document."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from recordsys.core.models import AuditEvent, RoleAssignment, User
from recordsys.ingest.access import visible_documents
from recordsys.ingest.models import Document
from recordsys.workflow import rules
from recordsys.workflow.models import (
    Assignment,
    Draft,
    DraftApproval,
    DraftSignature,
    DraftVersion,
    Opinion,
    Task,
)
from recordsys.workflow.reminders import OPEN_INCOMING_STATES, OPEN_TASK_STATES

SECTIONS = ("to_assign", "assigned", "to_answer", "to_approve", "to_sign", "to_issue", "returned", "tasks")
LABELS = {
    "to_assign": "Incoming documents to assign",
    "assigned": "Incoming documents assigned to me",
    "to_answer": "Consultations awaiting my opinion",
    "to_approve": "Drafts awaiting my approval",
    "to_sign": "Drafts awaiting my signature",
    "to_issue": "Signed documents to number and issue",
    "returned": "My drafts returned for changes",
    "tasks": "My tasks",
}


def _item(kind, id_, title, org, deadline, today, state, link):
    overdue = (today - deadline).days if deadline and deadline < today else 0
    return {"kind": kind, "id": id_, "title": title, "org": org, "deadline": deadline, "state": state,
            "overdue_days": overdue, "due_soon": bool(deadline and not overdue and (deadline - today).days <= 2),
            "link": link}


def inbox(session: Session, user: User, today: dt.date | None = None) -> dict:
    """Sections of work for ``user`` ({section: [items]}), their counts and the overdue count."""
    from recordsys.workflow.services import workflow_settings

    today = today or dt.date.today()
    me = user.username
    out: dict[str, list] = {s: [] for s in SECTIONS}
    roles_by_org: dict[int, set[str]] = {}
    for ra in session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)):
        roles_by_org.setdefault(ra.organization_id, set()).add(ra.role.value)

    rows = session.execute(visible_documents(
        select(Assignment, Document).join(Document, Document.id == Assignment.document_id)
        .where(Assignment.main_handler == me, Assignment.state.in_(OPEN_INCOMING_STATES)), user)
        .order_by(Assignment.deadline.is_(None), Assignment.deadline, Assignment.id))
    for a, d in rows:
        code = d.organization.code
        out["assigned"].append(_item("incoming", d.id, f"{d.number_and_symbol or d.number}: {d.subject}", code,
                                     a.deadline, today, a.state, ("document.workflow", {"org": code, "id": d.id})))

    if roles_by_org:  # consultations addressed to me, unanswered (the text search only narrows the rows)
        asked = session.execute(visible_documents(
            select(Assignment, Document).join(Document, Document.id == Assignment.document_id)
            .where(Assignment.organization_id.in_(roles_by_org), Assignment.state == "processing",
                   cast(Assignment.consultations, String).contains(me)), user).order_by(Assignment.id))
        for a, d in asked:
            if any(c.get("to") == me and c.get("answer") is None for c in a.consultations or ()):
                code = d.organization.code
                out["to_answer"].append(_item("incoming", d.id, f"{d.number_and_symbol or d.number}: {d.subject}",
                                              code, a.deadline, today, a.state,
                                              ("document.workflow", {"org": code, "id": d.id})))

    leading = [org for org, roles in roles_by_org.items() if rules.LEADER in roles]
    if leading:  # incoming documents of the last 90 days nobody was assigned yet (the newest 50)
        assigned = select(Assignment.id).where(Assignment.document_id == Document.id, Assignment.state != "registered")
        since = dt.datetime.combine(today - dt.timedelta(days=90), dt.time(), dt.UTC)
        for d in session.scalars(visible_documents(select(Document), user).where(
                                 Document.organization_id.in_(leading), Document.registered_at >= since,
                                 Document.direction == "incoming", ~assigned.exists())
                                 .order_by(Document.registered_at.desc(), Document.id.desc()).limit(50)):
            code = d.organization.code
            out["to_assign"].append(_item("incoming", d.id, f"{d.number_and_symbol or d.number}: {d.subject}", code,
                                          None, today, "registered", ("document.workflow", {"org": code, "id": d.id})))

    if roles_by_org:
        drafts = session.scalars(select(Draft).where(Draft.organization_id.in_(roles_by_org),
                                                     or_(Draft.state.in_(("submitted", "approved", "signed")),
                                                         (Draft.state == "draft") & (Draft.drafter == me)))
                                 .order_by(Draft.id))
        for d in drafts:
            roles = set(roles_by_org[d.organization_id])
            code = d.organization.code
            link = ("drafts", {"org": code})
            title = f"{d.type_code}: {d.subject}"
            if d.state == "submitted":
                conf = workflow_settings(d.organization)
                if me in (conf.get("unit_heads") or []):
                    roles.add("unit_head")
                step = d.chain[d.step] if d.step < len(d.chain) else None
                unit = (conf.get("units") or {}).get(me)
                approved = session.scalar(select(DraftApproval.id).where(
                    DraftApproval.draft_id == d.id, DraftApproval.user == me, DraftApproval.current.is_(True)).limit(1))
                mine = d.delegate == me if d.delegate else (
                    step is not None and step["role"] in roles and (not step.get("same_unit") or unit == d.drafter_unit))
                if mine and approved is None:
                    out["to_approve"].append(_item("draft", d.id, title, code, None, today, d.state, link))
            elif d.state == "approved" and (d.signer_role or rules.LEADER) in roles:
                out["to_sign"].append(_item("draft", d.id, title, code, None, today, d.state, link))
            elif d.state == "signed" and rules.CLERK in roles:
                out["to_issue"].append(_item("draft", d.id, title, code, None, today, d.state, link))
            elif d.state == "draft" and d.drafter == me and d.comments:
                out["returned"].append(_item("draft", d.id, title, code, None, today, d.state, link))

    tasks = session.scalars(select(Task).where(Task.assignee == me, Task.state.in_(OPEN_TASK_STATES))
                            .order_by(Task.deadline, Task.id))
    for t in tasks:
        out["tasks"].append(_item("task", t.id, t.title, None, t.deadline, today, t.state, None))
    counts = {s: len(v) for s, v in out.items()}
    overdue = sum(1 for v in out.values() for i in v if i["overdue_days"])
    return {"sections": out, "counts": counts, "total": sum(counts.values()), "overdue": overdue,
            "labels": LABELS}


def history(session: Session, document: Document) -> dict:
    """Everything the workflow recorded about a document: its processing (assignment, opinions),
    the draft it was issued from (versions, approvals, signatures), its tasks and the audit trail."""
    assignment = session.scalar(select(Assignment).where(Assignment.document_id == document.id))
    opinions = (session.scalars(select(Opinion).where(Opinion.assignment_id == assignment.id)
                                .order_by(Opinion.id)).all() if assignment else [])
    draft = session.scalar(select(Draft).where(Draft.document_id == document.id))
    versions = approvals = signatures = []
    draft_ids = []
    if draft is not None:
        draft_ids = [draft.id]
        versions = session.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft.id)
                                   .order_by(DraftVersion.number)).all()
        approvals = session.scalars(select(DraftApproval).where(DraftApproval.draft_id == draft.id)
                                    .order_by(DraftApproval.id)).all()
        signatures = session.scalars(select(DraftSignature).where(DraftSignature.draft_id == draft.id)
                                     .order_by(DraftSignature.id)).all()
    tasks = session.scalars(select(Task).where(Task.document_id == document.id).order_by(Task.id)).all()
    conditions = [(AuditEvent.object_type == "document") & (AuditEvent.object_id == str(document.id))]
    if draft_ids:
        conditions.append((AuditEvent.object_type == "draft") & (AuditEvent.object_id == str(draft.id)))
    if tasks:
        conditions.append((AuditEvent.object_type == "task") & AuditEvent.object_id.in_([str(t.id) for t in tasks]))
    events = session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)).all()
    distributed = next((e for e in reversed(events) if e.action == "draft.distribute"), None)
    return {"distribution": _payload(distributed), "document": document, "assignment": assignment, "opinions": opinions, "draft": draft,
            "versions": versions, "approvals": approvals, "signatures": signatures, "tasks": tasks,
            "events": events}


def _payload(event: AuditEvent | None) -> dict | None:
    import json

    if event is None:
        return None
    try:
        return json.loads(event.payload)
    except (TypeError, ValueError):
        return None
