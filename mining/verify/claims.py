"""The manuscript side: sentences, quotations, the citations written in the text (mentions), and
the claims read around each (year, issuers, 文号, quotations, novelty, places)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.bodies import find_bodies
from corpus.text import normalize_doc_number
from mining.citations import (DOC_NUMBER_RE, ReferenceEntry, bare_title, cite_key, find_reference_entries,
                              find_titles_nested)
from mining.verify.corpus_view import ISSUER_PREFIX, Corpus


YEAR = r"(?:19|20)\d{2}"
CN_NUM = "〇零一二三四五六七八九十"
DATE_TAIL = rf"(?:\s*[\d{CN_NUM}]{{1,3}}\s*月(?:\s*[\d{CN_NUM}]{{1,3}}\s*[日号])?)?"
# "等部门", "等10部门", "等六部委": the bodies written are some of the issuers
OTHERS = rf"(?:\s*等\s*(?:[\d{CN_NUM}]{{1,3}}\s*个?)?\s*(?:部门|部委|单位|机构|委员会)?)?"
VERBS = r"(?:印发|发布|出台|颁布|制定|下发|公布|审议通过|审议批准|批准|通过|作出|做出|发出|修订|修正|提出|公开)"
# verbs by which a legislature adopts or approves a text it did not necessarily issue (政府工作报告)
ADOPTION_VERBS = ("审议通过", "审议批准", "批准", "通过")
BODY = "\uE000"   # stands for one issuing body in a skeleton of the text before a title
_PRE_TAIL = re.compile(
    rf"(?:(?P<y1>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*)?"
    rf"(?:(?:由)?(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*){OTHERS}\s*)?"
    rf"(?:于?\s*(?P<y2>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*)?"
    rf"(?:(?:联合|共同|正式|先后|相继|又|还|再次|首次|专门)?\s*(?P<verb>{VERBS})了?\s*)?的?\s*(?:在|于)?\s*$")
_POST_PAREN = re.compile(r"^\s*[（(](?P<inner>[^（）()]{1,80})[）)]")
_POST_YEAR = re.compile(rf"^[^，。；《“]{{0,8}}?于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}[^，。；《“]{{0,6}}?{VERBS}")
_POST_BODIES = re.compile(rf"^[^，。；《“]{{0,6}}?由(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*){OTHERS}"
                          rf"\s*(?:于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}\s*)?(?:联合|共同|正式)?\s*(?P<verb>{VERBS})")
# 《X》于2016年10月25日由中共中央、国务院印发 (on the skeleton of the text after the title)
_POST_YEAR_BODIES = re.compile(
    rf"^[^，。；《“]{{0,8}}?于\s*(?P<y>{YEAR})\s*年{DATE_TAIL}\s*[，,]?\s*由(?P<bodies>{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*)"
    rf"{OTHERS}\s*(?:联合|共同|正式)?\s*(?P<verb>{VERBS})")
# 到2030年 / 截至2020年 / 预计2025年: a target or a cut-off, not the year of issue
_NOT_ISSUE_YEAR_BEFORE = re.compile(r"(?:到|至|截至|截止|直到|直至|预计|力争|争取|计划|目标)\s*$")
_NOT_ISSUE_YEAR_AFTER = re.compile(r"^\s*(?:年)?\s*(?:以来|以前|之前|前|后|底|末|起)")
NOVELTY = re.compile(r"首次(?:出现|提出|写入|使用|明确|提到|被提出|正式提出|将)|最早(?:出现|提出|见于|使用|可追溯|写入|是在)"
                     r"|第一次(?:提出|出现|写入|使用)|首见于|率先提出|first\s+(?:appear|introduc|mention|us|propos)",
                     re.I)
_ANAPHOR_START = re.compile(r"^\s*(?:该(?:文件|规划|意见|通知|决定|报告|纲要|方案|法|条例|办法)|上述文件)")
_GENERIC_TITLES = {"规划", "意见", "通知", "决定", "纲要", "建议", "报告", "方案", "条例", "办法", "法",
                   "行动", "实施方案", "指导意见", "规划纲要", "工作方案", "计划"}
_NAME_MARK_FOLLOW = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "\"": "\""}
_SOURCE_BEFORE_TITLE = re.compile(r"^[^“”《》]{0,12}?(?:出自|见于|来自|源自|引自|语出)\s*$")


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Mention:
    """One citation as written."""

    start: int
    end: int
    cited: str
    source: str                         # title / name / reference / anaphor
    entry: ReferenceEntry | None = None
    alias_of: int | None = None         # start offset of the earlier mention this one abbreviates (以下简称)


@dataclass
class Claims:
    year: int | None = None
    issuers: list[tuple[str, str]] = field(default_factory=list)   # (as written, canonical)
    doc_number: str | None = None
    quotes: list[Span] = field(default_factory=list)
    novelty: str | None = None          # the term claimed to appear first here
    verb: str | None = None             # the verb linking the issuers to the title (印发 / 审议通过 …)
    places: list = field(default_factory=list)                      # PlaceMention
    sentence: Span | None = None


def sentence_spans(text: str) -> list[Span]:
    """Sentences, never split inside quotation marks or brackets; a line break always ends one."""
    spans, start, i = [], 0, 0
    closing: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            if text[start:i].strip():
                spans.append(Span(start, i, text[start:i]))
            start, closing, i = i + 1, [], i + 1
            continue
        if closing and ch == closing[-1]:
            closing.pop()
            if not closing and i > 0 and text[i - 1] in "。！？!?" and i + 1 < len(text) and text[i + 1] not in "，,、；":
                spans.append(Span(start, i + 1, text[start:i + 1]))
                start = i + 1
        elif ch in _QUOTE_PAIRS or ch in "《（(":
            closing.append(_QUOTE_PAIRS.get(ch, {"《": "》", "（": "）", "(": ")"}.get(ch)))
        elif not closing and ch in "。！？!?":
            spans.append(Span(start, i + 1, text[start:i + 1]))
            start = i + 1
        i += 1
    if text[start:].strip():
        spans.append(Span(start, len(text), text[start:]))
    return [_strip_span(s) for s in spans if s.text.strip()]


def _strip_span(s: Span) -> Span:
    lead = len(s.text) - len(s.text.lstrip())
    trail = len(s.text.rstrip())
    return Span(s.start + lead, s.start + trail, s.text.strip())


def quote_spans(text: str, start: int, end: int) -> list[Span]:
    """“…” spans (offsets of the content, marks excluded) between ``start`` and ``end``."""
    out, i = [], start
    while i < end:
        ch = text[i]
        close = _QUOTE_PAIRS.get(ch)
        if close:
            j = _matching_close(text, i, end, ch, close)
            if j is not None:
                out.append(Span(i + 1, j, text[i + 1:j]))
                i = j + 1
                continue
        i += 1
    return out


def _matching_close(text: str, i: int, end: int, open_: str, close: str) -> int | None:
    depth = 0
    for j in range(i + 1, end):
        if text[j] == close and (open_ != close or depth == 0):
            if depth == 0:
                return j
            depth -= 1
        elif text[j] == open_ and open_ != close:
            depth += 1
    return None


_ALIAS_BEFORE = re.compile(r"(?:简称|又称|俗称|称为|称作|即|[（(])\s*$")


def is_name_mark(text: str, span: Span) -> bool:
    """“十四五”时期, “健康中国2030”规划纲要: quotation marks naming a thing, not quoting a text;
    （“国考”）, 简称“国考”: a short name given to something."""
    follow = text[span.end + 1] if span.end + 1 < len(text) else ""
    before = text[span.start - 2:span.start - 1] if span.start >= 2 else ""
    if len(span.text) <= 8 and _ALIAS_BEFORE.search(text[max(0, span.start - 4):span.start - 1]):
        # （“国考”） right after a Chinese noun phrase; not “…” after an English translation
        if before not in ("（", "(") or (follow in "）)" and span.start >= 3
                                          and re.match(r"[\u4e00-\u9fff]", text[span.start - 3])):
            return True
    if len(span.text) <= 8 and follow and _NAME_MARK_FOLLOW.match(follow) and follow not in "的和与及等":
        return True
    return False


def find_mentions(text: str, corpus: Corpus) -> list[Mention]:
    entries = find_reference_entries(text)
    in_entry = [(e.start, e.end) for e in entries]
    mentions: list[Mention] = [Mention(e.title_start, e.title_end, e.title, "reference", e) for e in entries]
    titles = [t for t in find_titles_nested(text) if not _inside(t.start, t.end, in_entry)]
    quoted = [s for s in quote_spans(text, 0, len(text))
              if not any(t.start < s.start < t.end for t in titles) and not is_name_mark(text, s)]
    aliases: dict[str, int] = {}
    for t in titles:
        if any(s.start <= t.start and t.end <= s.end for s in quoted):
            continue  # a title inside a quotation belongs to the quoted text
        before = text[max(0, t.start - 6):t.start]
        if re.search(r"(以下简称|下称|简称)\s*$", before):
            earlier = [m for m in mentions if m.source in ("title", "name") and m.end <= t.start]
            if earlier:
                aliases[cite_key(t.title)] = max(earlier, key=lambda m: m.end).start
            continue
        cited = t.title.strip()
        key = cite_key(cited)
        if key in aliases:
            mentions.append(Mention(t.start, t.end, cited, "anaphor", alias_of=aliases[key]))
        elif key in _GENERIC_TITLES:
            mentions.append(Mention(t.start, t.end, cited, "anaphor"))
        else:
            mentions.append(Mention(t.start, t.end, cited, "title"))
    taken = in_entry + [(t.start, t.end) for t in titles]
    for n in corpus.names.find(text):
        if _inside(n.start, n.end, taken) or any(s.start <= n.start and n.end <= s.end and not _is_whole(s, n)
                                                 for s in quoted):
            continue
        mentions.append(Mention(n.start, n.end, n.name, "name"))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _is_whole(span: Span, n) -> bool:
    return span.start == n.start and span.end == n.end


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


_SESSION_BEFORE = re.compile(rf"(?:党的|中共)?第?[{CN_NUM}\d]{{1,3}}届\s*$")
_SESSION_AFTER = re.compile(rf"^\s*(?:第?[{CN_NUM}\d]{{1,3}}次(?:全体)?会议|常委会第?[{CN_NUM}\d]{{1,3}}次会议)")
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=\s*年)")


def arabic_years(segment: str) -> str:
    """二〇二三年 → 2023年 (same length, so offsets hold)."""
    table = str.maketrans("〇零一二三四五六七八九", "00123456789")
    return _CN_YEAR.sub(lambda m: m.group().translate(table), segment)


def _skeleton(segment: str) -> tuple[str, list[tuple[str, str]]]:
    """The segment with each issuing body replaced by one BODY mark, and the bodies in order.
    A session written around a body belongs to it (第十三届全国人大常委会第十五次会议)."""
    out, bodies, pos = [], [], 0
    for start, end, canonical in find_bodies(segment):
        if start < pos:
            continue
        before = _SESSION_BEFORE.search(segment, pos, start)
        if before:
            start = before.start()
        after = _SESSION_AFTER.match(segment[end:])
        if after:
            end += after.end()
        out.append(segment[pos:start])
        out.append(BODY)
        bodies.append((segment[start:end], canonical))
        pos = end
    out.append(segment[pos:])
    return "".join(out), bodies


def _bodies_in(match: re.Match, skeleton: str, bodies: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The bodies that the ``bodies`` group of a skeleton match covers."""
    first = skeleton[:match.start("bodies")].count(BODY)
    count = match.group("bodies").count(BODY)
    return bodies[first:first + count]


