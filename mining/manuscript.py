"""Read a manuscript (.docx, .md, .txt, .pdf) into one text with paragraph offsets.

The text is the paragraphs joined by "\\n"; ``Paragraph.start/end`` are offsets into it, so a
citation found in the text can be mapped back to its paragraph (the .docx report anchors a Word
comment there). A .docx keeps its paragraphs' text exactly as Word holds it (so offsets map onto
runs); the other formats go through ``corpus.text.normalize`` (PDF line wraps, full-width digits).
Any failure is a ``ReadError`` whose ``str()`` is one line naming the file.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from corpus.text import ReadError, decode_bytes, normalize

FORMATS = (".docx", ".md", ".txt", ".pdf")


@dataclass(frozen=True)
class Paragraph:
    index: int          # position among the manuscript's paragraphs (for .docx: body order)
    start: int
    end: int


@dataclass
class Manuscript:
    name: str
    path: str | None
    fmt: str
    text: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    def paragraph_at(self, offset: int) -> Paragraph | None:
        for p in self.paragraphs:
            if p.start <= offset < p.end or (offset == p.end and p.start < p.end):
                return p
        return None


def from_paragraphs(name: str, path: str | None, fmt: str, texts: list[str]) -> Manuscript:
    pieces, paragraphs, pos = [], [], 0
    for i, t in enumerate(texts):
        paragraphs.append(Paragraph(i, pos, pos + len(t)))
        pieces.append(t)
        pos += len(t) + 1
    return Manuscript(name, path, fmt, "\n".join(pieces), paragraphs)


def from_text(text: str, name: str = "manuscript") -> Manuscript:
    """A manuscript given as a string: one paragraph per line."""
    return from_paragraphs(name, None, "txt", text.split("\n"))


def read_manuscript(path: str | Path) -> Manuscript:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReadError(str(path), f"unsupported manuscript format {suffix or '(none)'}; use {', '.join(FORMATS)}")
    if not path.is_file():
        raise ReadError(str(path), "no such file")
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(str(path), "empty document")
    texts = {".docx": _docx_paragraphs, ".pdf": _pdf_paragraphs,
             ".md": _markdown_paragraphs, ".txt": _text_paragraphs}[suffix](path, data)
    if not any(t.strip() for t in texts):
        raise ReadError(str(path), "empty document (no text)")
    return from_paragraphs(path.name, str(path), suffix[1:], texts)


def _lines(text: str) -> list[str]:
    """One paragraph per line, each normalised on its own: authors' lines are paragraphs, so
    lines are never glued together (a reference entry ending in a URL must stay on its line)."""
    return [normalize(line).strip() for line in text.replace("\r\n", "\n").split("\n")]


def _text_paragraphs(path: Path, data: bytes) -> list[str]:
    text, _ = decode_bytes(data, str(path))
    lines = _lines(text)
    return _unwrap(lines) if _looks_hard_wrapped(lines) else lines


_SENTENCE_END = tuple("。！？；：”」）》.!?;:")
_ENTRY_START = re.compile(r"^[\[［]\d{1,3}[\]］]")


def _looks_hard_wrapped(lines: list[str]) -> bool:
    """Text pasted from a PDF: most lines stop mid-sentence (paragraphs were cut at the page width)."""
    filled = [line for line in lines if line]
    if len(filled) < 8:
        return False
    open_ended = sum(not line.endswith(_SENTENCE_END) for line in filled)
    return open_ended / len(filled) > 0.6


# where a wrapped paragraph may end: a full stop, possibly inside closing marks (。” / 。）). A line
# ending in 》 ” ） or ： is cut mid-sentence far more often than not (…印发的《X》 / 指出：)
_PARAGRAPH_END = re.compile(r"[。！？!?；;]['’”」』）)\]]*$")


def _unwrap(lines: list[str]) -> list[str]:
    """Join wrapped lines back into sentences; a reference entry ([n] …) always starts anew."""
    out: list[str] = []
    current = ""
    for line in filter(None, lines):
        if current and _ENTRY_START.match(line):
            out.append(current)
            current = ""
        current += line
        if _PARAGRAPH_END.search(line) or (_ENTRY_START.match(current) and line.endswith(_SENTENCE_END)):
            out.append(current)
            current = ""
    return out + ([current] if current else [])


_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`)")
_MD_PREFIX = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?)")


def _markdown_paragraphs(path: Path, data: bytes) -> list[str]:
    """Markdown keeps its text; heading/quote prefixes and emphasis marks are dropped."""
    text, _ = decode_bytes(data, str(path))
    return _lines("\n".join(_MD_EMPHASIS.sub("", _MD_PREFIX.sub("", line)) for line in text.split("\n")))


# a reference entry glued to the previous line by PDF line joining: "… http://x.cn [2] 国务院. …[Z]."
_GLUED_ENTRY = re.compile(r"(?<=[^\n])[ ]?(?=[\[［]\d{1,3}[\]］][^\n]*?[\[［](?:Z|R|A|S|EB|N|M|J|G)(?:/OL)?[\]］])")


def _pdf_paragraphs(path: Path, data: bytes) -> list[str]:
    """PDF through the corpus reader (text layer, page numbers dropped, wrapped lines joined)."""
    from corpus.readers import read_file

    text = _GLUED_ENTRY.sub("\n", read_file(path).text)
    return text.rstrip("\n").split("\n")


def _docx_paragraphs(path: Path, data: bytes) -> list[str]:
    if not zipfile.is_zipfile(path):
        raise ReadError(str(path), "not a valid .docx (not a zip archive)")
    try:
        return [p.text for p in docx_paragraphs(path)]
    except Exception as exc:
        raise ReadError(str(path), f"not a valid .docx ({type(exc).__name__}: {exc})") from exc


def docx_paragraphs(source, document=None) -> list:
    """The paragraphs of a .docx in body order, table cells included (one paragraph each).

    Shared by the reader and the .docx report, so paragraph indexes agree.
    """
    from docx import Document as open_docx
    from docx.table import Table

    doc = document if document is not None else open_docx(str(source))
    out = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    out.extend(cell.paragraphs)
        else:
            out.append(block)
    return out
