"""Workflow actions on the database: each loads its record under a row lock, asks
:mod:`recordsys.workflow.rules` for the next state (a refusal raises before anything is written),
then stores the result and an audit event, inside the caller's transaction.

Files are prepared (converted, signed, checked) only once the rules have allowed the action, and
are stored before the transaction commits (content-addressed: a rollback leaves an unreferenced
file that the storage sweep removes).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
import tempfile
import unicodedata
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recordsys import metadata as archival_metadata
from recordsys.core import audit
from recordsys.core.models import Organization, RoleAssignment, User
from recordsys.errors import DomainError
from recordsys.ingest.models import Document, Register
from recordsys.ingest.numbering import register_kind
from recordsys.ingest.registration import URGENCY, register_checked_file
from recordsys.storage.models import stored_file
from recordsys.workflow import rules
from recordsys.workflow.models import (
    Assignment,
    Draft,
    DraftApproval,
    DraftSignature,
    DraftVersion,
    Opinion,
    Task,
    TaskReport,
)
from recordsys.workflow.notation import (
    NotationError,
    form_notation,
    load_document_types,
)
from recordsys.workflow.signers import SigningError, certify_issue, sign


class WorkflowRefused(DomainError):
    """An action the rules refuse: nothing was changed."""

    code = "workflow"
    http_status = 409

    @classmethod
    def from_rules(cls, exc: rules.WorkflowError) -> WorkflowRefused:
        return cls(exc.template, mapping=exc.mapping, code=exc.code)


class NotFound(DomainError):
    code = "not-found"
    http_status = 404


def refused(fn, *args, **kwargs):
    """Call a rule; its WorkflowError becomes a WorkflowRefused (same code and sentences)."""
    try:
        return fn(*args, **kwargs)
    except rules.WorkflowError as exc:
        raise WorkflowRefused.from_rules(exc) from None


def _demo_keys(session: Session, signers, org: Organization) -> None:
    """In a demo installation, the demo's keys are made on first use (and their root trusted here)."""
    from recordsys.workflow.keys import audit_demo_anchor, demo_seeded

    if hasattr(signers, "ensure_demo") and demo_seeded(session, org.code):
        audit_demo_anchor(session, signers.ensure_demo())


def _signing_error(exc: SigningError) -> DomainError:
    return DomainError(exc.template, mapping=exc.mapping, code="signing", exit_code=2)


# people and agencies ----------------------------------------------------------------------------
def workflow_settings(org: Organization) -> dict:
    return dict((org.settings or {}).get("workflow") or {})


SETTING_KEYS = ("approval_chain", "unit_heads", "units", "signer_role", "abbreviation", "unit", "place", "titles",
                "filing")


def set_workflow_settings(session: Session, org: Organization, values: dict, actor: str) -> dict:
    """Change the agency's workflow settings (validated: a chain must build), audited."""
    unknown = sorted(set(values) - set(SETTING_KEYS))
    if unknown:
        raise DomainError("Unknown workflow setting ${unknown} (known: ${items}).", mapping={"unknown": f"{unknown[0]!r}", "items": ', '.join(SETTING_KEYS)}, field="set", code="setting")
    filing = values.get("filing")
    if filing is not None and not (isinstance(filing, dict) and all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in filing.items())):
        raise DomainError("filing maps a document type to a dossier plan code, e.g. {\"QĐ\": \"05.TH\"}.",
                          field="filing", code="setting")
    conf = {**workflow_settings(org), **values}
    conf = {k: v for k, v in conf.items() if v is not None}
    probe = Organization(code=org.code, name=org.name, settings={"workflow": conf})
    try:
        approval_chain(probe)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DomainError("The approval chain is not valid (${exc}): give a list of steps with a role each.", mapping={"exc": exc},
                          field="approval_chain", code="setting") from None
    org.settings = {**(org.settings or {}), "workflow": conf}
    audit.record(session, actor=actor, action="org.workflow_settings", object_type="organization", object_id=org.id,
                 organization_code=org.code, payload=values)
    return conf


def require_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.active:
        raise NotFound("There is no active user ${username}.", mapping={"username": f"{username!r}"},
                       field="as")
    return user


def actor_for(session: Session, username: str, org: Organization) -> tuple[User, rules.Actor]:
    """The user as a workflow actor: their agency (``org`` when they hold a role there, else the
    first agency they work for), their roles there, their unit and whether they head it (from the
    agency's ``workflow`` settings: ``units`` {user: unit}, ``unit_heads`` [user])."""
    user = require_user(session, username)
    assignments = session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)
                                  .order_by(RoleAssignment.id)).all()
    here = [a for a in assignments if a.organization_id == org.id]
    if not here:
        other = assignments[0].organization if assignments else None
        return user, rules.Actor(user.username, other.code if other else "-", None, frozenset())
    roles_ = {a.role.value for a in here}
    conf = workflow_settings(org)
    if user.username in (conf.get("unit_heads") or []):
        roles_.add("unit_head")
    return user, rules.Actor(user.username, org.code, (conf.get("units") or {}).get(user.username), frozenset(roles_))


