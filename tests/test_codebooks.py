"""Codebooks researchers edit (mining/codebooks/*.yaml) and their loader."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mining import codebook
from mining.codebook import (
    DEFAULT_DIR, load_actors, load_diseases, load_instruments, load_stages, load_terms, stage_of,
    user_dictionary_words, validate,
)

REQUIRED_INSTRUMENTS = {
    "人才培养与培训": "供给型", "专项资金": "供给型", "信息平台与数据共享": "供给型", "专家下沉": "供给型",
    "人员互派": "供给型", "机构设置": "供给型",
    "目标规划": "环境型", "法规标准": "环境型", "组织领导机制": "环境型", "绩效考核": "环境型",
    "督导检查": "环境型", "清单管理": "环境型", "疾控监督员制度": "环境型", "医保支付": "环境型",
    "监测预警": "环境型",
    "政府购买服务": "需求型", "试点示范": "需求型", "健康教育与宣传": "需求型", "健康积分": "需求型",
    "家庭医生签约服务": "需求型", "处方工具": "需求型", "双向转诊": "需求型", "医联体医共体": "需求型",
}


def by_name(items):
    return {item.name: item for item in items}


def test_shipped_codebooks_have_no_problems():
    problems = validate()
    assert problems == [], "\n".join(map(str, problems))


def test_required_instruments_and_sides():
    instruments = by_name(load_instruments())
    for name, side in REQUIRED_INSTRUMENTS.items():
        assert name in instruments, name
        assert instruments[name].side == side, name
    assert len(REQUIRED_INSTRUMENTS) >= 22


@pytest.mark.parametrize("instrument, synonyms", [
    ("人才培养与培训", ["医防互训", "交叉培训", "转岗培训", "规范化培训"]),
    ("信息平台与数据共享", ["健康云平台", "电子健康档案", "信息互联互通"]),
    ("人员互派", ["派驻", "双向挂职", "互派"]),
    ("机构设置", ["公共卫生科", "医防融合办公室", "指导中心"]),
    ("组织领导机制", ["领导小组", "工作专班", "联席会议"]),
    ("绩效考核", ["二次分配", "目标考核"]),
    ("清单管理", ["任务清单", "责任清单"]),
    ("医保支付", ["按人头付费", "总额付费", "结余留用"]),
    ("家庭医生签约服务", ["个性化服务包"]),
    ("处方工具", ["健康教育处方", "运动处方", "营养处方", "心理处方", "电子疫苗处方", "六大处方", "一病五方", "双处方"]),
    ("医联体医共体", ["医联体", "县域医共体", "城市医疗集团", "总医院"]),
])
def test_instrument_synonyms(instrument, synonyms):
    assert set(synonyms) <= set(by_name(load_instruments())[instrument].synonyms)


def test_prescription_pattern_skips_drug_prescriptions():
    tool = by_name(load_instruments())["处方工具"]
    text = "医生开具处方，处方药目录，处方权管理；家庭医生提供睡眠处方和一病五方"
    assert [m[2] for m in tool.pattern_matches(text)] == ["睡眠处方", "一病五方"]


def test_list_pattern():
    tool = by_name(load_instruments())["清单管理"]
    found = [m[2] for m in tool.pattern_matches("制定医疗机构公共卫生责任清单；市场准入负面清单")]
    assert found == ["责任清单"]


def test_exclude_also_drops_synonym_hits():
    from mining.pipeline import CodebookMatcher

    matcher = CodebookMatcher.from_codebooks()

    def instruments(text: str) -> list[tuple[str, str]]:
        return [(m.label, m.matched) for m in matcher(text) if m.kind == "instrument"]

    assert instruments("依照本法规定备案") == []                                  # 本法规定 is no 法规
    assert instruments("完善相关法规和标准") == [("法规标准", "法规")]
    assert instruments("纳入医疗机构设置规划") == []                              # planning where hospitals go
    assert ("机构设置", "公共卫生科") in instruments("二级以上医疗机构设置公共卫生科")


def test_actors_include_bodies():
    actors = by_name(load_actors())
    assert actors["国家卫生健康委员会"].type == "党政机关"
    assert "国家卫健委" in actors["国家卫生健康委员会"].aliases
    assert actors["疾病预防控制机构"].type == "公共卫生机构"
    assert actors["县域医疗卫生共同体"].type == "整合型网络"
    assert actors["家庭医生"].type == "人员与角色"
    assert {a.type for a in actors.values()} <= set(codebook.actor_types())


def test_diseases_and_groups():
    entries = by_name(load_diseases())
    for name in ["高血压", "糖尿病", "结核病", "艾滋病", "慢性阻塞性肺疾病", "严重精神障碍", "癌症", "心脑血管疾病"]:
        assert entries[name].kind == "disease", name
    for name in ["老年人", "孕产妇", "儿童", "慢性病患者", "残疾人", "学生"]:
        assert entries[name].kind == "group", name
    assert "0-6岁儿童" in entries["儿童"].aliases


def test_terms_and_variants():
    terms = by_name(load_terms())
    for name in ["医防融合", "医防协同", "防治结合", "医防结合", "预防为主", "健康中国", "将健康融入所有政策", "基本公共卫生服务"]:
        assert name in terms, name
    ronghe = terms["医防融合"]
    assert {"医防结合", "医防协同", "防治结合"} <= set(ronghe.variants)
    assert ronghe.forms == ("医防融合",)


def test_stages():
    assert [s.name for s in load_stages()] == ["实践探索", "深化改革", "高质量发展"]
    assert stage_of(1978) == "实践探索"
    assert stage_of(2008) == "实践探索"
    assert stage_of(2009) == "深化改革"
    assert stage_of(2019) == "深化改革"
    assert stage_of(2020) == "高质量发展"
    assert stage_of(2030) == "高质量发展"
    assert stage_of(1900) == ""


def test_user_dictionary():
    words = set(user_dictionary_words())
    for word in ["医防融合", "个性化服务包", "国家卫健委", "温州", "浙江省", "县域医共体", "慢性阻塞性肺疾病"]:
        assert word in words, word
    assert all(len(w) >= 2 for w in words)
    assert "和县" not in words and "市中" not in words   # would split 市和县, 城市中心


def test_env_var_points_at_replacement_files(tmp_path, monkeypatch):
    (tmp_path / "stages.yaml").write_text(
        "stages:\n  - {name: 早期, start: 1949, end: 2012}\n  - {name: 晚期, start: 2013, end: null}\n",
        encoding="utf-8")
    monkeypatch.setenv("POLICYKG_CODEBOOKS", str(tmp_path))
    assert stage_of(2009) == "早期"
    assert stage_of(2013) == "晚期"
    # files missing from the directory fall back to the defaults
    assert len(load_instruments()) == len(load_instruments(DEFAULT_DIR / "instruments.yaml"))
    monkeypatch.delenv("POLICYKG_CODEBOOKS")
    assert stage_of(2009) == "深化改革"


def codebooks_with_instruments(directory: Path, instruments_yaml: str) -> None:
    """The shipped codebooks in directory, with instruments.yaml replaced by the given text."""
    for name in ["actors.yaml", "diseases.yaml", "terms.yaml", "stages.yaml"]:
        shutil.copy(DEFAULT_DIR / name, directory / name)
    (directory / "instruments.yaml").write_text(instruments_yaml, encoding="utf-8")


def test_validate_reports_file_and_entry(tmp_path):
    codebooks_with_instruments(tmp_path,
        "instruments:\n"
        "  - {name: 甲, side: 供给型, subcategory: 人才培养, synonyms: [医防互训]}\n"
        "  - {name: 乙, side: 中间型, subcategory: 资金投入, synonyms: [医防互训]}\n"
        "  - {name: 丙, side: 需求型, subcategory: 试点示范, synonyms: [试点], patterns: ['[试点']}\n",
    )
    problems = [str(p) for p in validate(tmp_path)]
    assert any("instruments.yaml: 乙" in p and "unknown side" in p for p in problems)
    assert any("instruments.yaml: 乙" in p and "医防互训" in p and "甲" in p for p in problems)
    assert any("instruments.yaml: 丙" in p and "not a valid regex" in p for p in problems)
    assert len(problems) == 3


def test_core_instruments_are_exactly_the_canonical_ones():
    from mining.codebook import core_instruments

    assert {i.name: i.side for i in core_instruments()} == REQUIRED_INSTRUMENTS
    extended = [i for i in load_instruments() if i.scope == "extended"]
    assert extended and not {i.name for i in extended} & set(REQUIRED_INSTRUMENTS)


def test_weak_entries_are_synonyms_or_patterns():
    for instrument in load_instruments():
        assert set(instrument.weak) <= set(instrument.synonyms) | set(instrument.patterns), instrument.name
    weak = {w for i in load_instruments() for w in i.weak}
    assert {"试点", "监测", "积分"} <= weak


def test_validate_reports_bad_weak_and_scope(tmp_path):
    codebooks_with_instruments(tmp_path,
        "instruments:\n"
        "  - {name: 甲, side: 供给型, subcategory: 人才培养, synonyms: [医防互训], weak: [互训]}\n"
        "  - {name: 乙, side: 需求型, subcategory: 试点示范, synonyms: [试点], scope: maybe}\n",
    )
    problems = [str(p) for p in validate(tmp_path)]
    assert any("甲" in p and "weak '互训'" in p for p in problems)
    assert any("乙" in p and "unknown scope" in p for p in problems)


def test_renamed_bodies_carry_validity_years():
    from corpus.bodies import load_bodies

    bodies = load_bodies()   # government actors come from corpus/data/bodies.yaml (load_actors adds them)
    chain = [("卫生部", 2013, "国家卫生和计划生育委员会"), ("国家卫生和计划生育委员会", 2018, "国家卫生健康委员会")]
    for name, until, successor in chain:
        assert (bodies[name].valid_to, bodies[name].successor) == (until, successor)
    assert bodies["国家卫生健康委员会"].valid_from == 2018 and bodies["国家疾病预防控制局"].valid_from == 2021
    actors = by_name(load_actors())
    assert actors["卫生部"].type == "党政机关" and actors["国家疾病预防控制局"].type == "党政机关"
