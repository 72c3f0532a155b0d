"""Metadata a policy text states about itself: title, 文号, issuers, date, type, level, region.

Where each field is read (see DOMAIN.md §2 for the layout of a document):
- the *head*: the lines above the first body line (addressee, numbered clause, sentence);
  title, 文号, adoption lines of laws ("…常务委员会第六次会议通过"), a date under the title;
- the *signature*: the first date-only line below the head (成文日期; in a wrapper it ends the
  notice, before the attachment) and the body-name lines right above it;
- hints (HTML page title / PubDate, a file-name title) only fill fields the text leaves empty.
Fields the text does not state are None; nothing is guessed from a file name except a title.
"""
from __future__ import annotations

import re
from pathlib import Path

from corpus.bodies import body_level_region, canonical_body, find_bodies
from corpus.clauses import clause_number
from corpus.records import DocumentMeta
from corpus.text import normalize_doc_number, parse_chinese_date

_CN = "一二三四五六七八九十百零〇两"
_DATE = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日"
_DATE_RE = re.compile(_DATE)
_DATE_ONLY = re.compile(rf"^[（(]?{_DATE}[）)]?$")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,15})\s*[\[【(（〔［﹝]\s*(\d{4})\s*[\]】)）〕］﹞]\s*(\d{1,5})\s*号")
_DOC_NUMBER_AT_START = re.compile(r"^[（(]?\s*" + _DOC_NUMBER.pattern)
_ORDER = re.compile(rf"(中华人民共和国)?([\u4e00-\u9fff]{{2,15}}?)令[（(]?第([\d{_CN}]+)号")
_ORDER_SUFFIX = re.compile(r"([\u4e00-\u9fff]{2,15}?)第(\d+)号令")
_ADOPTION_VERBS = re.compile(r"通过|修订|修正|公布|发布|批准|印发")
_CONGRESS = re.compile(rf"([\u4e00-\u9fff]{{2,12}}?)?第[{_CN}]+届(全国)?人民代表大会常务委员会第[{_CN}]+次会议")
_PLENUM = re.compile(rf"(?:中国共产党)?第?([{_CN}]+)届中央委员会第([{_CN}]+)次全体会议")
_SPEECH = re.compile(rf"我代表(国务院|第[{_CN}]+届中央委员会)，?向大会")
_ABOUT_TITLE = re.compile(r"关于.+")
_SEAL = re.compile(r"[（(](代章|印章|盖章|章)[）)]$")
_BODY_SUFFIX = re.compile(r"(中央|国务院|委员会|委|办公厅|办公室|人民政府|政府|部|局|署|厅|院|小组|中心|联合会|协会|红十字会)$")
_HEADER_LINE = re.compile(r"文件$")
_PUBLICITY = re.compile(r"^[（(]此件.*[）)]$")
_SPEAKER = re.compile(r"^(国务院总理\s*)?[\u4e00-\u9fff]{2,3}$")
_PLACE_PART = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:自治区|自治州|自治县|特别行政区|地区|省|市|县|区|州|盟|旗)")
_WRAPPER = re.compile(r"关于(?:印发|转发|下发|发布|颁布)?(.+?)的通知$")
_VERSION_NOTE = re.compile(r"^（[^（）]{0,12}(修订|修正|试行|暂行|草案|征求意见稿)[^（）]{0,6}）$")
_REPORT_TAIL = re.compile(r"^(.*?——.*?(?:会议|大会)上(?:的报告|的讲话)?)")

# Title suffix → doc_type, longest first.
_DOC_TYPES = (
    ("规划纲要", "规划"), ("实施方案", "方案"), ("工作方案", "方案"), ("实施办法", "办法"),
    ("实施意见", "意见"), ("指导意见", "意见"), ("通知", "通知"), ("意见", "意见"), ("决定", "决定"),
    ("条例", "条例"), ("办法", "办法"), ("方案", "方案"), ("规划", "规划"), ("纲要", "纲要"),
    ("报告", "报告"), ("建议", "建议"), ("规定", "规定"), ("细则", "细则"), ("计划", "计划"), ("措施", "措施"),
    ("法", "法律"),
)
_TITLE_END = re.compile("(" + "|".join(suffix for suffix, _ in _DOC_TYPES) + r")(（[^（）]*）)?$")
_DIVISION_LEVEL = {"province": "provincial", "city": "city", "county": "county"}
_HEAD_MAX_LINES = 12
_SIGNATURE_LOOKBACK = 4
_MAX_TITLE_LEN = 90


