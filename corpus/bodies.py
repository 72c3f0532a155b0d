"""Issuing bodies: canonical names, aliases, renamings, and local "<region> + <suffix>" bodies.

Data: corpus/data/bodies.yaml (edited by researchers).

Canonical form of a local body: the region keeps the components that were written, each spelled
by its gazetteer name, and the suffix is replaced by its canonical long form:
    江西省政府办公厅 -> 江西省人民政府办公厅      温州卫健委 -> 温州市卫生健康委员会
    浙江温州卫健委 -> 浙江省温州市卫生健康委员会  中共江西省委 / 江西省委 -> 中共江西省委员会
The parent province is not added when it was not written, because official names omit it
(句容市人民政府办公室, not 江苏省镇江市句容市人民政府办公室).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import re

import yaml

from corpus.gazetteer import Division, PlaceMention, load_gazetteer

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "bodies.yaml"

LEVELS = ("central", "ministry", "provincial", "city", "county")
TYPES = ("party", "government", "legislature", "commission")
DIVISION_LEVEL_TO_BODY_LEVEL = {"province": "provincial", "city": "city", "county": "county"}
# A generic short form right after one of these is a local body of unnamed region ("市卫健委").
LOCAL_MARKERS = set("省市县区州盟旗乡镇级方")


@dataclass(frozen=True)
class Body:
    name: str
    aliases: tuple[str, ...]
    level: str
    region: str
    type: str
    valid_from: int | None
    valid_to: int | None
    successor: str | None
    parent: str | None


@dataclass(frozen=True)
class LocalSuffix:
    suffix: str
    canonical: str
    type: str
    prefix: str = ""
    not_before: str = ""


@dataclass(frozen=True)
class BodyTable:
    bodies: dict[str, Body]
    alias_to_name: dict[str, str]
    generic_aliases: frozenset[str]
    suffixes: tuple[LocalSuffix, ...]       # longest first
    alias_regex: re.Pattern[str]            # every alias and canonical name, longest first


def _normalise(name: str) -> str:
    return name.strip().replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "")


@lru_cache(maxsize=4)
def _load_table(path: Path) -> BodyTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bodies: dict[str, Body] = {}
    alias_to_name: dict[str, str] = {}
    generic: set[str] = set()
    for entry in data["bodies"]:
        body = Body(
            name=entry["name"],
            aliases=tuple(entry.get("aliases") or ()),
            level=entry["level"],
            region=entry["region"],
            type=entry["type"],
            valid_from=entry.get("valid_from"),
            valid_to=entry.get("valid_to"),
            successor=entry.get("successor"),
            parent=entry.get("parent"),
        )
        bodies[body.name] = body
        for form in (body.name, *body.aliases):
            alias_to_name.setdefault(_normalise(form), body.name)
        generic.update(entry.get("generic_aliases") or ())
    suffixes = tuple(sorted(
        (LocalSuffix(**entry) for entry in data.get("local_suffixes", [])),
        key=lambda s: len(s.suffix), reverse=True,
    ))
    # alternatives sorted longest first make the leftmost match also the longest one there
    alias_regex = re.compile("|".join(map(re.escape, sorted(alias_to_name, key=len, reverse=True))))
    return BodyTable(bodies, alias_to_name, frozenset(generic), suffixes, alias_regex)


def _table(path: Path | None = None) -> BodyTable:
    return _load_table((path or DEFAULT_PATH).resolve())


def load_bodies(path: Path | None = None) -> dict[str, Body]:
    """Canonical name -> Body (cached)."""
    return _table(path).bodies


def local_suffixes(path: Path | None = None) -> tuple[LocalSuffix, ...]:
    return _table(path).suffixes


def canonical_body(name: str) -> str | None:
    """Any alias or full form -> canonical name; local forms -> region + canonical suffix."""
    table = _table()
    written = _normalise(name)
    if not written:
        return None
    if written in table.alias_to_name:
        return table.alias_to_name[written]
    return _canonical_local(written, table)


def _canonical_local(written: str, table: BodyTable) -> str | None:
    for suffix in table.suffixes:
        if not written.endswith(suffix.suffix):
            continue
        region = written[: -len(suffix.suffix)]
        if suffix.prefix and region.startswith(suffix.prefix):
            region = region[len(suffix.prefix):]
        canonical_region = _canonical_region(region)
        if canonical_region:
            return suffix.prefix + canonical_region + suffix.canonical
    return None


def _canonical_region(region: str) -> str | None:
    """The region part of a local body, components spelled in full; None when not a place."""
    if not region:
        return None
    gazetteer = load_gazetteer()
    mentions = gazetteer.find_in_text(region)
    if len(mentions) == 1 and mentions[0].start == 0 and mentions[0].end == len(region):
        return _region_form(mentions[0])
    # names tagged in text only after a parent (中山, 和县) are still places here
    if gazetteer.lookup(region):
        division = gazetteer.resolve(region)
        return division.name if division is not None and region == division.short else region
    return None


def _region_form(mention: PlaceMention) -> str:
    division = mention.division
    if division is None or mention.status != "ok":
        return mention.text
    written = mention.text
    gazetteer = load_gazetteer()
    parts: list[str] = []
    province = gazetteer.lookup(division.province)
    province_short = province[0].short if province else ""
    if division.level != "province" and (
        written.startswith(division.province) or (province_short and written.startswith(province_short))
    ):
        parts.append(division.province)
    if division.level == "county" and division.city:
        city = gazetteer.resolve(division.city, within=division.province)
        if city is not None and (division.city in written or (city.short and city.short in written)):
            parts.append(division.city)
    parts.append(division.name)
    return "".join(parts)


def find_bodies(text: str, places: list[PlaceMention] | None = None) -> list[tuple[int, int, str]]:
    """Non-overlapping longest matches of known bodies and local forms: (start, end, canonical).

    ``places``: the gazetteer's mentions in ``text`` when the caller already has them."""
    table = _table()
    if places is None:
        places = load_gazetteer().find_in_text(text)
    candidates = _known_body_matches(text, table) + _local_body_matches(text, table, places)
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for start, end, name in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        chosen.append((start, end, name))
        taken.append((start, end))
    return sorted(chosen)


