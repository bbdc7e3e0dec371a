"""Search: one interface, two backends (SQLite FTS5 embedded, OpenSearch in production).

Search depends on no domain: each domain registers the projection of its records
(``register_projection``) and queues updates in the outbox inside its own transactions.
"""


def includeme(config):
    """The search backend chosen by settings, as the ``ISearchBackend`` service, and the outbox
    applied after each commit."""
    from recordsys.search.factory import make_backend
    from recordsys.search.interfaces import ISearchBackend
    from recordsys.search.outbox import install
    from recordsys.services import IHealthCheck
    from recordsys.web import add_navigation

    backend = make_backend(config.get_settings())
    config.register_service(backend, ISearchBackend)
    config.register_service(backend.health, IHealthCheck, name="search")
    install(config.registry["dbsession_factory"], backend)
    config.add_route("api.search", "/api/v1/search")
    config.add_route("search", "/search")
    add_navigation("search", "search", "Search")
    config.scan("recordsys.search.views")
