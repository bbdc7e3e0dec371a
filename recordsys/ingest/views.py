"""The clerk's intake screen: drop files, see each verdict in plain words, register or refuse.

Uploaded files go straight into the content-addressed store (unreferenced until registered or
refused, so the sweeper removes abandoned ones); registering re-checks the stored file, so the
decision always rests on a fresh verdict.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from recordsys.api.openapi import query_parameters
from recordsys.core.limits import check_file_count
from recordsys.i18n import LocalizedError
from recordsys.ingest.interfaces import IDocumentChecker
from recordsys.ingest.models import Document
from recordsys.ingest.permissions import Permission
from recordsys.storage import IFileStorage

#: a suffix kept on our generated names (the checks tell PDFs from scans by it); anything else: none
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class UploadNameError(LocalizedError):
    """A client file name that cannot even serve as a label."""


def upload_label(raw: str | None) -> str:
    """The client's file name as a label only (its last component, at most 200 characters); never
    a path. Refuses names that are empty, ``.``/``..`` or contain NUL (``localized(lang)`` says so)."""
    raw = raw or ""
    if "\x00" in raw:
        raise UploadNameError("The file name contains a NUL character.")
    label = re.split(r"[/\\]", raw)[-1].strip()[:200]
    if label in ("", ".", ".."):
        raise UploadNameError("Invalid file name: ${name}.", {"name": repr(raw[:100])})
    return label


def _work_name(i: int, label: str) -> str:
    """Our own name for a file in a working folder: its position and a harmless suffix."""
    suffix = Path(label).suffix
    return f"{i:03d}{suffix.lower() if _SAFE_SUFFIX.match(suffix) else ''}"


def _check_stored(request, items, direction):
    """Check files already in the store: [(sha256, name)] -> verdicts, one veraPDF batch."""
    from recordsys.ingest.policy import AcceptancePolicy

    storage = request.find_service(IFileStorage)
    policy = AcceptancePolicy.from_settings((request.context.organization.settings or {}).get("ingest"))
    with tempfile.TemporaryDirectory(prefix="recordsys-intake-") as tmp:
        paths = []
        for i, (sha256, name) in enumerate(items):
            path = Path(tmp) / _work_name(i, name)
            path.symlink_to(storage.path(sha256))
            paths.append(path)
        return list(request.find_service(IDocumentChecker).check(paths, direction, request.locale_name, policy))


@view_config(route_name="intake", renderer="ingest/intake.jinja2", request_method="GET", permission=Permission.document_register)
def intake_form(request):
    return {"verdicts": None, "direction": "incoming"}


@view_config(route_name="intake", renderer="ingest/intake.jinja2", request_method="POST", permission=Permission.document_register)
def intake_check(request):
    direction = request.POST.get("direction", "incoming")
    if direction not in ("incoming", "outgoing", "internal"):
        raise HTTPBadRequest("Unknown direction.")
    uploads = [f for f in request.POST.getall("files") if hasattr(f, "file")]
    check_file_count(request, len(uploads))
    if not uploads:
        return {"verdicts": [], "direction": direction, "error": "no_files"}
    try:
        labels = [upload_label(upload.filename) for upload in uploads]
    except UploadNameError as exc:
        request.response.status = 400
        return {"verdicts": [], "direction": direction, "error": "invalid",
                "error_detail": exc.localized(request.locale_name)}
    storage = request.find_service(IFileStorage)
    items = []
    # the bytes go to our own names in a private folder, then into the store by content hash
    with tempfile.TemporaryDirectory(prefix="recordsys-upload-") as tmp:
        for i, (upload, label) in enumerate(zip(uploads, labels)):
            path = Path(tmp) / f"{i:03d}"
            with open(path, "wb") as out:
                while chunk := upload.file.read(1 << 20):
                    out.write(chunk)
            items.append((storage.put(path).sha256, label))
    verdicts = _check_stored(request, items, direction)
    rows = [{"sha256": sha, "name": name, "verdict": v} for (sha, name), v in zip(items, verdicts)]
    return {"verdicts": rows, "direction": direction}


@view_config(route_name="intake.register", request_method="POST", permission=Permission.document_register,
             renderer="ingest/intake.jinja2")
def intake_register(request):
    """Register (accept) or refuse one checked file; the verdict is computed again first."""
    from recordsys.core.services import ValidationError
    from recordsys.ingest.registration import register_checked_file

    sha256 = request.POST.get("sha256", "")
    try:
        name = upload_label(request.POST.get("name", "tep.pdf"))
    except UploadNameError as exc:
        raise HTTPBadRequest(exc.localized(request.locale_name)) from None
    direction, decision = request.POST.get("direction", "incoming"), request.POST.get("decision")
    storage = request.find_service(IFileStorage)
    if decision not in ("accept", "refuse") or direction not in ("incoming", "outgoing", "internal") \
            or len(sha256) != 64 or not storage.exists(sha256):
        raise HTTPBadRequest("Unknown file or decision; upload the file again.")
    [verdict] = _check_stored(request, [(sha256, name)], direction)
    data = verdict.to_dict()
    if decision == "refuse":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return {"verdicts": [{"sha256": sha256, "name": name, "verdict": verdict}], "direction": direction,
                    "error": "reason_needed"}
        data = {**data, "accepted": False, "reasons": [*data["reasons"], f"Văn thư từ chối: {reason}"]}
    metadata = {k: request.POST.get(k) for k in ("subject", "number_and_symbol", "issuer", "issued_date")
                if request.POST.get(k)}
    with tempfile.TemporaryDirectory(prefix="recordsys-register-") as tmp:
        path = Path(tmp) / _work_name(0, name)  # our name; the client's is only a label
        path.symlink_to(storage.path(sha256))
        try:
            result = register_checked_file(
                request.dbsession, storage=storage, path=path, verdict=data, organization=request.context.organization,
                direction=direction, actor=request.user.username, metadata=metadata, flags=list(verdict.flags),
                original_name=name,
                extracted=verdict.extracted.to_dict() if verdict.extracted else {})
        except ValidationError as exc:
            request.tm.doom()  # nothing of this attempt is committed
            return {"verdicts": [{"sha256": sha256, "name": name, "verdict": verdict}], "direction": direction,
                    "error": "invalid", "error_detail": f"{exc.field}: {exc}"}
    request.session.flash(f"{name}: " + (f"số {result.number}" if result.accepted else "đã từ chối"))
    return HTTPSeeOther(request.route_url("documents", org=request.context.organization.code))


PAGE_SIZE = 50


def _page_of_documents(request) -> tuple[int, list[Document]]:
    """One page of the agency's documents the user may see (the access rule is in the query, so
    hidden documents neither show nor shorten the page)."""
    from recordsys.ingest.access import visible_documents
    from recordsys.params import int_param

    page = int_param(request, "page", min=1, max=1_000_000, default=1)
    rows = request.dbsession.scalars(visible_documents(
        select(Document).where(Document.organization_id == request.context.organization.id), request.user)
        .order_by(Document.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return page, rows


@view_config(route_name="documents", renderer="ingest/documents.jinja2", request_method="GET", permission=Permission.document_read)
def documents_page(request):
    page, rows = _page_of_documents(request)
    return {"documents": rows, "page": page, "page_size": PAGE_SIZE, "messages": request.session.pop_flash()}


@view_config(route_name="api.documents", renderer="json", request_method="GET", permission=Permission.document_read)
@query_parameters(page="page number (1…), 50 documents a page")
def api_documents(request):
    """Registered documents of one agency the caller may see, newest first (50 a page)."""
    page, rows = _page_of_documents(request)
    return {"documents": [{"id": d.id, "register": d.register.kind, "year": d.year, "number": d.number,
                           "number_and_symbol": d.number_and_symbol, "subject": d.subject,
                           "signature_status": d.signature_status, "pdfa": d.pdfa_flavour, "flags": d.flags,
                           "delivery_mode": d.delivery_mode} for d in rows], "page": page}


def download_label(document: Document) -> str:
    """The name a downloaded file is offered under: the client's original name as a label (last
    component, no control characters or quotes), else ``van-ban-<id>.pdf``."""
    try:
        label = upload_label(document.original_name)
    except UploadNameError:
        label = ""
    label = re.sub(r'[\x00-\x1f\x7f"\\;]', "_", label).strip(" .")
    return label or f"van-ban-{document.id}.pdf"


def _content_disposition(label: str) -> str:
    from urllib.parse import quote

    ascii_label = re.sub(r"[^A-Za-z0-9._-]", "_", label.encode("ascii", "ignore").decode()) or "van-ban.pdf"
    return f"attachment; filename=\"{ascii_label}\"; filename*=UTF-8''{quote(label, safe='')}"


@view_config(route_name="document.file", request_method="GET", permission="document.read")
@view_config(route_name="api.document.file", request_method="GET", permission="document.read")
def document_file(request):
    """The stored file of one document, when the caller may see it (agency role and clearance);
    every download is audited (``document.download``). A document out of reach is missing (404)."""
    from pyramid.httpexceptions import HTTPNotFound
    from pyramid.response import FileIter, Response

    from recordsys.core import audit
    from recordsys.ingest.access import visible_documents
    from recordsys.params import int_param

    document_id = int_param(request, "id", min=1, source="matchdict")
    document = request.dbsession.scalar(visible_documents(select(Document).where(
        Document.id == document_id, Document.organization_id == request.context.organization.id), request.user))
    if document is None:
        raise HTTPNotFound("No such document in this agency.")
    storage = request.find_service(IFileStorage)
    if not storage.exists(document.file.sha256):
        raise HTTPNotFound("The document's file is missing from the store.")
    label = download_label(document)
    audit.record(request.dbsession, actor=request.user.username, action="document.download", object_type="document",
                 object_id=document.id, organization_code=request.context.organization.code,
                 payload={"sha256": document.file.sha256, "label": label})
    response = Response(content_type=document.file.media_type or "application/octet-stream")
    response.app_iter = FileIter(storage.open(document.file.sha256))
    response.content_length = document.file.size
    response.headers["Content-Disposition"] = _content_disposition(label)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