def read_claims(text: str, mention: Mention, pre_start: int, post_end: int, sentence: Span,
                quotes: list[Span]) -> Claims:
    claims = Claims(sentence=sentence)
    if mention.entry is not None:
        return _entry_claims(mention.entry, claims)
    pre, post = arabic_years(text[pre_start:mention.start]), arabic_years(text[mention.end:post_end])
    skeleton, bodies = _skeleton(pre)
    m = _PRE_TAIL.search(skeleton)
    if m:
        group = "y1" if m.group("y1") else "y2"
        year = m.group(group)
        if (year and not _NOT_ISSUE_YEAR_AFTER.match(skeleton[m.end(group):])
                and not _NOT_ISSUE_YEAR_BEFORE.search(skeleton[:m.start(group)])):
            claims.year = int(year)
        if m.group("bodies"):
            claims.issuers = _bodies_in(m, skeleton, bodies)
            claims.verb = m.group("verb")
    # an issuer written inside the title: 《国务院办公厅关于…》
    prefix = ISSUER_PREFIX.match(bare_title(mention.cited))
    if prefix and not claims.issuers:
        p_skeleton, p_bodies = _skeleton(prefix.group("prefix"))
        if p_bodies and re.fullmatch(rf"{BODY}(?:\s*[、，,和与及暨]?\s*{BODY})*\s*", p_skeleton):
            claims.issuers = p_bodies
    paren = _POST_PAREN.match(post)
    if paren:
        inner = paren.group("inner")
        number = DOC_NUMBER_RE.search(inner)
        if number:
            claims.doc_number = _clean_number(number.group())
        year = re.search(rf"(?<!\d)({YEAR})(?:\s*年|[-./]\d|\s*[）)]|$)", inner)
        if year and not claims.year and not re.search(r"以下简称|简称", inner):
            claims.year = int(year.group(1))
    else:
        y = _POST_YEAR.match(post)
        if y and not claims.year:
            claims.year = int(y.group("y"))
    if not claims.issuers:
        p_skeleton, p_bodies = _skeleton(post)
        pm = _POST_YEAR_BODIES.match(p_skeleton) or _POST_BODIES.match(p_skeleton)
        if pm:
            claims.issuers = _bodies_in(pm, p_skeleton, p_bodies)
            claims.verb = pm.group("verb")
            if "y" in pm.groupdict() and pm.group("y") and not claims.year:
                claims.year = int(pm.group("y"))
    if not claims.doc_number:
        before = DOC_NUMBER_RE.search(pre[-30:] + "\0")
        if before and pre.rstrip().endswith(before.group()):
            claims.doc_number = _clean_number(before.group())
    claims.quotes = [s for s in quotes if mention.end <= s.start < post_end]
    claims.quotes += [s for s in quotes if pre_start <= s.start < mention.start
                      and _SOURCE_BEFORE_TITLE.match(text[s.end + 1:mention.start])]
    return claims


