"""JSON API of the workflow: the same actions as `recordsys outgoing` and `recordsys workflow`,
acting as the signed-in user, with the same checks (the rules decide; a refusal is a problem+json
with its code and nothing is written)."""
from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import select

from recordsys.api.problems import json_body, problem
from recordsys.errors import DomainError
from recordsys.ingest.interfaces import IDocumentChecker
from recordsys.params import parse_int
from recordsys.storage import IFileStorage
from recordsys.workflow import services
from recordsys.workflow.keys import ISignerProvider
from recordsys.workflow.models import Draft

DRAFT_ACTIONS = ("submit", "approve", "return", "forward", "sign", "issue")
INCOMING_ACTIONS = ("assign", "opinion", "consult", "answer", "forward", "done")


def refusals_as_problems(view):
    """A DomainError becomes a problem+json (409 for a refused action) and dooms the transaction."""
    @functools.wraps(view)
    def wrapper(request):
        try:
            return view(request)
        except DomainError as exc:
            request.tm.doom()
            extra = {"code": exc.code, **({"field": exc.field} if exc.field else {})}
            return problem(exc.http_status, "Refused", exc.localized(request.locale_name), **extra)
    return wrapper


def _draft_in_org(request, draft_id) -> Draft:
    draft = request.dbsession.get(Draft, parse_int(draft_id, "id", min=1))
    if draft is None or draft.organization_id != request.context.organization.id:
        raise HTTPNotFound("Unknown draft.")
    return draft


@view_config(route_name="api.drafts", renderer="json", request_method="GET", permission="document.read")
def api_drafts(request):
    """Drafts of one agency, newest first."""
    rows = request.dbsession.scalars(select(Draft).where(Draft.organization_id == request.context.organization.id)
                                     .order_by(Draft.id.desc()).limit(200)).all()
    return {"drafts": [services.draft_summary(request.dbsession, d) for d in rows]}


@view_config(route_name="api.drafts", renderer="json", request_method="POST", permission="document.process")
@refusals_as_problems
def api_create_draft(request):
    """A new draft: multipart ``file`` (PDF or DOCX), ``type``, ``subject``, ``recipient`` (repeatable)."""
    from recordsys.ingest.views import UploadNameError, upload_label

    upload = request.POST.get("file")
    if not hasattr(upload, "file"):
        raise HTTPBadRequest("Send the draft as the multipart field “file”.")
    try:
        label = upload_label(upload.filename)
    except UploadNameError as exc:
        raise HTTPBadRequest(str(exc)) from None
    suffix = Path(label).suffix.lower() if Path(label).suffix.lower() in (".pdf", ".docx", ".doc", ".odt") else ".pdf"
    with tempfile.TemporaryDirectory(prefix="recordsys-draft-") as tmp:
        source = Path(tmp) / f"tai-len{suffix}"  # our name; the client's is only a label
        with open(source, "wb") as out:
            while chunk := upload.file.read(1 << 20):
                out.write(chunk)
        work = Path(tmp) / "work"
        work.mkdir()
        pdf = services.prepare_pdfa(source, work, request.find_service(IDocumentChecker))
        draft = services.create_draft(
            request.dbsession, storage=request.find_service(IFileStorage),
            org_code=request.context.organization.code, username=request.user.username, pdf=pdf, label=label,
            type_code=request.POST.get("type", ""), subject=request.POST.get("subject", ""),
            recipients=request.POST.getall("recipient"), urgency=request.POST.get("urgency") or None,
            confidentiality=request.POST.get("confidentiality") or None)
    request.response.status = 201
    return services.draft_summary(request.dbsession, draft)


@view_config(route_name="api.draft", renderer="json", request_method="GET", permission="document.read")
def api_draft(request):
    return services.draft_summary(request.dbsession, _draft_in_org(request, request.matchdict["id"]))


@view_config(route_name="api.draft.action", renderer="json", request_method="POST", permission="view")
@refusals_as_problems
def api_draft_action(request):
    """Act on a draft: submit | approve | return ({"comments"}) | forward ({"to", "comments"}) | sign | issue.

    Acts as the signed-in user; the workflow rules decide who may (a refusal is a 409 problem)."""
    action = request.matchdict["action"]
    if action not in DRAFT_ACTIONS:
        raise HTTPNotFound("Unknown action.")
    draft = _draft_in_org(request, request.matchdict["id"])
    session, user = request.dbsession, request.user.username
    storage = request.find_service(IFileStorage)
    if action == "issue":
        return services.issue_draft(session, storage=storage, signers=request.find_service(ISignerProvider),
                                    checker=request.find_service(IDocumentChecker), draft_id=draft.id, username=user,
                                    out=None, data_dir=Path(request.registry.settings["recordsys.data_dir"]),
                                    settings=request.registry.settings)
    if action == "sign":
        draft = services.sign_draft(session, storage=storage, signers=request.find_service(ISignerProvider),
                                    draft_id=draft.id, username=user)
    elif action == "return":
        draft = services.return_draft(session, storage=storage, draft_id=draft.id, username=user,
                                      comments=str(json_body(request).get("comments") or ""))
    elif action == "forward":
        body = json_body(request)
        draft = services.forward_draft(session, draft_id=draft.id, username=user, to=str(body.get("to") or ""),
                                       comments=str(body.get("comments") or ""))
    else:
        action_fn = services.submit_draft if action == "submit" else services.approve_draft
        draft = action_fn(session, storage=storage, draft_id=draft.id, username=user)
    return services.draft_summary(session, draft)


