"""Generate corpus/data/gazetteer.csv (+ gazetteer.meta.json) from the cpca package's adcodes.csv.

Run from the repository root:  python corpus/data/make_gazetteer.py

The gazetteer is generated, never typed by hand. The only hand-kept list here is
TEXT_REQUIRES_CONTEXT: names that are also common words, which `corpus.gazetteer.find_in_text`
tags only when they follow a parent place ("山西大同", "广东中山") and never on their own.
Edit that list and rerun the script; the list is written into gazetteer.meta.json.
"""
from __future__ import annotations

import csv
import hashlib
import json
from importlib import metadata
from pathlib import Path

import cpca
import jieba

HERE = Path(__file__).resolve().parent
OUT_CSV = HERE / "gazetteer.csv"
OUT_META = HERE / "gazetteer.meta.json"
COLUMNS = ["code", "name", "short", "level", "parent_code", "province", "city", "full_name"]

# City-level rows of the source that are groupings, not divisions (municipal districts,
# province-administered counties). Their children hang directly under the province.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
CITY_SUFFIXES = ("自治州", "地区", "盟", "市")
COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "林区", "特区", "县", "区", "市", "旗")
AUTONOMY_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗")

# Names that are ordinary words (or parts of frequent phrases) in policy prose.
# find_in_text tags them only right after a parent place; lookup() still knows them.
TEXT_REQUIRES_CONTEXT = [
    # city-level short names
    "中山", "大同", "安康", "长治", "朝阳", "白银", "白山", "北海", "来宾", "日照", "三明",
    "四平", "大庆", "开封", "保定", "阿里", "红河", "怒江", "普洱", "黑河", "承德", "兴安",
    "海西", "海北", "海东", "黄南", "玉树", "果洛", "山南", "那曲", "吉安", "通化", "文山",
    "新乡",  # 新乡贤
    # county-level full names of three characters that read as common words
    "新城区", "新建区", "城中区", "城东区", "城西区", "城北区", "城南区", "市中区", "新华区",
    "和平区", "平安区", "新市区", "郊区", "城区", "矿区", "东区", "西区",
]


# Two-character short names standing alone ("温州") are dropped when the character before them
# ends, or the one after them starts, an ordinary word: 均衡水平 holds 衡水, 重大理论 holds 大理.
# The words are jieba's two-character dictionary entries at least this frequent.
BOUNDARY_WORD_MIN_FREQ = 100
# Prepositions and conjunctions before a place read as such ("向上海", "以上海为例"), even
# though 向上 / 以上 are words.
NEVER_BLOCK_BEFORE = set("向在和与及至到赴从对于的以为把被将同跟给往由")


def division_level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def nationality_names() -> list[str]:
    """Names of the 56 nationalities, with and without 族, longest first (for stripping)."""
    path = Path(cpca.__file__).resolve().parent / "resources" / "56_nations.csv"
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        full = line.strip()
        if not full:
            continue
        names.add(full)
        bare = full[:-1] if full.endswith("族") else full
        if len(bare) >= 2:  # single-character bare names (回, 藏, 苗 …) are too ambiguous
            names.add(bare)
    return sorted(names, key=len, reverse=True)


def short_name(name: str, level: str, nations: list[str]) -> str:
    suffixes = {"province": PROVINCE_SUFFIXES, "city": CITY_SUFFIXES, "county": COUNTY_SUFFIXES}[level]
    stem = name
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix in AUTONOMY_SUFFIXES:
                stem = strip_nationalities(stem, nations)
            break
    if stem == name or len(stem) < 2:
        return ""
    return stem


def strip_nationalities(stem: str, nations: list[str]) -> str:
    """恩施土家族苗族 -> 恩施; 内蒙古 stays (stripping would leave one character)."""
    changed = True
    while changed:
        changed = False
        for nation in nations:
            if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                stem = stem[: -len(nation)]
                changed = True
                break
    return stem


def boundary_blocks(shorts: set[str], province_shorts: set[str]) -> dict[str, dict[str, str]]:
    """For each two-character short name: characters that must not stand before / after it.

    Province names get no right-hand block: 江西部分 / 广东西部 mean the province, and a
    province name is rarely the first half of an ordinary word."""
    words = set()
    dict_path = Path(jieba.__file__).resolve().parent / "dict.txt"
    for line in dict_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 2 and int(parts[1]) >= BOUNDARY_WORD_MIN_FREQ:
            words.add(parts[0])
    blocks = {}
    for short in sorted(s for s in shorts if len(s) == 2):
        left = "".join(sorted({w[0] for w in words if w[1] == short[0]} - NEVER_BLOCK_BEFORE))
        right = "" if short in province_shorts else "".join(sorted({w[1] for w in words if w[0] == short[1]}))
        blocks[short] = {"left": left, "right": right}
    return blocks


def read_source(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["adcode"], row["name"]) for row in csv.DictReader(fh)]


def build_rows(source: list[tuple[str, str]]) -> list[dict[str, str]]:
    nations = nationality_names()
    names = {code: name for code, name in source}
    rows = []
    for code, name in sorted(source):
        if name in PLACEHOLDERS:
            continue
        level = division_level(code)
        province_code = code[:2] + "0" * 10
        city_code = code[:4] + "0" * 8
        province = names[province_code]
        city = None
        if level == "county" and names.get(city_code) not in (None, *PLACEHOLDERS):
            city = names[city_code]
        if level == "province":
            parent = ""
        elif level == "city" or city is None:
            parent = province_code
        else:
            parent = city_code
        if level == "province":
            full = name
        elif level == "city":
            full = province + name
        else:
            full = province + (city or "") + name
        rows.append({
            "code": code,
            "name": name,
            "short": short_name(name, level, nations),
            "level": level,
            "parent_code": parent,
            "province": province,
            "city": city or (name if level == "city" else ""),
            "full_name": full,
        })
    return rows


def main() -> None:
    source_path = Path(cpca.__file__).resolve().parent / "resources" / "adcodes.csv"
    source = read_source(source_path)
    rows = build_rows(source)
    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    standalone_shorts = {r["short"] for r in rows if r["short"] and r["level"] in ("province", "city")}
    meta = {
        "source": "cpca package, resources/adcodes.csv",
        "cpca_version": metadata.version("cpca"),
        "source_rows": len(source),
        "source_sha256": hashlib.sha256(source_path.read_bytes()).hexdigest(),
        "rows": len(rows),
        "levels": {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city", "county")},
        "generated_by": "corpus/data/make_gazetteer.py",
        "skipped_placeholders": sorted(PLACEHOLDERS),
        "vintage_note": (
            "cpca's table predates several renamings (e.g. 郫县, 户县, 彬县, 盘县 are still listed "
            "under their old names; 龙港市 is absent). Newer divisions are reported as unknown."
        ),
        "text_requires_context": TEXT_REQUIRES_CONTEXT,
        "boundary_source": f"jieba {metadata.version('jieba')} dict.txt, two-character words, "
                           f"frequency >= {BOUNDARY_WORD_MIN_FREQ}",
        "boundary_blocks": boundary_blocks(
            standalone_shorts - set(TEXT_REQUIRES_CONTEXT),
            {r["short"] for r in rows if r["level"] == "province"},
        ),
    }
    OUT_META.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT_CSV.name}")


if __name__ == "__main__":
    main()
