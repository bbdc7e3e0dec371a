"""The search interface both backends implement, and the values that cross it."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Protocol

from zope.interface import Interface

from recordsys.errors import ComponentMissing
from recordsys.search.folding import fold, symbol_key
from recordsys.search.query import ParsedQuery, QueryError

#: confidentiality (độ mật) as a level: a viewer sees entries up to their clearance
CONFIDENTIALITY_LEVEL = {None: 0, "": 0, "mat": 1, "toi_mat": 2, "tuyet_mat": 3}
FACETS = ("kind", "year", "type", "issuer", "status", "retention")
MAX_PAGE_SIZE = 100


class SearchUnavailable(ComponentMissing):
    """The search backend cannot be reached; the message is a plain sentence."""

    code = "search-unavailable"


@dataclass(frozen=True)
class SearchEntry:
    """One searchable thing (a document or a dossier) with the fields that decide who sees it."""

    id: str  # "document:12", "dossier:3"
    kind: str
    organization_id: int
    title: str  # subject (trích yếu) or dossier title
    confidentiality: str | None = None
    number_and_symbol: str | None = None
    year: int | None = None
    type: str | None = None
    issuer: str | None = None
    signer: str | None = None
    status: str | None = None
    retention: str | None = None
    date: str | None = None  # ISO date used for sorting
    register_number: str | None = None
    body: str = ""
    display: dict = field(default_factory=dict)  # what a hit shows (url, organization code …)

    @property
    def level(self) -> int:
        return CONFIDENTIALITY_LEVEL.get(self.confidentiality, 3)

    def indexed_fields(self) -> dict:
        """The folded texts both backends index (so they match the same words)."""
        return {
            "title_f": fold(self.title),
            "symbol_f": fold(" ".join(filter(None, [self.number_and_symbol, self.register_number]))),
            "people_f": fold(" ".join(filter(None, [self.issuer, self.signer]))),
            "body_f": fold(self.body),
            "symbol_key": symbol_key(self.number_and_symbol),
        }

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Viewer:
    """Who asks: the organizations whose records they may open and their clearance."""

    organization_ids: frozenset[int]
    clearance: int = 0


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    viewer: Viewer
    filters: dict = field(default_factory=dict)  # facet name -> value
    sort: str = "relevance"  # relevance | date
    page: int = 1
    page_size: int = 20

    def __post_init__(self):
        if self.sort not in ("relevance", "date"):
            raise QueryError("Sort must be 'relevance' or 'date'.")
        unknown = set(self.filters) - set(FACETS)
        if unknown:
            raise QueryError("Unknown filter: ${items}.", mapping={"items": ', '.join(sorted(unknown))})
        if not (1 <= self.page <= 10_000) or not (1 <= self.page_size <= MAX_PAGE_SIZE):
            raise QueryError("Page out of range.")


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    entry: dict
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int
    page_size: int
    total_exact: bool = True  # False: an estimate (the FTS5 backend on very broad queries)

    def to_dict(self) -> dict:
        return {"total": self.total, "total_exact": self.total_exact, "page": self.page, "page_size": self.page_size,
                "hits": [asdict(h) for h in self.hits], "facets": self.facets}


class ISearchBackend(Interface):
    """The search backend service (SQLite FTS5 embedded, an OpenSearch/Elasticsearch cluster in
    production), found with ``find_service(ISearchBackend)``; both implement :class:`SearchBackend`."""


class SearchBackend(Protocol):
    name: str

    def index(self, entries: Iterable[SearchEntry]) -> None: ...
    def delete(self, ids: Iterable[str]) -> None: ...
    def search(self, request: SearchRequest) -> SearchResult: ...
    def rebuild(self, entries: Iterable[SearchEntry], progress: Callable[[int], None] | None = None) -> int: ...
    def health(self) -> dict: ...
    def count(self) -> int: ...


def public_fields(entry: dict) -> dict:
    """What a hit carries: the stored entry without its full text."""
    return {k: v for k, v in entry.items() if k != "body"}