def _entry_claims(entry: ReferenceEntry, claims: Claims) -> Claims:
    if entry.date:
        claims.year = int(entry.date[:4])
    if entry.author:
        claims.issuers = [(entry.author[s:e], c) for s, e, c in find_bodies(entry.author)]
    if entry.doc_number:
        claims.doc_number = _clean_number(entry.doc_number)
    return claims


_NUMBER_NOISE = re.compile(r"^.*?(?:文号为|文号是|文号|编号为|编号|印发|发布|即|为|是)")


def _clean_number(written: str) -> str:
    return normalize_doc_number(_NUMBER_NOISE.sub("", written) or written)


def novelty_term(text: str, sentence: Span, claim_at: int, terms: list) -> str | None:
    """The term a novelty claim is about: a short quoted term nearest the claim, else a tracked
    term (codebook terms.yaml) nearest the claim, else the word before 一词/这一概念."""
    near = [s for s in quote_spans(text, sentence.start, sentence.end) if 2 <= len(s.text) <= 12]
    if near:
        return min(near, key=lambda s: abs(s.start - claim_at)).text.strip()
    best = None
    for term in terms:
        for form in term.forms:
            for m in re.finditer(re.escape(form), sentence.text):
                distance = abs(sentence.start + m.start() - claim_at)
                if best is None or distance < best[0] or (distance == best[0] and len(form) > len(best[1])):
                    best = (distance, form)
    if best:
        return best[1]
    m = re.search(r"([\u4e00-\u9fa5]{2,8})(?:一词|这一概念|这一提法|的概念|的提法)", sentence.text)
    return m.group(1) if m else None


