"""Build the networkx graph (a MultiDiGraph following graph/schema.py) from the store."""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

import networkx as nx

from corpus.catalogue import key_documents
from corpus.gazetteer import LEVEL_RANK, load_gazetteer
from corpus.records import Clause, Tag
from corpus.store import Store
from corpus.text import phrase_span
from graph.schema import KIND_LABEL, NATIONAL, node_id
from mining.citations import TitleIndex, TitleMention, find_title_mentions
from mining.codebook import load_instruments


def build_graph(store: Store) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    scan = _scan_clauses(store)
    _add_documents(g, store)
    _add_tags(g, store, scan)
    _add_citations(g, store, scan.quoted)
    _add_region_hierarchy(g)
    return g


def _add_documents(g: nx.MultiDiGraph, store: Store) -> None:
    stored_catalog_ids = set()
    for doc in store.documents():
        m = doc.meta
        stored_catalog_ids.add(m.catalog_id)
        doc_node = node_id("Document", doc.id)
        g.add_node(doc_node, label="Document", key=doc.id, title=m.title or doc.id, date=m.date,
                   year=int(m.date[:4]) if m.date else None, level=m.level, region=m.region,
                   doc_number=m.doc_number, doc_type=m.doc_type, in_corpus=True, catalog_id=m.catalog_id,
                   sha256=doc.sha256)
        for issuer in m.issuers:
            _add_node(g, "Actor", issuer, type="党政机关")
            g.add_edge(doc_node, node_id("Actor", issuer), key=f"ISSUED_BY:{issuer}", type="ISSUED_BY",
                       doc_id=doc.id, clause_id="", start=-1, end=-1, matched=issuer, source="metadata")
        if m.region:
            _add_region(g, m.region)
            g.add_edge(doc_node, node_id("Region", m.region), key="APPLIES_TO", type="APPLIES_TO", doc_id=doc.id,
                       clause_id="", start=-1, end=-1, matched=m.region, source="metadata")
        if doc.parent_id:
            g.add_edge(node_id("Document", doc.parent_id), doc_node, key="CARRIES", type="CARRIES",
                       doc_id=doc.parent_id, clause_id="", start=-1, end=-1, matched=m.title or "", source="ingest")
    for entry in key_documents():
        if entry.id in stored_catalog_ids:
            continue
        g.add_node(node_id("Document", entry.id), label="Document", key=entry.id, title=entry.title,
                   date=entry.date, year=int(entry.date[:4]) if entry.date else None, level=entry.level,
                   region=entry.region, doc_number=entry.doc_number, doc_type=entry.doc_type, in_corpus=False,
                   catalog_id=entry.id, sha256="")


@dataclass
class _ClauseScan:
    """What graph building needs from the clauses' text, found in one pass over them."""
    quoted: dict[str, tuple[Clause, list[TitleMention]]] = field(default_factory=dict)  # 《》 titles of each clause quoting any
    sentence_starts: dict[str, list[int]] = field(default_factory=dict)   # document offsets, clauses of 2+ sentences
    edge_lines: dict[str, list[Clause]] = field(default_factory=dict)     # each document's first and last clauses (_scan_clauses)
    asides: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # document offsets of 与X相比, 本报拉萨电 (_ASIDE)
    clauses: dict[str, Clause] = field(default_factory=dict)              # every clause by id
    repeated: set[str] = field(default_factory=set)   # short lines a document repeats (a slide's footer)


def _scan_clauses(store: Store) -> _ClauseScan:
    scan = _ClauseScan()
    lines: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_document: dict[str, list[Clause]] = defaultdict(list)
    for clause in store.clauses():
        scan.clauses[clause.id] = clause
        if len(clause.text.strip()) <= REPEATED_LINE_CHARS:
            lines[(clause.doc_id, clause.text.strip())].append(clause.id)
        by_document[clause.doc_id].append(clause)
        asides = [(clause.start + m.start(), clause.start + m.end()) for m in _ASIDE.finditer(clause.text)]
        if asides:
            scan.asides[clause.id] = asides
        mentions = find_title_mentions(clause.text)
        if mentions:
            scan.quoted[clause.id] = (clause, mentions)
        ends = [m.end() for m in _SENTENCE_END.finditer(clause.text, 0, len(clause.text.rstrip()) - 1)]
        if ends:
            scan.sentence_starts[clause.id] = [clause.start] + [clause.start + end for end in ends]
    scan.repeated = {clause_id for ids in lines.values() if len(ids) >= 2 for clause_id in ids}
    for doc_id, clauses in by_document.items():
        clauses.sort(key=lambda c: c.start)
        # the first and last lines (a slide's title, its footer), and a second line that names an issuer
        second = clauses[1:2] if len(clauses) > 2 and _ISSUER_LINE.search(clauses[1].text) else []
        scan.edge_lines[doc_id] = clauses[:1] + second + clauses[-1:]
    return scan


