"""Ingest files into the store: read → metadata → clauses, one transaction per file.

Idempotent by content hash: the same bytes twice are stored once. A file that fails is reported
with its reason and the batch goes on; nothing stored before is touched.
"""
from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus.catalogue import match_key_document, merge_meta, sidecar_for, title_key
from corpus.clauses import segment_clauses
from corpus.metadata import extract_metadata
from corpus.readers import read_file
from corpus.records import Clause, Document, DocumentMeta, IngestOutcome
from corpus.store import Store
from corpus.text import ReadError

SUPPORTED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
SKIPPED_NAMES = {"catalog.jsonl", "catalog.csv", "README.md"}


def iter_source_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, and supported files found under named folders (sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED and child.name not in SKIPPED_NAMES:
                    yield child
        else:
            yield path


def ingest_paths(store: Store, paths: Iterable[str | Path], progress: bool = False) -> list[IngestOutcome]:
    files = list(iter_source_files(paths))
    if progress:
        from tqdm import tqdm
        files = tqdm(files, desc="ingest", unit="file", file=sys.stderr)
    return [ingest_file(store, f) for f in files]


def ingest_file(store: Store, path: Path) -> IngestOutcome:
    try:
        return _ingest(store, path)
    except ReadError as exc:
        return IngestOutcome(str(path), "failed", reason=exc.reason)
    except FileNotFoundError:
        return IngestOutcome(str(path), "failed", reason="no such file")
    except Exception as exc:  # one bad file must never stop the batch
        return IngestOutcome(str(path), "failed", reason=f"{type(exc).__name__}: {exc}")


def _ingest(store: Store, path: Path) -> IngestOutcome:
    raw = read_file(path)
    sha = hashlib.sha256(raw.data).hexdigest()
    existing = store.doc_id_for_hash(sha)
    if existing:
        return IngestOutcome(str(path), "duplicate", existing, f"same content as {existing}")
    extracted = extract_metadata(raw.text, str(path), raw.hints)
    sidecar = sidecar_for(path.parent).get(path.name)
    meta, source = merge_meta(extracted, sidecar, match_key_document(extracted))
    doc_id = sidecar.id if sidecar else _slug(path)
    replaced = store.has_document(doc_id) and store.path_of(doc_id) == str(path)
    if store.has_document(doc_id) and not replaced:
        doc_id = _free_id(store, doc_id)
    parts = split_attachment(raw.text, meta)
    with store.transaction() as conn:
        if replaced:  # the file changed on disk since it was stored: the new version replaces it
            store.delete_document(conn, doc_id)
        wrapper = Document(doc_id, str(path), sha, parts[0], meta, raw.fmt, raw.encoding)
        _store_document(store, conn, wrapper, source)
        if len(parts) == 2:
            attachment = Document(f"{doc_id}.att", str(path), sha + "#attachment", parts[1],
                                  attachment_meta(meta), raw.fmt, raw.encoding, parent_id=doc_id)
            _store_document(store, conn, attachment, {k: "wrapper" for k in source})
    warnings = [f"no {field} found" for field in ("date", "title") if not getattr(meta, field)]
    status_note = ("replaced the earlier version; " if replaced else "") + "; ".join(warnings)
    return IngestOutcome(str(path), "ingested", doc_id, status_note)


def _store_document(store: Store, conn, doc: Document, source: dict[str, str]) -> None:
    store.insert_document(conn, doc, source)
    spans = segment_clauses(doc.text)
    store.insert_clauses(conn, (
        Clause(f"{doc.id}:{i}", doc.id, i, s.number, s.level, s.start, s.end, doc.text[s.start:s.end])
        for i, s in enumerate(spans)))
    titles = [(doc.meta.title, "official")]
    titles += [(t, "short") for t in doc.meta.short_titles]
    if doc.meta.attachment_title and not doc.parent_id:
        titles.append((doc.meta.attachment_title, "attachment"))
    store.insert_titles(conn, doc.id, titles)


def split_attachment(text: str, meta: DocumentMeta) -> list[str]:
    """[wrapper] or [wrapper, attachment] when the notice carries its attachment's full text.

    The attachment starts at a line that is its title on its own, after the notice's 附件 line.
    """
    if not meta.attachment_title:
        return [text]
    marker = re.search(r"^附件[0-9一二三四五六七八九十]*[：:]?", text, re.M)
    if not marker:
        return [text]
    wanted = title_key(meta.attachment_title)
    position = marker.end()
    for line in re.finditer(r"^.*$", text[position:], re.M):
        if line.group().strip() and title_key(line.group()) == wanted and line.start() > 0:
            cut = position + line.start()
            body_lines = [l for l in text[cut:].splitlines()[1:] if l.strip()]
            if len(body_lines) >= 2:  # a title alone is a list of attachments, not the body
                return [text[:cut].rstrip() + "\n", text[cut:]]
    return [text]


def attachment_meta(wrapper: DocumentMeta) -> DocumentMeta:
    """The attached policy shares the wrapper's issuer, date, 文号 and region, under its own title."""
    return DocumentMeta(
        title=wrapper.attachment_title, doc_number=wrapper.doc_number, issuers=list(wrapper.issuers),
        date=wrapper.date, level=wrapper.level, region=wrapper.region,
        doc_type=_doc_type_of(wrapper.attachment_title or ""),
    )


def _doc_type_of(title: str) -> str | None:
    for suffix in ("实施方案", "方案", "规划纲要", "纲要", "规划", "办法", "意见", "细则", "规定", "条例", "计划", "指南"):
        if title.rstrip("》”").endswith(suffix):
            return suffix
    return None


def _slug(path: Path) -> str:
    return re.sub(r"\s+", "-", path.stem.strip()) or "document"


def _free_id(store: Store, base: str) -> str:
    n = 2
    while store.has_document(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"