def extract_metadata(text: str, path: str | None = None, hints: dict | None = None) -> DocumentMeta:
    hints = hints or {}
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head = _head(lines)
    title = _title(head) or _hinted_title(hints, path, lines)
    signature_issuers, signature_date = _signature(lines, len(head))
    issuers = _issuers(title, head, lines, signature_issuers) or _hinted_issuers(hints)
    level, region = _level_region(issuers, title)
    return DocumentMeta(
        title=title,
        doc_number=_doc_number(head, lines) or _hinted_doc_number(hints),
        issuers=issuers,
        date=signature_date or _head_date(head) or _title_date(title) or _hinted_date(hints),
        level=level,
        region=region,
        doc_type=doc_type_of(title),
        attachment_title=attachment_title_of(title),
    )


# --------------------------------------------------------------------------- head block

def _head(lines: list[str]) -> list[str]:
    """The lines above the first body line (at most a dozen)."""
    head: list[str] = []
    for line in lines[:_HEAD_MAX_LINES]:
        if _is_body_line(line):
            break
        head.append(line)
    return head


def _is_body_line(line: str) -> bool:
    return ("。" in line or line.endswith(("：", ":")) or clause_number(line) is not None
            or line in ("目录", "序言", "前言") or line.startswith(("各位代表", "同志们")))


def _is_title_candidate(line: str) -> bool:
    return not (_DOC_NUMBER_AT_START.match(line) or _is_dated_line(line) or _PUBLICITY.match(line)
                or _HEADER_LINE.search(line) or _SPEAKER.match(line) or _ORDER.search(line)
                or len(line) > _MAX_TITLE_LEN)


def _is_dated_line(line: str) -> bool:
    """A date under a title, or an adoption / promulgation line of a law."""
    if _DATE_ONLY.match(line):
        return True
    if not _DATE_RE.search(line):
        return False
    return line.startswith(("（", "(")) or bool(_ADOPTION_VERBS.search(line)) and not _ABOUT_TITLE.match(line)


# --------------------------------------------------------------------------- title

def _title(head: list[str]) -> str | None:
    about = next((i for i, line in enumerate(head) if "关于" in line and _is_title_candidate(line)), None)
    if about is not None:
        return _about_title(head, about)
    start = next((i for i, line in enumerate(head) if _is_title_candidate(line) and not _is_body_name(line)), None)
    if start is None:
        return None
    return _plain_title(head, start)


def _about_title(head: list[str], index: int) -> str:
    """A "…关于…的通知" title: its wrapped continuation lines and the issuer lines just above."""
    title = head[index]
    for line in head[index + 1:index + 3]:
        if _TITLE_END.search(title) or not _is_title_candidate(line):
            break
        title += line
    prefix = ""
    for line in reversed(head[:index]):
        if not (_is_body_name(line) or (prefix == "" and title.startswith("关于") and line.startswith("（")
                                        and line.endswith("）") and _is_body_name(line[1:-1]))):
            break
        if _HEADER_LINE.search(line):
            break
        prefix = line + prefix
    if prefix and not title.startswith("关于"):
        prefix = ""  # the title already names its issuer
    return prefix + title


def _plain_title(head: list[str], start: int) -> str:
    """A title without 关于: main lines joined by a space, a "——" subtitle appended."""
    title = _cut_report_tail(head[start])
    for line in head[start + 1:start + 4]:
        if _VERSION_NOTE.match(line):
            title += line
            break
        if not _is_title_candidate(line) or _is_body_name(line):
            break
        if line.startswith("——"):
            title += _cut_report_tail(line)
        elif _TITLE_END.search(title):
            break
        else:
            title += ("" if _open_brackets(title) else " ") + line
    return title


def _cut_report_tail(line: str) -> str:
    """"政府工作报告——2024年3月5日在…会议上国务院总理 李强" loses the speaker after "上"."""
    match = _REPORT_TAIL.match(line)
    return match.group(1) if match else line


def _open_brackets(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in (("《", "》"), ("“", "”"), ("（", "）")))


def _hinted_title(hints: dict, path: str | None, lines: list[str]) -> str | None:
    if hints.get("title"):
        return str(hints["title"]).strip()
    if path and lines and lines[0].startswith("各位代表"):
        stem = Path(path).stem
        if re.search(r"[\u4e00-\u9fff]", stem) and "报告" in stem:
            return stem
    return None