def approval_chain(org: Organization) -> rules.ApprovalChain:
    """The agency's chain (settings ``workflow.approval_chain``: [{role, label_vi, label_en, same_unit}]),
    else the default: the head of the drafter's unit, then a leader. An agency that names no heads
    of unit (``workflow.unit_heads``) has only the leader's step."""
    conf = workflow_settings(org)
    if conf.get("approval_chain"):
        steps = tuple(rules.ApprovalStep(s["role"], s.get("label_vi", s["role"]), s.get("label_en", s["role"]),
                                         bool(s.get("same_unit"))) for s in conf["approval_chain"])
    else:
        leader = rules.ApprovalStep(rules.LEADER, "lãnh đạo", "a leader")
        head = rules.ApprovalStep("unit_head", "trưởng đơn vị", "the head of unit", same_unit=True)
        steps = (head, leader) if conf.get("unit_heads") else (leader,)
    return rules.ApprovalChain(steps, conf.get("signer_role", rules.LEADER))


def _chain_json(chain: rules.ApprovalChain) -> list:
    return [dataclasses.asdict(s) for s in chain.steps]


def agency_abbreviation(org: Organization) -> str:
    value = workflow_settings(org).get("abbreviation") or org.short_name
    if not value:
        raise DomainError("Agency ${code} has no abbreviation for document symbols: set its short name.", mapping={"code": org.code},
                          code="no-abbreviation")
    return value


def document_type(code: str):
    wanted = unicodedata.normalize("NFC", (code or "").strip()).upper()
    numbered = [t for t in load_document_types().values() if t.numbered]
    for t in numbered:
        if wanted in (t.code.upper(), (t.abbreviation or "").upper()):
            return t
    folded = [t for t in numbered if _fold(t.code) == _fold(wanted)]  # QD for QĐ, typed without the Đ
    if len(folded) == 1:
        return folded[0]
    raise DomainError("“${code}” is not a numbered document type of Decree 30 (e.g. QĐ, KH, CV).", mapping={"code": code},
                      field="type", code="type")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c))


def require_agency(session: Session, code: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.code == (code or "").strip().upper()))
    if org is None:
        raise NotFound("Unknown agency ${code}.", mapping={"code": f"{code!r}"}, field="org")
    return org


def file_hash(storage, sha256: str) -> str:
    """The SHA-256 of the stored bytes, read now (a changed file shows as a changed content)."""
    digest = hashlib.sha256()
    with storage.open(sha256) as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# outgoing drafts --------------------------------------------------------------------------------
def load_draft(session: Session, draft_id, lock: bool = True) -> Draft:
    try:
        draft_id = int(draft_id)
    except (TypeError, ValueError):
        draft_id = 0
    stmt = select(Draft).where(Draft.id == draft_id)
    draft = session.scalar(stmt.with_for_update() if lock else stmt)
    if draft is None:
        raise NotFound("There is no draft ${draft_id}.", mapping={"draft_id": draft_id}, field="draft")
    return draft


def current_version(session: Session, draft: Draft) -> DraftVersion:
    return session.get(DraftVersion, draft.current_version_id)


def as_rule(session: Session, draft: Draft) -> rules.OutgoingDraft:
    steps = tuple(rules.ApprovalStep(**s) for s in draft.chain)
    approvals = session.scalars(select(DraftApproval).where(
        DraftApproval.draft_id == draft.id, DraftApproval.current.is_(True), DraftApproval.decision == "approve")
        .order_by(DraftApproval.id)).all()
    submitted = session.scalar(select(DraftApproval.content_hash).where(
        DraftApproval.draft_id == draft.id, DraftApproval.decision == "submit", DraftApproval.current.is_(True))
        .order_by(DraftApproval.id.desc()).limit(1))
    version = current_version(session, draft)
    return rules.OutgoingDraft(
        id=str(draft.id), agency=draft.organization.code, drafter=draft.drafter, drafter_unit=draft.drafter_unit,
        chain=rules.ApprovalChain(steps, draft.signer_role),
        content_hash=submitted or version.content_hash, state=draft.state, step=draft.step,
        delegate=draft.delegate, approvals=tuple(rules.Approval(a.step, a.user, a.content_hash) for a in approvals),
        comments=tuple(tuple(c) for c in draft.comments or ()), approved_hash=draft.approved_hash,
        signed_by=draft.signed_by, signed_hash=draft.signed_hash, number_and_symbol=draft.number_and_symbol,
        issued_on=draft.issued_on)


def _store(draft: Draft, new: rules.OutgoingDraft) -> None:
    draft.state, draft.step, draft.delegate = new.state, new.step, new.delegate
    draft.approved_hash, draft.signed_by, draft.signed_hash = new.approved_hash, new.signed_by, new.signed_hash
    draft.comments = [list(c) for c in new.comments]
    draft.number_and_symbol, draft.issued_on = new.number_and_symbol, new.issued_on


