"""Both search backends behind one fixture, so every behaviour test runs on each."""
import itertools

import pytest

from tests.common import opensearch as osn
from tests.common.components import missing

_prefix = itertools.count()


def start_cluster(nodes: int, heap: str):
    if not osn.available():
        missing("OpenSearch", "run scripts/install-opensearch (and have java on PATH)")
    cluster = osn.OpenSearchCluster(nodes=nodes, heap=heap)
    try:
        cluster.start()
    except RuntimeError as exc:
        missing("OpenSearch", str(exc))
    return cluster


@pytest.fixture(scope="session")
def opensearch_node():
    node = start_cluster(1, "768m")
    yield node
    node.stop()


@pytest.fixture(params=["fts5", "opensearch"])
def backend(request, tmp_path):
    if request.param == "fts5":
        from recordsys.search.fts5 import Fts5Backend

        return Fts5Backend(tmp_path / "search.sqlite")
    from recordsys.search.opensearch import OpenSearchBackend

    node = request.getfixturevalue("opensearch_node")
    return OpenSearchBackend(node.url, prefix=f"test{next(_prefix)}", refresh=True)