def _known_body_matches(text: str, table: BodyTable) -> list[tuple[int, int, str]]:
    found = []
    for match in table.alias_regex.finditer(text):
        start, end, alias = match.start(), match.end(), match.group(0)
        if alias in table.generic_aliases and start > 0 and text[start - 1] in LOCAL_MARKERS:
            continue
        if alias.endswith("部") and text.startswith("门", end):
            continue  # 卫生部门 / 财政部门 are "the health / finance departments", not the ministries
        found.append((start, end, table.alias_to_name[alias]))
    return found


def _local_body_matches(text: str, table: BodyTable, places: list[PlaceMention]) -> list[tuple[int, int, str]]:
    found = []
    for mention in places:
        for suffix in table.suffixes:
            if not text.startswith(suffix.suffix, mention.end):
                continue
            end = mention.end + len(suffix.suffix)
            if end < len(text) and text[end] in suffix.not_before:
                continue
            start = mention.start
            if suffix.prefix and text.startswith(suffix.prefix, start - len(suffix.prefix)):
                start -= len(suffix.prefix)
            found.append((start, end, suffix.prefix + _region_form(mention) + suffix.canonical))
            break
    return found


def body_level_region(name: str) -> tuple[str | None, str | None]:
    """Level and region of a body (canonical or any written form); local ones through the gazetteer."""
    table = _table()
    canonical = canonical_body(name)
    if canonical is None:
        return None, None
    if canonical in table.bodies:
        body = table.bodies[canonical]
        return body.level, body.region
    division, candidates = _local_division(canonical, table)
    if division is not None:
        return DIVISION_LEVEL_TO_BODY_LEVEL[division.level], division.full_name
    levels = {c.level for c in candidates}
    if len(levels) == 1:  # ambiguous place, known level (朝阳区 is a county either way)
        return DIVISION_LEVEL_TO_BODY_LEVEL[levels.pop()], None
    return None, None


def _local_division(canonical: str, table: BodyTable) -> tuple[Division | None, list[Division]]:
    gazetteer = load_gazetteer()
    canonical_forms = sorted({(s.canonical, s.prefix) for s in table.suffixes},
                             key=lambda form: len(form[0]), reverse=True)
    for suffix, prefix in canonical_forms:
        if not canonical.endswith(suffix):
            continue
        region = canonical[: -len(suffix)]
        if prefix and region.startswith(prefix):
            region = region[len(prefix):]
        mentions = gazetteer.find_in_text(region)
        if len(mentions) == 1 and mentions[0].end == len(region) and mentions[0].division is not None:
            return mentions[0].division, [mentions[0].division]
        candidates = gazetteer.lookup(region)
        if candidates:
            return gazetteer.resolve(region), candidates
    return None, []
