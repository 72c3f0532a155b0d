"""PolicyKG explorer (Streamlit). Run with ``policykg app`` — it calls the same jobs as the CLI."""
from __future__ import annotations

import argparse
import html
import os
import sys

import pandas as pd
import streamlit as st

from corpus.store import DEFAULT_DB, Store, document_as_dict
from graph import jobs

TAG_COLOURS = {"instrument": "#ffe08a", "actor": "#b8e0ff", "region": "#c9f2c1", "term": "#f7c6e6",
               "disease": "#e6d3ff", "group": "#e6d3ff"}


def db_path() -> str:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("POLICYKG_DB", DEFAULT_DB))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db


def open_store() -> Store:
    return Store(db_path())


def highlight(text: str, tags, offset: int) -> str:
    """Clause text as HTML with every tag span marked (overlaps: the earlier, longer one wins)."""
    spans = sorted(((t.start - offset, t.end - offset, t) for t in tags), key=lambda s: (s[0], -(s[1] - s[0])))
    out, position = [], 0
    for start, end, tag in spans:
        if start < position:
            continue
        out.append(html.escape(text[position:start]))
        colour = TAG_COLOURS.get(tag.kind, "#eee")
        title = html.escape(f"{tag.kind}: {tag.label} ({tag.source})")
        out.append(f'<mark style="background:{colour}" title="{title}">{html.escape(text[start:end])}</mark>')
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def page_overview(store: Store) -> None:
    st.header("Corpus overview")
    docs = [document_as_dict(d) for d in store.documents()]
    if not docs:
        st.info("The store is empty. Run `policykg build PATH` first.")
        return
    g = jobs.graph(store)
    counts = jobs.graph_counts(g)
    cols = st.columns(4)
    cols[0].metric("Documents", len(docs))
    cols[1].metric("Instruments", counts.get("Instrument", 0))
    cols[2].metric("Regions", counts.get("Region", 0))
    cols[3].metric("Tagged uses", counts.get("USES", 0))
    frame = pd.DataFrame(docs)[["id", "date", "level", "region", "doc_number", "title"]]
    st.dataframe(frame, hide_index=True, use_container_width=True)


def page_timeline(store: Store) -> None:
    st.header("Timeline of a term or instrument")
    term = st.text_input("Term (verbatim) or codebook instrument", value="医防融合", key="timeline_term")
    if not term:
        return
    result = jobs.timeline(store, term)
    cov = result.coverage
    st.caption(f"Matched as {result.matched_as}. Corpus: {cov['documents']} documents, "
               f"{cov['first_year']}–{cov['last_year']}, levels {cov['levels']}.")
    if result.first is None:
        st.warning(f"“{term}” does not appear in the corpus.")
    else:
        first = result.first
        st.success(f"First appears in **{first.title}** ({first.date}), clause {first.evidence[0].number or '—'}")
        st.markdown(f"> {first.evidence[0].clause}")
    if result.not_in_corpus:
        st.info("Catalogue documents dated earlier whose text is not in the corpus (not checked): "
                + "; ".join(f"{d['date']} {d['title']}" for d in result.not_in_corpus))
    if result.by_year:
        st.bar_chart(pd.Series(result.by_year, name="documents"))
    rows = [{"date": e.date, "document": e.title, "clauses": len(e.evidence), "first clause": e.evidence[0].clause[:120]}
            for e in result.documents]
    st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)


def page_regions(store: Store) -> None:
    st.header("Instruments by region")
    level = st.radio("Region of", ["issuer", "mention"], horizontal=True, key="region_level",
                     help="issuer: the document's jurisdiction; mention: a region named in the same clause")
    rows = jobs.instruments_by_region(store, level)
    if not rows:
        st.info("No instruments tagged yet.")
        return
    frame = pd.DataFrame([{k: v for k, v in r.to_dict().items() if k != "evidence"} for r in rows])
    st.dataframe(frame, hide_index=True, use_container_width=True)
    st.subheader("Evidence")
    choice = st.selectbox("Cell", [f"{r.region} × {r.instrument}" for r in rows], key="region_cell")
    row = rows[[f"{r.region} × {r.instrument}" for r in rows].index(choice)]
    for ev in row.evidence:
        clause = store.clause(ev.clause_id)
        st.markdown(f"**{ev.doc_id}** {clause.number if clause else ''} — “{ev.matched}”")
        if clause:
            st.caption(clause.text[:300])


def page_reader(store: Store) -> None:
    st.header("Document reader")
    docs = store.documents()
    if not docs:
        st.info("The store is empty.")
        return
    labels = [f"{d.meta.date or '????'} {d.meta.title or d.id}" for d in docs]
    index = st.selectbox("Document", range(len(docs)), format_func=lambda i: labels[i], key="reader_doc")
    doc = docs[index]
    st.json(document_as_dict(doc), expanded=False)
    tags = store.tags(doc_id=doc.id)
    by_clause: dict[str, list] = {}
    for tag in tags:
        by_clause.setdefault(tag.clause_id, []).append(tag)
    st.markdown(" ".join(f'<mark style="background:{c}">{k}</mark>' for k, c in TAG_COLOURS.items()),
                unsafe_allow_html=True)
    for clause in store.clauses(doc.id):
        st.markdown(f"<p><b>{html.escape(clause.number)}</b> "
                    f"{highlight(clause.text, by_clause.get(clause.id, []), clause.start)}</p>",
                    unsafe_allow_html=True)


PAGES = {"Overview": page_overview, "Timeline": page_timeline, "Instruments by region": page_regions,
         "Reader": page_reader}


def main() -> None:
    st.set_page_config(page_title="PolicyKG", layout="wide")
    st.title("PolicyKG")
    page = st.sidebar.radio("View", list(PAGES), key="page")
    store = open_store()
    try:
        PAGES[page](store)
    finally:
        store.close()


main()
