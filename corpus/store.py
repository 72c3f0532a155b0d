"""The SQLite store: documents, clauses, a trigram FTS5 index over clauses, and mined tags.

One file (default ``./policykg.db``). Every write that belongs to one source file happens in one
transaction, so a failure leaves what was stored before untouched.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus.records import Clause, Document, DocumentMeta, Tag

DEFAULT_DB = "policykg.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    fmt TEXT NOT NULL,
    encoding TEXT,
    parent_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
    title TEXT,
    doc_number TEXT,
    issuers TEXT NOT NULL DEFAULT '[]',
    date TEXT,
    level TEXT,
    region TEXT,
    doc_type TEXT,
    short_titles TEXT NOT NULL DEFAULT '[]',
    attachment_title TEXT,
    catalog_id TEXT,
    url TEXT,
    meta_source TEXT NOT NULL DEFAULT '{}',
    text TEXT NOT NULL,
    chars INTEGER NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS clauses (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    number TEXT NOT NULL,
    level INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clauses_doc ON clauses(doc_id, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS clause_fts USING fts5(
    text, content='clauses', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS clauses_ai AFTER INSERT ON clauses BEGIN
    INSERT INTO clause_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS clauses_ad AFTER DELETE ON clauses BEGIN
    INSERT INTO clause_fts(clause_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TABLE IF NOT EXISTS titles (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (doc_id, title)
);
CREATE INDEX IF NOT EXISTS titles_title ON titles(title);
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,
    clause_id TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    matched TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    source TEXT NOT NULL,
    score REAL NOT NULL,
    category TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_doc ON tags(doc_id);
CREATE INDEX IF NOT EXISTS tags_label ON tags(kind, label);
CREATE TABLE IF NOT EXISTS mined (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    pipeline TEXT NOT NULL
);
"""

_META_LIST_FIELDS = ("issuers", "short_titles")


@dataclass
class StoredMeta:
    """A stored document without its text (for readers that load texts only when needed)."""

    id: str
    parent_id: str | None
    meta: DocumentMeta