_SENTENCE_END = re.compile(r"[。！？；]")
# 广西壮族自治区卫生健康委员会 under a slide's title: the issuer, not a venue (2023年3月 · 昆明)
_ISSUER_LINE = re.compile(r"(?:委员会|委|局|厅|人民政府|政府|中心|协会|学会|医院|办公室)\s*$")
# A place named to compare with (与北京、上海等城市不同，宁夏…) or in a news item's dateline (本报拉萨电) is no place
# the clause's measures belong to
_ASIDE = re.compile(r"与[^，。；：！？]{1,30}?(?:不同|相比|相较|类似|相似|一样)|(?:不同于|有别于|相较于|相比于|比起)[^，。；：！？]{1,30}"
                    r"|(?:本报|新华社|中新社)[^，。；：！？\s]{0,10}电")


def _add_tags(g: nx.MultiDiGraph, store: Store, scan: _ClauseScan) -> None:
    sides = {i.name: i.side for i in load_instruments()}
    clause_regions: dict[str, list[Tag]] = defaultdict(list)
    clause_instruments: dict[str, list[Tag]] = defaultdict(list)
    for tag in store.tags():
        if tag.kind == "practice":    # told as done: a practice of the regions the clause names, not of the document
            _add_node(g, "Instrument", tag.label, side=sides.get(tag.label, tag.category))
            clause_instruments[tag.clause_id].append(tag)
            continue
        label = KIND_LABEL.get(tag.kind)
        if label is None:
            continue
        props = {"side": sides.get(tag.label, tag.category)} if label == "Instrument" else {}
        if label == "Region":
            _add_region(g, tag.label)
            clause_regions[tag.clause_id].append(tag)
        elif label == "Actor":
            _add_node(g, "Actor", tag.label, type=tag.category)
        elif label == "Disease":
            _add_node(g, "Disease", tag.label, kind=tag.kind)
        else:
            _add_node(g, label, tag.label, **props)
        if label == "Instrument":
            clause_instruments[tag.clause_id].append(tag)
        edge_type = "USES" if label == "Instrument" else "MENTIONS"
        g.add_edge(node_id("Document", tag.doc_id), node_id(label, tag.label),
                   key=f"{edge_type}:{tag.clause_id}:{tag.start}", type=edge_type, doc_id=tag.doc_id,
                   clause_id=tag.clause_id, start=tag.start, end=tag.end, matched=tag.matched, source=tag.source,
                   score=tag.score)
    _add_mention_links(g, clause_instruments, clause_regions, scan)


