"""The embedded search backend: SQLite FTS5 in its own file, beside the main database.

Folded text (see folding.py) is indexed with the unicode61 tokenizer; filters and facets are plain
columns of an ``entries`` table joined on rowid. ``rebuild`` writes a new file and renames it over
the old one, so searches never see a half-built index.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, kind TEXT, org_id INTEGER, level INTEGER,
    year INTEGER, type TEXT, issuer TEXT, status TEXT, retention TEXT, date TEXT, symbol_key TEXT,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_symbol ON entries(symbol_key);
CREATE INDEX IF NOT EXISTS entries_org_date ON entries(org_id, date);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title_f, symbol_f, people_f, body_f, tokenize = 'unicode61 remove_diacritics 0');
"""
_FACET_COLUMNS = {"kind": "kind", "year": "year", "type": "type", "issuer": "issuer", "status": "status",
                  "retention": "retention"}


def _fts_query(parsed) -> str:
    parts = []
    for term in parsed.terms:
        phrase = " ".join(term.words)
        parts.append(f'"{phrase}"' + ("*" if term.prefix else ""))
    return " AND ".join(parts)


class Fts5Backend:
    name = "fts5"

    def __init__(self, path: str | Path, candidates: int = 2000):
        self.path = Path(path)
        self.candidates = candidates
        self._local = threading.local()

    # connections -------------------------------------------------------------
    def _connect(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        return conn

    def _conn(self) -> sqlite3.Connection:
        try:
            identity = os.stat(self.path).st_ino
        except FileNotFoundError:
            identity = None
        cached = getattr(self._local, "conn", None)
        if cached is None or self._local.identity != identity or identity is None:
            if cached is not None:
                cached.close()
            try:
                self._local.conn = self._connect(self.path)
            except sqlite3.Error as exc:
                raise SearchUnavailable("The search index ${path} cannot be opened: ${exc}.", mapping={"path": self.path, "exc": exc}) from None
            self._local.identity = os.stat(self.path).st_ino
        return self._local.conn

    # writing -----------------------------------------------------------------
    @staticmethod
    def _write(conn: sqlite3.Connection, entries: Iterable[SearchEntry]) -> int:
        count = 0
        for entry in entries:
            fields = entry.indexed_fields()
            row = conn.execute("SELECT rowid FROM entries WHERE id = ?", (entry.id,)).fetchone()
            values = (entry.id, entry.kind, entry.organization_id, entry.level, entry.year, entry.type,
                      entry.issuer, entry.status, entry.retention, entry.date, fields["symbol_key"],
                      json.dumps(entry.to_dict(), ensure_ascii=False))
            if row:
                conn.execute("DELETE FROM fts WHERE rowid = ?", row)
                conn.execute("UPDATE entries SET id=?, kind=?, org_id=?, level=?, year=?, type=?, issuer=?, "
                             "status=?, retention=?, date=?, symbol_key=?, doc=? WHERE rowid=?", (*values, row[0]))
                rowid = row[0]
            else:
                rowid = conn.execute("INSERT INTO entries (id, kind, org_id, level, year, type, issuer, status, "
                                     "retention, date, symbol_key, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                     values).lastrowid
            conn.execute("INSERT INTO fts (rowid, title_f, symbol_f, people_f, body_f) VALUES (?,?,?,?,?)",
                         (rowid, fields["title_f"], fields["symbol_f"], fields["people_f"], fields["body_f"]))
            count += 1
        return count

    def index(self, entries: Iterable[SearchEntry]) -> None:
        conn = self._conn()
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            self._write(conn, entries)

    def delete(self, ids: Iterable[str]) -> None:
        conn = self._conn()
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for entry_id in ids:
                row = conn.execute("SELECT rowid FROM entries WHERE id = ?", (entry_id,)).fetchone()
                if row:
                    conn.execute("DELETE FROM fts WHERE rowid = ?", row)
                    conn.execute("DELETE FROM entries WHERE rowid = ?", row)

    def rebuild(self, entries: Iterable[SearchEntry], progress: Callable[[int], None] | None = None,
                batch: int = 2000) -> int:
        """Build a fresh index file beside the live one, then swap it in with one rename."""
        new = self.path.with_suffix(".rebuild")
        for suffix in ("", "-wal", "-shm"):
            Path(str(new) + suffix).unlink(missing_ok=True)
        conn = self._connect(new)
        conn.execute("PRAGMA journal_mode=OFF")
        total, chunk = 0, []
        try:
            conn.execute("BEGIN")
            for entry in entries:
                chunk.append(entry)
                if len(chunk) >= batch:
                    total += self._write(conn, chunk)
                    chunk = []
                    if progress:
                        progress(total)
            total += self._write(conn, chunk)
            conn.execute("COMMIT")
            conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            if progress:
                progress(total)
        finally:
            conn.close()
        os.replace(new, self.path)
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        return total

    # reading -----------------------------------------------------------------
    def _where(self, request: SearchRequest, params: list) -> str:
        viewer = request.viewer
        if not viewer.organization_ids:
            return "0"
        marks = ",".join("?" * len(viewer.organization_ids))
        params += sorted(viewer.organization_ids)
        clauses = [f"e.org_id IN ({marks})", "e.level <= ?"]
        params.append(viewer.clearance)
        for name, value in sorted(request.filters.items()):
            clauses.append(f"e.{_FACET_COLUMNS[name]} = ?")
            params.append(int(value) if name == "year" else str(value))
        return " AND ".join(clauses)

    def search(self, request: SearchRequest) -> SearchResult:
        """Rank and count facets over the matches; when a query matches more than ``candidates``
        records, over the newest ``candidates`` of them (plus any exact number-and-symbol match),
        and the total is then an estimate (``total_exact`` false). This keeps broad queries on a
        large archive fast; the exact lookups and narrow queries are unaffected."""
        conn = self._conn()
        parsed = request.query
        params: list = []
        try:
            if parsed.terms:
                fts_query = _fts_query(parsed)
                matched = conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (fts_query,)).fetchone()[0]
                source = (f"(SELECT rowid, bm25(fts, 10.0, 6.0, 2.0, 1.0) AS score FROM fts WHERE fts MATCH ? "
                          f"ORDER BY rowid DESC LIMIT {self.candidates})")
                params.append(fts_query)
            else:
                matched = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
                source = f"(SELECT rowid, 0.0 AS score FROM entries ORDER BY rowid DESC LIMIT {self.candidates})"
            if parsed.symbol:  # an exact number-and-symbol match is always a candidate
                source = f"(SELECT * FROM {source} UNION SELECT rowid, -1000.0 FROM entries WHERE symbol_key = ?)"
                params.append(parsed.symbol)
            where = self._where(request, params)
            conn.execute("DROP TABLE IF EXISTS temp.matches")
            conn.execute(f"CREATE TEMP TABLE matches AS SELECT e.rowid AS rowid, min(m.score) AS score, "
                         f"e.symbol_key = ? AS exact, e.date AS date, e.kind, e.year, e.type, e.issuer, "
                         f"e.status, e.retention FROM {source} m JOIN entries e ON e.rowid = m.rowid "
                         f"WHERE {where} GROUP BY e.rowid", [parsed.symbol, *params])
            kept = conn.execute("SELECT count(*) FROM matches").fetchone()[0]
            sampled = matched > self.candidates
            total = round(kept * matched / self.candidates) if sampled else kept
            order = ("m.exact DESC, m.score ASC, m.date DESC" if request.sort == "relevance"
                     else "m.date DESC, m.score ASC")
            rows = conn.execute(
                f"SELECT e.id, m.score, e.doc FROM matches m JOIN entries e ON e.rowid = m.rowid "
                f"ORDER BY {order} LIMIT ? OFFSET ?",
                (request.page_size, (request.page - 1) * request.page_size)).fetchall()
            facets = {}
            for name in FACETS:
                column = _FACET_COLUMNS[name]
                facets[name] = {str(value): count for value, count in conn.execute(
                    f"SELECT {column}, count(*) FROM matches WHERE {column} IS NOT NULL "
                    f"GROUP BY {column} ORDER BY count(*) DESC LIMIT 20")}
        except sqlite3.OperationalError as exc:
            raise SearchUnavailable("The search index could not answer: ${exc}.", mapping={"exc": exc}) from None
        hits = []
        for entry_id, score, doc in rows:
            entry = json.loads(doc)
            text = entry.get("body") or entry.get("title") or ""
            hits.append(Hit(entry_id, round(-score, 4), public_fields(entry), snippet(text, parsed)))
        return SearchResult(total, hits, facets, request.page, request.page_size, total_exact=not sampled)

    def count(self) -> int:
        return self._conn().execute("SELECT count(*) FROM entries").fetchone()[0]

    def health(self) -> dict:
        try:
            return {"backend": self.name, "reachable": True, "documents": self.count()}
        except (SearchUnavailable, sqlite3.Error) as exc:
            return {"backend": self.name, "reachable": False, "error": str(exc)}
