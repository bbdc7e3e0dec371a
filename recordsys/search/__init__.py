"""Search: one interface, two backends (SQLite FTS5 embedded, OpenSearch in production)."""


def includeme(config):
    """The search backend chosen by settings, and the outbox applied after each commit."""
    from recordsys.search.factory import make_backend
    from recordsys.search.outbox import install

    backend = make_backend(config.get_settings())
    config.registry["search_backend"] = backend
    install(config.registry["dbsession_factory"], backend)
    config.add_route("api.search", "/api/v1/search")
    config.add_route("search", "/search")
    from recordsys.web import add_navigation

    add_navigation("search", "search", "Search")
    config.scan("recordsys.search.views")
