"""The SQLite store: schema, FTS5 trigram search, transactions, cascade deletes."""
from __future__ import annotations

import pytest

from corpus.records import Clause, Document, DocumentMeta, Tag
from corpus.store import Store


def _doc(doc_id: str, text: str, sha: str) -> Document:
    return Document(doc_id, f"/x/{doc_id}.txt", sha, text, DocumentMeta(title=f"示例{doc_id}", date="2020-01-01"), "txt")


def _put(store: Store, doc: Document) -> None:
    with store.transaction() as conn:
        store.insert_document(conn, doc, {})
        store.insert_clauses(conn, [Clause(f"{doc.id}:0", doc.id, 0, "", 0, 0, len(doc.text), doc.text)])


def test_search_uses_trigram_index_and_short_fallback(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store, _doc("a", "推进医防融合，落实疾控监督员制度。", "h1"))
        _put(store, _doc("b", "坚持防治结合。", "h2"))
        assert [c.doc_id for c in store.search_clauses("医防融合")] == ["a"]
        assert [c.doc_id for c in store.search_clauses("防治")] == ["b"]  # 2 chars: no trigram, scan
        assert store.search_clauses("医防协同") == []
        plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT rowid FROM clause_fts WHERE clause_fts MATCH '\"医防融\"'").fetchall()
        assert any("VIRTUAL TABLE" in str(tuple(r)) for r in plan)


def test_failed_transaction_leaves_store_untouched(tmp_path):
    with Store(tmp_path / "s.db") as store:
        _put(store, _doc("a", "第一份示例文件。", "h1"))
        with pytest.raises(RuntimeError):
            with store.transaction() as conn:
                store.insert_document(conn, _doc("b", "第二份。", "h2"), {})
                raise RuntimeError("boom")
        assert [d.id for d in store.documents()] == ["a"]
        assert store.search_clauses("第二份") == []


def test_delete_cascades_to_clauses_tags_and_index(tmp_path):
    with Store(tmp_path / "s.db") as store:
        doc = _doc("a", "建立健康积分制度。", "h1")
        _put(store, doc)
        store.replace_tags("a", "h1", "v1", [Tag("a:0", "a", "instrument", "健康积分", "健康积分", 2, 6, "dict:健康积分")])
        with store.transaction() as conn:
            store.delete_document(conn, "a")
        assert store.clauses() == [] and store.tags() == [] and store.search_clauses("健康积分") == []
