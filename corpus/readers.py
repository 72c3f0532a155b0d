"""Reading policy documents from .txt/.md, .docx, .pdf and saved .html pages into normalised text.

Every failure is a ``ReadError`` naming the file and the reason in one line.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from corpus.text import ReadError, decode_bytes, normalize, parse_chinese_date, starts_block


@dataclass
class RawDocument:
    path: str
    fmt: str                      # txt / md / docx / pdf / html
    text: str                     # normalised
    encoding: str | None
    data: bytes                   # the raw bytes, for hashing
    html_title: str | None = None
    hints: dict[str, str] = field(default_factory=dict)   # title / date / pub_date / doc_number / issuer


def read_file(path: Path) -> RawDocument:
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise ReadError(str(path), f"unsupported format {suffix or '(no extension)'}")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(str(path), "no such file") from exc
    except OSError as exc:
        raise ReadError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
    doc = reader(path, data)
    if not doc.text.strip():
        raise ReadError(str(path), "empty document")
    return doc


# --------------------------------------------------------------------------- plain text

_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def _read_text(path: Path, data: bytes) -> RawDocument:
    text, encoding = decode_bytes(data, str(path))
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "md":
        text = _MD_HEADING.sub("", text)
    return RawDocument(str(path), fmt, normalize(text), encoding, data)


# --------------------------------------------------------------------------- .docx

def _read_docx(path: Path, data: bytes) -> RawDocument:
    import io

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError(str(path), "not a valid .docx (not a zip archive)")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
    except Exception as exc:  # python-docx raises several types for a zip that is not a docx
        raise ReadError(str(path), f"not a valid .docx ({_short(exc)})") from exc
    return RawDocument(str(path), "docx", normalize("\n".join(lines)), None, data,
                       hints=_docx_hints(document))


def _docx_lines(document):
    """Paragraph texts and table rows, in document order (a row's distinct cells on one line)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(block, document).text
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = cell.text.strip()
                    if value and value not in cells:  # merged cells repeat their text
                        cells.append(value)
                yield " ".join(cells)


def _docx_hints(document) -> dict[str, str]:
    props = document.core_properties
    hints = {}
    if props.title and re.search(r"[\u4e00-\u9fff]", props.title):  # not "Microsoft Word - …"
        hints["title"] = props.title.strip()
    return hints


# --------------------------------------------------------------------------- .pdf

_PAGE_NUMBER = re.compile(r"^\s*[-—–－]?\s*\d{1,4}\s*[-—–－]?\s*$|^\s*第\s*\d+\s*页(\s*共\s*\d+\s*页)?\s*$")


def _read_pdf(path: Path, data: bytes) -> RawDocument:
    import io
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    lines: list[_PdfLine] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                lines.extend(_page_lines(page))
    except Exception as exc:  # pdfminer raises many types for a broken file
        raise ReadError(str(path), f"corrupt or truncated PDF: {_short(exc)}") from exc
    if not any(line.text.strip() for line in lines):
        raise ReadError(str(path), "PDF has no text layer (scanned?)")
    text = _drop_cjk_spaces("\n".join(_pdf_paragraphs(lines)))
    return RawDocument(str(path), "pdf", normalize(text), None, data)


@dataclass
class _PdfLine:
    text: str
    x0: float
    x1: float


def _page_lines(page) -> list[_PdfLine]:
    rows = page.extract_text_lines(strip=True, return_chars=False)
    return [_PdfLine(row["text"], row["x0"], row["x1"]) for row in rows
            if row["text"].strip() and not _PAGE_NUMBER.match(row["text"])]


def _pdf_paragraphs(lines: list[_PdfLine]) -> list[str]:
    """Rejoin hard-wrapped lines using the layout: a line continues the paragraph above when that
    line reaches the right margin and this one is not indented (公文 indent paragraphs by two
    characters); without indentation, a line ending a sentence ends its paragraph."""
    if len(lines) < 3:
        return [line.text for line in lines]
    left = _percentile([line.x0 for line in lines], 0.05)
    right = _percentile([line.x1 for line in lines], 0.95)
    char = _percentile([(l.x1 - l.x0) / max(len(l.text), 1) for l in lines if len(l.text) >= 5] or [10.0], 0.5)
    full = [line.x1 >= right - 1.5 * char for line in lines]
    indented = [line.x0 >= left + 1.5 * char for line in lines]
    starts = [indented[i] for i in range(1, len(lines)) if not full[i - 1]]
    uses_indent = bool(starts) and sum(starts) >= 0.3 * len(starts)
    paragraphs = [lines[0].text]
    for i in range(1, len(lines)):
        text = lines[i].text
        joins = full[i - 1] and not starts_block(text) and (
            not indented[i] if uses_indent else paragraphs[-1][-1] not in "。！？；：!?;:")
        if joins:
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
    return paragraphs


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _drop_cjk_spaces(text: str) -> str:
    """PDF extraction puts spaces between CJK characters set with extra tracking."""
    return _CJK_SPACE.sub("", text)


# --------------------------------------------------------------------------- .html

_CONTENT_SELECTORS = (
    "//*[@id='UCAP-CONTENT']", "//*[contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]", "//*[@id='zoom']",
    "//*[@id='xw_box']", "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article ')]", "//article",
)
_DROPPED_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "template")
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
               "article", "blockquote", "pre", "ul", "ol", "dd", "dt", "center"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_INFO_LABELS = {"标题": "title", "名称": "title", "发文机关": "issuer", "发文字号": "doc_number",
                "文号": "doc_number", "成文日期": "date", "发布日期": "pub_date"}