def claims_of_mentions(text: str, mentions: list[Mention], terms: list, gazetteer) -> list[Claims]:
    """The claims of each mention, in order. A mention's claims are read in its sentence, between
    the mentions before and after it; novelty claims and places go to the nearest mention, and the
    quotations of a following 该文件… sentence to the last mention before it."""
    sentences = sentence_spans(text)
    quotes_all = [s for s in quote_spans(text, 0, len(text)) if not is_name_mark(text, s)
                  and not any(m.start <= s.start < m.end for m in mentions)]
    by_sentence: dict[int, list[int]] = {}
    for i, mention in enumerate(mentions):
        s_index = _sentence_of(sentences, mention.start)
        by_sentence.setdefault(s_index, []).append(i)
    claims_of: dict[int, Claims] = {}
    for s_index, indexes in by_sentence.items():
        sentence = sentences[s_index]
        for k, i in enumerate(indexes):
            mention = mentions[i]
            pre_start = mentions[indexes[k - 1]].end if k else sentence.start
            post_end = mentions[indexes[k + 1]].start if k + 1 < len(indexes) else sentence.end
            if mention.entry is not None:
                sentence_k = Span(mention.entry.start, mention.entry.end, text[mention.entry.start:mention.entry.end])
            else:
                sentence_k = sentence
            claims_of[i] = read_claims(text, mention, pre_start, post_end, sentence_k, quotes_all)
        _attach_novelty(text, sentence, indexes, mentions, claims_of, terms)
        _attach_places(gazetteer, sentence, indexes, mentions, claims_of)
    _attach_anaphoric_quotes(sentences, by_sentence, claims_of, quotes_all)
    return [claims_of[i] for i in range(len(mentions))]