@view_config(route_name="api.incoming.action", renderer="json", request_method="POST", permission="view")
@refusals_as_problems
def api_incoming_action(request):
    """Process an incoming document: assign | opinion | consult | answer | forward | done.

    Bodies: assign {"to", "coordinators", "for_information", "deadline", "note"}; opinion {"text"};
    consult {"to": [user, …], "question"} (xin ý kiến); answer {"number", "text"}; forward {"to"}
    (a colleague of the same unit); done {"result"}. Acts as the signed-in user."""
    from recordsys.ingest.access import can_see
    from recordsys.ingest.models import Document

    action = request.matchdict["action"]
    if action not in INCOMING_ACTIONS:
        raise HTTPNotFound("Unknown action.")
    raw = request.matchdict["id"]
    document = request.dbsession.get(Document, parse_int(raw, "id", min=1))
    if document is None or document.organization_id != request.context.organization.id \
            or not can_see(request.user, document):  # above the user's clearance: as if missing
        raise HTTPNotFound("Unknown document.")
    body, session, user = json_body(request), request.dbsession, request.user.username
    if action == "assign":
        try:
            deadline = dt.date.fromisoformat(body["deadline"]) if body.get("deadline") else None
        except (TypeError, ValueError):
            raise HTTPBadRequest("deadline must be a date such as 2026-12-15.") from None
        a = services.assign_incoming(session, document_id=document.id, username=user, to=str(body.get("to") or ""),
                                     coordinators=tuple(map(str, body.get("coordinators") or ())),
                                     for_information=tuple(map(str, body.get("for_information") or ())),
                                     deadline=deadline, note=body.get("note"))
    elif action == "opinion":
        a = services.add_opinion(session, document_id=document.id, username=user, text=str(body.get("text") or ""))
    elif action == "consult":
        to = body.get("to") or ()
        to = [to] if isinstance(to, str) else to
        if not isinstance(to, list):
            raise HTTPBadRequest("to must be a user name or a list of user names.")
        a = services.consult(session, document_id=document.id, username=user, to=tuple(map(str, to)),
                             question=str(body.get("question") or ""))
    elif action == "answer":
        a = services.answer_consultation(session, document_id=document.id, username=user,
                                         number=parse_int(body.get("number"), "number", min=1),
                                         text=str(body.get("text") or ""))
    elif action == "forward":
        a = services.forward_incoming(session, document_id=document.id, username=user, to=str(body.get("to") or ""))
    else:
        a = services.complete_incoming(session, document_id=document.id, username=user,
                                       result=str(body.get("result") or ""))
    return services.assignment_summary(session, a)


# minimal web pages --------------------------------------------------------------------------------
PAGE_ACTIONS = {"draft": ("submit",), "submitted": ("approve", "return", "forward"), "approved": ("sign", "return"),
                "signed": ("issue",)}


@view_config(route_name="drafts", renderer="workflow/drafts.jinja2", request_method="GET", permission="document.read")
def drafts_page(request):
    from recordsys.workflow.notation import load_document_types

    rows = request.dbsession.scalars(select(Draft).where(Draft.organization_id == request.context.organization.id)
                                     .order_by(Draft.id.desc()).limit(200)).all()
    from recordsys.workflow.rules import NAMES

    lang = 0 if request.locale_name == "vi" else 1
    return {"drafts": [services.draft_summary(request.dbsession, d) for d in rows], "actions": PAGE_ACTIONS,
            "names": {k: v[lang][:1].upper() + v[lang][1:] for k, v in NAMES.items()},
            "types": [t for t in load_document_types().values() if t.numbered],
            "can_draft": request.has_permission("document.process"), "messages": request.session.pop_flash()}


def _flash_refusal(request, exc: DomainError):
    request.tm.doom()
    request.session.flash(exc.localized(request.locale_name))


@view_config(route_name="drafts", request_method="POST", permission="document.process")
def drafts_create(request):
    from pyramid.httpexceptions import HTTPSeeOther

    response = api_create_draft(request)
    if hasattr(response, "status_code") and response.status_code >= 400:  # a problem+json: say it on the page
        import json

        request.session.flash(json.loads(response.body).get("detail", ""))
    else:
        request.session.flash(f"#{response['id']}")
    return HTTPSeeOther(request.route_url("drafts", org=request.context.organization.code))


@view_config(route_name="draft.action", request_method="POST", permission="view")
def draft_action_page(request):
    from pyramid.httpexceptions import HTTPSeeOther

    action = request.matchdict["action"]
    if action not in DRAFT_ACTIONS:
        raise HTTPNotFound("Unknown action.")
    draft = _draft_in_org(request, request.matchdict["id"])
    session, user = request.dbsession, request.user.username
    storage = request.find_service(IFileStorage)
    try:
        if action == "issue":
            result = services.issue_draft(session, storage=storage, signers=request.find_service(ISignerProvider),
                                          checker=request.find_service(IDocumentChecker), draft_id=draft.id,
                                          username=user, out=None,
                                          data_dir=Path(request.registry.settings["recordsys.data_dir"]),
                                          settings=request.registry.settings)
            request.session.flash(result["number_and_symbol"])
        elif action == "sign":
            services.sign_draft(session, storage=storage, signers=request.find_service(ISignerProvider),
                                draft_id=draft.id, username=user)
        elif action == "return":
            services.return_draft(session, storage=storage, draft_id=draft.id, username=user,
                                  comments=request.POST.get("comments", ""))
        elif action == "forward":
            services.forward_draft(session, draft_id=draft.id, username=user, to=request.POST.get("to", ""),
                                   comments=request.POST.get("comments") or None)
        else:
            (services.submit_draft if action == "submit" else services.approve_draft)(
                session, storage=storage, draft_id=draft.id, username=user)
    except DomainError as exc:
        _flash_refusal(request, exc)
    return HTTPSeeOther(request.route_url("drafts", org=request.context.organization.code))