_META_HINTS = {"articletitle": "title", "pubdate": "pub_date", "firstpublishedtime": "pub_date",
               "contentsource": "source"}
_MIN_CONTENT_CHARS = 40


def _read_html(path: Path, data: bytes) -> RawDocument:
    import lxml.html

    html, encoding = _decode_html(data, str(path))
    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError for documents it cannot parse at all
        raise ReadError(str(path), f"cannot parse HTML ({_short(exc)})") from exc
    hints = _html_hints(root)
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROPPED_TAGS)):
        element.drop_tree()
    content = _main_content(root)
    text = normalize(_block_text(content)) if content is not None else ""
    return RawDocument(str(path), "html", text, encoding, data, hints.get("title"), hints)


def _decode_html(data: bytes, path: str) -> tuple[str, str]:
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in ("gb2312", "gbk", "x-gbk") else name  # GB18030 is their superset
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, path)


def _html_hints(root) -> dict[str, str]:
    hints: dict[str, str] = {}
    for meta in root.xpath("//meta[@name and @content]"):
        key = _META_HINTS.get(meta.get("name", "").strip().lower())
        value = meta.get("content", "").strip()
        if key and value and key not in hints:
            hints[key] = value
    hints.update(_info_table_hints(root))
    if "title" not in hints:
        titles = root.xpath("//title")
        if titles and titles[0].text_content().strip():
            hints["title"] = _page_title(titles[0].text_content())
    for key in ("date", "pub_date"):
        if key in hints:
            parsed = parse_chinese_date(hints[key])
            if parsed:
                hints[key] = parsed
            else:
                del hints[key]
    return hints


def _info_table_hints(root) -> dict[str, str]:
    """The label/value table above gov.cn policy texts (标题, 发文机关, 发文字号, 成文日期)."""
    hints: dict[str, str] = {}
    for cell in root.xpath("//td|//th"):
        label = re.sub(r"[\s：:]", "", cell.text_content())
        key = _INFO_LABELS.get(label)
        following = cell.getnext()
        if key and following is not None and key not in hints:
            value = " ".join(following.text_content().split())
            if value:
                hints[key] = value
    return hints


def _page_title(title: str) -> str:
    """Page titles carry the site after "_" or " - " ("…的通知_卫生健康_中国政府网")."""
    title = " ".join(title.split())
    return re.split(r"_| - | – |\|", title)[0].strip()


def _main_content(root):
    for selector in _CONTENT_SELECTORS:
        for element in root.xpath(selector):
            if len(element.text_content().strip()) >= _MIN_CONTENT_CHARS:
                return element
    return _largest_text_block(root)


def _largest_text_block(root):
    """The element whose direct paragraphs hold the most text; the body when there are none."""
    best, best_len = None, 0
    for parent in root.xpath("//*[p]"):
        length = sum(len(p.text_content().strip()) for p in parent.findall("p"))
        if length > best_len:
            best, best_len = parent, length
    if best is not None:
        return best
    bodies = root.xpath("//body")
    return bodies[0] if bodies else root


def _block_text(element) -> str:
    """Text with a line break around every block element and a space between table cells."""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag.lower() in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if tag.lower() in ("td", "th"):
        parts.append(" ")
    if block:
        parts.append("\n")


# --------------------------------------------------------------------------- helpers

def _short(exc: Exception) -> str:
    """A one-line, short description of an exception."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message[:120]


_READERS = {
    ".txt": _read_text, ".md": _read_text, ".docx": _read_docx, ".pdf": _read_pdf,
    ".html": _read_html, ".htm": _read_html,
}
