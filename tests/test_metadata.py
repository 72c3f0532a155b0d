"""corpus.metadata on the bundled examples and on small inline texts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.metadata import attachment_title_of, doc_type_of, extract_metadata
from corpus.readers import read_file
from corpus.text import normalize

EXAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "examples"
CATALOG = [json.loads(line) for line in (EXAMPLES / "catalog.jsonl").read_text(encoding="utf-8").splitlines()]


def _meta(text: str, **kwargs):
    return extract_metadata(normalize(text), **kwargs)


# --------------------------------------------------------------------------- examples

@pytest.mark.parametrize("entry", CATALOG, ids=[e["id"] for e in CATALOG])
def test_examples_match_their_catalogue(entry):
    raw = read_file(EXAMPLES / entry["file"])
    meta = extract_metadata(raw.text, str(EXAMPLES / entry["file"]), raw.hints)
    assert meta.title == entry["title"]
    assert meta.doc_number == entry["doc_number"]
    assert meta.issuers == entry["issuer"]
    assert meta.date == entry["date"]
    assert (meta.level, meta.region) == (entry["level"], entry["region"])
    assert meta.doc_type == entry["doc_type"]


def test_examples_cover_formats_years_and_levels():
    assert {Path(e["file"]).suffix for e in CATALOG} >= {".txt", ".docx", ".pdf", ".html"}
    years = sorted(int(e["date"][:4]) for e in CATALOG)
    assert years[0] <= 2009 and years[-1] >= 2024
    assert {e["level"] for e in CATALOG} >= {"ministry", "provincial", "city", "county"}
    assert all("示例" in e["title"] for e in CATALOG)


def test_examples_term_timeline():
    """防治结合 is older; 医防融合 first appears in 2018-03; 医防协同 from 2019."""
    texts = {e["date"]: read_file(EXAMPLES / e["file"]).text for e in CATALOG}
    first_integration = min(date for date, text in texts.items() if "医防融合" in text)
    first_coordination = min(date for date, text in texts.items() if "医防协同" in text)
    assert first_integration.startswith("2018-03")
    assert first_coordination.startswith("2019")
    assert min(date for date, text in texts.items() if "防治结合" in text) < first_integration


def test_wrapper_example_names_its_attachment():
    entry = next(e for e in CATALOG if e["file"].endswith(".pdf"))
    raw = read_file(EXAMPLES / entry["file"])
    meta = extract_metadata(raw.text)
    assert meta.attachment_title == "会宁县医防融合试点工作实施方案（示例）"
    assert f"\n{meta.attachment_title}\n" in raw.text  # the attachment follows in the same file


# --------------------------------------------------------------------------- inline texts

def test_chinese_numeral_signature_date_and_bracket_normalisation():
    meta = _meta("国家卫生健康委办公厅关于做好家庭医生签约服务工作的通知（示例）\n示国卫办基层函[2018]209号\n"
                 "各省、自治区、直辖市卫生健康委：\n一、提高签约质量。\n国家卫生健康委办公厅\n二〇一八年三月二十日\n")
    assert meta.doc_number == "示国卫办基层函〔2018〕209号"
    assert meta.date == "2018-03-20"
    assert meta.issuers == ["国家卫生健康委员会办公厅"]
    assert (meta.level, meta.region, meta.doc_type) == ("ministry", "全国", "通知")


@pytest.mark.parametrize("number_line, expected", [
    ("阜蒙健促办发[2020] 3 号", "阜蒙健促办发〔2020〕3号"),
    ("（国办发〔2022〕11号）", "国办发〔2022〕11号"),
    ("示卫发【2019】8号", "示卫发〔2019〕8号"),
    ("示卫发(2019)8号", "示卫发〔2019〕8号"),
])
def test_doc_number_forms(number_line, expected):
    assert _meta(f"关于推进医防融合的通知（示例）\n{number_line}\n各单位：\n").doc_number == expected


def test_wrapper_titles_and_attachment():
    meta = _meta("国务院办公厅关于印发“十四五”国民健康规划的通知\n国办发〔2022〕11号\n各省、自治区、直辖市人民政府：\n")
    assert meta.title == "国务院办公厅关于印发“十四五”国民健康规划的通知"
    assert meta.attachment_title == "“十四五”国民健康规划"
    assert meta.issuers == ["国务院办公厅"]
    assert attachment_title_of("关于印发《海南省将健康融入所有政策实施方案》的通知") == "海南省将健康融入所有政策实施方案"
    assert attachment_title_of("关于《某县“将健康融入所有政策”工作指导方案》的通知") == "某县“将健康融入所有政策”工作指导方案"
    assert attachment_title_of("关于印发某市实施方案（试行）的通知（示例）") == "某市实施方案（试行）"
    assert attachment_title_of("国务院关于实施健康中国行动的意见") is None


def test_wrapped_title_with_issuer_lines_above():
    meta = _meta("示健委〔2025〕7号\n示例省健康建设委员会\n（爱国卫生运动委员会）\n关于印发《示例省医防融合\n实施方案》的通知\n"
                 "各市、县人民政府：\n现印发你们。\n附件：示例省医防融合实施方案\n示例省健康建设委员会\n"
                 "（爱国卫生运动委员会）（代章）\n2025年3月17日\n（此件主动公开）\n示例省医防融合实施方案\n一、总体要求\n")
    assert meta.title == "示例省健康建设委员会（爱国卫生运动委员会）关于印发《示例省医防融合实施方案》的通知"
    assert meta.doc_number == "示健委〔2025〕7号"
    assert meta.date == "2025-03-17"
    assert meta.issuers == ["示例省健康建设委员会（爱国卫生运动委员会）"]
    assert meta.attachment_title == "示例省医防融合实施方案"


def test_joint_issuers_from_title_and_signature():
    meta = _meta("中共中央 国务院关于深化医药卫生体制改革的意见（示例）\n（2009年3月17日）\n为了…，提出如下意见。\n")
    assert meta.issuers == ["中共中央", "国务院"]
    assert meta.date == "2009-03-17"
    assert meta.level == "central" and meta.region == "全国"
    signed = _meta("推进医防融合的若干措施（示例）\n一、设立公共卫生科。\n国家卫生健康委 财政部 国家中医药局\n2019年9月1日\n")
    assert signed.issuers == ["国家卫生健康委员会", "财政部", "国家中医药管理局"]
    assert signed.doc_type == "措施"


def test_issuer_lines_under_a_title_and_version_notes():
    meta = _meta("“示例2030”规划纲要\n中共中央 国务院\n（2016年10月25日）\n序言\n健康是…。\n")
    assert meta.title == "“示例2030”规划纲要"
    assert meta.issuers == ["中共中央", "国务院"]
    assert meta.date == "2016-10-25"
    assert meta.doc_type == "规划"
    revised = _meta("示例省医防融合管理办法\n（2021年修订）\n第一条 为了…，制定本办法。\n")
    assert revised.title == "示例省医防融合管理办法（2021年修订）"
    assert revised.doc_type == "办法"
    wrapper = _meta("关于印发示例市医防融合办法的通知\n（试行）\n各区：\n")
    assert wrapper.title == "关于印发示例市医防融合办法的通知"


def test_law_adoption_lines_give_issuer_and_latest_date():
    meta = _meta("中华人民共和国示例法\n（2001年2月21日第九届全国人民代表大会常务委员会第六次会议通过 "
                 "2014年8月28日第十二届全国人民代表大会常务委员会第十一次会议修订）\n目录\n第一章 总则\n"
                 "第一条 为了…，制定本法。\n第九十条 本法自2015年1月1日起施行。\n")
    assert meta.title == "中华人民共和国示例法"
    assert meta.issuers == ["全国人民代表大会常务委员会"]
    assert meta.date == "2014-08-28"
    assert meta.doc_type == "法律"
    local = _meta("示例省突发事件应急条例\n2020年11月27日 浙江省第十三届人民代表大会常务委员会第二十四次会议通过\n第一章 总则\n")
    assert local.issuers == ["浙江省人民代表大会常务委员会"]
    assert (local.level, local.region, local.doc_type) == ("provincial", "浙江省", "条例")


def test_order_numbers():
    meta = _meta("示例条例\n2003年5月9日 中华人民共和国国务院令第376号公布\n第一章 总则\n")
    assert meta.doc_number == "国务院令第376号"
    assert meta.issuers == ["国务院"]
    assert meta.date == "2003-05-09"
    assert _meta("示例实施办法\n1991年12月6日 卫生部令第17号发布\n第一条 …。\n").doc_number == "卫生部令第17号"
    assert _meta("示例法\n中华人民共和国主席令第三十八号\n第一条 …。\n").doc_number == "中华人民共和国主席令第三十八号"


def test_congress_report_title_date_and_issuer():
    meta = _meta("团结奋斗\n开创新局面\n——在示例代表大会上的报告\n（2022年10月16日）\n习近平\n同志们：\n"
                 "现在，我代表第十九届中央委员会向大会作报告。\n")
    assert meta.title == "团结奋斗 开创新局面——在示例代表大会上的报告"
    assert meta.date == "2022-10-16"
    assert meta.issuers == ["中国共产党第十九届中央委员会"]
    assert meta.doc_type == "报告"


def test_report_without_title_line_uses_a_file_name_hint_or_nothing():
    text = "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n一、工作回顾\n"
    assert _meta(text).title is None
    assert _meta(text, path="/x/2019年政府工作报告.txt").title == "2019年政府工作报告"
    assert _meta(text, path="/x/2019-03-05_gov-work-report.txt").title is None
    meta = _meta(text, hints={"title": "政府工作报告（示例）", "pub_date": "2019-03-16"})
    assert meta.title == "政府工作报告（示例）"
    assert meta.date == "2019-03-16"
    assert meta.issuers == ["国务院"]
    assert _meta(text).date is None  # never guessed


def test_title_date_of_a_report():
    meta = _meta("政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上国务院总理 李强\n各位代表：\n")
    assert meta.title == "政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上"
    assert meta.date == "2024-03-05"


def test_title_place_gives_region_when_issuer_is_unknown():
    meta = _meta("关于印发句容市医防融合工作实施方案（示例）的通知\n各镇人民政府：\n一、总体要求\n")
    assert (meta.level, meta.region) == ("county", "江苏省镇江市句容市")
    assert meta.attachment_title == "句容市医防融合工作实施方案（示例）"


def test_nothing_stated_gives_nothing():
    meta = _meta("为推进医防融合，提出如下意见。\n一、总体要求\n坚持预防为主。\n")
    assert (meta.title, meta.doc_number, meta.issuers, meta.date) == (None, None, [], None)


@pytest.mark.parametrize("title, expected", [
    ("“健康中国2030”规划纲要", "规划"), ("中华人民共和国传染病防治法（2013年修正）", "法律"),
    ("中国防治慢性病中长期规划（2017—2025年）", "规划"), ("某县工作实施方案", "方案"),
    ("中共中央关于进一步全面深化改革、推进中国式现代化的决定", "决定"), ("突发公共卫生事件应急条例", "条例"),
    ("中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要", "纲要"), (None, None),
])
def test_doc_type_of(title, expected):
    assert doc_type_of(title) == expected
