"""Gazetteer: generated data, look-up, and place names in running text."""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from corpus.gazetteer import CSV_PATH, load_gazetteer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def mentions(gaz, text):
    return [(m.text, m.status, m.division.full_name if m.division else None) for m in gaz.find_in_text(text)]


def test_csv_is_the_generator_output():
    spec = importlib.util.spec_from_file_location("make_gazetteer", REPO / "corpus/data/make_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = module.read_source(Path(module.cpca.__file__).resolve().parent / "resources" / "adcodes.csv")
    expected = module.build_rows(source)
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        actual = list(csv.DictReader(fh))
    assert actual == expected, "gazetteer.csv differs from make_gazetteer.py output: rerun the generator"


def test_size_levels_and_version(gaz):
    levels = [d.level for d in gaz.divisions]
    assert levels.count("province") == 34
    assert levels.count("city") > 300
    assert levels.count("county") > 2800
    assert gaz.version.startswith("cpca-")
    assert not gaz.lookup("市辖区")


def test_short_names(gaz):
    assert gaz.resolve("广西").name == "广西壮族自治区"
    assert gaz.resolve("新疆").name == "新疆维吾尔自治区"
    assert gaz.resolve("内蒙古").name == "内蒙古自治区"
    assert gaz.resolve("恩施").name == "恩施土家族苗族自治州"
    assert gaz.resolve("浦东").name == "浦东新区"
    assert gaz.lookup("沙县")[0].short == ""  # one-character stems are not short names


def test_lookup_and_resolve(gaz):
    assert [d.full_name for d in gaz.lookup("温州")] == ["浙江省温州市"]
    assert gaz.resolve("温州").full_name == "浙江省温州市"
    assert gaz.resolve("浙江省温州市").name == "温州市"
    assert len(gaz.lookup("朝阳区")) == 2
    assert gaz.resolve("朝阳区") is None
    assert gaz.resolve("朝阳区", within="北京市").full_name == "北京市朝阳区"
    assert gaz.resolve("朝阳区", within="长春").full_name == "吉林省长春市朝阳区"
    assert gaz.resolve("吉林").name == "吉林省"          # province before its namesake city
    assert gaz.resolve("句容市").full_name == "江苏省镇江市句容市"
    assert gaz.resolve("仙桃市").full_name == "湖北省仙桃市"  # province-administered
    assert gaz.resolve("火星") is None


def test_check_pair(gaz):
    assert gaz.check_pair("浙江省", "温州市") == "ok"
    assert gaz.check_pair("浙江", "鹿城区") == "ok"
    assert gaz.check_pair("云南省", "丽水市") == "mismatch"
    assert gaz.check_pair("北京市", "朝阳区") == "ok"
    assert gaz.check_pair("火星", "温州") == "unknown"


def test_chain_is_one_mention(gaz):
    assert mentions(gaz, "浙江省温州市在试点") == [("浙江省温州市", "ok", "浙江省温州市")]
    assert mentions(gaz, "浙江省温州市鹿城区") == [("浙江省温州市鹿城区", "ok", "浙江省温州市鹿城区")]
    assert mentions(gaz, "江苏句容") == [("江苏句容", "ok", "江苏省镇江市句容市")]
    assert mentions(gaz, "北京朝阳") == [("北京朝阳", "ok", "北京市朝阳区")]
    assert mentions(gaz, "安徽省和县") == [("安徽省和县", "ok", "安徽省马鞍山市和县")]


def test_wrong_province_is_a_mismatch(gaz):
    found = gaz.find_in_text("云南省丽水市开展了试点")
    assert len(found) == 1
    m = found[0]
    assert (m.text, m.status) == ("云南省丽水市", "mismatch")
    assert m.division.full_name == "浙江省丽水市"
    assert "浙江省" in m.note


def test_lists_of_places_are_not_mismatches(gaz):
    assert [s for _, s, _ in mentions(gaz, "北京上海广州")] == ["ok", "ok", "ok"]
    assert mentions(gaz, "浙江温州、台州")[1] == ("台州", "ok", "浙江省台州市")


def test_roads_and_schools_are_not_places(gaz):
    for text in ["广东路", "北京路", "上海大街", "南京东路", "位于北京西路", "浙江大学", "中山路", "办好上海合作组织论坛"]:
        assert mentions(gaz, text) == [], text
    assert mentions(gaz, "医防融合的浙江路径") == [("浙江", "ok", "浙江省")]


def test_words_that_hide_place_names(gaz):
    for text in ["全国", "中国", "汇率在合理均衡水平", "重大理论创新", "隆重庆祝", "省、市和县三级",
                 "世界大同", "城区人口", "发挥新乡贤作用"]:
        assert mentions(gaz, text) == [], text
    assert mentions(gaz, "山西大同") == [("山西大同", "ok", "山西省大同市")]
    assert mentions(gaz, "河北区域协同") == [("河北", "ok", "河北省")]


def test_new_areas_are_unknown(gaz):
    found = gaz.find_in_text("兰州新区建设")
    assert [(m.text, m.status, m.division) for m in found] == [("兰州新区", "unknown", None)]
    assert "兰州" in found[0].note
    assert mentions(gaz, "上海市浦东新区")[0][1] == "ok"      # a real district
    assert mentions(gaz, "河北雄安新区")[0][:2] == ("河北雄安新区", "unknown")


def test_offsets_are_evidence(gaz):
    text = "据报道，浙江省温州市和云南省丽水市都开展了工作。"
    for m in gaz.find_in_text(text):
        assert text[m.start:m.end] == m.text


def test_a_name_that_needs_context_heads_a_chain_of_its_own_places(gaz):
    # 日照 alone is a word (sunlight); followed by one of its counties it is the city
    assert mentions(gaz, "日照莒县推广健康小屋") == [("日照莒县", "ok", "山东省日照市莒县")]
    assert mentions(gaz, "日照时间较长") == []


def test_an_ambiguous_name_takes_the_place_the_same_text_names(gaz):
    assert mentions(gaz, "朝阳区还为签约居民开具运动处方")[0][:2] == ("朝阳区", "ambiguous")
    text = "北京市朝阳区和西城区推行签约服务；朝阳区还为签约居民开具运动处方。"
    assert mentions(gaz, text)[-1] == ("朝阳区", "ok", "北京市朝阳区")
    assert mentions(gaz, "长春市朝阳区；朝阳区")[-1] == ("朝阳区", "ok", "吉林省长春市朝阳区")


def test_the_usual_short_form_of_an_autonomous_prefecture_or_county_is_a_name_of_it(gaz):
    assert mentions(gaz, "湖北恩施州来凤县创建示范乡镇") == [("湖北恩施州来凤县", "ok", "湖北省恩施土家族苗族自治州来凤县")]
    assert mentions(gaz, "积石山县与省级医院建立医联体") == [
        ("积石山县", "ok", "甘肃省临夏回族自治州积石山保安族东乡族撒拉族自治县")]
    assert mentions(gaz, "湘西州出台服务规范")[0] == ("湘西州", "ok", "湖南省湘西土家族苗族自治州")
    # 东乡县 is also the old name of a county of 江西省抚州市: the gazetteer's own name wins
    assert mentions(gaz, "东乡县")[0][2] == "江西省抚州市东乡县"


def test_a_two_character_county_name_opening_a_phrase_is_a_place(gaz):
    assert mentions(gaz, "此外，郏县在县域医共体内设立慢病管理中心") == [("郏县", "ok", "河南省平顶山市郏县")]
    for text in ["提高县级医院能力", "健康县域建设", "，和县级医院合作", "新县城建设", "形成县域医共体"]:
        assert mentions(gaz, text) == [], text
