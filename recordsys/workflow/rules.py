"""Workflow rules as pure state machines (no I/O): incoming documents (văn bản đến), outgoing drafts
(dự thảo văn bản đi) and tasks (công việc).

Each record is a small immutable dataclass; each action is a function that takes the record, the
actor and the facts it needs (the content hash, today's date) and returns the next record, or raises
``WorkflowError`` with a machine code and one sentence in Vietnamese and one in English saying why
and what to do. The services store the records and call these functions; nothing here reads a clock,
a database or a file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from recordsys.i18n import LocalizedError

LEADER, CLERK = "leader", "clerk"  # lãnh đạo, văn thư


class WorkflowError(LocalizedError):
    """An action is refused: ``code`` for programs, ``localized(lang)`` for people."""

    def __init__(self, code: str, message: str, mapping: dict | None = None):
        super().__init__(message, mapping)
        self.code = code


@dataclass(frozen=True)
class Actor:
    user: str
    agency: str
    unit: str | None = None
    roles: frozenset[str] = frozenset()


#: names of states and actions, for the sentences: key -> (Vietnamese, English)
NAMES = {
    "registered": ("đã vào sổ", "registered"), "assigned": ("đã giao xử lý", "assigned"),
    "processing": ("đang xử lý", "being processed"), "done": ("đã giải quyết xong", "done"),
    "draft": ("đang soạn thảo", "a draft"), "submitted": ("đang trình duyệt", "submitted for approval"),
    "approved": ("đã được duyệt", "approved"), "signed": ("đã ký", "signed"), "issued": ("đã ban hành", "issued"),
    "in_progress": ("đang thực hiện", "in progress"), "reported": ("đã báo cáo", "reported"),
    "returned": ("bị trả lại", "returned"),
    "assign": ("giao xử lý", "assign"), "start": ("bắt đầu xử lý", "start"), "opinion": ("cho ý kiến", "give an opinion on"),
    "consult": ("xin ý kiến", "ask for consultation on"), "answer": ("trả lời xin ý kiến", "answer a consultation on"),
    "forward": ("chuyển", "forward"), "complete": ("kết thúc xử lý", "complete"),
    "edit": ("sửa nội dung", "edit"), "submit": ("trình", "submit"), "approve": ("duyệt", "approve"),
    "return": ("trả lại", "return"), "sign": ("ký", "sign"), "issue": ("ban hành", "issue"),
    "report": ("báo cáo kết quả", "report on"), "request_extension": ("xin gia hạn", "request an extension of"),
    "decide_extension": ("quyết định gia hạn", "decide on an extension of"),
}


def _refuse_state(kind: tuple[str, str], action: str, state: str, table: dict) -> WorkflowError:
    allowed = table.get(state, ())
    allowed_vi = ", ".join(NAMES[a][0] for a in allowed) or "không"
    allowed_en = ", ".join(NAMES[a][1] for a in allowed) or "none"
    return WorkflowError(
        f"{action}_when_{state}",
        "Cannot ${action} ${kind} that is ${state} (allowed: ${allowed}).",
        # the names of states and actions are data in both languages: the Vietnamese sentence uses the *_vi ones
        mapping={"action": NAMES[action][1], "kind": kind[1], "state": NAMES[state][1], "allowed": allowed_en,
                 "action_vi": NAMES[action][0], "kind_vi": kind[0], "state_vi": NAMES[state][0], "allowed_vi": allowed_vi})


def _check(table: dict, kind: tuple[str, str], record, actor: Actor, action: str) -> None:
    """The action is allowed in the record's state, and the actor works for the record's agency."""
    if actor.agency != record.agency:
        raise WorkflowError("other_agency", "This belongs to ${agency}, not to your agency: you cannot act on it.", mapping={"agency": record.agency})
    if action not in table.get(record.state, ()):
        raise _refuse_state(kind, action, record.state, table)


def _only(allowed: bool, code: str, message: str, mapping: dict | None = None) -> None:
    if not allowed:
        raise WorkflowError(code, message, mapping)


def _text(value: str | None, code: str, message: str, mapping: dict | None = None) -> str:
    value = (value or "").strip()
    _only(bool(value), code, message, mapping)
    return value


# (a) incoming documents (văn bản đến) ---------------------------------------------------------
INCOMING = ("văn bản đến", "an incoming document")
#: state -> actions allowed in it (the action decides the next state)
INCOMING_ACTIONS = {
    "registered": ("assign",),
    "assigned": ("assign", "start", "opinion", "forward"),
    "processing": ("opinion", "consult", "answer", "forward", "complete"),
    "done": (),
}


@dataclass(frozen=True)
class Consultation:
    """A request for an opinion (xin ý kiến) addressed to one person, answered once."""

    number: int
    by: str
    to: str
    question: str
    answer: str | None = None


@dataclass(frozen=True)
class IncomingDocument:
    id: str
    agency: str
    state: str = "registered"
    main_handler: str | None = None  # người chủ trì xử lý
    handler_unit: str | None = None
    coordinators: tuple[str, ...] = ()  # phối hợp
    for_information: tuple[str, ...] = ()  # để biết
    deadline: dt.date | None = None  # hạn xử lý
    opinions: tuple[tuple[str, str], ...] = ()  # (user, text)
    consultations: tuple[Consultation, ...] = ()
    forwards: tuple[tuple[str, str], ...] = ()  # (from user, to user)
    result: str | None = None
    completed_on: dt.date | None = None


def assign(doc: IncomingDocument, actor: Actor, main_handler: Actor, *, coordinators=(), for_information=(),
           deadline: dt.date | None, today: dt.date) -> IncomingDocument:
    """The head of the agency or unit assigns (giao xử lý): one main handler, coordinators, people
    informed, a deadline not in the past. Assigning again replaces the previous assignment."""
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "assign")
    _only(LEADER in actor.roles, "not_leader", "Only a leader assigns an incoming document.")
    _only(main_handler.agency == doc.agency, "handler_other_agency",
          "The main handler must work for the receiving agency.")
    coordinators, for_information = tuple(dict.fromkeys(coordinators)), tuple(dict.fromkeys(for_information))
    _only(main_handler.user not in coordinators, "handler_is_coordinator",
          "The main handler cannot also be a coordinator.")
    _only(deadline is None or deadline >= today, "deadline_past",
          "The processing deadline cannot be in the past.")
    return replace(doc, state="assigned", main_handler=main_handler.user, handler_unit=main_handler.unit,
                   coordinators=coordinators, for_information=for_information, deadline=deadline)


def _main_handler(doc: IncomingDocument, actor: Actor, action: str) -> None:
    _only(actor.user == doc.main_handler, "not_main_handler",
          "Only the main handler (${main_handler}) may ${action} this document.",
          mapping={"main_handler": doc.main_handler, "action": NAMES[action][1], "action_vi": NAMES[action][0]})


def main_handler_only(doc: IncomingDocument, actor: Actor, action: str) -> None:
    """Refuses anyone but the main handler (for actions the services prepare in several steps)."""
    _main_handler(doc, actor, action)


def start(doc: IncomingDocument, actor: Actor) -> IncomingDocument:
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "start")
    _main_handler(doc, actor, "start")
    return replace(doc, state="processing")


def add_opinion(doc: IncomingDocument, actor: Actor, text: str) -> IncomingDocument:
    """The main handler, a coordinator or a leader records an opinion (ý kiến)."""
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "opinion")
    _only(actor.user == doc.main_handler or actor.user in doc.coordinators or LEADER in actor.roles,
          "not_involved", "Only the main handler, a coordinator or a leader gives an opinion.")
    text = _text(text, "empty_opinion", "The opinion is empty.")
    return replace(doc, opinions=doc.opinions + ((actor.user, text),))


def request_consultation(doc: IncomingDocument, actor: Actor, to: Actor, question: str) -> IncomingDocument:
    """The main handler asks a colleague of the agency for their view (xin ý kiến)."""
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "consult")
    _main_handler(doc, actor, "consult")
    _only(to.user != actor.user, "consult_self", "You cannot consult yourself.")
    _only(to.agency == doc.agency, "consult_other_agency",
          "Only colleagues of the agency are consulted; ask another agency through an outgoing document.")
    question = _text(question, "empty_question", "The question is empty.")
    consultation = Consultation(len(doc.consultations) + 1, actor.user, to.user, question)
    return replace(doc, consultations=doc.consultations + (consultation,))


def answer_consultation(doc: IncomingDocument, actor: Actor, number: int, answer: str) -> IncomingDocument:
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "answer")
    found = [c for c in doc.consultations if c.number == number]
    _only(bool(found), "no_consultation", "There is no consultation number ${number}.", mapping={"number": number})
    consultation = found[0]
    _only(consultation.to == actor.user, "not_consulted", "This consultation is not addressed to you.")
    _only(consultation.answer is None, "already_answered", "This consultation was already answered.")
    answer = _text(answer, "empty_answer", "The answer is empty.")
    answered = replace(consultation, answer=answer)
    return replace(doc, consultations=tuple(answered if c is consultation else c for c in doc.consultations))


def forward_incoming(doc: IncomingDocument, actor: Actor, to: Actor) -> IncomingDocument:
    """The main handler hands the document to a colleague of the same unit, who becomes main handler."""
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "forward")
    _main_handler(doc, actor, "forward")
    _only(to.agency == doc.agency and to.unit is not None and to.unit == actor.unit, "forward_outside_unit",
          "A document is forwarded only within your unit; a leader reassigns it to another unit.")
    _only(to.user != actor.user, "forward_self", "You cannot forward a document to yourself.")
    return replace(doc, main_handler=to.user, coordinators=tuple(c for c in doc.coordinators if c != to.user),
                   forwards=doc.forwards + ((actor.user, to.user),))


def complete(doc: IncomingDocument, actor: Actor, result: str, today: dt.date) -> IncomingDocument:
    """The main handler closes the processing with its result (kết quả giải quyết)."""
    _check(INCOMING_ACTIONS, INCOMING, doc, actor, "complete")
    _main_handler(doc, actor, "complete")
    open_ones = [c.number for c in doc.consultations if c.answer is None]
    _only(not open_ones, "consultation_open",
          "Consultations are still unanswered (number ${items}).", mapping={"items": ', '.join(map(str, open_ones))})
    result = _text(result, "empty_result", "Record the result of the processing.")
    return replace(doc, state="done", result=result, completed_on=today)


# (b) outgoing drafts (dự thảo văn bản đi) -----------------------------------------------------
OUTGOING = ("dự thảo", "a draft")
OUTGOING_ACTIONS = {
    "draft": ("edit", "submit"),
    "submitted": ("approve", "return", "forward"),
    "approved": ("sign", "return"),
    "signed": ("issue",),
    "issued": (),
}


@dataclass(frozen=True)
class ApprovalStep:
    """One step of an agency's approval chain: anyone with ``role`` (in the drafter's unit when
    ``same_unit``) approves it, e.g. head of unit, chief of office, then the leader who signs."""

    role: str
    label_vi: str
    label_en: str
    same_unit: bool = False


@dataclass(frozen=True)
class ApprovalChain:
    steps: tuple[ApprovalStep, ...]
    signer_role: str = LEADER

    def __post_init__(self):
        if not self.steps:
            raise ValueError("an approval chain has at least one step")


@dataclass(frozen=True)
class Approval:
    step: int
    user: str
    content_hash: str


@dataclass(frozen=True)
class OutgoingDraft:
    id: str
    agency: str
    drafter: str
    drafter_unit: str | None
    chain: ApprovalChain
    content_hash: str
    state: str = "draft"
    step: int = 0  # the chain step awaiting a decision while submitted
    delegate: str | None = None  # the person the current step was forwarded to
    approvals: tuple[Approval, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (user, text) of returns
    approved_hash: str | None = None
    signed_by: str | None = None
    signed_hash: str | None = None
    number_and_symbol: str | None = None
    issued_on: dt.date | None = None


def edit_draft(draft: OutgoingDraft, actor: Actor, content_hash: str) -> OutgoingDraft:
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "edit")
    _drafter(draft, actor, "edit")
    return replace(draft, content_hash=content_hash)


def _drafter(draft: OutgoingDraft, actor: Actor, action: str) -> None:
    _only(actor.user == draft.drafter, "not_drafter", "Only the drafter may ${action} the draft.",
          mapping={"action": NAMES[action][1], "action_vi": NAMES[action][0]})


def submit(draft: OutgoingDraft, actor: Actor, content_hash: str) -> OutgoingDraft:
    """The drafter submits (trình) the content with this hash to the first step of the chain."""
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "submit")
    _drafter(draft, actor, "submit")
    return replace(draft, state="submitted", step=0, delegate=None, approvals=(), content_hash=content_hash,
                   approved_hash=None)


def _current_approver(draft: OutgoingDraft, actor: Actor, action: str) -> ApprovalStep:
    step = draft.chain.steps[draft.step]
    if draft.delegate is not None:
        allowed = actor.user == draft.delegate
    else:
        allowed = step.role in actor.roles and (not step.same_unit or actor.unit == draft.drafter_unit)
    _only(allowed, "not_current_approver",
          "The draft awaits ${step}; you are not this step's approver.", mapping={"step": draft.delegate or step.label_en, "step_vi": draft.delegate or step.label_vi,
                   "action_vi": NAMES[action][0]})
    return step


def approve(draft: OutgoingDraft, actor: Actor, content_hash: str) -> OutgoingDraft:
    """The current step approves the content it was shown; after the last step the draft is approved
    and its hash is the one that may be signed."""
    if draft.state == "approved" and actor.agency == draft.agency:
        raise WorkflowError("already_approved", "The draft is already approved: it cannot be approved twice.")
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "approve")
    _current_approver(draft, actor, "approve")
    _only(all(a.user != actor.user for a in draft.approvals), "approved_twice",
          "You already approved this draft at an earlier step: each person approves once.")
    _only(content_hash == draft.content_hash, "content_changed",
          "The draft's content changed since it was submitted: return it so that the drafter submits it again.")
    approvals = draft.approvals + (Approval(draft.step, actor.user, content_hash),)
    if draft.step + 1 < len(draft.chain.steps):
        return replace(draft, step=draft.step + 1, delegate=None, approvals=approvals)
    return replace(draft, state="approved", delegate=None, approvals=approvals, approved_hash=content_hash)


def return_draft(draft: OutgoingDraft, actor: Actor, comments: str) -> OutgoingDraft:
    """The current step (or the signer, before signing) returns the draft with comments (trả lại)."""
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "return")
    if draft.state == "approved":
        _only(draft.chain.signer_role in actor.roles, "not_signer", "Only the signer returns an approved draft.")
    else:
        _current_approver(draft, actor, "return")
    comments = _text(comments, "empty_comments", "Returning needs comments that tell the drafter what to change.")
    return replace(draft, state="draft", step=0, delegate=None, approvals=(), approved_hash=None,
                   comments=draft.comments + ((actor.user, comments),))


def forward_draft(draft: OutgoingDraft, actor: Actor, to: Actor) -> OutgoingDraft:
    """The current step passes its decision to someone else of the agency (e.g. a deputy)."""
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "forward")
    _current_approver(draft, actor, "forward")
    _only(to.agency == draft.agency, "forward_other_agency", "A draft is forwarded only within the agency.")
    _only(to.user != actor.user, "forward_self", "You cannot forward a draft to yourself.")
    return replace(draft, delegate=to.user)


def sign_draft(draft: OutgoingDraft, actor: Actor, content_hash: str) -> OutgoingDraft:
    """The competent person signs exactly the approved content."""
    if draft.state in ("draft", "submitted") and actor.agency == draft.agency:
        raise WorkflowError("sign_unapproved", "The draft has not been through its approval chain: it cannot be signed yet.")
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "sign")
    _only(draft.chain.signer_role in actor.roles, "not_signer", "You are not competent to sign this document.")
    _only(content_hash == draft.approved_hash, "content_changed_after_approval",
          "The content changed after it was approved: do not sign; return it for approval again.")
    return replace(draft, state="signed", signed_by=actor.user, signed_hash=content_hash)


def issue(draft: OutgoingDraft, actor: Actor, number_and_symbol: str, today: dt.date) -> OutgoingDraft:
    """The clerk (văn thư) numbers and issues a signed document."""
    if draft.state in ("draft", "submitted", "approved") and actor.agency == draft.agency:
        raise WorkflowError("issue_unsigned", "The document is not signed: it cannot be issued.")
    _check(OUTGOING_ACTIONS, OUTGOING, draft, actor, "issue")
    _only(CLERK in actor.roles, "not_clerk", "Only the clerk numbers and issues documents.")
    number_and_symbol = _text(number_and_symbol, "no_number", "The number and symbol is missing.")
    return replace(draft, state="issued", number_and_symbol=number_and_symbol, issued_on=today)


# (c) tasks (công việc) ------------------------------------------------------------------------
TASK = ("công việc", "a task")
TASK_ACTIONS = {
    "assigned": ("start", "request_extension", "decide_extension"),
    "in_progress": ("report", "request_extension", "decide_extension"),
    "reported": ("approve", "return", "decide_extension"),
    "returned": ("start", "report", "request_extension", "decide_extension"),
    "approved": (),
}


@dataclass(frozen=True)
class Extension:
    requested: dt.date
    reason: str
    granted: bool | None = None  # None: awaiting the assigner


@dataclass(frozen=True)
class Task:
    id: str
    agency: str
    assigner: str
    assignee: str
    deadline: dt.date
    state: str = "assigned"
    reports: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    extensions: tuple[Extension, ...] = ()
    finished_on: dt.date | None = None

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.extensions if e.granted is None), None)


def _assignee(task: Task, actor: Actor, action: str) -> None:
    _only(actor.user == task.assignee, "not_assignee", "Only the assignee may ${action} the task.",
          mapping={"action": NAMES[action][1], "action_vi": NAMES[action][0]})


def _assigner(task: Task, actor: Actor, action: str) -> None:
    _only(actor.user == task.assigner, "not_assigner", "Only the person who assigned the task may ${action} it.",
          mapping={"action": NAMES[action][1], "action_vi": NAMES[action][0]})


def start_task(task: Task, actor: Actor) -> Task:
    _check(TASK_ACTIONS, TASK, task, actor, "start")
    _assignee(task, actor, "start")
    return replace(task, state="in_progress")


def report_task(task: Task, actor: Actor, report: str) -> Task:
    _check(TASK_ACTIONS, TASK, task, actor, "report")
    _assignee(task, actor, "report")
    report = _text(report, "empty_report", "The report is empty.")
    return replace(task, state="reported", reports=task.reports + (report,))


def approve_task(task: Task, actor: Actor, today: dt.date) -> Task:
    _check(TASK_ACTIONS, TASK, task, actor, "approve")
    _assigner(task, actor, "approve")
    return replace(task, state="approved", finished_on=today)


def return_task(task: Task, actor: Actor, comments: str) -> Task:
    _check(TASK_ACTIONS, TASK, task, actor, "return")
    _assigner(task, actor, "return")
    comments = _text(comments, "empty_comments", "Returning needs comments that say what is missing.")
    return replace(task, state="returned", comments=task.comments + (comments,))


def request_extension(task: Task, actor: Actor, new_deadline: dt.date, reason: str, today: dt.date) -> Task:
    """The assignee asks for a later deadline, with a reason; one request at a time."""
    _check(TASK_ACTIONS, TASK, task, actor, "request_extension")
    _assignee(task, actor, "request_extension")
    _only(task.pending_extension is None, "extension_pending", "An extension request is already awaiting a decision.")
    _only(new_deadline > task.deadline and new_deadline >= today, "extension_not_later",
          "The new deadline must be after the current one and not in the past.")
    reason = _text(reason, "empty_reason", "Give the reason for the extension.")
    return replace(task, extensions=task.extensions + (Extension(new_deadline, reason),))


def decide_extension(task: Task, actor: Actor, grant: bool) -> Task:
    _check(TASK_ACTIONS, TASK, task, actor, "decide_extension")
    _assigner(task, actor, "decide_extension")
    pending = task.pending_extension
    _only(pending is not None, "no_extension_pending", "No extension request is awaiting a decision.")
    decided = replace(pending, granted=bool(grant))
    extensions = tuple(decided if e is pending else e for e in task.extensions)
    return replace(task, extensions=extensions, deadline=pending.requested if grant else task.deadline)


# deadlines ----------------------------------------------------------------------------------
def days_overdue(deadline: dt.date | None, finished_on: dt.date | None, today: dt.date) -> int:
    """Days past the deadline: until today while unfinished, until the finishing day once finished;
    0 when on time or when there is no deadline. (Calendar days; the agency's working-day rules,
    if any, belong to the caller.)"""
    if deadline is None:
        return 0
    end = finished_on or today
    return max(0, (end - deadline).days)


def task_overdue(task: Task, today: dt.date) -> int:
    return days_overdue(task.deadline, task.finished_on if task.state == "approved" else None, today)


def incoming_overdue(doc: IncomingDocument, today: dt.date) -> int:
    return days_overdue(doc.deadline, doc.completed_on if doc.state == "done" else None, today)
