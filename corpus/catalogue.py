"""Catalogues: the project's list of key documents, and sidecar catalogues beside a corpus folder.

A sidecar (``catalog.jsonl`` or ``catalog.csv`` in the folder of the files) overrides what
extraction guessed; the project catalogue (``corpus/data/key_documents.jsonl``) only fills fields
the text and the sidecar left empty, and lets short names (二十大报告) resolve to a document.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from corpus.records import DocumentMeta
from corpus.text import normalize_doc_number

KEY_DOCUMENTS = Path(__file__).parent / "data" / "key_documents.jsonl"
SIDECAR_NAMES = ("catalog.jsonl", "catalog.csv")


@dataclass
class CatalogEntry:
    id: str
    title: str
    short_titles: list[str] = field(default_factory=list)
    issuer: list[str] = field(default_factory=list)
    doc_number: str | None = None
    date: str | None = None
    level: str | None = None
    region: str | None = None
    doc_type: str | None = None
    url: str | None = None
    wraps: str | None = None
    file: str | None = None
    in_shared_corpus: str | None = None
    note: str | None = None

    def as_meta(self) -> DocumentMeta:
        return DocumentMeta(
            title=self.title, doc_number=normalize_doc_number(self.doc_number) if self.doc_number else None,
            issuers=list(self.issuer), date=self.date, level=self.level, region=self.region,
            doc_type=self.doc_type, short_titles=list(self.short_titles), attachment_title=self.wraps,
            catalog_id=self.id, url=self.url,
        )


_ENTRY_FIELDS = {f.name for f in fields(CatalogEntry)}


def _entry_from_dict(raw: dict) -> CatalogEntry:
    data = {k: v for k, v in raw.items() if k in _ENTRY_FIELDS}
    for key in ("short_titles", "issuer"):
        value = data.get(key)
        if isinstance(value, str):  # CSV cells hold lists as "a;b"
            data[key] = [v.strip() for v in re.split(r"[;；|]", value) if v.strip()]
    for key, value in list(data.items()):
        if value == "":
            data[key] = None if key not in ("short_titles", "issuer") else []
    return CatalogEntry(**data)


def read_catalog(path: Path) -> list[CatalogEntry]:
    """Entries of a catalogue file (JSON lines or CSV with a header row)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [_entry_from_dict(row) for row in csv.DictReader(fh)]
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                entries.append(_entry_from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad catalogue line ({exc})") from exc
    return entries


@lru_cache(maxsize=1)
def key_documents() -> tuple[CatalogEntry, ...]:
    return tuple(read_catalog(KEY_DOCUMENTS)) if KEY_DOCUMENTS.exists() else ()


def sidecar_for(folder: Path) -> dict[str, CatalogEntry]:
    """file name → entry, from the sidecar catalogue in ``folder`` (empty when there is none)."""
    for name in SIDECAR_NAMES:
        path = folder / name
        if path.exists():
            return {e.file: e for e in read_catalog(path) if e.file}
    return {}


def title_key(title: str) -> str:
    """A comparison key for titles: no book-title marks, quotes, spaces or brackets."""
    return re.sub(r"[《》“”\"'‘’「」\s·（）()【】〔〕\[\]—－-]", "", title or "")


def match_key_document(meta: DocumentMeta) -> CatalogEntry | None:
    """The project catalogue entry for a document: same 文号, or the same (normalised) title."""
    if meta.doc_number:
        number = normalize_doc_number(meta.doc_number)
        for entry in key_documents():
            if entry.doc_number and number in _doc_numbers(entry.doc_number):
                return entry
    if meta.title:
        key = title_key(meta.title)
        for entry in key_documents():
            if key in {title_key(t) for t in [entry.title, *entry.short_titles]}:
                return entry
    return None


def _doc_numbers(value: str) -> set[str]:
    """A catalogue 文号 field may list several (promulgation；revision)."""
    return {normalize_doc_number(part.split("（")[0]) for part in re.split(r"[；;]", value)}


def merge_meta(extracted: DocumentMeta, sidecar: CatalogEntry | None,
               key_doc: CatalogEntry | None) -> tuple[DocumentMeta, dict[str, str]]:
    """Combine metadata: sidecar beats the text; the project catalogue fills what is still empty.

    Returns the merged metadata and, per field, where its value came from (text/sidecar/catalogue).
    """
    merged = DocumentMeta()
    source: dict[str, str] = {}
    layers = [("sidecar", sidecar.as_meta() if sidecar else None), ("text", extracted),
              ("catalogue", key_doc.as_meta() if key_doc else None)]
    for f in fields(DocumentMeta):
        for name, meta in layers:
            value = getattr(meta, f.name) if meta else None
            if value not in (None, [], ""):
                setattr(merged, f.name, value)
                source[f.name] = name
                break
    if key_doc and not merged.catalog_id:
        merged.catalog_id = key_doc.id
    return merged, source
