"""Decoding bytes, normalising text, and the small parsers every reader needs (文号, dates).

``normalize`` is what every stored text goes through, so offsets into a ``Document.text`` always
refer to its output. It is idempotent: ``normalize(normalize(t)) == normalize(t)``.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import re
import unicodedata
from collections import Counter

from corpus.clauses import clause_number


class ReadError(Exception):
    """A file that cannot be read as a policy text; ``str()`` is one line: "path: reason"."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),   # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_STRICT_ORDER = ("utf-8", "gbk", "gb18030")
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.02
_MIN_PLAUSIBLE = 0.9


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes; ReadError for binary, empty or undecodable data."""
    if not data.strip():
        raise ReadError(path, "empty document")
    text, encoding = _decode_with_bom(data) or _decode_utf16_without_bom(data) or _decode_plain(data, path)
    if not text.strip():
        raise ReadError(path, "empty document")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ReadError(path, "looks binary, not text")
    return text, encoding


def _decode_with_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding + ("-sig" if encoding == "utf-8" else "")
            except UnicodeDecodeError:
                return None
    return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: NUL bytes (from ASCII, or CJK such as 一 U+4E00) in a text that
    decodes to plausible characters in one byte order."""
    if len(data) % 2 or b"\x00" not in data:
        return None
    best: tuple[float, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausible_share(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best and best[0] >= _MIN_PLAUSIBLE:
        return best[1], best[2]
    return None


def _plausible_share(text: str) -> float:
    """Share of characters usual in Chinese policy texts: CJK, ASCII, CJK punctuation, full-width."""
    sample = text[:5000]
    good = sum(1 for ch in sample if ch in "\n\r\t" or " " <= ch <= "~" or "\u3000" <= ch <= "\u303f"
               or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027")
    return good / max(len(sample), 1)


def _decode_plain(data: bytes, path: str) -> tuple[str, str]:
    if b"\x00" in data:
        raise ReadError(path, "looks binary, not text")
    for encoding in _STRICT_ORDER:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return _decode_detected(data, path)


def _decode_detected(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(path, "cannot decode text (not UTF-8, UTF-16 or GB18030)")
    return str(best), best.encoding


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    return controls / max(len(sample), 1)


# --------------------------------------------------------------------------- normalising

def _char_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):  # full-width 0-9 A-Z a-z
        for code in range(start, end + 1):
            table[code] = chr(code - 0xFEE0)
    for space in ("\u3000", "\u00a0", "\t", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
                  "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f"):
        table[ord(space)] = " "
    for invisible in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"):
        table[ord(invisible)] = None
    for line_break in ("\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"):
        table[ord(line_break)] = "\n"
    return table


_CHARS = _char_table()
_SPACES = re.compile(r" {2,}")

# A line ending in one of these ends a sentence (or a clause heading, or an addressee line).
_FINAL = set("。！？；：…”’」』）)!?;:.")
_SENTENCE_END = set("。！？；：!?;:")
_CLOSING_QUOTES = set("”’」』")
_DOC_TYPE_END = re.compile(r"(通知|意见|决定|办法|方案|规划|纲要|条例|规定|细则|报告|建议|法|计划|措施|通告|公告|函|批复|目录)$")
_SENTENCE_MARKS = re.compile(r"[，。；！？,;]")
_DATE_ONLY = re.compile(r"^[（(]?[0-9〇○零一二三四五六七八九十OＯ]{4}年[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}日[）)]?$")
_NO_JOIN_BEFORE = re.compile(r"^(——|—|附件|附：|附表|抄送|主送|各位代表|同志们|[•●○■□◆◇▶►▪▸→➢✓√·－]|[-*] )")   # …, a bullet
_MAX_TITLE_WIDTH = 60.0
_DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,15}\s*[\[【(（〔［﹝]\s*\d{4}\s*[\]】)）〕］﹞]\s*\d+\s*号")
_PAIRS = (("《", "》"), ("（", "）"), ("“", "”"), ("〔", "〕"))


_PHRASE_END = re.compile(r"[，,。；;！？\n]")


def phrase_span(text: str, offset: int) -> tuple[int, int]:
    """The span of the phrase (between commas, semicolons or sentence ends) holding text[offset]."""
    start = max((m.end() for m in _PHRASE_END.finditer(text, 0, offset)), default=0)
    end = _PHRASE_END.search(text, offset)
    return start, end.start() if end else len(text)


def normalize(text: str) -> str:
    """Clean text for storage and matching; one paragraph per line, each ending with "\\n".

    - full-width ASCII letters and digits and odd spaces become ASCII; Chinese punctuation
      （，。、；：（）《》“”〔〕） stays full-width, since quotes and brackets matter for citations;
    - line endings unified, zero-width characters removed, runs of spaces collapsed, lines
      stripped (CJK paragraphs are indented with ideographic spaces), blank lines dropped;
    - hard wraps joined (no space between CJK characters): a title wrapped inside 《》/“”/（）
      in any text; in a hard-wrapped text (PDF: most lines of one width), a full line that does
      not end a sentence and is not followed by a clause number, date, 文号, 附件 or "——".
    """
    text = text.replace("\r\n", "\n").translate(_CHARS)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    while True:  # to a fixpoint, which makes normalize idempotent
        joined = _join_wrapped(lines, _wrap_width(lines))
        if len(joined) == len(lines):
            break
        lines = joined
    return "\n".join(lines) + "\n" if lines else ""


def _wrap_width(lines: list[str]) -> float | None:
    """The line width of a hard-wrapped text (PDF), or None when lines are whole paragraphs.

    In a wrapped text most lines have nearly the same width and almost none is wider.
    """
    widths = [w for w in map(_width, lines) if w >= 8]
    if len(widths) < 5:
        return None
    histogram = Counter(round(w) for w in widths)
    window = {w: histogram[w] + histogram[w - 1] + histogram[w - 2] for w in histogram}
    best = max(window, key=lambda w: (window[w], w))
    wider = sum(n for w, n in histogram.items() if w > best + 2)
    if best >= 15 and window[best] >= 0.35 * len(widths) and wider <= 0.1 * len(widths):
        return float(best)
    return None


def _join_wrapped(lines: list[str], wrap_width: float | None) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, wrap_width):
            out[-1] = _glue(out[-1], line)
        else:
            out.append(line)
    return out


def _continues(current: str, following: str, wrap_width: float | None) -> bool:
    """Is ``following`` the rest of a sentence hard-wrapped at the end of ``current``?

    Titles wrapped inside 《》 or “” are joined in any text; other lines only in a wrapped text,
    and only when ``current`` fills the line.
    """
    if current[-1] in _SENTENCE_END or starts_block(following):
        return False
    if _unbalanced(current) and _width(current) < _MAX_TITLE_WIDTH:
        return True
    if _ends_sentence(current) or wrap_width is None or _looks_like_title(current):
        return False
    return _width(current) >= wrap_width - 3


def _ends_sentence(line: str) -> bool:
    """A closing quote ends a sentence only after 。！？ ("…。”"); "…服务圈”" goes on."""
    if line[-1] in _CLOSING_QUOTES:
        return len(line) > 1 and line[-2] in _SENTENCE_END | {"…"}
    return line[-1] in _FINAL


def starts_block(line: str) -> bool:
    """Does ``line`` open a new block (clause number, date, 文号, 附件, subtitle…), never a wrap?"""
    return (clause_number(line) is not None or bool(_NO_JOIN_BEFORE.match(line))
            or bool(_DATE_ONLY.match(line)) or bool(_DOC_NUMBER_LINE.match(line))
            or (line[0] in "（(" and line[-1] in "）)"))


def _unbalanced(line: str) -> bool:
    return any(line.count(open_) > line.count(close) for open_, close in _PAIRS)


def _looks_like_title(line: str) -> bool:
    return bool(_DOC_TYPE_END.search(line)) and not _SENTENCE_MARKS.search(line)


def _width(line: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in line)


def _glue(left: str, right: str) -> str:
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


# --------------------------------------------------------------------------- 文号

_YEAR_IN_BRACKETS = re.compile(r"[\[【(（〔［﹝〖<]\s*(\d{4})\s*[\]】)）〕］﹞〗>]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize_doc_number(s: str) -> str:
    """"国卫办基层函[2018]209号" → "国卫办基层函〔2018〕209号" (any bracket style, no spaces)."""
    s = re.sub(r"\s+", "", s.translate(_FULLWIDTH_DIGITS).replace("\u3000", ""))
    return _YEAR_IN_BRACKETS.sub(r"〔\1〕", s)


# --------------------------------------------------------------------------- dates

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "0": 0, "０": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇○零OＯ0０一二三四五六七八九十"
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(rf"([{_CN_NUM}]{{4}})\s*年\s*([{_CN_NUM}元]{{1,3}})\s*月\s*([{_CN_NUM}]{{1,3}})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)"),
)


def parse_chinese_date(s: str) -> str | None:
    """The first date in ``s`` as YYYY-MM-DD ("二〇一八年三月二十日", "2018年3月20日", "2018.3.20")."""
    s = s.translate(_FULLWIDTH_DIGITS)
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(s):
            try:
                year, month, day = (_number(part) for part in match.groups())
                return _dt.date(year, month, day).isoformat()
            except ValueError:
                continue
    return None


def _number(part: str) -> int:
    """An int from Arabic digits, digit-by-digit Chinese years (二〇一八) or Chinese numbers (二十一)."""
    if part.isdigit() and part.isascii():
        return int(part)
    if part == "元":  # 元月 = January
        return 1
    if "十" not in part:
        if any(ch not in _CN_DIGITS for ch in part):
            raise ValueError(part)
        return int("".join(str(_CN_DIGITS[ch]) for ch in part))
    tens, _, units = part.partition("十")
    if len(tens) > 1 or len(units) > 1:
        raise ValueError(part)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