def _sentence_of(sentences: list[Span], offset: int) -> int:
    for i, s in enumerate(sentences):
        if s.start <= offset < s.end:
            return i
    return max(0, min(range(len(sentences)), key=lambda i: abs(sentences[i].start - offset))) if sentences else 0


def _attach_novelty(text, sentence, indexes, mentions, claims_of, terms) -> None:
    for m in NOVELTY.finditer(sentence.text):
        at = sentence.start + m.start()
        candidates = [i for i in indexes if mentions[i].entry is None]
        if not candidates:
            return
        nearest = min(candidates, key=lambda i: min(abs(mentions[i].start - at), abs(mentions[i].end - at)))
        term = novelty_term(text, sentence, at, terms)
        if term:
            claims_of[nearest].novelty = term
        return


def _attach_places(gazetteer, sentence, indexes, mentions, claims_of) -> None:
    candidates = [i for i in indexes if mentions[i].entry is None]
    if not candidates:
        return
    bodies = find_bodies(sentence.text)
    for place in gazetteer.find_in_text(sentence.text):
        start = sentence.start + place.start
        if any(mentions[i].start <= start < mentions[i].end for i in indexes):
            continue  # a place inside a cited title is part of the title
        if place.status == "ok" and any(b[0] <= place.start and place.end <= b[1] for b in bodies):
            continue  # 浙江省 in 浙江省卫生健康委员会 names the issuer, it is no claim about a place
        nearest = min(candidates, key=lambda i: min(abs(mentions[i].start - start), abs(mentions[i].end - start)))
        claims_of[nearest].places.append(place)


def _attach_anaphoric_quotes(sentences, by_sentence, claims_of, quotes_all) -> None:
    """Quotations in a sentence that starts with 该文件/该规划… belong to the last citation before it."""
    last = None
    for s_index, sentence in enumerate(sentences):
        if s_index in by_sentence:
            last = by_sentence[s_index][-1]
            continue
        if last is not None and _ANAPHOR_START.match(sentence.text):
            claims_of[last].quotes += [s for s in quotes_all if sentence.start <= s.start < sentence.end]