def _add_mention_links(g: nx.MultiDiGraph, clause_instruments: dict[str, list[Tag]],
                       clause_regions: dict[str, list[Tag]], scan: _ClauseScan) -> None:
    """USED_IN: each instrument to the regions its clause names in its scope (_in_scope, an anaphor's
    place included), to the place a short text is about (_places_of_short_texts), and, for what a
    text tells as done with no place of its own, to the place of its footer (_owners_of_repeated_lines),
    and to the higher level that sends staff for it or names the place for it (_senders).
    A place named only to compare with and the measures of that comparison, a news item's dateline
    (_ASIDE), and a place that only situates another (_situates) link to nothing."""
    clause_regions = {clause_id: [r for r in regions if not _inside(r, scan.asides.get(clause_id, ()))
                                  and not _situates(r, regions, scan.clauses[clause_id])]
                      for clause_id, regions in clause_regions.items()}
    places = _places_of_short_texts(clause_regions, scan)
    owners = _owners_of_repeated_lines(clause_regions, scan)
    for clause_id, tags in clause_instruments.items():
        clause = scan.clauses[clause_id]
        regions = clause_regions.get(clause_id, [])
        place = places.get(tags[0].doc_id)
        titles = _title_spans(*scan.quoted[clause_id]) if (regions or place) and clause_id in scan.quoted else []
        sentence_starts = scan.sentence_starts.get(clause_id, [])
        scope = _regions_by_sentence(clause, sentence_starts, regions, titles)
        for tag in tags:
            if _inside(tag, scan.asides.get(clause_id, ())):
                continue
            linked = [r for r in regions if _same_title(tag, r, titles, clause) and _in_scope(tag, r, sentence_starts, scope)]
            if sentence_starts:     # a place an anaphor speaks of (省医保局 after 湄潭县: 贵州省)
                linked += [r for r in scope.get(_sentence_of(tag.start, sentence_starts), ()) if r not in regions]
            if place is not None and _same_title(tag, place, titles, clause) and all(r.label == place.label for r in linked):
                linked.append(place)
            if not linked and tag.kind == "practice" and tag.doc_id in owners:
                linked.append(owners[tag.doc_id])
            if linked:
                start, end = phrase_span(clause.text, tag.start - clause.start)
                linked += _senders(clause.text[start:end], linked)
            for region in linked:
                _add_region(g, region.label)
                g.add_edge(node_id("Instrument", tag.label), node_id("Region", region.label),
                           key=f"USED_IN:{clause_id}:{tag.label}", type="USED_IN", doc_id=tag.doc_id,
                           clause_id=clause_id, start=tag.start, end=tag.end, matched=tag.matched, source=tag.source)


SHORT_TEXT_CHARS = 1500     # a slide, a news item, a work summary, a case box
REPEATED_LINE_CHARS = 30    # a footer or running header
HEADING_LINE_CHARS = 40     # a short text's title or signature line


def _owners_of_repeated_lines(clause_regions: dict[str, list[Tag]], scan: _ClauseScan) -> dict[str, Tag]:
    """The place of each document whose repeated short lines (a deck's footer 聊城市基层卫生协会, a
    running header) name one place: what the document tells as done (a practice tag) with no place of
    its own is that place's — a deck's 组建了10支“全专联合”家庭医生服务团队 is its owner's practice."""
    named: dict[str, list[Tag]] = defaultdict(list)
    for clause_id in scan.repeated:
        for region in clause_regions.get(clause_id, []):
            if not region.source.startswith("context:"):
                named[region.doc_id].append(region)
    return {doc_id: min(regions, key=lambda r: r.start) for doc_id, regions in named.items()
            if len({r.label for r in regions}) == 1}


def _places_of_short_texts(clause_regions: dict[str, list[Tag]], scan: _ClauseScan) -> dict[str, Tag]:
    """The place each short text (at most SHORT_TEXT_CHARS) is about: a place it names (outside 《》
    titles) in its first line, an issuer's line under it or its last line (scan.edge_lines), every
    other place it names lying inside it (then in a title or signature line of its own). A slide
    headed 疾控监督员制度的温州实践 or footed 安徽省天长市卫生健康委员会, a work summary signed
    （江西省九江市卫生健康委员会） names its place once, and its measures are that place's, but for those
    of a place inside it (临夏州…总结: 东乡族自治县在各村开展健康教育); a plan that only 借鉴温州市经验 in
    its body, or a text naming two places side by side, links each instrument by its own clause only."""
    named: dict[str, list[Tag]] = defaultdict(list)
    for clause_id, regions in clause_regions.items():
        titles = _title_spans(*scan.quoted[clause_id]) if clause_id in scan.quoted else []
        for region in regions:
            if (scan.edge_lines[region.doc_id][-1].end <= SHORT_TEXT_CHARS and not region.source.startswith("context:")
                    and not _inside(region, titles)):
                named[region.doc_id].append(region)
    places = {}
    for doc_id, regions in named.items():
        edges = {c.id for c in scan.edge_lines.get(doc_id, [])}
        labels = {r.label for r in regions}
        # with places inside it named too, the place must stand in a title or signature line of its own
        heads = [r for r in regions if r.clause_id in edges and all(label.startswith(r.label) for label in labels)
                 and (len(labels) == 1 or len(scan.clauses[r.clause_id].text.strip()) <= HEADING_LINE_CHARS)]
        if heads:
            places[doc_id] = min(heads, key=lambda r: r.start)
    return places


