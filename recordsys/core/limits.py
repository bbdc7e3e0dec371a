"""Request-size limit, enforced before anything reads the body.

``recordsys.max_upload_bytes`` (default 200 MB) bounds the body of every request: a larger
``Content-Length`` is answered 413 at once; a body sent without a length (chunked) is refused 411
where the limit would otherwise be unenforceable. ``recordsys.max_upload_files`` (checked by the
upload views, see :func:`check_file_count`) bounds the files of one request.
"""
from __future__ import annotations

import json

from pyramid.httpexceptions import HTTPRequestEntityTooLarge
from pyramid.response import Response

from recordsys.i18n import LOCALES, translate


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _lang(request) -> str:
    """The language before anything reads the body: the chosen cookie, else the default (the
    locale negotiator may read form parameters, that is the body)."""
    chosen = request.cookies.get("_LOCALE_")
    return chosen if chosen in LOCALES else request.registry.settings.get("pyramid.default_locale_name", "vi")


def too_large_message(limit: int, lang: str = "vi") -> str:
    return translate("The request is too large: at most ${size} per request.", lang, {"size": _mb(limit)})


def too_many_files_message(limit: int, lang: str = "vi") -> str:
    return translate("Too many files: at most ${count} files per request.", lang, {"count": limit})


def _refuse(request, status: int, title: str, detail: str) -> Response:
    if request.path.startswith("/api/"):
        body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail},
                          ensure_ascii=False)
        return Response(body, status=status, content_type="application/problem+json", charset="utf-8")
    return Response(detail, status=status, content_type="text/plain", charset="utf-8")


def size_limit_tween_factory(handler, registry):
    limit = int(registry.settings.get("recordsys.max_upload_bytes", 200 * 1024 * 1024))

    def size_limit_tween(request):
        length = request.content_length
        if length is not None and length > limit:
            # no "Connection: close" here: a hop-by-hop header is the server's (waitress refuses it from
            # the application with a 500); waitress has read the body already
            return _refuse(request, 413, "Content Too Large", too_large_message(limit, _lang(request)))
        if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            return _refuse(request, 411, "Length Required",
                           translate("A Content-Length header is required.", _lang(request)))
        return handler(request)

    return size_limit_tween


def check_file_count(request, count: int) -> None:
    limit = int(request.registry.settings.get("recordsys.max_upload_files", 50))
    if count > limit:
        raise HTTPRequestEntityTooLarge(too_many_files_message(limit, request.locale_name))


def includeme(config):
    config.add_tween("recordsys.core.limits.size_limit_tween_factory")
