"""The production search backend: OpenSearch 2 (one index behind an alias), through opensearch-py.

The same folded fields as the FTS5 backend are indexed with the standard analyzer, so both
backends match the same words; filters and facets are keyword fields and terms aggregations.
``rebuild`` fills a new index and moves the alias onto it in one atomic step (no downtime).

The URL setting may name several nodes of one cluster, comma-separated: the client spreads
requests over them and, when one cannot be reached, retries the request on another. The index
has one shard and ``auto_expand_replicas: 0-1``: no replica on a single node (which stays green),
one replica as soon as the cluster has a second data node, so either node can answer alone.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from recordsys.search.highlight import snippet
from recordsys.search.interfaces import (
    FACETS,
    Hit,
    SearchEntry,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    public_fields,
)

MAPPING = {
    "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1", "refresh_interval": "1s"},
    "mappings": {
        "dynamic": False,
        "properties": {
            "kind": {"type": "keyword"}, "org_id": {"type": "integer"}, "level": {"type": "byte"},
            "year": {"type": "integer"}, "type": {"type": "keyword"}, "issuer": {"type": "keyword"},
            "status": {"type": "keyword"}, "retention": {"type": "keyword"},
            "date": {"type": "date", "ignore_malformed": True}, "symbol_key": {"type": "keyword"},
            "title_f": {"type": "text"}, "symbol_f": {"type": "text"}, "people_f": {"type": "text"},
            "body_f": {"type": "text"},
        },
    },
}
FIELDS = ["title_f^10", "symbol_f^6", "people_f^2", "body_f"]
_FACET_FIELDS = {"kind": "kind", "year": "year", "type": "type", "issuer": "issuer", "status": "status",
                 "retention": "retention"}


def split_urls(url: str) -> list[str]:
    """The node URLs of a setting such as ``http://os1:9200, http://os2:9200``."""
    return [part.strip().rstrip("/") for part in url.split(",") if part.strip()]