def _audit(session, draft: Draft, actor: str, action: str, **payload):
    audit.record(session, actor=actor, action=f"draft.{action}", object_type="draft", object_id=draft.id,
                 organization_code=draft.organization.code, payload={"state": draft.state, **payload})


def check_pdfa(checker, path: Path) -> None:
    """veraPDF's verdict on the converted draft; refuses a file that is not PDF/A."""
    [verdict] = checker.check([path], "internal")
    pdfa = verdict.pdfa
    if pdfa is None or not pdfa.compliant:
        rules_failed = "; ".join(r.description for r in (pdfa.failed_rules if pdfa else ())[:3])
        raise DomainError("The draft is not PDF/A after conversion (${value}).", mapping={"value": rules_failed or "no verdict", "value_vi": rules_failed or "không có kết quả"},
                          field="file", code="not-pdfa")


def prepare_pdfa(source: Path, folder: Path, checker) -> Path:
    """Convert (when needed) and check: the PDF/A-2 of the drafter's file, in ``folder``."""
    from recordsys.workflow.convert import declares_pdfa, to_pdfa

    target = to_pdfa(Path(source), Path(folder) / "du-thao.pdf")
    try:
        check_pdfa(checker, target)
    except DomainError:
        if Path(source).suffix.lower() != ".pdf" or not declares_pdfa(Path(source)):
            raise
        # it claims PDF/A but is not: convert it after all, then check again
        target = to_pdfa(Path(source), Path(folder) / "du-thao-pdfa.pdf", force=True)
        check_pdfa(checker, target)
    return target


def _add_version(session: Session, storage, draft: Draft, pdf: Path, label: str, username: str) -> DraftVersion:
    blob = storage.put(pdf)
    number = 1 + (session.scalar(select(DraftVersion.number).where(DraftVersion.draft_id == draft.id)
                                 .order_by(DraftVersion.number.desc()).limit(1)) or 0)
    version = DraftVersion(draft_id=draft.id, number=number, file=stored_file(session, blob), sha256=blob.sha256,
                           content_hash=blob.sha256, original_name=Path(label).name[:255] or "du-thao.pdf",
                           created_by=username)
    session.add(version)
    session.flush()
    draft.current_version_id = version.id
    return version


def create_draft(session: Session, *, storage, org_code: str, username: str, pdf: Path, label: str,
                 type_code: str, subject: str, recipients=(), urgency: str | None = None,
                 confidentiality: str | None = None) -> Draft:
    """A new draft of ``org_code`` by ``username`` from a checked PDF/A."""
    org = require_agency(session, org_code)
    user, actor = actor_for(session, username, org)
    if actor.agency != org.code or not ({"specialist", "leader", "clerk", "unit_head"} & actor.roles):
        raise WorkflowRefused("${username} does not work for ${code}: they cannot draft its documents.", mapping={"username": username, "code": org.code}, code="other_agency")
    doc_type = document_type(type_code)
    subject = (subject or "").strip()
    if not subject:
        raise DomainError("A draft needs a subject (trích yếu).",
                          field="subject", code="subject")
    if urgency and urgency not in URGENCY:
        raise DomainError("urgency must be one of ${items}.", field="urgency", code="urgency", mapping={"items": ', '.join(URGENCY)})
    if confidentiality and confidentiality not in archival_metadata.load().code_values("confidentiality"):
        raise DomainError("Unknown confidentiality level.",
                          field="confidentiality", code="confidentiality")
    chain = approval_chain(org)
    draft = Draft(organization=org, type_code=doc_type.code, subject=subject[:2000], recipients=list(recipients),
                  urgency=urgency, confidentiality=confidentiality, drafter=user.username,
                  drafter_unit=actor.unit, chain=_chain_json(chain), signer_role=chain.signer_role, state="draft",
                  step=0, comments=[])
    session.add(draft)
    session.flush()
    version = _add_version(session, storage, draft, pdf, label, user.username)
    _audit(session, draft, user.username, "create", type=doc_type.code, subject=draft.subject,
           sha256=version.sha256)
    return draft


def edit_draft(session: Session, *, storage, draft_id, username: str, pdf: Path, label: str) -> Draft:
    draft = load_draft(session, draft_id)
    _, actor = actor_for(session, username, draft.organization)
    digest = hashlib.sha256(Path(pdf).read_bytes()).hexdigest()
    refused(rules.edit_draft, as_rule(session, draft), actor, digest)
    version = _add_version(session, storage, draft, pdf, label, actor.user)
    _audit(session, draft, actor.user, "edit", version=version.number, sha256=version.sha256)
    return draft


def _shown_hash(session, storage, draft: Draft) -> str:
    return file_hash(storage, current_version(session, draft).sha256)


