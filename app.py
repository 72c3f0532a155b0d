"""PolicyKG explorer (Streamlit).

    policykg --db policykg.db app                   # or
    streamlit run app.py -- --db policykg.db        # (env POLICYKG_DB works too)

Every answer comes from the functions the CLI calls (graph.jobs, mining.verify, mining.report);
this file only lays them out. It never writes to the store.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from corpus.store import DEFAULT_DB, Store, document_as_dict
from corpus.text import ReadError
from graph import jobs
from graph.queries import coverage
from mining.codebook import load_instruments, load_stages, load_terms
from mining import report as render
from mining.verify import VerificationReport, verify_file

TAG_COLOURS = {"instrument": "#ffe08a", "actor": "#b8e0ff", "region": "#c9f2c1", "term": "#f7c6e6",
               "disease": "#e6d3ff", "group": "#ffd6c2"}
EVIDENCE_COLOUR = "#ffe08a"
STATUS_COLOURS = {"ok": "green", "mismatch": "red", "not_found": "orange", "uncertain": "gray"}
MANUSCRIPT_TYPES = ["docx", "md", "txt", "pdf"]
MARKDOWN_SPECIAL = set("\\`*_[]<>$~|")
EVIDENCE_SHOWN = 100     # evidence clauses listed for one region × instrument cell


# -- store ------------------------------------------------------------------------------------

def db_path() -> str:
    """The store given by ``-- --db PATH`` (or env POLICYKG_DB, or ./policykg.db)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--db", default=os.environ.get("POLICYKG_DB", DEFAULT_DB))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db


def open_store(path: str) -> Store:
    # Store() would create an empty file for a wrong path; say so instead.
    if not Path(path).exists():
        st.error(f"No store at `{path}`. Build one first: `policykg --db {path} build [PATH…]`.")
        st.stop()
    return Store(path)


# -- HTML helpers -----------------------------------------------------------------------------

