"""Choosing the search backend from settings."""
from __future__ import annotations

from recordsys.config import as_bool


def make_backend(settings: dict):
    if settings.get("search.backend", "fts5") in ("opensearch", "elasticsearch"):  # the old name: same client
        from recordsys.search.opensearch import OpenSearchBackend

        url = settings.get("search.opensearch_url") or settings.get("search.elasticsearch_url") or "http://127.0.0.1:9200"
        return OpenSearchBackend(url, settings.get("search.index_prefix", "recordsys"),
                                 refresh=as_bool(settings.get("search.refresh", "false")))
    from recordsys.search.fts5 import Fts5Backend

    return Fts5Backend(settings["search.fts5_path"])