def submit_draft(session: Session, *, storage, draft_id, username: str) -> Draft:
    draft = load_draft(session, draft_id)
    _, actor = actor_for(session, username, draft.organization)
    shown = _shown_hash(session, storage, draft)
    new = refused(rules.submit, as_rule(session, draft), actor, shown)
    session.execute(update(DraftApproval).where(DraftApproval.draft_id == draft.id).values(current=False))
    session.add(DraftApproval(draft_id=draft.id, step=0, decision="submit", user=actor.user, content_hash=shown))
    _store(draft, new)
    _audit(session, draft, actor.user, "submit", content_hash=shown)
    return draft


def approve_draft(session: Session, *, storage, draft_id, username: str) -> Draft:
    draft = load_draft(session, draft_id)
    _, actor = actor_for(session, username, draft.organization)
    shown = _shown_hash(session, storage, draft)
    step = draft.step
    new = refused(rules.approve, as_rule(session, draft), actor, shown)
    session.add(DraftApproval(draft_id=draft.id, step=step, decision="approve", user=actor.user, content_hash=shown))
    _store(draft, new)
    _audit(session, draft, actor.user, "approve", step=step, content_hash=shown)
    return draft


def return_draft(session: Session, *, storage, draft_id, username: str, comments: str) -> Draft:
    draft = load_draft(session, draft_id)
    _, actor = actor_for(session, username, draft.organization)
    new = refused(rules.return_draft, as_rule(session, draft), actor, comments)
    session.execute(update(DraftApproval).where(DraftApproval.draft_id == draft.id).values(current=False))
    session.add(DraftApproval(draft_id=draft.id, step=draft.step, decision="return", user=actor.user,
                              content_hash=current_version(session, draft).content_hash, comments=comments,
                              current=False))
    _store(draft, new)
    _audit(session, draft, actor.user, "return", comments=comments)
    return draft


def forward_draft(session: Session, *, draft_id, username: str, to: str, comments: str | None = None) -> Draft:
    """The current approver passes the decision to someone else of the agency (e.g. a deputy leader),
    who then approves, returns or forwards it in their place."""
    draft = load_draft(session, draft_id)
    _, actor = actor_for(session, username, draft.organization)
    _, delegate = actor_for(session, to, draft.organization)
    step = draft.step
    new = refused(rules.forward_draft, as_rule(session, draft), actor, delegate)
    comments = (comments or "").strip() or None
    session.add(DraftApproval(draft_id=draft.id, step=step, decision="forward", user=actor.user,
                              content_hash=current_version(session, draft).content_hash, comments=comments,
                              current=False))
    _store(draft, new)
    _audit(session, draft, actor.user, "forward", step=step, to=delegate.user, comments=comments)
    return draft