def mark(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """``text`` as HTML with each (start, end, colour, hover title) span marked.

    Offsets are relative to ``text``; where spans overlap, the earlier (then longer) one wins."""
    out, position = [], 0
    for start, end, colour, title in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if start < position or start >= end:
            continue
        out.append(html.escape(text[position:start]))
        out.append(f'<mark style="background:{colour}" title="{html.escape(title)}">'
                   f"{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def show_clause(store: Store, clause_id: str, start: int, end: int, label: str = "") -> None:
    """A stored clause with the document span [start, end) highlighted."""
    clause = store.clause(clause_id)
    if clause is None:
        st.caption(f"(clause {clause_id} is not in the store)")
        return
    spans = [(start - clause.start, end - clause.start, EVIDENCE_COLOUR, label or clause_id)]
    st.markdown(f"<blockquote>{mark(clause.text, spans)}"
                f"<br><small>{html.escape(clause_id)} [{start}–{end}]</small></blockquote>",
                unsafe_allow_html=True)


def md(text) -> str:
    """Text from documents or manuscripts, escaped for st.markdown (``*``, ``[``, ``$`` … are literal)."""
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in str(text))


def doc_label(doc) -> str:
    return f"{doc.meta.date or '????-??-??'} {doc.meta.title or doc.id}"


# -- Overview ---------------------------------------------------------------------------------

def page_overview(store: Store) -> None:
    st.header("Corpus overview")
    docs = store.documents()
    if not docs:
        st.info("The store is empty. Run `policykg build PATH` first.")
        return
    g = jobs.graph(store)
    counts = jobs.graph_counts(g)
    cov = coverage(g)
    cols = st.columns(5)
    cols[0].metric("Documents", len(docs))
    cols[1].metric("Catalogue only", counts.get("Document", 0) - cov["documents"],
                   help="Documents known from the catalogue whose text is not in the corpus")
    cols[2].metric("Instruments", counts.get("Instrument", 0))
    cols[3].metric("Regions", counts.get("Region", 0))
    cols[4].metric("Instrument uses", counts.get("USES", 0))
    st.caption(f"Years {cov['first_year']}–{cov['last_year']}; levels "
               + ", ".join(f"{k} {v}" for k, v in cov["levels"].items()))
    rows = []
    for doc in docs:
        d = document_as_dict(doc)
        rows.append({"id": d["id"], "date": d["date"], "level": d["level"], "region": d["region"],
                     "文号": d["doc_number"], "title": d["title"], "issuers": "；".join(d["issuers"]),
                     "format": d["fmt"], "attachment of": d["parent_id"], "chars": d["chars"]})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    with st.expander("Graph nodes and edges"):
        st.dataframe(pd.DataFrame([{"node or edge": k, "count": v} for k, v in counts.items()]),
                     hide_index=True)


# -- Timeline ---------------------------------------------------------------------------------

def page_timeline(store: Store) -> None:
    st.header("Timeline of a term or instrument")
    term = st.text_input("Term (found verbatim) or codebook instrument (found by any synonym)", value="医防融合",
                         key="timeline_term").strip()
    with st.expander("Codebook terms and instruments"):
        st.markdown("**Terms:** " + "、".join(t.name for t in load_terms()))
        st.markdown("**Instruments:** " + "、".join(i.name for i in load_instruments()))
    if not term:
        return
    result = jobs.timeline(store, term)
    cov = result.coverage
    st.caption(f"Matched as {result.matched_as}. The answer rests on {cov['documents']} documents, "
               f"{cov['first_year']}–{cov['last_year']}, levels "
               + ", ".join(f"{k} {v}" for k, v in cov["levels"].items()) + ".")
    show_first(store, result)
    show_not_in_corpus(result.not_in_corpus)
    if not result.documents:
        return
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Documents per year")
        st.bar_chart(pd.Series(result.by_year, name="documents"))
    with right:
        st.subheader("Per stage")
        st.dataframe(pd.DataFrame(stage_rows(result.by_stage)), hide_index=True)
    st.subheader(f"All {len(result.documents)} documents")
    st.dataframe(pd.DataFrame([{"date": e.date, "title": e.title, "level": e.level, "region": e.region,
                                "clauses": len(e.evidence)} for e in result.documents]),
                 hide_index=True, width="stretch")
    for entry in result.documents:
        with st.expander(f"{entry.date} {md(entry.title)} — {len(entry.evidence)} clauses"):
            for ev in entry.evidence:
                show_clause(store, ev.clause_id, ev.start, ev.end, ev.matched)


def show_first(store: Store, result) -> None:
    first = result.first
    if first is None:
        st.warning(f"“{md(result.term)}” does not appear in the corpus.")
        return
    ev = first.evidence[0]
    st.success(f"First appears in **{md(first.title)}** ({first.date}; {first.level}, {md(first.region)}) "
               f"— `{first.doc_id}`, clause {ev.number or '(unnumbered)'}")
    show_clause(store, ev.clause_id, ev.start, ev.end, ev.matched)


def show_not_in_corpus(documents: list[dict]) -> None:
    if not documents:
        return
    st.warning(f"{len(documents)} catalogue documents dated earlier have no text in the corpus, so an "
               "earlier appearance there cannot be ruled out.")
    with st.expander("Catalogue documents not checked"):
        st.dataframe(pd.DataFrame(documents), hide_index=True, width="stretch")


def stage_rows(by_stage: dict[str, int]) -> list[dict]:
    rows = [{"stage": s.name, "years": f"{s.start}–{s.end or ''}", "documents": by_stage.get(s.name, 0)}
            for s in load_stages()]
    if by_stage.get(""):
        rows.append({"stage": "(no stage)", "years": "", "documents": by_stage[""]})
    return rows


# -- Instruments by region --------------------------------------------------------------------

def page_regions(store: Store) -> None:
    st.header("Instruments by region")
    level = st.radio("Region of", ["issuer", "mention"], horizontal=True, key="region_level",
                     help="issuer: the issuing document's jurisdiction; mention: a region named in the "
                          "same clause as the instrument")
    province = st.checkbox("Roll cities and counties up into their province", key="region_province")
    rows = jobs.instruments_by_region(store, level, province)
    if not rows:
        st.info("No instruments tagged yet.")
        return
    frame = pd.DataFrame([{k: v for k, v in r.to_dict().items() if k != "evidence"} for r in rows])
    st.caption("Documents per region (rows) and instrument (columns)")
    st.dataframe(frame.pivot_table(index="region", columns="instrument", values="documents", aggfunc="sum",
                                   fill_value=0), width="stretch")
    with st.expander("As rows (with clause counts)"):
        st.dataframe(frame, hide_index=True, width="stretch")
    st.subheader("Evidence of a cell")
    index = st.selectbox("Region × instrument", range(len(rows)), key="region_cell",
                         format_func=lambda i: f"{rows[i].region} × {rows[i].instrument} "
                                               f"({rows[i].documents} documents, {rows[i].clauses} clauses)")
    evidence = rows[index].evidence
    if len(evidence) > EVIDENCE_SHOWN:
        st.caption(f"The first {EVIDENCE_SHOWN} of {len(evidence)} clauses (all of them: "
                   f"`policykg instruments --by region --level {level} --format json`)")
    titles = {d.id: doc_label(d) for d in store.documents()}
    for ev in evidence[:EVIDENCE_SHOWN]:
        st.markdown(f"**{md(titles.get(ev.doc_id, ev.doc_id))}** — “{md(ev.matched)}”")
        show_clause(store, ev.clause_id, ev.start, ev.end, f"{rows[index].instrument}: {ev.matched}")


# -- Reader -----------------------------------------------------------------------------------

def page_reader(store: Store) -> None:
    st.header("Document reader")
    docs = {d.id: d for d in store.documents()}
    if not docs:
        st.info("The store is empty.")
        return
    doc_id = st.selectbox("Document", list(docs), format_func=lambda i: doc_label(docs[i]), key="reader_doc")
    doc = docs[doc_id]
    show_metadata(store, doc)
    tags = store.tags(doc_id=doc.id)
    kinds = sorted({t.kind for t in tags}, key=lambda k: list(TAG_COLOURS).index(k) if k in TAG_COLOURS else 99)
    shown = st.multiselect("Highlight", kinds, default=kinds, key="reader_kinds")
    st.markdown(legend(tags, shown), unsafe_allow_html=True)
    by_clause: dict[str, list] = {}
    for tag in tags:
        if tag.kind in shown:
            by_clause.setdefault(tag.clause_id, []).append(tag)
    for clause in store.clauses(doc.id):
        spans = [(t.start - clause.start, t.end - clause.start, TAG_COLOURS.get(t.kind, "#eee"),
                  f"{t.kind}: {t.label} ({t.source})") for t in by_clause.get(clause.id, [])]
        # the clause text starts with its own numbering (一、/（一）…), so only indent by level
        st.markdown(f'<p style="margin-left:{1.5 * max(clause.level - 1, 0)}em">{mark(clause.text, spans)}</p>',
                    unsafe_allow_html=True)
    with st.expander(f"All {len(tags)} tags"):
        st.dataframe(pd.DataFrame([{"kind": t.kind, "label": t.label, "matched": t.matched, "start": t.start,
                                    "end": t.end, "rule": t.source, "category": t.category} for t in tags]),
                     hide_index=True, width="stretch")


def show_metadata(store: Store, doc) -> None:
    m = doc.meta
    facts = [m.doc_number or "(no 文号)", "；".join(m.issuers) or "(issuer?)", m.date or "(date?)", m.level or "?",
             m.region or "?"]
    st.markdown(f"**{md(m.title or doc.id)}**  \n" + " · ".join(md(f) for f in facts))
    with st.expander("Metadata and where each field came from"):
        st.json({**document_as_dict(doc), "field_sources": store.meta_source(doc.id)})


def legend(tags, shown: list[str]) -> str:
    counts = {k: sum(t.kind == k for t in tags) for k in shown}
    return " ".join(f'<mark style="background:{TAG_COLOURS.get(k, "#eee")}">{html.escape(k)} ({n})</mark>'
                    for k, n in counts.items()) + " <small>— hover a mark for its label and rule</small>"


# -- Verify manuscript ------------------------------------------------------------------------

def verify_bytes(store: Store, name: str, data: bytes) -> dict:
    """Verify a manuscript given as file bytes (an upload, or pasted text as .txt): {"report", "downloads"},
    or {"error"} when the file cannot be read.

    Both paths go through verify_file, as `policykg verify` does. The result is kept in the session
    so that reruns (e.g. a click on a checkbox) do not verify again."""
    key = hashlib.sha256(name.encode() + b"\0" + data).hexdigest()
    cache = st.session_state.setdefault("verified", {})
    if key not in cache:
        cache.clear()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            try:
                report = verify_file(path, store)
            except ReadError as exc:
                cache[key] = {"error": f"{path.name}: {exc.reason}"}
            else:
                # rendered while the file exists: the annotated .docx is a copy of an uploaded .docx
                cache[key] = {"report": report, "downloads": render_downloads(report)}
    return cache[key]


def render_downloads(report: VerificationReport) -> dict[str, tuple[str, bytes, str]]:
    """Download label → (file name, bytes, MIME type), rendered as `policykg verify --format …` does."""
    stem = Path(report.manuscript).stem or "manuscript"
    return {
        "JSON": (f"{stem}.verify.json", render.render_json(report).encode("utf-8"), "application/json"),
        "Markdown": (f"{stem}.verify.md", render.render_markdown(report).encode("utf-8"), "text/markdown"),
        "HTML": (f"{stem}.verify.html", render.render_html(report).encode("utf-8"), "text/html"),
        "Word (annotated)": (f"{stem}.verify.docx", render.render_docx(report),
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    }


def page_verify(store: Store) -> None:
    st.header("Verify a manuscript")
    st.caption("Finds the policy documents a manuscript cites and checks each claim (existence, title, year, "
               "issuer, 文号, quotations, “first appeared” claims, places) against the corpus, with evidence.")
    upload = st.file_uploader("Manuscript", type=MANUSCRIPT_TYPES, key="verify_upload")
    text = st.text_area("…or paste text", key="verify_text", height=150)
    st.button("Verify pasted text", key="verify_run")  # a click commits the text area and reruns
    if upload is not None:
        result = verify_bytes(store, upload.name, upload.getvalue())
    elif text.strip():
        result = verify_bytes(store, "pasted.txt", text.encode("utf-8"))
    else:
        return
    if "error" in result:
        st.error(f"Cannot read the manuscript — {result['error']}")
        return
    show_downloads(result["downloads"])
    show_report(store, result["report"])


def show_downloads(downloads: dict[str, tuple[str, bytes, str]]) -> None:
    cols = st.columns(len(downloads))
    for col, (fmt, (filename, data, mime)) in zip(cols, downloads.items()):
        col.download_button(f"Download {fmt}", data, file_name=filename, mime=mime,
                            key=f"verify_download_{fmt.split()[0].lower()}", on_click="ignore")


def show_report(store: Store, report: VerificationReport) -> None:
    counts = report.counts()
    problems = sum(1 for c in report.citations if c.problems)
    st.subheader(f"{len(report.citations)} citation(s), {problems} with problems")
    st.markdown(" ".join(status_badge(s, f"{s} {counts.get(s, 0)}") for s in STATUS_COLOURS))
    st.caption(render.coverage_line(report))
    if not report.citations:
        st.info("No citations of policy documents found.")
        return
    st.dataframe(pd.DataFrame(check_rows(report)), hide_index=True, width="stretch")
    only_problems = st.checkbox("Only citations with problems", key="verify_only_problems")
    for citation in report.citations:
        if not only_problems or citation.problems:
            show_citation(store, citation)


def check_rows(report: VerificationReport) -> list[dict]:
    return [{"#": c.id, "cited": c.cited, "check": check.kind, "status": check.status,
             "claimed": plain(check.claimed), "found": render.found_value(check), "note": check.note}
            for c in report.citations for check in c.checks]


def plain(value) -> str:
    if isinstance(value, list | tuple):
        return "；".join(map(plain, value))
    return "" if value is None else str(value)


def status_badge(status: str, label: str) -> str:
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{label}]"


def show_citation(store: Store, citation) -> None:
    doc = citation.document
    target = f"{doc.title} ({doc.date})" if doc else "no document found"
    with st.expander(f"#{citation.id} 《{md(citation.cited)}》 → {md(target)}", expanded=bool(citation.problems)):
        st.markdown(" ".join(status_badge(c.status, f"{c.kind}: {c.status}") for c in citation.checks))
        st.caption(render.citation_verdict(citation))
        st.markdown(f"> {md(citation.sentence)}")
        for check in citation.checks:
            show_check(store, check)


def show_check(store: Store, check) -> None:
    st.markdown(f"{status_badge(check.status, check.status)} **{check.kind}** — claimed "
                f"“{md(plain(check.claimed))}”; found “{md(render.found_value(check))}”  \n{md(check.note)}")
    if check.kind == "quote" and check.found.get("diff"):
        claimed, found = render.diff_html(check)
        st.markdown(f"<small>manuscript:</small> {claimed}<br><small>corpus:</small> {found}",
                    unsafe_allow_html=True)
    if check.evidence and check.evidence.clause:
        show_clause(store, check.evidence.clause, check.evidence.start, check.evidence.end, check.kind)


# -- main -------------------------------------------------------------------------------------

PAGES = {"Overview": page_overview, "Timeline": page_timeline, "Instruments by region": page_regions,
         "Reader": page_reader, "Verify manuscript": page_verify}


def main() -> None:
    st.set_page_config(page_title="PolicyKG", layout="wide")
    path = db_path()
    st.sidebar.title("PolicyKG")
    page = st.sidebar.radio("View", list(PAGES), key="page")
    st.sidebar.caption(f"Store: `{path}`")
    store = open_store(path)
    try:
        PAGES[page](store)
    finally:
        store.close()


main()
