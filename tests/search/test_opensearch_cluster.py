"""OpenSearch as a cluster: two real nodes, the index with one replica, one node stopped and brought
back while the backend keeps answering; plus the settings that choose OpenSearch."""
import json
import urllib.request

import pytest

from recordsys.config import SettingsError, load_settings
from recordsys.search.interfaces import SearchEntry, SearchRequest
from recordsys.search.query import parse_query
from tests.common.opensearch import start_cluster
from tests.search.test_backends import ENTRIES, ME, ids


def _settings(**values):
    return load_settings({"sqlalchemy.url": "sqlite://", "recordsys.secret": "x", **values}, environ={})


def test_opensearch_settings_and_the_old_elasticsearch_names():
    from recordsys.search.factory import make_backend
    from recordsys.search.opensearch import OpenSearchBackend

    settings = _settings(**{"search.backend": "opensearch", "search.opensearch_url": "http://a:9200, http://b:9200"})
    backend = make_backend(settings)
    assert isinstance(backend, OpenSearchBackend) and backend.name == "opensearch"
    assert len(backend.client.transport.connection_pool.connections) == 2
    old = _settings(**{"search.backend": "elasticsearch", "search.elasticsearch_url": "http://es:9200"})
    assert old["search.backend"] == "opensearch" and old["search.opensearch_url"] == "http://es:9200"
    assert _settings()["search.opensearch_url"] == "http://127.0.0.1:9200"
    with pytest.raises(SettingsError, match="search.opensearch_url must be"):
        _settings(**{"search.backend": "opensearch", "search.opensearch_url": "os1:9200"})
    with pytest.raises(SettingsError, match="'fts5' or 'opensearch'"):
        _settings(**{"search.backend": "solr"})


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _copies(cluster, index: str) -> list[dict]:
    url = next(u for n, u in enumerate(cluster.urls, 1) if n in cluster.running)
    _get(f"{url}/{index}/_refresh")
    return _get(f"{url}/_cat/shards/{index}?format=json&h=prirep,state,docs,node")


def _search(backend, text):
    return backend.search(SearchRequest(parse_query(text), ME))


@pytest.mark.slow
@pytest.mark.opensearch
def test_two_nodes_one_replica_survive_a_node_going_away():
    from recordsys.search.opensearch import OpenSearchBackend

    cluster = start_cluster(2, "1g")
    try:
        assert cluster.wait_health("green", nodes=2, timeout=120), "the two nodes did not form one cluster"
        backend = OpenSearchBackend(cluster.url, prefix="ha", refresh=True)
        backend.index(ENTRIES)
        assert cluster.wait_health("green", nodes=2, timeout=60)
        copies = _copies(cluster, backend.alias)
        assert sorted(c["prirep"] for c in copies) == ["p", "r"] and len({c["node"] for c in copies}) == 2
        before = set(ids(_search(backend, "dat dai")))
        assert before == {"document:1", "document:2", "dossier:1"}

        # the node that is not the cluster manager goes away; the client still lists it first or second
        gone = 2 if cluster.cluster_manager() == 1 else 1
        cluster.stop_node(gone)
        health = cluster.wait_health("yellow", nodes=1, timeout=60)
        assert health and health["number_of_nodes"] == 1
        for _ in range(6):  # each request may first pick the node that is gone
            assert set(ids(_search(backend, "dat dai"))) == before
        assert backend.health()["reachable"] is True
        # writes go on with one copy while the other node is away
        backend.index([SearchEntry("document:90", "document", 2, "Tờ trình trong lúc một nút vắng mặt",
                                   year=2026, date="2026-05-01")])
        assert ids(_search(backend, "luc mot nut vang mat")) == ["document:90"]

        cluster.start_node(gone)
        assert cluster.wait_health("green", nodes=2, timeout=120), "the node did not come back into the cluster"
        backend.index([SearchEntry("document:91", "document", 2, "Tờ trình sau khi nút trở lại",
                                   year=2026, date="2026-05-02")])
        assert ids(_search(backend, "sau khi nut tro lai")) == ["document:91"]
        assert ids(_search(backend, "luc mot nut vang mat")) == ["document:90"]
        copies = _copies(cluster, backend.alias)
        assert len(copies) == 2 and all(c["state"] == "STARTED" for c in copies)
        assert {c["docs"] for c in copies} == {str(len(ENTRIES) + 2)}  # the replica caught up
        # each node alone now answers with everything
        for url in cluster.urls:
            alone = OpenSearchBackend(url, prefix="ha")
            assert {"document:90", "document:91"} <= set(ids(_search(alone, "to trinh")))
    finally:
        cluster.stop()
