"""The two questions of the foundation, on the example corpus: first appearance and region × instrument."""
from __future__ import annotations

from corpus.store import Store
from graph import jobs


def test_timeline_names_the_earliest_document_and_its_clause(examples_db):
    with Store(examples_db) as store:
        result = jobs.timeline(store, "医防融合")
        first = result.first
        assert first.doc_id == "example-2018-zhejiang-family-doctor-notice" and first.date == "2018-03-28"
        evidence = first.evidence[0]
        assert "医防融合" in evidence.clause
        assert store.document(first.doc_id).text[evidence.start:evidence.end] == "医防融合"
        assert [e.date for e in result.documents] == sorted(e.date for e in result.documents)


def test_every_region_count_traces_to_clauses_also_rolled_up_to_provinces(examples_db):
    with Store(examples_db) as store:
        for rows in (jobs.instruments_by_region(store, "issuer"), jobs.instruments_by_region(store, "mention"),
                     jobs.instruments_by_region(store, "issuer", province=True)):
            assert rows
            for row in rows:
                assert row.clauses == len({ev.clause_id for ev in row.evidence})
                assert row.documents == len({ev.doc_id for ev in row.evidence})
                for ev in row.evidence:
                    assert store.document(ev.doc_id).text[ev.start:ev.end] == ev.matched
        by_city = jobs.instruments_by_region(store, "issuer")
        by_province = jobs.instruments_by_region(store, "issuer", province=True)
        regions = {r.region for r in by_province}
        assert "福建省" in regions and "福建省三明市" not in regions
        city_clauses = sum(r.clauses for r in by_city if r.region.startswith("福建省"))
        assert sum(r.clauses for r in by_province if r.region == "福建省") == city_clauses