def doc_type_of(title: str | None) -> str | None:
    """通知 / 意见 / 规划 / 纲要 / 决定 / 条例 / 法律 / 办法 / 方案 / 报告 / 建议 … from the title."""
    if not title:
        return None
    main, _, subtitle = title.partition("——")
    for part in (main, subtitle):
        part = re.sub(r"（[^（）]*）$", "", part.strip()).rstrip("》”")
        for suffix, doc_type in _DOC_TYPES:
            if part.endswith(suffix):
                return doc_type
    return None


def attachment_title_of(title: str | None) -> str | None:
    """X in "关于印发X的通知" / "关于《X》的通知" (outer 《》 removed, inner “” kept)."""
    if not title:
        return None
    match = _WRAPPER.search(re.sub(r"（[^（）]*）$", "", title))
    if not match:
        return None
    inner = match.group(1).strip()
    quoted = re.fullmatch(r"《(.+)》", inner)
    if quoted and "《" not in quoted.group(1):
        return quoted.group(1)
    if "印发" in title or "转发" in title or "下发" in title or "发布" in title or "颁布" in title:
        return inner
    return None


# --------------------------------------------------------------------------- 文号

def _doc_number(head: list[str], lines: list[str]) -> str | None:
    for line in head + lines[len(head):len(head) + 3]:
        match = _DOC_NUMBER_AT_START.match(line)
        if match:
            return normalize_doc_number(match.group(0).lstrip("（("))
    for line in head:
        order = _order_number(line)
        if order:
            return order
    for line in lines[-10:]:
        match = _DOC_NUMBER_AT_START.match(line)
        if match:
            return normalize_doc_number(match.group(0).lstrip("（("))
    return None


def _order_number(line: str) -> str | None:
    """国务院令第376号 / 中华人民共和国主席令第三十八号 / 卫生部令第17号 / …第1号令."""
    match = _ORDER.search(line)
    if match:
        country, issuer, number = match.groups()
        if issuer == "主席":
            return f"中华人民共和国主席令第{number}号"
        return f"{issuer}令第{number}号"
    match = _ORDER_SUFFIX.search(line)
    if match:
        return f"{match.group(1)}第{match.group(2)}号令"
    return None


def _hinted_doc_number(hints: dict) -> str | None:
    value = hints.get("doc_number")
    return normalize_doc_number(str(value)) if value else None


# --------------------------------------------------------------------------- issuers

def _issuers(title: str | None, head: list[str], lines: list[str], signature: list[str]) -> list[str]:
    adopted = _adopting_body(head) or _plenum(lines[:2])
    if adopted:
        return [adopted]
    named = _title_issuers(title) or _head_issuers(head, title)
    found = _unique(named + signature)
    if found:
        return found
    ordered = [issuer for issuer in map(_order_issuer, head) if issuer]
    if ordered:
        return ordered[:1]
    return _speech_issuer(lines[:10])


def _adopting_body(head: list[str]) -> str | None:
    """The legislature or plenum named in a law's / decision's adoption line."""
    for line in reversed([line for line in head if _is_dated_line(line)]):
        congress = _CONGRESS.search(line)
        if congress:
            region, national = congress.group(1), congress.group(2)
            if national:
                return "全国人民代表大会常务委员会"
            return _canonical(f"{region or ''}人民代表大会常务委员会")
        plenum = _plenum([line])
        if plenum:
            return plenum
    return None


def _plenum(lines: list[str]) -> str | None:
    for line in lines:
        match = _PLENUM.search(line)
        if match:
            return f"中国共产党第{match.group(1)}届中央委员会第{match.group(2)}次全体会议"
    return None


def _title_issuers(title: str | None) -> list[str]:
    """Issuers named before 关于 in the title ("中共中央 国务院关于…")."""
    if not title or "关于" not in title:
        return []
    prefix = title.split("关于", 1)[0].strip()
    return _body_names(prefix) if prefix else []


def _head_issuers(head: list[str], title: str | None) -> list[str]:
    """Body-name lines under a title that does not name its issuer ("…规划纲要" / "中共中央 国务院")."""
    lines = [line for line in head if _is_body_name(line) and line not in (title or "")]
    return _unique([name for line in lines for name in _body_names(line)])


def _order_issuer(line: str) -> str | None:
    match = _ORDER.search(line)
    if not match or match.group(2) == "主席":
        return None
    return _canonical(match.group(2))


def _speech_issuer(lines: list[str]) -> list[str]:
    for line in lines:
        match = _SPEECH.search(line)
        if match:
            speaker = match.group(1)
            return [speaker if speaker == "国务院" else f"中国共产党{speaker}"]
    return []