def _title_spans(clause: Clause, mentions: list[TitleMention]) -> list[tuple[int, int]]:
    """Document offsets of the titles quoted in a clause."""
    return [(clause.start + m.start, clause.start + m.end) for m in mentions]


# 湘西州出台《医防融合服务规范》: the place issues the title it names
_ISSUES = re.compile(r"[^，。；：！？]{0,10}(?:出台|印发|制定|制订|发布|颁布|修订)(?:了)?")


def _same_title(instrument: Tag, region: Tag, titles: list[tuple[int, int]], clause: Clause) -> bool:
    """An instrument named inside a quoted title (《…规划纲要》) is used where that title says, not by a
    region the clause names outside it (湖北代表团 … 《…远景目标纲要》), unless the region issues the
    title (湘西州出台《…服务规范》); a region named inside a title (据《河南卫生健康年鉴》记载，该县…)
    uses nothing named outside it: otherwise the two link only when both stand outside titles or
    inside the same one."""
    def title_of(tag: Tag) -> tuple[int, int] | None:
        return next(((a, b) for a, b in titles if a <= tag.start and tag.end <= b), None)

    inside, of_region = title_of(instrument), title_of(region)
    if (inside is not None and of_region is None and clause.start <= region.start and region.end <= inside[0]):
        return _ISSUES.fullmatch(clause.text[region.end - clause.start:inside[0] - clause.start]) is not None
    return inside == of_region


def _in_scope(instrument: Tag, region: Tag, sentence_starts: list[int], scope: dict[int, list[Tag]]) -> bool:
    """A region named in a clause links to the instruments of the sentences it scopes
    (_regions_by_sentence): in a work report's paragraph 成都大运会 or 北京冬奥会 stands sentences away
    from the 门诊统筹 or 家庭医生签约服务 of the paragraph. A region brought in from an earlier heading or
    slide (source context:…) links to the whole clause."""
    if not sentence_starts or region.source.startswith("context:"):
        return True
    return region in scope.get(_sentence_of(instrument.start, sentence_starts), ())


def _regions_by_sentence(clause: Clause, sentence_starts: list[int], regions: list[Tag],
                         titles: list[tuple[int, int]] = ()) -> dict[int, list[Tag]]:
    """The regions each sentence of a clause speaks of: those it names; or, when it names none, the
    place its anaphor speaks of (_anaphor_referent: 自治区财政 after 银川市…), or else those of the last
    sentence before it that named any, if that sentence opens with a region — a paper's
    例如，广东省以大健康为中心推动…。服务供给方面，开展…健康知识宣教…。 tells 广东省's practice over several
    sentences, while a region named mid-sentence (…成都大运会…) speaks for its own sentence only."""
    named: dict[int, list[Tag]] = defaultdict(list)
    for region in regions:
        if not region.source.startswith("context:"):
            named[_sentence_of(region.start, sentence_starts)].append(region)
    scope: dict[int, list[Tag]] = {}
    carried: list[Tag] = []
    recent: list[Tag] = []      # the regions of the last sentence that named any, last named first
    for sentence in range(1, len(sentence_starts) + 1):
        if sentence in named:
            scope[sentence] = named[sentence]
            opener = min(named[sentence], key=lambda r: r.start)
            recent = sorted((r for r in named[sentence] if not _inside(r, titles)), key=lambda r: -r.start) or recent
            opens = _OPENING.fullmatch(
                clause.text[sentence_starts[sentence - 1] - clause.start:opener.start - clause.start]) is not None
            carried = _opening_list(clause, named[sentence]) if opens else []
            continue
        text = _sentence_text(clause, sentence_starts, sentence)
        if _GENERALISES.match(text):
            carried = []         # 上述做法… / 三地做法表明…: the places before are summed up, not continued
            continue
        referent = _anaphor_referent(text, carried + recent)
        if referent is not None:
            scope[sentence] = [referent]
        elif carried:
            scope[sentence] = carried
    return scope


