"""Administrative divisions of China (province / city / county) and place names in running text.

Data: corpus/data/gazetteer.csv, generated from the cpca package by corpus/data/make_gazetteer.py
(see gazetteer.meta.json for the source version).

Rules of `Gazetteer.find_in_text`:
- standalone it tags full names ("温州市", "鹿城区", "浙江省") and the short names of provinces
  and prefecture-level cities ("浙江", "温州"); short names of counties ("长兴") and the names in
  meta "text_requires_context" ("大同", "城区") are tagged only right after a parent place
  ("浙江长兴", "山西大同", "安徽省和县"), and so are two-character full names ("和县"), except a
  county's (郏县) that opens a sentence or phrase and is not followed by 级/城/域… (和县级医院 is not
  和县); a name of that meta list is also tagged right before a place inside it ("日照莒县" is
  山东省日照市莒县);
- the usual short form of an autonomous prefecture, county or banner (恩施州, 积石山县, 东乡县,
  鄂伦春旗: its short name and 州/县/旗) is a name of it, unless another division bears it;
- a chain of places written together ("浙江省温州市鹿城区") is one mention resolved to the last;
  a lower place that does not lie in the place before it ("云南省丽水市") is one mention with
  status "mismatch", resolved to the real division, the note naming its real province;
- a name followed by a road/university word (广东路, 南京东路, 上海大街, 浙江大学) is not a place;
- a place followed by 新区/开发区/高新区… that the gazetteer lacks ("兰州新区") is status "unknown";
- a name several places bear ("朝阳区": 北京市, 长春市) is the one that lies in, or is, a place the
  same text names unambiguously ("北京市朝阳区和西城区…朝阳区还…"); otherwise status "ambiguous".
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.wordfinder import WordFinder

DATA_DIR = Path(__file__).resolve().parent / "data"
CSV_PATH = DATA_DIR / "gazetteer.csv"
META_PATH = DATA_DIR / "gazetteer.meta.json"

LEVEL_RANK = {"province": 0, "city": 1, "county": 2}

# Words that turn a preceding place name into part of a road, school or similar name (上海合作组织
# is an international organisation, not the city).
NOT_A_PLACE_AFTER = re.compile(
    r"(?:[东西南北中]?(?:路(?![径线])|街|大街|大道|巷|胡同)|大学|医科大学|学院|时间|合作组织)"
)
# Zones that are not administrative divisions; two to four characters may stand between the
# parent place and the suffix ("河北雄安新区"), none when the parent is a city or county ("兰州新区").
ZONE_AFTER = re.compile(
    r"([\u4e00-\u9fa5]{2,4}?)?(高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|新区)"
)


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short: str
    level: str                  # province / city / county
    parent_code: str | None
    province: str
    city: str | None
    full_name: str


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str
    division: Division | None
    status: str                 # "ok" | "ambiguous" | "mismatch" | "unknown"
    note: str


def _is_inside(child: Division, parent: Division) -> bool:
    if child.code == parent.code:
        return False
    if parent.level == "province":
        return child.code[:2] == parent.code[:2]
    if parent.level == "city":
        return child.level == "county" and child.code[:4] == parent.code[:4]
    return False


class Gazetteer:
    """Divisions by code and name. `standalone_names`: the names find_in_text tags on their own."""

    def __init__(self, divisions: list[Division], version: str, requires_context: set[str],
                 boundary_blocks: dict[str, dict[str, str]] | None = None):
        self.version = version
        self._blocks = boundary_blocks or {}
        self.divisions = divisions
        self._by_code = {d.code: d for d in divisions}
        self._by_name: dict[str, list[Division]] = {}
        self._by_short: dict[str, list[Division]] = {}
        for d in divisions:
            self._by_name.setdefault(d.name, []).append(d)
            if d.full_name != d.name:
                self._by_name.setdefault(d.full_name, []).append(d)
            if d.short:
                self._by_short.setdefault(d.short, []).append(d)
        self._alternates: dict[str, list[str]] = {}          # code -> usual short forms (恩施州)
        for d in divisions:
            form = _autonomous_short_form(d)
            if form and form not in self._by_name and form not in self._by_short:
                self._by_name[form] = [d]
                self._alternates.setdefault(d.code, []).append(form)
        self._descendant_names = self._index_descendants()
        # ancestor code -> first character -> lengths of descendant names starting with it
        self._descendant_lengths = {
            code: self._lengths_by_first_char(table) for code, table in self._descendant_names.items()
        }
        self._automaton = self._build_automaton(requires_context)

    # ---- look-up -------------------------------------------------------------------------

    def lookup(self, name: str) -> list[Division]:
        """Divisions whose name, full name or short name is `name`; several when ambiguous."""
        name = name.strip()
        found = list(self._by_name.get(name, []))
        found += [d for d in self._by_short.get(name, []) if d not in found]
        return found

    def resolve(self, name: str, within: str | None = None) -> Division | None:
        candidates = self.lookup(name)
        if within:
            parents = self.lookup(within)
            candidates = [c for c in candidates if any(c == p or _is_inside(c, p) for p in parents)]
        return self._pick(candidates, name)

    def check_pair(self, parent: str, child: str) -> str:
        parents, children = self.lookup(parent), self.lookup(child)
        if not parents or not children:
            return "unknown"
        if any(_is_inside(c, p) for c in children for p in parents):
            return "ok"
        return "mismatch"

    def by_code(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def _pick(self, candidates: list[Division], written: str) -> Division | None:
        """One division for a name: the only one, else exact names before short ones, then the
        highest level when that level has a single candidate (吉林 -> 吉林省)."""
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        exact = [c for c in candidates if written in (c.name, c.full_name)]
        pool = exact or candidates
        if len(pool) == 1:
            return pool[0]
        top = min(LEVEL_RANK[c.level] for c in pool)
        top_pool = [c for c in pool if LEVEL_RANK[c.level] == top]
        return top_pool[0] if len(top_pool) == 1 else None

    # ---- places in text ------------------------------------------------------------------

    def find_in_text(self, text: str) -> list[PlaceMention]:
        raw = [(start, end, key) for start, end, key, _ in self._automaton.iter_long(text)]
        raw = sorted(raw + self._names_in_context(text, raw))
        by_start = {start: (end, key) for start, end, key in raw}
        mentions: list[PlaceMention] = []
        pos = 0
        for start, end, key in raw:
            if start < pos:
                continue
            if key.endswith("区") and text.startswith("域", end):
                # "河北区域" is 河北 + 区域, not 天津市河北区
                key, end = key[:-1], end - 1
                if key not in self._automaton:
                    continue
            if NOT_A_PLACE_AFTER.match(text, end) or self._inside_word(text, start, end, key):
                continue
            mention = self._read_chain(text, start, end, key, by_start)
            mentions.append(mention)
            pos = mention.end
        return self._resolve_by_context(mentions)

    def _names_in_context(self, text: str, raw: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Names tagged only in their context, where no standalone name was found: one that needs it
        (日照, 大同) written right before a place inside it (日照莒县), and a two-character county
        name (郏县, 莒县) where a phrase opens, not inside a word (提高县级, 健康县域) nor before
        级/城/域… (和县级医院, 新县城)."""
        found = []
        for start, end, key, kind in self._context_automaton.iter_long(text):
            if kind == "chain":
                fits = self._probe_descendants(text, end, self.lookup(key)) is not None
            else:
                fits = ((start == 0 or text[start - 1] in _PHRASE_OPENS)
                        and not (end < len(text) and text[end] in _NOT_AFTER_COUNTY))
            if fits and not any(a < end and start < b for a, b, _ in raw):
                found.append((start, end, key))
        return found

    def _resolve_by_context(self, mentions: list[PlaceMention]) -> list[PlaceMention]:
        """An ambiguous name that is, or lies in, exactly one of its candidates' places the text
        names unambiguously takes that candidate."""
        named = [m.division for m in mentions if m.division is not None and m.status == "ok"]
        out = []
        for m in mentions:
            if m.status == "ambiguous":
                fits = [c for c in self.lookup(m.text)
                        if any(c == d or _is_inside(c, d) for d in named)]
                if len(fits) == 1:
                    m = PlaceMention(m.start, m.end, m.text, fits[0], "ok", "")
            out.append(m)
        return out

    def _inside_word(self, text: str, start: int, end: int, key: str) -> bool:
        """A two-character short name glued to a word: 均衡水平 (衡水), 重大理论 (大理)."""
        block = self._blocks.get(key)
        if block is None:
            return False
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before and before in block["left"]:
            return True
        if after and after in block["right"]:
            # a child place may follow ("温州市" is a full name, but "山西大同" must stay)
            return self._probe_descendants(text, end, self.lookup(key)) is None
        return False

    def _read_chain(self, text: str, start: int, end: int, key: str,
                    by_start: dict[int, tuple[int, str]]) -> PlaceMention:
        current = self.lookup(key)
        written = key
        while True:
            child = self._probe_descendants(text, end, current)
            if child is not None:
                length, divisions = child
                written = text[end:end + length]
                current, end = divisions, end + length
                continue
            nxt = by_start.get(end)
            if nxt is not None and not NOT_A_PLACE_AFTER.match(text, nxt[0]):
                mismatch = self._mismatch(text, start, end, nxt, current, written)
                if mismatch is not None:
                    return mismatch
            zone = self._zone(text, start, end, current, written)
            if zone is not None:
                return zone
            break
        division = self._pick(current, written)
        if division is not None:
            return PlaceMention(start, end, text[start:end], division, "ok", "")
        options = "、".join(d.full_name for d in current)
        return PlaceMention(start, end, text[start:end], None, "ambiguous", f"可能是：{options}")

    def _probe_descendants(self, text: str, pos: int,
                           parents: list[Division]) -> tuple[int, list[Division]] | None:
        """The longest descendant name of `parents` written at `pos`, and its divisions."""
        if pos >= len(text):
            return None
        codes = [p.code for p in parents if p.code in self._descendant_names]
        lengths = sorted({n for c in codes for n in self._descendant_lengths[c].get(text[pos], ())},
                         reverse=True)
        for length in lengths:
            if pos + length > len(text):
                continue
            piece = text[pos:pos + length]
            found = [d for c in codes for d in self._descendant_names[c].get(piece, [])]
            if found and not NOT_A_PLACE_AFTER.match(text, pos + length):
                return length, found
        return None

    def _mismatch(self, text: str, start: int, end: int, nxt: tuple[int, str],
                  parents: list[Division], written: str) -> PlaceMention | None:
        next_end, next_key = nxt
        children = self.lookup(next_key)
        top_parent = min(LEVEL_RANK[p.level] for p in parents)
        if not children or min(LEVEL_RANK[c.level] for c in children) <= top_parent:
            return None  # a sibling or a higher place ("北京上海"): not a chain
        if written not in self._by_name and next_key not in self._by_name:
            return None  # two bare short names ("上海广州") read as a list, not as a claim
        division = self._pick(children, next_key)
        real = division.province if division else "、".join(sorted({c.province for c in children}))
        parent = self._pick(parents, written)
        parent_names = parent.name if parent else "、".join(sorted({p.name for p in parents}))
        note = f"{next_key}属于{real}，不在{parent_names}"
        return PlaceMention(start, next_end, text[start:next_end], division, "mismatch", note)

    def _zone(self, text: str, start: int, end: int, parents: list[Division],
              written: str) -> PlaceMention | None:
        match = ZONE_AFTER.match(text, end)
        if match is None:
            return None
        if match.group(1) is None and all(p.level == "province" for p in parents):
            return None  # "河北省开发区" speaks of the province's zones in general
        zone_end = match.end()
        picked = self._pick(parents, written)
        names = picked.full_name if picked else "、".join(d.full_name for d in parents)
        note = f"{text[start:zone_end]}不是行政区划（新区/开发区类），名称所属：{names}"
        return PlaceMention(start, zone_end, text[start:zone_end], None, "unknown", note)

    # ---- construction --------------------------------------------------------------------

    def _index_descendants(self) -> dict[str, dict[str, list[Division]]]:
        index: dict[str, dict[str, list[Division]]] = {}
        for d in self.divisions:
            ancestors = [a for a in (self._by_code.get(d.code[:2] + "0" * 10),
                                     self._by_code.get(d.code[:4] + "0" * 8)) if a is not None]
            for ancestor in ancestors:
                if not _is_inside(d, ancestor):
                    continue
                table = index.setdefault(ancestor.code, {})
                for name in {d.name, d.short, *self._alternates.get(d.code, ())} - {""}:
                    table.setdefault(name, []).append(d)
        return index

    @staticmethod
    def _lengths_by_first_char(table: dict[str, list[Division]]) -> dict[str, set[int]]:
        lengths: dict[str, set[int]] = {}
        for name in table:
            lengths.setdefault(name[0], set()).add(len(name))
        return lengths

    def _build_automaton(self, requires_context: set[str]) -> WordFinder[str]:
        keys: set[str] = set()
        for d in self.divisions:
            if len(d.name) >= 3:
                keys.add(d.name)
            if d.short and d.level in ("province", "city"):
                keys.add(d.short)
            keys.update(self._alternates.get(d.code, ()))
        self.standalone_names = frozenset(keys - requires_context)
        counties = {d.name for d in self.divisions
                    if len(d.name) == 2 and d.name.endswith("县") and d.name not in requires_context}
        self._context_automaton = WordFinder([(key, "chain") for key in keys & requires_context]
                                             + [(name, "county") for name in counties])
        return WordFinder((key, key) for key in self.standalone_names)


_PHRASE_OPENS = set("。；，、：！？\n \t（(“‘《【）)")
_NOT_AFTER_COUNTY = set("级城域区乡镇市长委")
_AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


def _autonomous_short_form(d: Division) -> str | None:
    """恩施土家族苗族自治州 → 恩施州, 积石山保安族东乡族撒拉族自治县 → 积石山县, 东乡族自治县 → 东乡县."""
    for suffix, mark in _AUTONOMOUS.items():
        if d.name.endswith(suffix):
            short = d.short.removesuffix("族")
            return short + mark if len(short) >= 2 else None
    return None


def _read_divisions(path: Path) -> list[Division]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Division(
                code=row["code"],
                name=row["name"],
                short=row["short"],
                level=row["level"],
                parent_code=row["parent_code"] or None,
                province=row["province"],
                city=row["city"] or None,
                full_name=row["full_name"],
            )
            for row in csv.DictReader(fh)
        ]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    meta = json.loads(META_PATH.read_text(encoding="utf-8"))
    divisions = _read_divisions(CSV_PATH)
    version = f"cpca-{meta['cpca_version']}/{meta['rows']}"
    return Gazetteer(divisions, version, set(meta.get("text_requires_context", [])),
                     meta.get("boundary_blocks", {}))
