"""Issuing bodies (corpus/data/bodies.yaml) and the project catalogue (corpus/data/key_documents.jsonl)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.bodies import (
    LEVELS, TYPES, body_level_region, canonical_body, find_bodies, load_bodies, local_suffixes,
)

REPO = Path(__file__).resolve().parents[1]
from tests.paths import SHARED
CATALOG = SHARED / "corpus" / "catalog.jsonl"
KEY_DOCS = REPO / "corpus" / "data" / "key_documents.jsonl"
KEY_DOC_FIELDS = ["id", "title", "short_titles", "issuer", "doc_number", "date", "level", "region",
                  "doc_type", "url", "wraps", "wrapped_by", "in_shared_corpus", "note"]
needs_shared = pytest.mark.skipif(not CATALOG.is_file(), reason="../shared/corpus is absent")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---- bodies --------------------------------------------------------------------------------

def test_national_short_forms():
    assert canonical_body("国家卫健委") == "国家卫生健康委员会"
    assert canonical_body("国家卫生健康委") == "国家卫生健康委员会"
    assert canonical_body("卫健委") == "国家卫生健康委员会"
    assert canonical_body("全国人大常委会") == "全国人民代表大会常务委员会"
    assert canonical_body("国务院医改办") == "国务院深化医药卫生体制改革领导小组办公室"
    assert canonical_body("二十届三中全会") == "中国共产党第二十届中央委员会第三次全体会议"


def test_general_office_is_another_body():
    office = canonical_body("国家卫生健康委办公厅")
    assert office == "国家卫生健康委员会办公厅"
    assert load_bodies()[office].parent == "国家卫生健康委员会"


def test_renamings_date_a_text():
    bodies = load_bodies()
    assert bodies["卫生部"].valid_to == 2013
    assert bodies["卫生部"].successor == "国家卫生和计划生育委员会"
    assert (bodies["国家卫生和计划生育委员会"].valid_from, bodies["国家卫生和计划生育委员会"].valid_to) == (2013, 2018)
    assert bodies["国家卫生健康委员会"].valid_from == 2018
    assert bodies["国家疾病预防控制局"].valid_from == 2021
    assert bodies["国家医疗保障局"].valid_from == 2018


def test_table_is_consistent():
    bodies = load_bodies()
    owner: dict[str, str] = {}
    for body in bodies.values():
        assert body.level in LEVELS, body.name
        assert body.type in TYPES, body.name
        assert body.parent is None or body.parent in bodies, body.name
        if body.successor:
            successor = bodies[body.successor]
            if body.valid_to and successor.valid_from:
                assert successor.valid_from == body.valid_to, body.name
        for form in (body.name, *body.aliases):
            assert owner.setdefault(form, body.name) == body.name, f"{form} names two bodies"


def test_local_bodies():
    assert canonical_body("江西省政府办公厅") == "江西省人民政府办公厅"
    assert body_level_region("江西省政府办公厅") == ("provincial", "江西省")
    assert canonical_body("温州市卫健委") == "温州市卫生健康委员会"
    assert canonical_body("温州卫健委") == "温州市卫生健康委员会"
    assert body_level_region("温州市卫生健康委员会") == ("city", "浙江省温州市")
    assert canonical_body("浙江温州卫健委") == "浙江省温州市卫生健康委员会"
    assert canonical_body("上海市人大常委会") == "上海市人民代表大会常务委员会"
    assert canonical_body("中共江西省委") == "中共江西省委员会"
    assert body_level_region("句容市人民政府办公室") == ("county", "江苏省镇江市句容市")
    assert body_level_region("朝阳区卫健委") == ("county", None)   # which 朝阳区 is unknown


def test_every_local_suffix_is_canonical_and_stable():
    for suffix in local_suffixes():
        canonical = canonical_body("温州市" + suffix.suffix)
        assert canonical == suffix.prefix + "温州市" + suffix.canonical, suffix.suffix
        assert canonical_body(canonical) == canonical, suffix.suffix
        assert body_level_region(canonical) == ("city", "浙江省温州市"), suffix.suffix


def test_unknown_names():
    assert canonical_body("某某局") is None
    assert canonical_body("省卫健委") is None
    assert canonical_body("") is None
    assert body_level_region("火星卫健委") == (None, None)


def test_find_bodies_in_text():
    text = "国家卫生健康委 财政部 国家中医药局联合印发；江西省政府办公厅、市卫健委配合；浙江省委托第三方评估"
    found = [(text[s:e], name) for s, e, name in find_bodies(text)]
    assert found == [
        ("国家卫生健康委", "国家卫生健康委员会"),
        ("财政部", "财政部"),
        ("国家中医药局", "国家中医药管理局"),
        ("江西省政府办公厅", "江西省人民政府办公厅"),
    ]
    assert [n for _, _, n in find_bodies("国家卫生健康委员会办公厅")] == ["国家卫生健康委员会办公厅"]
    assert find_bodies("改善卫生部门和财政部门人员待遇") == []
    assert [n for _, _, n in find_bodies("中共中央 国务院")] == ["中共中央", "国务院"]


@needs_shared
def test_catalogue_issuers_are_known():
    for doc in read_jsonl(CATALOG):
        for issuer in doc["issuer"]:
            assert canonical_body(issuer) == issuer, issuer
            level, region = body_level_region(issuer)
            if doc["level"] in ("provincial", "city", "county"):
                assert (level, region) == (doc["level"], doc["region"]), issuer


# ---- key documents -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def key_docs() -> list[dict]:
    return read_jsonl(KEY_DOCS)


def test_key_documents_are_well_formed(key_docs):
    ids = [d["id"] for d in key_docs]
    assert len(ids) == len(set(ids))
    by_id = {d["id"]: d for d in key_docs}
    for doc in key_docs:
        assert list(doc) == KEY_DOC_FIELDS, doc["id"]
        assert re.fullmatch(r"[0-9a-z]+(-[0-9a-z]+)*", doc["id"]), doc["id"]
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", doc["date"]), doc["id"]
        assert doc["level"] in LEVELS, doc["id"]
        assert doc["title"] and isinstance(doc["short_titles"], list)
        for issuer in doc["issuer"]:
            assert canonical_body(issuer) == issuer, f"{doc['id']}: {issuer}"
        if doc["doc_number"]:
            assert not re.search(r"[\[\]【】]", doc["doc_number"]), doc["id"]
        if doc["wrapped_by"]:
            assert by_id[doc["wrapped_by"]]["wraps"] == doc["title"], doc["id"]


def test_key_documents_include_the_cited_ones(key_docs):
    numbers = [d["doc_number"] for d in key_docs]
    for number in ["国卫办基层函〔2018〕209号", "国卫基层发〔2018〕18号", "国卫基层发〔2019〕52号",
                   "国办发〔2021〕18号", "中发〔2009〕6号", "国医改办发〔2016〕1号", "国办发〔2023〕46号"]:
        assert number in numbers, number
    # wrapper notice and attached plan are two linked entries
    assert numbers.count("国办发〔2022〕11号") == 2
    assert numbers.count("国办发〔2017〕12号") == 2
    plan = next(d for d in key_docs if d["title"] == "“十四五”国民健康规划")
    assert plan["wrapped_by"] == "14th-fyp-national-health-plan-notice"
    outline = next(d for d in key_docs if "十四五规划纲要" in d["short_titles"])
    assert outline["date"].startswith("2021-03") and outline["in_shared_corpus"] is None
    family = next(d for d in key_docs if d["doc_number"] == "国卫办基层函〔2018〕209号")
    assert family["date"].startswith("2018-03") and family["in_shared_corpus"] is None
    assert "not in the shared corpus" in family["note"]


@needs_shared
def test_key_documents_cover_the_shared_catalogue(key_docs):
    by_id = {d["id"]: d for d in key_docs}
    for doc in read_jsonl(CATALOG):
        assert doc["id"] in by_id, doc["id"]
        mine = by_id[doc["id"]]
        assert (mine["title"], mine["date"], mine["issuer"]) == (doc["title"], doc["date"], doc["issuer"])
        assert mine["in_shared_corpus"] == doc["file"]
        assert (SHARED / "corpus" / doc["file"]).is_file()
    in_corpus = {d["id"] for d in read_jsonl(CATALOG)}
    for doc in key_docs:
        assert (doc["in_shared_corpus"] is None) == (doc["id"] not in in_corpus), doc["id"]