def _hinted_issuers(hints: dict) -> list[str]:
    value = hints.get("issuer")
    return _body_names(str(value)) if value else []


def _body_names(written: str) -> list[str]:
    """Canonical names of the bodies in a short run of text ("国家卫生健康委 财政部")."""
    tokens = [t for t in re.split(r"[\s、，,]+", written) if t]
    names = [_canonical(t) for t in tokens if _is_body_name(t)]
    if names and len(names) == len(tokens):
        return _unique(names)
    found = [name for _, _, name in find_bodies(written)]
    return _unique(found) if found else ([_canonical(written)] if _is_body_name(written) else [])


def _is_body_name(line: str) -> bool:
    """A line (or token) that is only the name of a body: known, or ending like one."""
    line = _SEAL.sub("", line).strip()
    if not line or len(line) > 40 or re.search(r"[，。；：]", line):
        return False
    if canonical_body(line):
        return True
    tokens = line.split()
    if len(tokens) > 1:
        return all(_is_body_name(t) for t in tokens)
    bare = re.sub(r"（[^（）]*）$", "", line)
    return bool(_BODY_SUFFIX.search(bare)) and not _TITLE_END.search(bare) and "关于" not in bare


def _canonical(name: str) -> str:
    name = _SEAL.sub("", name).strip()
    return canonical_body(name) or name


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------- signature

def _signature(lines: list[str], head_size: int) -> tuple[list[str], str | None]:
    """(issuers, date) of the signature: the first date-only line below the head (a wrapper's
    notice comes before its attachment) and the body-name lines right above it."""
    for index in range(max(head_size, 1), len(lines)):
        line = lines[index]
        if _DATE_ONLY.match(line) and not line.startswith(("（", "(")):
            above = lines[max(head_size, index - _SIGNATURE_LOOKBACK):index]
            return _signature_issuers(above), parse_chinese_date(line)
    return [], None


def _signature_issuers(above: list[str]) -> list[str]:
    """Body names in the lines directly above a signature date, joining "（…）" continuations."""
    block: list[str] = []
    for line in reversed(above):
        line = _SEAL.sub("", line).strip()
        if line.startswith("（") and line.endswith("）") and _is_body_name(line[1:-1]):
            block.insert(0, line)
        elif _is_body_name(line):
            block.insert(0, line)
        else:
            break
    written: list[str] = []
    for line in block:
        if line.startswith("（") and written:
            written[-1] += line
        else:
            written.append(line)
    return _unique([name for line in written for name in _body_names(line)])


# --------------------------------------------------------------------------- dates

def _head_date(head: list[str]) -> str | None:
    """The date under the title, or the latest adoption / revision date of a law."""
    dates: list[str] = []
    for line in head:
        if not _is_dated_line(line):
            continue
        for match in _DATE_RE.finditer(line):
            after = line[match.end():match.end() + 40]
            if re.match(r"^[^，。]{0,6}起?施行", after):
                continue  # an entry-into-force date is not the document's date
            parsed = parse_chinese_date(match.group())
            if parsed:
                dates.append(parsed)
    return max(dates) if dates else None


def _title_date(title: str | None) -> str | None:
    """"政府工作报告——2024年3月5日在…上" dates itself."""
    if not title or "——" not in title:
        return None
    return parse_chinese_date(title.split("——", 1)[1])


def _hinted_date(hints: dict) -> str | None:
    for key in ("date", "pub_date"):
        if hints.get(key):
            parsed = parse_chinese_date(str(hints[key]))
            if parsed:
                return parsed
    return None


# --------------------------------------------------------------------------- level and region

def _level_region(issuers: list[str], title: str | None) -> tuple[str | None, str | None]:
    if issuers:
        level, region = body_level_region(issuers[0])
        if level or region:
            return level, region
    return _title_place(title)


def _title_place(title: str | None) -> tuple[str | None, str | None]:
    """Level and region of a place name that opens the title (江西省…, 句容市…)."""
    if not title:
        return None, None
    if title.startswith("中华人民共和国"):
        return "central", "全国"
    from corpus.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    rest = re.sub(r"^关于(?:印发|转发|下发)?[《“]*", "", title)
    division = None
    while True:
        match = _PLACE_PART.match(rest)
        if not match:
            break
        found = gazetteer.resolve(match.group(), within=division.name if division else None)
        if found is None:
            break
        division, rest = found, rest[match.end():]
    if division is None:
        return None, None
    return _DIVISION_LEVEL.get(division.level), division.full_name
