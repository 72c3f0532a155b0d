"""Renderers of a VerificationReport: JSON, Markdown, HTML (evidence side by side, quotation
differences marked with <del>/<ins>), and a .docx copy of the manuscript with one Word comment per
citation (python-docx ≥ 1.2, ``Document.add_comment``).

In a quotation diff, <del> marks what the manuscript has and the corpus does not (added or changed
characters); <ins> marks what the corpus has and the manuscript lacks.
"""
from __future__ import annotations

import copy
import html
import io
import json
from pathlib import Path

from mining.manuscript import Manuscript, docx_paragraphs
from mining.verify import Check, CitationResult, VerificationReport

AUTHOR = "PolicyKG"
INITIALS = "PKG"
MARK = {"ok": "✔", "mismatch": "✖", "not_found": "?", "uncertain": "~"}
LABEL = {"exists": "document", "title": "title", "year": "year", "issuer": "issuer", "doc_number": "文号",
         "quote": "quotation", "first_appearance": "first appearance", "region": "place"}


def render_json(report: VerificationReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


# -------------------------------------------------------------------------------- shared pieces


def summary_line(report: VerificationReport) -> str:
    counts = report.counts()
    flagged = sum(1 for c in report.citations if c.problems)
    parts = [f"{counts.get(s, 0)} {s}" for s in ("ok", "mismatch", "not_found", "uncertain")]
    return (f"{len(report.citations)} citations, {flagged} with problems; checks: " + ", ".join(parts))


def coverage_line(report: VerificationReport) -> str:
    cov = report.coverage or {}
    if not cov:
        return ""
    levels = ", ".join(f"{k} {v}" for k, v in (cov.get("levels") or {}).items())
    return (f"Checked against a corpus of {cov.get('documents')} documents ({cov.get('first_year')}–"
            f"{cov.get('last_year')}; {levels}) and {cov.get('catalogue_only', 0)} catalogue entries "
            "known by metadata only. Answers are bounded by this corpus.")


def citation_verdict(citation: CitationResult) -> str:
    problems = citation.problems
    if problems:
        return "problem: " + ", ".join(f"{LABEL[c.kind]} {c.status}" for c in problems)
    if any(c.status == "uncertain" for c in citation.checks):
        return "no contradiction found; some points could not be checked"
    return "all checks passed"


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def found_value(check: Check) -> str:
    """What the corpus says, in a few words."""
    f = check.found or {}
    if check.kind == "exists":
        return f"《{f['title']}》 ({f.get('date') or 'no date'})" if f.get("title") else ""
    if check.kind == "title":
        return f"《{f.get('official', '')}》"
    if check.kind == "year":
        return _value(f.get("date") or f.get("year"))
    if check.kind == "issuer":
        return _value(f.get("issuers"))
    if check.kind == "doc_number":
        owner = f.get("belongs_to")
        return _value(f.get("doc_number")) + (f" (belongs to 《{owner['title']}》)" if owner else "")
    if check.kind == "quote":
        return f.get("passage", "")
    if check.kind == "first_appearance":
        e = f.get("earliest")
        return f"earliest: 《{e['title']}》 ({e['date']})" if e else "no document contains it"
    if check.kind == "region":
        return _value(f.get("division"))
    return ""


def diff_html(check: Check) -> tuple[str, str]:
    """(manuscript side, corpus side) of a quotation with differences marked."""
    ops = (check.found or {}).get("diff") or []
    if not ops:
        return html.escape(_value(check.claimed)), html.escape(found_value(check))
    left, right = [], []
    for op in ops:
        q, p = html.escape(op["quote"]), html.escape(op["passage"])
        if op["op"] == "equal":
            left.append(q)
            right.append(p)
        else:
            if q:
                left.append(f"<del>{q}</del>")
            if p:
                right.append(f"<ins>{p}</ins>")
    return "".join(left), "".join(right)


def evidence_text(check: Check) -> str:
    ev = check.evidence
    if ev is None:
        return ""
    return f"{ev.doc_id} {ev.clause} [{ev.start}:{ev.end}]".strip()


# -------------------------------------------------------------------------------- Markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: VerificationReport) -> str:
    lines = [f"# Citation check: {report.manuscript}", "", summary_line(report), ""]
    if coverage_line(report):
        lines += [f"> {coverage_line(report)}", ""]
    lines += ["Statuses: ✔ ok · ✖ mismatch · ? not found · ~ uncertain. In quotations, <del>struck</del> text is "
              "in the manuscript but not in the corpus; <ins>underlined</ins> text is in the corpus but not in "
              "the manuscript.", ""]
    for c in report.citations:
        doc = f" → 《{c.document.title}》 ({c.document.date or 'no date'}, `{c.document.id}`)" if c.document else \
            " → not found"
        lines += [f"## [{c.id}] 《{c.cited}》{doc}", "", f"> {c.sentence}", "", f"**{citation_verdict(c)}**", "",
                  "| check | status | manuscript says | corpus says | evidence | note |",
                  "|---|---|---|---|---|---|"]
        for check in c.checks:
            if check.kind == "quote":
                claimed, found = diff_html(check)
            else:
                claimed, found = html.escape(_value(check.claimed)), html.escape(found_value(check))
            lines.append("| " + " | ".join(_md_cell(x) for x in (
                LABEL[check.kind], f"{MARK[check.status]} {check.status}", claimed, found,
                evidence_text(check), check.note)) + " |")
        lines.append("")
    return "\n".join(lines)


# -------------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1200px;margin:2em auto;color:#222}
h1{font-size:1.5em} h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #ddd}
blockquote{background:#f7f7f7;margin:0;padding:.5em 1em;border-left:4px solid #bbb}
table{border-collapse:collapse;width:100%;font-size:.92em} td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top}
th{background:#f0f0f0} .ok{color:#17803d} .mismatch{color:#b3261e;font-weight:bold} .not_found{color:#b3261e;font-weight:bold}
.uncertain{color:#9a6700} del{background:#ffd7d5;text-decoration:line-through} ins{background:#ccf5d6;text-decoration:none}
.verdict{margin:.5em 0} .note{color:#555;font-size:.9em} .cov{color:#555}
"""


def render_html(report: VerificationReport) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>Citation check: {e(report.manuscript)}"
             f"</title><style>{_CSS}</style></head><body>",
             f"<h1>Citation check: {e(report.manuscript)}</h1><p>{e(summary_line(report))}</p>",
             f"<p class='cov'>{e(coverage_line(report))}</p>",
             "<p class='note'>In quotations, <del>struck</del> text is in the manuscript but not in the corpus; "
             "<ins>highlighted</ins> text is in the corpus but not in the manuscript.</p>"]
    for c in report.citations:
        doc = (f"《{e(c.document.title)}》 ({e(c.document.date or 'no date')}, <code>{e(c.document.id)}</code>)"
               if c.document else "<span class='not_found'>not found in the corpus or the catalogue</span>")
        parts += [f"<h2 id='c{c.id}'>[{c.id}] 《{e(c.cited)}》 → {doc}</h2>",
                  f"<blockquote>{e(c.sentence)}</blockquote>",
                  f"<p class='verdict'><b>{e(citation_verdict(c))}</b></p>",
                  "<table><tr><th>check</th><th>status</th><th>manuscript says</th><th>corpus says</th>"
                  "<th>evidence</th><th>note</th></tr>"]
        for check in c.checks:
            if check.kind == "quote":
                claimed, found = diff_html(check)
            else:
                claimed, found = e(_value(check.claimed)), e(found_value(check))
            parts.append(f"<tr><td>{e(LABEL[check.kind])}</td><td class='{check.status}'>{MARK[check.status]} "
                         f"{check.status}</td><td>{claimed}</td><td>{found}</td><td><code>{e(evidence_text(check))}"
                         f"</code></td><td class='note'>{e(check.note)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


# -------------------------------------------------------------------------------- docx


def comment_text(citation: CitationResult) -> list[str]:
    """The lines of the Word comment for one citation."""
    doc = f"《{citation.document.title}》 ({citation.document.date or 'no date'})" if citation.document else \
        "no matching document in the corpus"
    lines = [f"[{citation.id}] {citation_verdict(citation)} — {doc}"]
    for check in citation.checks:
        claimed = _value(check.claimed)
        lines.append(f"{MARK[check.status]} {LABEL[check.kind]} {check.status}: {claimed} — {check.note}")
    return lines


def render_docx(report: VerificationReport) -> bytes:
    """A .docx of the manuscript with one comment per citation: a copy of the original when it was
    a .docx, otherwise a new document with the manuscript's paragraphs."""
    from docx import Document

    source = report.source
    if source is not None and source.fmt == "docx" and source.path:
        document = Document(source.path)
        paragraphs = docx_paragraphs(None, document)
    else:
        document = Document()
        texts = report.text.split("\n") if source is None else \
            [report.text[p.start:p.end] for p in source.paragraphs]
        paragraphs = [document.add_paragraph(t) for t in texts]
    offsets = _paragraph_offsets(source, report.text)
    for citation in report.citations:
        index, start, end = _locate(offsets, citation.start, citation.end)
        if index is None or index >= len(paragraphs):
            continue
        runs = _runs_for(paragraphs[index], start, end)
        if not runs:
            runs = _fallback_runs(paragraphs[index])
        lines = comment_text(citation)
        comment = document.add_comment(runs, text=lines[0], author=AUTHOR, initials=INITIALS)
        for line in lines[1:]:
            comment.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(report: VerificationReport, path: str | Path) -> Path:
    path = Path(path)
    path.write_bytes(render_docx(report))
    return path


def _paragraph_offsets(source: Manuscript | None, text: str) -> list[tuple[int, int]]:
    if source is not None and source.paragraphs:
        return [(p.start, p.end) for p in source.paragraphs]
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _locate(offsets: list[tuple[int, int]], start: int, end: int) -> tuple[int | None, int, int]:
    """Paragraph index and offsets within it; a span crossing paragraphs is cut at the first end."""
    for i, (p_start, p_end) in enumerate(offsets):
        if p_start <= start < p_end or (start == p_end and p_start == p_end):
            return i, start - p_start, min(end, p_end) - p_start
    return None, 0, 0


def _text_runs(paragraph) -> list:
    """Runs in reading order, those inside hyperlinks included (paragraph.text counts them)."""
    from docx.text.hyperlink import Hyperlink

    out = []
    for item in paragraph.iter_inner_content():
        out.extend(item.runs if isinstance(item, Hyperlink) else [item])
    return out


def _runs_for(paragraph, start: int, end: int) -> list:
    """The runs covering [start, end) of the paragraph text, splitting runs at the boundaries."""
    if end <= start:
        return []
    for cut in (start, end):
        _split_at(paragraph, cut)
    out, pos = [], 0
    for run in _text_runs(paragraph):
        length = len(run.text)
        if pos < end and start < pos + length:
            out.append(run)
        pos += length
    return out


def _split_at(paragraph, offset: int) -> None:
    pos = 0
    for run in _text_runs(paragraph):
        length = len(run.text)
        if pos < offset < pos + length and _plain(run):
            left, right = run.text[:offset - pos], run.text[offset - pos:]
            new_r = copy.deepcopy(run._r)
            run._r.addnext(new_r)
            run.text = left
            from docx.text.run import Run
            Run(new_r, run._parent).text = right
            return
        pos += length


def _plain(run) -> bool:
    """A run holding only text (and its properties): safe to split."""
    from docx.oxml.ns import qn

    allowed = {qn("w:rPr"), qn("w:t"), qn("w:tab"), qn("w:br")}
    return all(child.tag in allowed for child in run._r)


def _fallback_runs(paragraph) -> list:
    runs = _text_runs(paragraph)
    if runs:
        return runs
    return [paragraph.add_run("")]
