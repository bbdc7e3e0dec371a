"""Both search backends behind one fixture, so every behaviour test runs on each."""
import itertools

import pytest

from tests.common.opensearch import start_cluster

_prefix = itertools.count()


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
