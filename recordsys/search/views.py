"""Search: the JSON API and the web page (thin: parse, check permission, call the backend)."""
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config

from recordsys.api.openapi import query_parameters
from recordsys.core.roles import Permission
from recordsys.search.interfaces import (
    FACETS,
    ISearchBackend,
    QueryError,
    SearchUnavailable,
)
from recordsys.search.services import build_request, viewer_for

_ = TranslationStringFactory("recordsys")


def _run(request):
    search_request = build_request(request.dbsession, request.params, viewer_for(request.user))
    return search_request, request.find_service(ISearchBackend).search(search_request)


@view_config(route_name="api.search", renderer="json", request_method="GET", permission=Permission.search)
@query_parameters(q="words, \"a phrase\", word* or a number and symbol such as 15/QĐ-UBND",
                  kind="document | dossier", type="document type, e.g. Quyết định", year="year",
                  org="organ code to narrow to", issuer="issuing agency", status="status",
                  retention="retention code", sort="relevance | date", page="page number (1…)",
                  page_size="hits per page (1–100)")
def api_search(request):
    """Search the documents and dossiers the user may open (q, kind, type, year, org, page …)."""
    _req, result = _run(request)  # QueryError: 400, SearchUnavailable: 503 (problem+json, one mapping)
    return result.to_dict()


@view_config(route_name="search", renderer="search/search.jinja2", request_method="GET", permission=Permission.search)
def search_page(request):
    context = {"q": request.params.get("q", ""), "result": None, "error": None, "facets": FACETS,
               "params": dict(request.params)}
    if "q" not in request.params and not any(request.params.get(f) for f in FACETS):
        return context
    try:
        context["search"], context["result"] = _run(request)
    except QueryError as exc:
        request.response.status = 400  # the page, with the sentence saying what to change
        context["error"] = exc.localized(request.locale_name)
    except SearchUnavailable:
        request.response.status = 503
        context["error"] = request.localizer.translate(_(
            "Search is unavailable right now; your documents are safe. Try again in a few minutes."))
    return context