# 全省 / 该市 / 我县, or a body of a level at the start of a sentence (自治区财政… / 省医保局… / 州卫健委…)
_ANAPHOR = re.compile(r"(?:全|该|本|我)(?P<a>省|自治区|市|州|盟|县|区|旗)"
                      r"|^[^，。；]{0,6}?[，,]?\s*(?P<b>省|自治区|市|州|盟|县|区|旗)"
                      r"(?:财政|政府|委|级|里|卫健委|卫生健康委|卫健局|卫生健康局|医保局|疾控中心|人民医院)")
_ANAPHOR_LEVEL = {"省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city",
                  "县": "county", "区": "county", "旗": "county"}


# 省派业务院长 / 市级下派专家 / 被自治区确定为试点县: a higher level sends staff into the place, or names it
_SENDER = re.compile(r"(?P<sends>省|自治区|市|州)级?(?:派|下派|选派|派驻)(?!出所)"
                     r"|[被经由](?P<names>省|自治区|市|州)(?:级|政府|卫健委|卫生健康委)?(?:确定|列为|批准|命名|遴选)")


def _senders(phrase: str, places: list[Tag]) -> list[Tag]:
    """The places of the level that sends (借助“省派”业务院长进基层…) or names (被自治区确定为试点县) above
    the places a measure of the phrase links to: the measure is also theirs — the province's scheme at
    work in the city. Only in that phrase: in 被自治区确定为试点县后，县财政…安排专项资金 the funds are the
    county's."""
    match = _SENDER.search(phrase)
    if match is None:
        return []
    level = match.group("sends") or match.group("names")
    above = (_place_at_level(place, level, climbs=True) for place in places)
    return list({a.label: a for a in above if a is not None and all(a.label != p.label for p in places)}.values())


# 上述做法… / 以上… / 三地做法表明…: a sentence that sums up the places before it
_GENERALISES = re.compile(r"[^，。；]{0,4}?(?:上述|以上|前述|这些|[两三四五六七八九十几多各]地)")


def _sentence_text(clause: Clause, sentence_starts: list[int], sentence: int) -> str:
    end = sentence_starts[sentence] if sentence < len(sentence_starts) else clause.end
    return clause.text[sentence_starts[sentence - 1] - clause.start:end - clause.start]


def _anaphor_referent(sentence: str, candidates: list[Tag]) -> Tag | None:
    """The place a sentence that names none speaks of by its level, the first of the candidates (the
    places that open the sentence before, then the others it names, last named first) that fits: the
    place itself (全县, 该市, 市里 after a county-level city), or, for a body of a higher level opening
    the sentence (自治区财政…, 省医保局…), the place of that level it lies in."""
    match = _ANAPHOR.search(sentence) if candidates else None
    if match is None:
        return None
    word = match.group("a") or match.group("b")
    for candidate in candidates:
        referent = _place_at_level(candidate, word, climbs=match.group("b") is not None)
        if referent is not None:
            return referent
    return None


def _place_at_level(place: Tag, word: str, climbs: bool) -> Tag | None:
    """`place` itself when it is of the level `word` (县, 市, 自治区…) names, or, when `climbs`, the
    place of that level it lies in."""
    gazetteer = load_gazetteer()
    division = gazetteer.resolve(place.label)
    if division is None or division.level not in LEVEL_RANK:
        return None
    level = _ANAPHOR_LEVEL[word]
    if level == division.level or (word == "市" and division.name.endswith("市")):
        return place
    if LEVEL_RANK[level] > LEVEL_RANK[division.level] or not climbs:
        return None            # 全县 after a city: which county is not said; 全省首批试点县 ranks the county
    province = gazetteer.by_code(division.code[:2].ljust(12, "0"))
    # a municipality's districts lie in no city but the municipality itself (全市 after 朝阳区: 北京市)
    ancestor = province if level == "province" else gazetteer.by_code(division.code[:4].ljust(12, "0")) or province
    if ancestor is None or (level == "city" and ancestor.level == "province" and not ancestor.name.endswith("市")):
        return None
    return replace(place, label=ancestor.full_name)


def _opening_list(clause: Clause, regions: list[Tag]) -> list[Tag]:
    """The regions that open a sentence: the first, and those listed right after it (温州、台州两市…);
    a region named further on (长宁区是上海较早…的区) only situates the first."""
    ordered = sorted(regions, key=lambda r: r.start)
    opening = ordered[:1]
    for region in ordered[1:]:
        gap = clause.text[opening[-1].end - clause.start:region.start - clause.start]
        if not _LIST_GAP.fullmatch(gap):
            break
        opening.append(region)
    return opening