class OpenSearchBackend:
    name = "opensearch"

    def __init__(self, url: str, prefix: str = "recordsys", refresh: bool = False, timeout: float = 10):
        from opensearchpy import OpenSearch

        self.url = url
        self.alias = f"{prefix}-entries"
        self.refresh = refresh  # tests: make writes visible at once
        hosts = split_urls(url)
        # a request that finds its node down is tried once on each other node, then fails
        self.client = OpenSearch(hosts, timeout=timeout, max_retries=len(hosts), retry_on_timeout=len(hosts) > 1,
                                 dead_timeout=5)

    def _call(self, fn, *args, **kwargs):
        from opensearchpy import exceptions

        try:
            return fn(*args, **kwargs)
        except (exceptions.ConnectionError, exceptions.ConnectionTimeout) as exc:
            raise SearchUnavailable("OpenSearch at ${url} cannot be reached (${kind}).", mapping={"url": self.url, "kind": type(exc).__name__}) from None

    def _ensure(self) -> None:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            index = f"{self.alias}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}"
            self._call(self.client.indices.create, index=index, body=MAPPING)
            self._call(self.client.indices.put_alias, index=index, name=self.alias)

    @staticmethod
    def _source(entry: SearchEntry) -> dict:
        fields = entry.indexed_fields()
        return {"kind": entry.kind, "org_id": entry.organization_id, "level": entry.level, "year": entry.year,
                "type": entry.type, "issuer": entry.issuer, "status": entry.status, "retention": entry.retention,
                "date": entry.date, **fields, "doc": entry.to_dict()}

    def _bulk(self, index: str, entries: Iterable[SearchEntry], progress=None, chunk: int = 1000) -> int:
        from opensearchpy import helpers

        actions = ({"_index": index, "_id": e.id, "_source": self._source(e)} for e in entries)
        count = 0
        # streaming_bulk is lazy: its connection errors surface while iterating, so the loop is inside
        def stream() -> int:
            nonlocal count
            for ok, _item in helpers.streaming_bulk(self.client, actions, chunk_size=chunk, raise_on_error=True,
                                                    refresh=False):
                count += ok
                if progress and count % chunk == 0:
                    progress(count)
            return count

        return self._call(stream)

    def index(self, entries: Iterable[SearchEntry]) -> None:
        self._ensure()
        self._bulk(self.alias, entries)
        if self.refresh:
            self._call(self.client.indices.refresh, index=self.alias)

    def delete(self, ids: Iterable[str]) -> None:
        from opensearchpy import helpers

        self._ensure()
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids]
        self._call(helpers.bulk, self.client, actions, raise_on_error=False)
        if self.refresh:
            self._call(self.client.indices.refresh, index=self.alias)

    def rebuild(self, entries: Iterable[SearchEntry], progress: Callable[[int], None] | None = None) -> int:
        new = f"{self.alias}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S%f}"
        body = {**MAPPING, "settings": {**MAPPING["settings"], "refresh_interval": "-1"}}
        self._call(self.client.indices.create, index=new, body=body)
        count = self._bulk(new, entries, progress)
        self._call(self.client.indices.put_settings, index=new, body={"index": {"refresh_interval": "1s"}})
        self._call(self.client.indices.refresh, index=new)
        # a rebuilt index is read far more than written: one segment makes queries and facets faster
        self._call(self.client.indices.forcemerge, index=new, max_num_segments=1, request_timeout=3600)
        old = list(self._call(self.client.indices.get_alias, name=self.alias, ignore=[404]).keys()) \
            if self._call(self.client.indices.exists_alias, name=self.alias) else []
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old] + [
            {"add": {"index": new, "alias": self.alias}}]
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore=[404])
        if progress:
            progress(count)
        return count

    def _query(self, request: SearchRequest) -> dict:
        parsed, viewer = request.query, request.viewer
        must = []
        for term in parsed.terms:
            text = " ".join(term.words)
            if term.prefix:
                must.append({"multi_match": {"query": text, "fields": FIELDS, "type": "phrase_prefix"}})
            elif len(term.words) > 1:
                must.append({"multi_match": {"query": text, "fields": FIELDS, "type": "phrase"}})
            else:
                must.append({"multi_match": {"query": text, "fields": FIELDS, "operator": "and"}})
        filters = [{"terms": {"org_id": sorted(viewer.organization_ids)}},
                   {"range": {"level": {"lte": viewer.clearance}}}]
        for name, value in sorted(request.filters.items()):
            filters.append({"term": {_FACET_FIELDS[name]: int(value) if name == "year" else str(value)}})
        should = [{"constant_score": {"filter": {"term": {"symbol_key": parsed.symbol}}, "boost": 10_000}}] \
            if parsed.symbol else []
        return {"bool": {"must": must or [{"match_all": {}}], "filter": filters, "should": should}}

    def search(self, request: SearchRequest) -> SearchResult:
        if not request.viewer.organization_ids:
            return SearchResult(0, [], {name: {} for name in FACETS}, request.page, request.page_size)
        self._ensure()
        sort = ["_score", {"date": {"order": "desc", "missing": "_last"}}] if request.sort == "relevance" \
            else [{"date": {"order": "desc", "missing": "_last"}}, "_score"]
        body = {
            "query": self._query(request), "sort": sort, "track_total_hits": True,
            "from": (request.page - 1) * request.page_size, "size": request.page_size,
            "_source": ["doc"],
            "aggs": {name: {"terms": {"field": _FACET_FIELDS[name], "size": 20}} for name in FACETS},
        }
        response = self._call(self.client.search, index=self.alias, body=body)
        hits = []
        for item in response["hits"]["hits"]:
            entry = item["_source"]["doc"]
            text = entry.get("body") or entry.get("title") or ""
            hits.append(Hit(item["_id"], round(item["_score"] or 0.0, 4), public_fields(entry),
                            snippet(text, request.query)))
        facets = {name: {str(b["key"]): b["doc_count"] for b in response["aggregations"][name]["buckets"]}
                  for name in FACETS}
        return SearchResult(response["hits"]["total"]["value"], hits, facets, request.page, request.page_size)

    def count(self) -> int:
        self._ensure()
        return self._call(self.client.count, index=self.alias)["count"]

    def health(self) -> dict:
        try:
            info = self._call(self.client.cluster.health, request_timeout=3)
            return {"backend": self.name, "reachable": True, "status": info.get("status"), "url": self.url}
        except SearchUnavailable as exc:
            return {"backend": self.name, "reachable": False, "error": str(exc), "url": self.url}
        except Exception as exc:
            return {"backend": self.name, "reachable": False, "error": str(exc), "url": self.url}