def _last_signer_cert(path: Path) -> tuple[str | None, str | None]:
    """Subject and serial of the certificate of the PDF's last signature (read from the file, so a
    token is not asked for its PIN a second time)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        embedded = PdfFileReader(io.BytesIO(Path(path).read_bytes()), strict=False).embedded_signatures
        cert = embedded[-1].signer_cert
        return cert.subject.human_friendly[:500], format(cert.serial_number, "x")
    except Exception:
        return None, None


def sign_draft(session: Session, *, storage, signers, draft_id, username: str, now=None) -> Draft:
    """The competent person signs exactly the approved content (visible PAdES, issue fields)."""
    draft = load_draft(session, draft_id)
    user, actor = actor_for(session, username, draft.organization)
    version = current_version(session, draft)
    shown = _shown_hash(session, storage, draft)
    new = refused(rules.sign_draft, as_rule(session, draft), actor, shown)
    _demo_keys(session, signers, draft.organization)
    signer = signers.for_user(user.username, user.full_name, signer_title(draft.organization, user.username))
    with tempfile.TemporaryDirectory(prefix="recordsys-sign-") as tmp:
        target = Path(tmp) / "da-ky.pdf"
        try:
            sign(storage.path(version.sha256), target, signer, reason="Ký ban hành", now=now)
        except SigningError as exc:
            raise _signing_error(exc) from None
        blob = storage.put(target)
        subject, serial = _last_signer_cert(target)
    signed = stored_file(session, blob)
    draft.signed_file = signed
    session.add(DraftSignature(draft_id=draft.id, kind="person", signed_by=user.username, signer_name=user.full_name,
                               certificate_subject=subject, certificate_serial=serial, content_hash=shown,
                               file_id=signed.id))
    _store(draft, new)
    _audit(session, draft, actor.user, "sign", content_hash=shown, signed_sha256=blob.sha256)
    return draft


def signer_title(org: Organization, username: str) -> str:
    return (workflow_settings(org).get("titles") or {}).get(username) or f"Lãnh đạo {org.name}"


def _lock_register(session: Session, org: Organization, kind: str, year: int) -> int:
    """Lock the register row (PostgreSQL row lock; SQLite writes are serialised anyway) and return
    the number the next registration will take: the document is numbered before it is registered,
    by the same transaction, so the number cannot be taken by anyone else meanwhile."""
    stmt = (update(Register).where(Register.organization_id == org.id, Register.kind == kind, Register.year == year)
            .values(last_number=Register.last_number).returning(Register.last_number))
    row = session.execute(stmt).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(Register(organization_id=org.id, kind=kind, year=year, last_number=0))
        except IntegrityError:
            pass
        row = session.execute(stmt).one()
    return row.last_number + 1


def issue_draft(session: Session, *, storage, signers, checker, draft_id, username: str, out: Path | None,
                data_dir: Path, today: dt.date | None = None, now=None, settings: dict | None = None) -> dict:
    """The clerk numbers the signed document from the outgoing register, fills the number and date,
    adds the agency's signature, checks the result like any intake, registers it as an outgoing
    document, delivers it to its recipients and files it into the dossier the agency's plan names
    (:mod:`recordsys.workflow.distribution`), all in one transaction."""
    from recordsys.ingest.policy import AcceptancePolicy
    from recordsys.workflow.distribution import distribute, file_issued

    today = today or dt.date.today()
    draft = load_draft(session, draft_id)
    org = draft.organization
    user, actor = actor_for(session, username, org)
    refused(rules.issue, as_rule(session, draft), actor, "01/X", today)  # refuses before any number is taken
    conf = workflow_settings(org)
    kind = register_kind("outgoing", confidential=bool(draft.confidentiality))
    number = _lock_register(session, org, kind, today.year)
    try:
        notation = str(form_notation(number, draft.type_code, agency_abbreviation(org),
                                     draft.drafter_unit or conf.get("unit")))
    except NotationError as exc:
        raise DomainError(exc.template, mapping=exc.mapping, code="notation") from None
    new = refused(rules.issue, as_rule(session, draft), actor, notation, today)
    _demo_keys(session, signers, org)
    seal = signers.for_agency(org.code, org.name)
    with tempfile.TemporaryDirectory(prefix="recordsys-issue-") as tmp:
        issued = Path(tmp) / "ban-hanh.pdf"
        try:
            certify_issue(storage.path(draft.signed_file.sha256), notation, today, seal, target=issued,
                          place=conf.get("place"), now=now)
        except SigningError as exc:
            raise _signing_error(exc) from None
        policy = AcceptancePolicy.from_settings((org.settings or {}).get("ingest"))
        [verdict] = checker.check([issued], "outgoing", policy=policy)
        if not verdict.accepted:
            reasons = "; ".join(verdict.to_dict().get("reasons", [])) or verdict.signature.status
            raise DomainError("The issued document does not pass the intake check: ${reasons}. Nothing was issued.", mapping={"reasons": reasons},
                              code="issue-check")
        doc_type = load_document_types()[draft.type_code]
        result = register_checked_file(
            session, storage=storage, path=issued, verdict=verdict.to_dict(), organization=org,
            direction="outgoing", actor=user.username, today=today, original_name=f"{notation.replace('/', '-')}.pdf",
            flags=list(verdict.flags), extracted=verdict.extracted.to_dict() if verdict.extracted else {},
            metadata={"number_and_symbol": notation, "subject": draft.subject, "type_name": doc_type.vi,
                      "issuer": org.name, "issued_date": today.isoformat(), "urgency": draft.urgency,
                      "confidentiality": draft.confidentiality, "recipients": ", ".join(draft.recipients or [])})
        if not result.accepted or result.number != number:
            raise DomainError("The outgoing register moved while issuing; issue again.", code="register")
        target = Path(out) if out else (Path(data_dir) / "issued" / org.code / str(today.year)
                                        / f"{number:02d}-{draft.type_code}-{draft.id}.pdf")
        sha256 = verdict.to_dict()["sha256"]
        subject, serial = _last_signer_cert(issued)
    document = session.get(Document, result.document_id)
    session.add(DraftSignature(draft_id=draft.id, kind="agency", signed_by=org.code, signer_name=org.name,
                               certificate_subject=subject, certificate_serial=serial,
                               content_hash=draft.signed_hash, file_id=document.file_id))
    _store(draft, new)
    draft.document_id = document.id
    _audit(session, draft, actor.user, "issue", number_and_symbol=notation, document_id=document.id, sha256=sha256)
    sent = distribute(session, storage=storage, checker=checker, settings=settings, draft=draft, document=document,
                      actor=actor.user)
    filed = file_issued(session, draft=draft, document=document, year=today.year, actor=actor.user)
    _audit(session, draft, actor.user, "distribute", document_id=document.id, distribution=sent, filing=filed)
    target.parent.mkdir(parents=True, exist_ok=True)  # written last: a refusal above leaves no file behind
    shutil.copyfile(storage.path(sha256), target)
    return {"draft_id": draft.id, "document_id": document.id, "number": number, "number_and_symbol": notation,
            "issued_date": today.isoformat(), "file": str(target), "sha256": sha256, "distribution": sent,
            "filing": filed}


def draft_summary(session: Session, draft: Draft) -> dict:
    version = current_version(session, draft)
    return {"id": draft.id, "organization": draft.organization.code, "type": draft.type_code, "subject": draft.subject,
            "state": draft.state, "step": draft.step, "steps": len(draft.chain), "drafter": draft.drafter,
            "delegate": draft.delegate,
            "version": version.number if version else None, "sha256": version.sha256 if version else None,
            "signed_by": draft.signed_by, "number_and_symbol": draft.number_and_symbol,
            "document_id": draft.document_id}


# incoming documents ------------------------------------------------------------------------------
#: name -> fn(session, document_id, state): told, in the caller's transaction, each time an incoming
#: document's processing reaches a new state (assigned, processing, done). Other domains register
#: here (exchange sends statuses 04/05/06 to the original sender); the workflow imports none of them.
INCOMING_STATE_LISTENERS: dict = {}


def on_incoming_state(name: str, fn) -> None:
    """Register (or replace) the listener ``name``."""
    INCOMING_STATE_LISTENERS[name] = fn


def _incoming_state_changed(session: Session, document: Document, state: str) -> None:
    for fn in list(INCOMING_STATE_LISTENERS.values()):
        fn(session, document.id, state)


def _incoming(session: Session, document_id) -> tuple[Document, Assignment]:
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        document_id = 0
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("There is no document ${document_id}.", mapping={"document_id": document_id},
                       field="document")
    if document.direction != "incoming":
        raise WorkflowRefused("Only incoming documents are assigned for processing.", code="not_incoming")
    assignment = session.scalar(select(Assignment).where(Assignment.document_id == document.id).with_for_update())
    if assignment is None:
        assignment = Assignment(document=document, organization_id=document.organization_id, state="registered",
                                coordinators=[], for_information=[], consultations=[], forwards=[])
        session.add(assignment)
        session.flush()
    return document, assignment


def incoming_rule(session: Session, document: Document, a: Assignment) -> rules.IncomingDocument:
    opinions = session.scalars(select(Opinion).where(Opinion.assignment_id == a.id).order_by(Opinion.id)).all()
    return rules.IncomingDocument(
        id=str(document.id), agency=document.organization.code, state=a.state, main_handler=a.main_handler,
        handler_unit=a.handler_unit, coordinators=tuple(a.coordinators or ()),
        for_information=tuple(a.for_information or ()), deadline=a.deadline,
        opinions=tuple((o.user, o.text) for o in opinions),
        consultations=tuple(rules.Consultation(**c) for c in a.consultations or ()),
        forwards=tuple(tuple(f) for f in a.forwards or ()), result=a.result, completed_on=a.completed_on)


def _store_incoming(a: Assignment, new: rules.IncomingDocument) -> None:
    a.state, a.main_handler, a.handler_unit = new.state, new.main_handler, new.handler_unit
    a.coordinators, a.for_information, a.deadline = list(new.coordinators), list(new.for_information), new.deadline
    a.consultations = [dataclasses.asdict(c) for c in new.consultations]
    a.forwards = [list(f) for f in new.forwards]
    a.result, a.completed_on = new.result, new.completed_on


def _audit_incoming(session, document: Document, a: Assignment, actor: str, action: str, **payload):
    audit.record(session, actor=actor, action=f"incoming.{action}", object_type="document", object_id=document.id,
                 organization_code=document.organization.code, payload={"state": a.state, **payload})


def require_cleared(document, user: User) -> User:
    """A person named on a document (handler, coordinator, consulted colleague) must be able to read it:
    same agency and a clearance that reaches its confidentiality."""
    from recordsys.ingest.access import can_see

    if not can_see(user, document):
        raise DomainError("${user} may not read this document (agency or clearance), so it cannot be given to them.",
                          mapping={"user": user.username}, field="to", code="not_cleared")
    return user


def assign_incoming(session: Session, *, document_id, username: str, to: str, coordinators=(), for_information=(),
                    deadline: dt.date | None = None, note: str | None = None, today: dt.date | None = None) -> Assignment:
    today = today or dt.date.today()
    document, a = _incoming(session, document_id)
    org = document.organization
    _, actor = actor_for(session, username, org)
    handler_user, handler = actor_for(session, to, org)
    others = [require_user(session, name) for name in (*coordinators, *for_information)]
    new = refused(rules.assign, incoming_rule(session, document, a), actor, handler, coordinators=coordinators,
                  for_information=for_information, deadline=deadline, today=today)
    for user in (handler_user, *others):
        require_cleared(document, user)
    _store_incoming(a, new)
    a.assigned_by, a.note = actor.user, (note or "").strip() or None
    _audit_incoming(session, document, a, actor.user, "assign", main_handler=a.main_handler,
                    coordinators=a.coordinators, for_information=a.for_information,
                    deadline=deadline.isoformat() if deadline else None, note=a.note)
    _incoming_state_changed(session, document, a.state)
    return a


def add_opinion(session: Session, *, document_id, username: str, text: str) -> Assignment:
    document, a = _incoming(session, document_id)
    _, actor = actor_for(session, username, document.organization)
    new = refused(rules.add_opinion, incoming_rule(session, document, a), actor, text)
    session.add(Opinion(assignment_id=a.id, user=actor.user, text=new.opinions[-1][1]))
    _audit_incoming(session, document, a, actor.user, "opinion", text=new.opinions[-1][1])
    return a


def complete_incoming(session: Session, *, document_id, username: str, result: str,
                      today: dt.date | None = None) -> Assignment:
    """The main handler closes the processing (starting it first when it was only assigned)."""
    today = today or dt.date.today()
    document, a = _incoming(session, document_id)
    _, actor = actor_for(session, username, document.organization)
    record = incoming_rule(session, document, a)
    started = record.state == "assigned"
    if started:
        record = refused(rules.start, record, actor)
    new = refused(rules.complete, record, actor, result, today)
    _store_incoming(a, new)
    _audit_incoming(session, document, a, actor.user, "complete", result=new.result)
    if started:
        _incoming_state_changed(session, document, "processing")
    _incoming_state_changed(session, document, a.state)
    return a


def _started(session: Session, document: Document, a: Assignment, actor: rules.Actor, action: str):
    """The rule record, started first when the document was only assigned (as ``done`` does)."""
    record = incoming_rule(session, document, a)
    if record.state == "assigned" and actor.agency == record.agency:
        refused(rules.main_handler_only, record, actor, action)
        return refused(rules.start, record, actor), True
    return record, False


def consult(session: Session, *, document_id, username: str, to, question: str) -> Assignment:
    """The main handler asks each of ``to`` (colleagues of the agency) for their view (xin ý kiến);
    each request is pending until its person answers."""
    document, a = _incoming(session, document_id)
    org = document.organization
    _, actor = actor_for(session, username, org)
    names = list(dict.fromkeys(n.strip().lower() for n in to if n and n.strip()))
    if not names:
        raise DomainError("Name at least one colleague to consult.", field="to", code="no_consultee")
    record, started = _started(session, document, a, actor, "consult")
    first = len(record.consultations) + 1
    for name in names:
        colleague_user, colleague = actor_for(session, name, org)
        record = refused(rules.request_consultation, record, actor, colleague, question)
        require_cleared(document, colleague_user)
    _store_incoming(a, record)
    _audit_incoming(session, document, a, actor.user, "consult", to=names, question=record.consultations[-1].question,
                    numbers=list(range(first, len(record.consultations) + 1)))
    if started:
        _incoming_state_changed(session, document, "processing")
    return a


def answer_consultation(session: Session, *, document_id, username: str, number, text: str) -> Assignment:
    """The consulted colleague answers request ``number`` with their opinion."""
    from recordsys.params import parse_int

    number = parse_int(number, "number", min=1)
    document, a = _incoming(session, document_id)
    _, actor = actor_for(session, username, document.organization)
    new = refused(rules.answer_consultation, incoming_rule(session, document, a), actor, number, text)
    _store_incoming(a, new)
    answer = next(c.answer for c in new.consultations if c.number == number)
    _audit_incoming(session, document, a, actor.user, "answer", number=number, text=answer)
    return a


def forward_incoming(session: Session, *, document_id, username: str, to: str) -> Assignment:
    """The main handler hands the document to a colleague of the same unit (who becomes main handler)."""
    document, a = _incoming(session, document_id)
    org = document.organization
    _, actor = actor_for(session, username, org)
    colleague_user, colleague = actor_for(session, to, org)
    new = refused(rules.forward_incoming, incoming_rule(session, document, a), actor, colleague)
    require_cleared(document, colleague_user)
    _store_incoming(a, new)
    _audit_incoming(session, document, a, actor.user, "forward", to=colleague.user, unit=actor.unit)
    return a


def consultation_rows(a: Assignment) -> list[dict]:
    return [{**c, "state": "pending" if c.get("answer") is None else "answered"} for c in a.consultations or ()]


def assignment_summary(session: Session, a: Assignment) -> dict:
    opinions = session.scalars(select(Opinion).where(Opinion.assignment_id == a.id).order_by(Opinion.id)).all()
    return {"document_id": a.document_id, "state": a.state, "main_handler": a.main_handler,
            "coordinators": a.coordinators, "for_information": a.for_information,
            "deadline": a.deadline.isoformat() if a.deadline else None, "note": a.note, "result": a.result,
            "opinions": [{"user": o.user, "text": o.text} for o in opinions],
            "consultations": consultation_rows(a), "forwards": [{"from": f[0], "to": f[1]} for f in a.forwards or ()]}


# tasks -------------------------------------------------------------------------------------------
def load_task(session: Session, task_id) -> Task:
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        task_id = 0
    task = session.scalar(select(Task).where(Task.id == task_id).with_for_update())
    if task is None:
        raise NotFound("There is no task ${task_id}.", mapping={"task_id": task_id}, field="task")
    return task


def task_rule(session: Session, task: Task) -> rules.Task:
    reports = session.scalars(select(TaskReport.text).where(TaskReport.task_id == task.id).order_by(TaskReport.id)).all()
    org = session.get(Organization, task.organization_id)
    return rules.Task(id=str(task.id), agency=org.code, assigner=task.assigner, assignee=task.assignee,
                      deadline=task.deadline, state=task.state, reports=tuple(reports),
                      comments=tuple(task.comments or ()),
                      extensions=tuple(rules.Extension(dt.date.fromisoformat(e["requested"]), e["reason"], e["granted"])
                                       for e in task.extensions or ()),
                      finished_on=task.finished_on)


def _store_task(task: Task, new: rules.Task) -> None:
    task.state, task.deadline, task.finished_on = new.state, new.deadline, new.finished_on
    task.comments = list(new.comments)
    task.extensions = [{"requested": e.requested.isoformat(), "reason": e.reason, "granted": e.granted}
                       for e in new.extensions]


def create_task(session: Session, *, org_code: str, username: str, assignee: str, title: str, deadline: dt.date,
                today: dt.date | None = None, document_id: int | None = None) -> Task:
    """A leader gives a task to someone of the agency, with a deadline not in the past."""
    today = today or dt.date.today()
    org = require_agency(session, org_code)
    _, actor = actor_for(session, username, org)
    _, to = actor_for(session, assignee, org)
    if actor.agency != org.code or rules.LEADER not in actor.roles:
        raise WorkflowRefused("Only a leader of the agency assigns tasks.", code="not_leader")
    if to.agency != org.code:
        raise WorkflowRefused("The assignee must work for the agency.", code="assignee_other_agency")
    title = (title or "").strip()
    if not title:
        raise DomainError("A task needs a title.", field="title", code="title")
    if deadline < today:
        raise WorkflowRefused("The deadline cannot be in the past.",
                              code="deadline_past")
    task = Task(organization_id=org.id, unit=to.unit, title=title, assigner=actor.user, assignee=to.user,
                deadline=deadline, state="assigned", comments=[], extensions=[], document_id=document_id)
    session.add(task)
    session.flush()
    audit.record(session, actor=actor.user, action="task.create", object_type="task", object_id=task.id,
                 organization_code=org.code, payload={"assignee": to.user, "title": title,
                                                      "deadline": deadline.isoformat()})
    return task


def task_action(session: Session, *, task_id, username: str, action: str, text: str | None = None,
                today: dt.date | None = None) -> Task:
    """start | report | approve | return, each through the rules."""
    today = today or dt.date.today()
    task = load_task(session, task_id)
    org = session.get(Organization, task.organization_id)
    _, actor = actor_for(session, username, org)
    record = task_rule(session, task)
    if action == "report" and record.state == "assigned":
        record = refused(rules.start_task, record, actor)
    new = {"start": lambda: refused(rules.start_task, record, actor),
           "report": lambda: refused(rules.report_task, record, actor, text),
           "approve": lambda: refused(rules.approve_task, record, actor, today),
           "return": lambda: refused(rules.return_task, record, actor, text)}[action]()
    if action == "report":
        session.add(TaskReport(task_id=task.id, user=actor.user, text=new.reports[-1]))
    _store_task(task, new)
    audit.record(session, actor=actor.user, action=f"task.{action}", object_type="task", object_id=task.id,
                 organization_code=org.code, payload={"state": task.state, "text": text})
    return task


def task_rows(session: Session, org_code: str, today: dt.date | None = None) -> list[dict]:
    """Every task and every incoming document under processing of the agency, with its overdue days."""
    today = today or dt.date.today()
    org = require_agency(session, org_code)
    rows = []
    for task in session.scalars(select(Task).where(Task.organization_id == org.id).order_by(Task.id)):
        rule = task_rule(session, task)
        rows.append({"kind": "task", "id": task.id, "title": task.title, "assignee": task.assignee, "unit": task.unit,
                     "deadline": task.deadline, "state": task.state, "overdue_days": rules.task_overdue(rule, today)})
    for a in session.scalars(select(Assignment).where(Assignment.organization_id == org.id).order_by(Assignment.id)):
        document = a.document
        rule = incoming_rule(session, document, a)
        title = f"{document.number_and_symbol or document.number}: {document.subject}"
        rows.append({"kind": "incoming", "id": document.id, "title": title, "assignee": a.main_handler,
                     "unit": a.handler_unit,
                     "deadline": a.deadline, "state": a.state, "overdue_days": rules.incoming_overdue(rule, today)})
    return rows
