"""Search: one interface, two backends (SQLite FTS5 embedded, Elasticsearch in production)."""
