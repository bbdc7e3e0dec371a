"""Both search backends behind one fixture, so every behaviour test runs on each."""
import itertools

import pytest

from tests.common import elasticsearch as es
from tests.common.components import missing

_prefix = itertools.count()


@pytest.fixture(scope="session")
def elasticsearch_node():
    if not es.available():
        missing("Elasticsearch", "run scripts/install-elasticsearch")
    node = es.ElasticsearchNode()
    try:
        node.start()
    except RuntimeError as exc:
        missing("Elasticsearch", str(exc))
    yield node
    node.stop()


@pytest.fixture(params=["fts5", "elasticsearch"])
def backend(request, tmp_path):
    if request.param == "fts5":
        from recordsys.search.fts5 import Fts5Backend

        return Fts5Backend(tmp_path / "search.sqlite")
    from recordsys.search.elastic import ElasticsearchBackend

    node = request.getfixturevalue("elasticsearch_node")
    return ElasticsearchBackend(node.url, prefix=f"test{next(_prefix)}", refresh=True)