class Store:
    def __init__(self, path: str | Path = DEFAULT_DB):
        self.path = str(path)
        self.conn = sqlite3.connect(self.path)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: commit on success, roll back on any exception."""
        with self.conn:
            yield self.conn

    # -- documents ------------------------------------------------------------------------

    def doc_id_for_hash(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row["id"] if row else None

    def has_document(self, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def path_of(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT path FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row["path"] if row else None

    def insert_document(self, conn: sqlite3.Connection, doc: Document, meta_source: dict[str, str]) -> None:
        m = doc.meta
        conn.execute(
            """INSERT INTO documents (id, path, sha256, fmt, encoding, parent_id, title, doc_number,
                   issuers, date, level, region, doc_type, short_titles, attachment_title, catalog_id,
                   url, meta_source, text, chars)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (doc.id, doc.path, doc.sha256, doc.fmt, doc.encoding, doc.parent_id, m.title, m.doc_number,
             json.dumps(m.issuers, ensure_ascii=False), m.date, m.level, m.region, m.doc_type,
             json.dumps(m.short_titles, ensure_ascii=False), m.attachment_title, m.catalog_id, m.url,
             json.dumps(meta_source, ensure_ascii=False), doc.text, len(doc.text)),
        )

    def insert_clauses(self, conn: sqlite3.Connection, clauses: Iterable[Clause]) -> None:
        conn.executemany(
            "INSERT INTO clauses (id, doc_id, ordinal, number, level, start, end, text) VALUES (?,?,?,?,?,?,?,?)",
            [(c.id, c.doc_id, c.ordinal, c.number, c.level, c.start, c.end, c.text) for c in clauses],
        )

    def insert_titles(self, conn: sqlite3.Connection, doc_id: str, titles: Iterable[tuple[str, str]]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO titles (doc_id, title, kind) VALUES (?,?,?)",
            [(doc_id, title, kind) for title, kind in titles if title],
        )

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> None:
        """Remove a document with its attachments, clauses, titles and tags (cascade)."""
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def documents(self) -> list[Document]:
        rows = self.conn.execute("SELECT * FROM documents ORDER BY date IS NULL, date, id").fetchall()
        return [_row_to_document(r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _row_to_document(row) if row else None

    def document_metas(self) -> list[StoredMeta]:
        """Every stored document's metadata, without its text, by id."""
        rows = self.conn.execute(
            "SELECT id, parent_id, title, doc_number, issuers, date, level, region, doc_type, short_titles, "
            "attachment_title, catalog_id, url FROM documents ORDER BY id")
        return [StoredMeta(r["id"], r["parent_id"], _row_to_meta(r)) for r in rows]

    def document_text(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row["text"] if row else None

    def documents_stamp(self) -> tuple[int, int]:
        """(number of documents, highest rowid): changes whenever documents are added or removed."""
        row = self.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM documents").fetchone()
        return row[0], row[1]

    def meta_source(self, doc_id: str) -> dict[str, str]:
        row = self.conn.execute("SELECT meta_source FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row["meta_source"]) if row else {}

    def titles(self) -> list[tuple[str, str, str]]:
        """(doc_id, title, kind) for every known title of every stored document."""
        return [tuple(r) for r in self.conn.execute("SELECT doc_id, title, kind FROM titles")]

    def document_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    # -- clauses --------------------------------------------------------------------------

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        if doc_id is None:
            rows = self.conn.execute("SELECT * FROM clauses ORDER BY doc_id, ordinal")
        else:
            rows = self.conn.execute("SELECT * FROM clauses WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_row_to_clause(r) for r in rows]

    def clause(self, clause_id: str) -> Clause | None:
        row = self.conn.execute("SELECT * FROM clauses WHERE id = ?", (clause_id,)).fetchone()
        return _row_to_clause(row) if row else None

    def search_clauses(self, needle: str, limit: int | None = None) -> list[Clause]:
        """Clauses whose text contains ``needle`` verbatim.

        The trigram index answers needles of three characters or more; shorter ones fall back to
        ``instr`` (a scan), since a trigram index cannot match them.
        """
        if not needle:
            return []
        lim = "" if limit is None else f" LIMIT {int(limit)}"
        if len(needle) >= 3:
            sql = ("SELECT c.* FROM clause_fts f JOIN clauses c ON c.rowid = f.rowid "
                   "WHERE clause_fts MATCH ? AND instr(c.text, ?) > 0 ORDER BY c.doc_id, c.ordinal" + lim)
            rows = self.conn.execute(sql, (_fts_phrase(needle), needle))
        else:
            rows = self.conn.execute(
                "SELECT * FROM clauses WHERE instr(text, ?) > 0 ORDER BY doc_id, ordinal" + lim, (needle,))
        return [_row_to_clause(r) for r in rows]

    # -- tags -----------------------------------------------------------------------------

    def mined_pipeline(self, doc_id: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT sha256, pipeline FROM mined WHERE doc_id = ?", (doc_id,)).fetchone()
        return (row["sha256"], row["pipeline"]) if row else None

    def replace_tags(self, doc_id: str, sha256: str, pipeline: str, tags: Iterable[Tag]) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM tags WHERE doc_id = ?", (doc_id,))
            conn.executemany(
                "INSERT INTO tags (clause_id, doc_id, kind, label, matched, start, end, source, score, category)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(t.clause_id, t.doc_id, t.kind, t.label, t.matched, t.start, t.end, t.source, t.score,
                  t.category) for t in tags],
            )
            conn.execute("INSERT OR REPLACE INTO mined (doc_id, sha256, pipeline) VALUES (?,?,?)",
                         (doc_id, sha256, pipeline))

    def tags(self, kind: str | None = None, doc_id: str | None = None, label: str | None = None) -> list[Tag]:
        where, args = [], []
        for column, value in (("kind", kind), ("doc_id", doc_id), ("label", label)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM tags" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY doc_id, start"
        return [Tag(**{k: r[k] for k in r.keys() if k != "id"}) for r in self.conn.execute(sql, args)]


def _fts_phrase(needle: str) -> str:
    """Quote a string as one FTS5 phrase (double quotes inside are doubled)."""
    return '"' + needle.replace('"', '""') + '"'


def _row_to_meta(row: sqlite3.Row) -> DocumentMeta:
    return DocumentMeta(
        title=row["title"], doc_number=row["doc_number"], issuers=json.loads(row["issuers"]),
        date=row["date"], level=row["level"], region=row["region"], doc_type=row["doc_type"],
        short_titles=json.loads(row["short_titles"]), attachment_title=row["attachment_title"],
        catalog_id=row["catalog_id"], url=row["url"],
    )


def _row_to_document(row: sqlite3.Row) -> Document:
    meta = _row_to_meta(row)
    return Document(id=row["id"], path=row["path"], sha256=row["sha256"], text=row["text"], meta=meta,
                    fmt=row["fmt"], encoding=row["encoding"], parent_id=row["parent_id"])


def _row_to_clause(row: sqlite3.Row) -> Clause:
    return Clause(id=row["id"], doc_id=row["doc_id"], ordinal=row["ordinal"], number=row["number"],
                  level=row["level"], start=row["start"], end=row["end"], text=row["text"])


def document_as_dict(doc: Document, with_text: bool = False) -> dict:
    """A JSON-ready view of a stored document's metadata."""
    out = {"id": doc.id, "path": doc.path, "fmt": doc.fmt, "parent_id": doc.parent_id, **asdict(doc.meta),
           "chars": len(doc.text)}
    if with_text:
        out["text"] = doc.text
    return out