_LIST_GAP = re.compile(r"[、和与及,，\s]?")
# What may stand before a region that opens its sentence: a news item's lead, a connective, a source
# (报告显示，/ 据介绍，) and a date (例如，/ 2021年，/ 在)
_OPENING = re.compile(r"\s*(?:本报讯|本报[^，。；\s]{1,4}电|新华社[^，。；]{0,8}电)?\s*(?:[（(][^（）()]{0,20}[）)])?\s*"
                      r"(?:例如|比如|譬如|如|其中|此外|另外|同时|近日|日前|近期|目前|据悉|在[^，。；]{1,10}方面|在"
                      r"|[^，。；]{0,8}(?:显示|表示|介绍|指出)|据[^，。；]{0,8})?[，,、：:\s]*"
                      r"(?:(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来|起)?[，,、\s]*)?")


# 同属南通的启东市 / 吉安县（隶属江西省吉安市）: the higher place only says where the lower one lies
_SITUATING_BEFORE = re.compile(r"的?")
_SITUATING_AFTER = re.compile(r"\s*[（(，,]\s*(?:隶属于?|属于?|位于)?\s*")


def _situates(region: Tag, regions: list[Tag], clause: Clause) -> bool:
    """Is `region` named only to situate a place inside it, right before it (…南通的启东市) or in the
    brackets after it (吉安县（隶属江西省吉安市）)? Only places named in the clause itself are compared
    (a place brought in from a heading, source context:…, stands elsewhere)."""
    if region.source.startswith("context:"):
        return False
    for lower in regions:
        if (lower.label == region.label or not lower.label.startswith(region.label)
                or lower.source.startswith("context:")):
            continue
        if region.end <= lower.start:
            gap, pattern = clause.text[region.end - clause.start:lower.start - clause.start], _SITUATING_BEFORE
        else:
            gap, pattern = clause.text[lower.end - clause.start:region.start - clause.start], _SITUATING_AFTER
        if pattern.fullmatch(gap):
            return True
    return False


def _inside(tag: Tag, spans) -> bool:
    return any(a <= tag.start and tag.end <= b for a, b in spans)


def _sentence_of(offset: int, sentence_starts: list[int]) -> int:
    return bisect.bisect_right(sentence_starts, offset)


def _add_citations(g: nx.MultiDiGraph, store: Store, quoted: dict[str, tuple[Clause, list[TitleMention]]]) -> None:
    index = TitleIndex(store)
    for clause, mentions in quoted.values():
        source = node_id("Document", clause.doc_id)
        for mention in mentions:
            for target in index.resolve(mention.title)[:1]:
                target_id = target.doc_id or target.catalog_id
                if target_id == clause.doc_id or not g.has_node(node_id("Document", target_id)):
                    continue
                g.add_edge(source, node_id("Document", target_id), key=f"CITES:{clause.id}:{mention.start}",
                           type="CITES", doc_id=clause.doc_id, clause_id=clause.id,
                           start=clause.start + mention.start, end=clause.start + mention.end,
                           matched=mention.title, source=f"title:{target.how}")


def _add_node(g: nx.MultiDiGraph, label: str, key: str, **props) -> None:
    node = node_id(label, key)
    if node not in g:
        g.add_node(node, label=label, key=key, **props)


def _add_region(g: nx.MultiDiGraph, name: str) -> None:
    if name == NATIONAL:
        _add_node(g, "Region", name, level="national")
        return
    division = load_gazetteer().resolve(name)
    _add_node(g, "Region", name, level=division.level if division else "unknown")


def _add_region_hierarchy(g: nx.MultiDiGraph) -> None:
    gazetteer = load_gazetteer()
    for node, data in list(g.nodes(data=True)):
        if data["label"] != "Region" or data["key"] == NATIONAL:
            continue
        division = gazetteer.resolve(data["key"])
        parent = gazetteer.by_code(division.parent_code) if division and division.parent_code else None
        if parent is not None:
            _add_region(g, parent.full_name)
            g.add_edge(node, node_id("Region", parent.full_name), key="PART_OF", type="PART_OF", doc_id="",
                       clause_id="", start=-1, end=-1, matched="", source="gazetteer")
