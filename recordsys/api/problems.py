"""Errors: RFC 9457 problem+json under /api/, an HTML page (or a login redirect) elsewhere."""
from __future__ import annotations

import contextlib
import json
import logging

from pyramid.httpexceptions import (
    HTTPException,
    HTTPForbidden,
    HTTPFound,
    HTTPInternalServerError,
)
from pyramid.response import Response
from pyramid.view import (
    exception_view_config,
    forbidden_view_config,
    notfound_view_config,
)

from recordsys.errors import DomainError

log = logging.getLogger(__name__)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/problem+json", charset="utf-8")
    return response


def json_body(request) -> dict:
    """The request's JSON object, or a 400 problem naming what is wrong with it."""
    from pyramid.httpexceptions import HTTPBadRequest

    try:
        value = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:  # also integers of more than 4300 digits
        raise HTTPBadRequest(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise HTTPBadRequest("The request body is nested too deeply.") from None
    if not isinstance(value, dict):
        raise HTTPBadRequest("The request body must be a JSON object.")
    return value


def _render(request, exc: HTTPException):
    request.response.status = exc.status_code
    if is_api(request):
        return problem(exc.status_code, exc.title, exc.detail or exc.explanation or None)
    from pyramid.renderers import render_to_response

    return render_to_response("recordsys.web:templates/error.jinja2",
                              {"status": exc.status_code, "title": exc.title,
                               "detail": exc.detail or ""}, request=request, response=request.response)


@forbidden_view_config()
def forbidden(exc, request):
    if request.user is None:
        if is_api(request):
            return problem(401, "Unauthorized", "Log in or send an API token (Authorization: Bearer …).")
        return HTTPFound(request.route_url("login", _query={"next": request.path_qs}))
    return _render(request, HTTPForbidden("You do not have permission for this action."))


@notfound_view_config()
def notfound(exc, request):
    return _render(request, exc)


@exception_view_config(HTTPException)
def http_exception(exc, request):
    if exc.status_code < 400:
        return exc
    return _render(request, exc)


@exception_view_config(DomainError)
def domain_error(exc, request):
    """A DomainError no view caught (a bad parameter, …): its own status and sentence, the field it
    is about; nothing of the request is committed."""
    with contextlib.suppress(Exception):
        request.tm.doom()  # pyramid_tm aborts a squashed exception anyway; doomed, whatever the veto
    status = int(getattr(exc, "http_status", 422) or 422)
    request.response.status = status
    lang = getattr(request, "locale_name", "vi")
    if is_api(request):
        return problem(status, "Invalid request" if status < 500 else "Unavailable", exc.localized(lang),
                       **{k: v for k, v in exc.to_problem(lang).items() if k != "detail"})
    from pyramid.renderers import render_to_response

    return render_to_response("recordsys.web:templates/error.jinja2",
                              {"status": status, "title": "Invalid request", "detail": exc.localized(lang)},
                              request=request, response=request.response)


@exception_view_config(Exception)
def unexpected(exc, request):
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _render(request, HTTPInternalServerError("An unexpected error occurred; it was logged."))
