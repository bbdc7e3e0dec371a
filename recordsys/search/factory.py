"""Choosing the search backend from settings."""
from __future__ import annotations

from recordsys.config import as_bool


def make_backend(settings: dict):
    if settings.get("search.backend", "fts5") == "elasticsearch":
        from recordsys.search.elastic import ElasticsearchBackend

        return ElasticsearchBackend(settings["search.elasticsearch_url"], settings.get("search.index_prefix", "recordsys"),
                                    refresh=as_bool(settings.get("search.refresh", "false")))
    from recordsys.search.fts5 import Fts5Backend

    return Fts5Backend(settings["search.fts5_path"])
