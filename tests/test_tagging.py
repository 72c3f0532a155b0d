"""Clause tagging: raw-text matching, patterns and traps, evidence on every tag, skipping unchanged
documents, mention- and issuer-level regions."""
from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.records import Clause
from corpus.store import Store
from graph.build import build_graph
from graph.queries import instruments_by_region, timeline
from mining.pipeline import CodebookMatcher, load_pipeline
from mining.tag_eval import code_texts
from mining.tagging import is_layout_broken, mine_store, tag_clauses, tag_texts


def instruments(text: str, use_model: bool = True) -> set[str]:
    return {m.label for m in tag_texts([text], use_model=use_model)[0] if m.kind == "instrument"}


def clause(text: str, doc_id: str = "d", ordinal: int = 1, start: int = 0, number: str = "") -> Clause:
    return Clause(f"{doc_id}:{ordinal}", doc_id, ordinal, number, 0, start, start + len(text), text)


def test_term_split_across_tokens_is_found_and_mapped_with_expand():
    text = "建立健康积分兑换机制"
    nlp = load_pipeline("jieba")
    doc = nlp(text)
    assert [t.text for t in doc] == ["建立", "健康", "积分兑换", "机制"]   # 健康积分 is not a token
    match = next(m for m in doc._.matches if m.label == "健康积分")
    assert text[match.start:match.end] == "健康积分"
    span = doc.char_span(match.start, match.end, alignment_mode="expand")
    assert span.text == "健康积分兑换"
    assert any(s.label_ == "instrument:健康积分" for s in doc.spans["policykg"])
    assert "健康积分" in instruments(text)


@pytest.mark.parametrize("text, expected", [
    ("家庭医生为失眠患者提供睡眠处方", {"处方工具"}),
    ("推广一病五方和六大处方", {"处方工具"}),
    ("为儿童家长推送电子疫苗处方", {"处方工具"}),
    ("制定乡镇卫生院公共卫生职责清单", {"清单管理"}),
    ("今年起每月派专家到社区卫生服务中心坐诊", {"专家下沉"}),
    ("区卫健委对医防融合重点任务实行清单化管理", {"清单管理"}),
    ("深入推进县乡村一体化管理，统一人员调配和药品配送", {"医联体医共体"}),
    ("医保额度按签约人口预先核定，节约部分由卫生院自主支配", {"医保支付"}),
    ("县卫健局按季度抽查各医院公共卫生职责履职情况", {"督导检查"}),
    ("市卫健委每年对各县医防融合工作开展评估并排名通报", {"绩效考核"}),
    ("督查发现的问题实行台账管理，整改到位后逐项销号", {"清单管理"}),
    ("区疾控中心年度重点任务分解到表，每月对照检查", {"清单管理"}),
    ("县医院建立“三高中心”，乡镇卫生院建立“三高基地”", {"机构设置"}),
    ("全省启动慢性病防治能力提升三年行动", {"目标规划"}),
    ("县中医院要在乡村大力传播中医药养生保健知识", {"健康教育与宣传"}),
    ("强化疫苗和医疗器械质量安全监管", {"督导检查"}),
    ("某省出台医共体建设标准，将公共卫生服务纳入医共体统一管理，要求每个医共体设立公共卫生管理中心。"
     "省财政安排专项资金，支持医共体提升公共卫生服务能力。", {"机构设置"}),
    ("签约居民医保费用由家庭医生团队管理，结余奖励家庭医生", {"医保支付"}),
    ("各乡镇要结合实际出台医防融合实施方案", {"目标规划"}),
])
def test_pattern_instruments_are_caught(text, expected):
    assert expected <= instruments(text)


def test_practice_wording_of_a_review_is_caught():
    """Invented review sentence: an urban hospital group is a delivery network, and organising
    health lectures is health education (the weak word 健康讲座 alone was left to a doubtful model)."""
    text = "深圳罗湖于2015年整合区属医院成立医院集团，医保实行总额管理。山东聊城则在社区定期举办健康讲座，并将居民参加讲座的行为折算为积分。"
    assert {"医联体医共体", "健康教育与宣传"} <= instruments(text)


def test_a_name_covers_other_instruments_inside_it_but_a_pattern_only_its_own():
    assert instruments("推广健康教育处方。", use_model=False) == {"处方工具"}    # not 健康教育与宣传 too
    # the 试点示范 pattern (…医疗…试点) spans 医疗联合体, which stays 医联体医共体
    assert instruments("全面启动医疗联合体建设试点。", use_model=False) == {"试点示范", "医联体医共体"}


@pytest.mark.parametrize("text", [
    "处方药应当凭医师处方购买和使用。",
    "医师应当根据患者病情开具处方，不得开具与疾病无关的药品。",
    "具有处方权的医师应当定期接受合理用药培训。",
    "药师应当对医师开具的处方进行审核。",
    "市场准入负面清单由国务院统一制定。",
    "对肺结核患者实行全程督导服药，由村医或家属监督患者按时服药。",   # treatment supervision, no 督导检查
    "定点医院对具有传染性的肺结核患者进行耐药检查。",                  # a medical test, no 督导检查
])
def test_drug_prescriptions_and_other_lists_are_not_instruments(text):
    found = instruments(text)
    assert "处方工具" not in found and "清单管理" not in found and "督导检查" not in found


@pytest.mark.parametrize("text, trap", [
    ("上世纪九十年代，部分地区就已试点合作医疗制度。", "试点示范"),
    ("这些积分可以抵扣现金。", "健康积分"),
    ("居民可以在家中自行监测血糖，并记录监测数据。", "监测预警"),
])
def test_weak_keywords_need_the_model(text, trap):
    assert trap in instruments(text, use_model=False)     # the codebook alone is fooled
    assert trap not in instruments(text)                    # the classifier vetoes the weak hit


@pytest.mark.parametrize("text, trap", [
    ("会员消费积分可以抵扣现金。", "健康积分"),                       # shopping
    ("组织全区网格员开展消防安全业务培训。", "人才培养与培训"),          # training of non-health staff
    ("完善外交工作协调机制，统筹对外交往。", "组织领导机制"),            # another field
    ("加快“一带一路”信息互联互通。", "信息平台与数据共享"),
    ("市财政投入3亿元用于城市主干道改造和老旧小区管网更新。", "专项资金"),
])
def test_generic_words_of_another_field_are_not_instruments(text, trap):
    assert trap not in instruments(text, use_model=False)  # the codebook's domain context drops them
    assert trap not in instruments(text)


def test_generic_words_stay_in_health_clauses_and_penalty_clauses_veto():
    assert "人才培养与培训" in instruments("组织乡村医生开展业务培训。", use_model=False)
    assert "组织领导机制" in instruments("建立医防融合协调机制。", use_model=False)
    penalty = "违反本法规定，医疗机构未按照规定报告疫情的，由卫生健康主管部门责令改正，通报批评。"
    assert "督导检查" not in instruments(penalty, use_model=False)
    assert "督导检查" in instruments("对医疗机构开展督导，结果予以通报批评。", use_model=False)


# Invented examples of clauses that name instruments without setting any up (judgement rules 1 and 3):
PENALTIES = [
    "违反本条例规定，医疗机构未建立健康档案的，由卫生健康主管部门责令改正，处五千元以下罚款。",
    "（二）未按照规定开展健康教育和转诊服务的；",
    "医疗机构未按照规定开展预检分诊和健康监测的，依照有关法律、行政法规规定追究法律责任。",
]
TITLES_DEFINITIONS_PURPOSES = [
    "附件：1.医疗机构传染病防控责任清单 2.疾控监督员工作规范",
    "某市卫生健康委关于印发医防融合服务规范的通知",
    "关于推进家庭医生签约服务高质量发展的指导意见",
    "本办法所称健康积分，是指居民参与健康管理活动获得的、可兑换相应服务的分值。",
    "为了规范家庭医生签约服务，提高基层医疗卫生服务水平，制定本办法。",
    ("第一条 为了健全基层医疗卫生服务体系，规范家庭医生签约服务和健康积分管理，促进基层医疗卫生事业高质量发展，"
     "根据《中华人民共和国基本医疗卫生与健康促进法》等有关法律、行政法规的基本原则，结合本市实际，制定本条例。"),
    "本通知自印发之日起施行，原《某市基层医疗卫生机构绩效考核办法》同时废止。",
    "第三章 家庭医生签约服务",                       # a chapter heading
    "二〇二五年四月三日",                             # the date line
    "各区县卫生健康局，委直属各单位：",               # the addressees
    "某市居民健康积分管理办法",                       # a rules' name alone
    "（三）专业公共卫生机构，是指疾病预防控制中心、健康教育机构和急救中心等。",   # a definition in a list of terms
    "计算方法：家庭医生签约居民数/辖区常住人口数×100%。",  # how an indicator is computed
    "某县医防融合工作领导小组办公室",                 # a signature: the issuing body alone
    "（二）健康教育处方:指医务人员针对患者病情开具的健康指导。",   # a definition written X:指
    "为推动县域医防融合，根据《“健康中国2030”规划纲要》，结合我县实际，制订本实施方案。",   # its own purpose
]
LOOK_BACKS = [
    "截至2023年底，全市已建成紧密型县域医共体11个，覆盖全部乡镇卫生院。",
    "2019年以来，我省在7个市开展了高血压医防融合试点，积累了一定经验。",
    "全县医共体建设自2017年启动，至2020年已实现乡镇全覆盖。",
    "2015年我市曾作为省级试点开展过家庭医生签约工作。",
    "早在2016年，该县就在乡镇卫生院设立了公共卫生科。",
    "去年，我区创建了省级慢性病综合防控示范区，家庭医生签约率达到70%。",
    "2021年，全县按要求实行了按病种分值付费改革。",
    "疫情期间，全区组建了由区长任组长的防控领导小组。",
    "全区9家社区卫生服务中心均已设立公共卫生科。",
    "2020年，全县成立了医防融合工作领导小组，统筹推进改革。",
    "2022年，市中心医院与12家乡镇卫生院签订对口帮扶协议，先后派驻医务人员37名。",
    "“十三五”时期，全区分级诊疗制度建设取得积极进展，家庭医生签约服务覆盖所有行政村。",
    "近年来，全县推行家庭医生签约服务，居民满意度逐年提高。",
    "医防融合试点实施以来，试点县均设立了医防融合办公室，家庭医生签约率提高到75%。",
    "全县组建家庭医生团队，开展专项督查，有力保障了慢病患者的健康。",
]


@pytest.mark.parametrize("text", PENALTIES + TITLES_DEFINITIONS_PURPOSES + LOOK_BACKS)
def test_clauses_that_set_up_nothing_code_no_instrument(text):
    assert instruments(text, use_model=False) == set()
    assert instruments(text) == set()


@pytest.mark.parametrize("text, expected", [
    ("选择两个街道先行先试，取得成效后在全区推广家庭医生签约服务。", "家庭医生签约服务"),   # a plan
    ("力争家庭医生签约服务工作取得明显成效。", "家庭医生签约服务"),                      # a goal
])
def test_a_result_to_reach_is_no_look_back(text, expected):
    assert expected in instruments(text, use_model=False)


def test_the_model_tags_no_clause_too_short_to_describe_a_measure():
    """Table cells and short headings of the shared corpus drew model tags (医务人员 → 人才培养与培训
    at 0.89; 省疾控局 → 疾控监督员制度, which made a 2020 law its first appearance)."""
    for cell in ("医务人员", "省疾控局", "四、考核程序"):
        assert not any(m.source.startswith("model:") for m in tag_texts([cell])[0]), cell
    assert "健康积分" in instruments("推行健康积分。")          # a short clause still has its rule hits


def test_a_duty_of_those_who_already_did_something_is_still_coded():
    text = "对已经开展家庭医生签约服务的村卫生室，由县财政安排专项资金给予补助。"
    assert instruments(text, use_model=False) == {"专项资金", "家庭医生签约服务"}


def test_a_clause_quoting_a_title_is_still_coded():
    text = "按照《关于推进家庭医生签约服务高质量发展的指导意见》要求，各地要做实家庭医生签约服务。"
    assert "家庭医生签约服务" in instruments(text, use_model=False)


def test_a_veto_overrules_the_model_too():
    text = "对辖区中小学生开展体质健康测试，测试成绩纳入学生综合素质考核。"   # pupils, not health services
    assert "绩效考核" not in instruments(text)
    assert "绩效考核" in instruments("将慢病随访质量纳入乡镇卫生院年度考核。")


def test_experiential_guo_is_not_excess():
    assert "督导检查" in instruments("严禁实施过度医疗，卫生健康部门定期开展专项检查。", use_model=False)


def test_a_look_back_that_announces_a_measure_keeps_it():
    text = "2019年以来，我省在7个市开展了医防融合试点，下一步将在全省推广家庭医生签约服务。"
    assert "家庭医生签约服务" in instruments(text, use_model=False)


def test_the_look_back_sentences_of_a_paragraph_that_also_announces_measures_code_nothing():
    """(An invented work-report paragraph.) The look-back runs from 过去五年 to the sentence that
    announces what comes next; only what is announced is coded, by the rules and by the model."""
    look_back = "过去五年，全县组建医共体3个，设立公共卫生科12个。开展医防互训400人次。"
    ahead = "今年要建立疾控监督员制度，推行家庭医生签约服务。"
    for use_model in (False, True):
        found = instruments(look_back + ahead, use_model=use_model)
        assert {"疾控监督员制度", "家庭医生签约服务"} <= found
        assert not found & {"医联体医共体", "机构设置", "人才培养与培训"}
        assert {"医联体医共体", "机构设置"} <= instruments(ahead + "组建医共体3个，设立公共卫生科12个。", use_model=use_model)


def test_a_clause_ranging_over_other_fields_judges_each_hit_by_its_own_sentence():
    text = "加强基层医疗卫生服务。完善外交工作协调机制，统筹对外交往。"
    assert "组织领导机制" not in instruments(text, use_model=False)     # the 协调机制 of diplomacy
    text = "推进金融改革，拓宽保险资金支持实体经济渠道。提高居民医保人均财政补助标准。"
    assert "专项资金" in instruments(text, use_model=False)             # found in the health sentence
    assert "专项资金" not in instruments("推进金融改革，拓宽保险资金支持实体经济渠道。加强基层医疗卫生服务。",
                                         use_model=False)
    # a health plan's item whose second sentence names no health word keeps its hits
    assert "组织领导机制" in instruments("加强基层医疗卫生服务。建立部门协调机制。", use_model=False)


def test_sound_development_of_another_field_is_no_health_word():
    """健康发展 of finance is no health: the coordination body of a financial regulator is no instrument."""
    assert "组织领导机制" not in instruments("促进互联网金融健康发展，完善金融监管协调机制。", use_model=False)
    assert "组织领导机制" in instruments("完善医疗保障部门与卫生健康部门的协调机制。", use_model=False)


def test_even_a_specific_keyword_of_another_field_is_no_instrument():
    """Judgement rule 2: in general documents an instrument counts where it serves health. A strong
    codebook word (权责清单) in a sentence of another field is dropped, as generic ones are."""
    assert "清单管理" not in instruments("全面推行权责清单制度，深化行政审批改革。", use_model=False)
    assert "清单管理" not in instruments("全面推行权责清单制度，深化行政审批改革。加强基层医疗卫生服务。",
                                     use_model=False)
    assert "清单管理" in instruments("建立医疗卫生机构权责清单制度。", use_model=False)
    assert "家庭医生签约服务" in instruments("深化行政审批改革，推进家庭医生签约服务。", use_model=False)


@pytest.mark.parametrize("text, expected, trap", [
    ("县卫生健康局应当及时向医疗机构通报本地传染病疫情。", "监测预警", "督导检查"),   # notifying, not inspecting
    ("今年拟安排地方政府专项债券，为重点项目建设提供资金支持。", None, "专项资金"),     # fiscal policy at large
    ("扩大跨境电商综合试点，推进外贸转型升级。", None, "试点示范"),
    ("开展城乡居民大病保险试点。", "试点示范", None),                                  # a pilot of a health scheme
    ("县级人民政府负责辖区内预防接种工作的日常经费。", "专项资金", None),
    ("定期对辖区医疗机构传染病防治工作进行考核。", "绩效考核", None),
    ("价格主管部门应当制定家庭医生签约服务包收费标准。", "家庭医生签约服务", "法规标准"),  # a fee, not a standard
    ("县级以上人民政府应当将慢性病防治工作纳入本级卫生健康事业发展规划。", "目标规划", None),  # 纳入…规划
])
def test_real_phrasing_of_instruments_and_their_traps(text, expected, trap):
    found = instruments(text)
    assert expected is None or expected in found
    assert trap is None or trap not in found


def test_settlement_deadlines_and_plans_are_caught_by_rule():
    assert "医保支付" in instruments("完善跨省异地就医直接结算办法。", use_model=False)   # settlement is payment
    assert "目标规划" in instruments("到二〇三五年，建成健康中国。", use_model=False)
    assert "目标规划" in instruments("2026年6月底前，各乡镇卫生院完成慢病管理系统升级。", use_model=False)
    assert "目标规划" in instruments("编制全县公共卫生服务体系建设规划。", use_model=False)
    assert "目标规划" in instruments("县级以上人民政府应当制定慢性病防治规划并组织实施。", use_model=False)
    assert "目标规划" in instruments("卫生健康主管部门应当制定基层医务人员培训计划。", use_model=False)
    assert "督导检查" in instruments("鼓励公民对家庭医生签约服务进行社会监督。", use_model=False)
    assert "法规标准" not in instruments("鼓励社会力量投资设立非独立法人资格的基层医疗卫生机构。", use_model=False)


def test_guiding_residents_is_health_education_when_the_model_agrees():
    """引导居民… is a weak 健康教育与宣传 pattern: it counts in a clause the model reads as health education."""
    assert "健康教育与宣传" in instruments("引导居民了解吸烟的严重危害。", use_model=False)
    assert "健康教育与宣传" in instruments("倡导居民减盐减油，引导公众了解吸烟的严重危害。")
    assert "健康教育与宣传" not in instruments("系统自动评估血糖数据并提示家庭医生上门干预。", use_model=False)
    assert "法规标准" not in instruments("开展基层医务人员诊疗规范化培训。", use_model=False)   # training, not a norm


def test_a_unit_that_merely_acts_is_no_instrument_setting_one_up_is():
    """Invented examples: 公共卫生科 as the place where something happens is no 机构设置; setting
    one up is. An equipment list is no 清单管理."""
    assert "机构设置" in instruments("二级以上医院应当设立公共卫生科，配备专职人员。", use_model=False)
    assert "机构设置" not in instruments("医院新入职的公共卫生科医师须到疾控中心跟班学习三个月。")
    assert "医联体医共体" in instruments("组建紧密型县域医共体，实行人财物统一管理。", use_model=False)
    assert "清单管理" not in instruments("按照设备配置清单为村卫生室配齐血压计和血糖仪。", use_model=False)


def test_a_government_leading_the_work_is_a_leadership_arrangement_by_rule():
    assert "组织领导机制" in instruments("第四条 县人民政府统一领导本县传染病防治工作。", use_model=False)
    assert "组织领导机制" in instruments("实行统一领导、分级负责的卫生应急管理体制。", use_model=False)
    assert "组织领导机制" not in instruments("坚持党中央对全面深化改革的集中统一领导。", use_model=False)


def test_model_adds_an_instrument_named_without_a_keyword():
    text = "居民按时随访、规范服药的，可累计分值兑换生活用品。"
    assert "健康积分" not in instruments(text, use_model=False)
    tag = next(m for m in tag_texts([text])[0] if m.label == "健康积分")
    assert tag.source.startswith("model:")
    assert 0 < tag.score <= 1
    assert tag.matched and text[tag.start:tag.end] == tag.matched


def test_every_tag_has_clause_words_span_source_and_score():
    text = "到2025年，在试点地区推行家庭医生签约服务，对县域医共体实行按人头付费，由浙江省温州市卫健委负责。"
    doc_text = "一、总则\n" + text
    tags = tag_clauses([clause(text, start=5)])
    assert {t.kind for t in tags} >= {"instrument", "region", "actor"}
    for tag in tags:
        assert tag.clause_id == "d:1" and tag.doc_id == "d"
        assert doc_text[tag.start:tag.end] == tag.matched
        assert tag.source.split(":")[0] in {"dict", "regex", "model", "gazetteer", "bodies"}
        assert 0 < tag.score <= 1
        if tag.kind == "instrument":
            assert tag.category in {"供给型", "环境型", "需求型"}
    assert {"目标规划", "试点示范", "家庭医生签约服务", "医联体医共体", "医保支付"} <= {
        t.label for t in tags if t.kind == "instrument"}
    assert "浙江省温州市" in {t.label for t in tags if t.kind == "region"}


def test_model_evidence_is_a_word_a_reader_can_check():
    """The model's evidence is its heaviest feature of two characters or more: 起付 rather than 付."""
    text = "按规定逐级转诊的住院患者，起付线连续计算，不再重复收取。"
    evidence = [e for e in code_texts([text])[0]["evidence"] if e["source"].startswith("model:")]
    assert [e["instrument"] for e in evidence] == ["医保支付"]
    assert len(evidence[0]["matched"]) >= 2 and evidence[0]["matched"] in text


def test_matcher_batch_equals_one_by_one():
    from mining.tagging import match_batch

    matcher = CodebookMatcher.from_codebooks()
    texts = ["推进县域医共体建设", "浙江省温州市开展健康积分", "", "开具运动处方，处方药除外"]
    assert match_batch(matcher, texts) == [matcher(t) for t in texts]


def test_layout_broken_text_is_read_per_sentence_and_regions_scope_over_it():
    lines = ["聊城市基层卫生协会", "优化服务流程", "诊前", "诊中", "为居民提供精准分类签", "约和健康行为积",
             "分、预约、管理", "01", "全生命周期", "03", "服务的标准化"]
    text, clauses, at = "", [], 0
    for i, line in enumerate(lines, 1):
        clauses.append(clause(line, "slides", i, at))
        text += line + "\n"
        at = len(text)
    assert is_layout_broken(clauses)
    tags = tag_clauses(clauses)
    labels = {t.label for t in tags if t.kind == "instrument"}
    assert {"家庭医生签约服务", "健康积分"} <= labels        # 分类签/约 and 健康行为积/分 span two lines
    for tag in tags:
        assert text[tag.start:tag.end].replace("\n", "") == tag.matched.replace("\n", "")
    linked = {(t.clause_id, t.label) for t in tags if t.kind == "region" and t.source.startswith("context:")}
    instrument_clauses = {t.clause_id for t in tags if t.kind == "instrument"}
    assert {(c, "山东省聊城市") for c in instrument_clauses} <= linked
    assert not is_layout_broken([clause("一、总则。"), clause("第一条 为了……，制定本法。")])


def test_remining_an_unchanged_store_does_no_work(tmp_path, monkeypatch):
    from corpus.ingest import ingest_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("关于推进医防融合的通知\n一、在浙江省温州市开展试点，推行家庭医生签约服务。\n", encoding="utf-8")
    (folder / "b.txt").write_text("关于健康积分的意见\n一、建立健康积分制度，开具运动处方。\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        ingest_paths(store, [folder])
        first = mine_store(store)
        assert first.mined == 2 and first.tags > 0
        before = store.tags()
        import mining.tagging as tagging
        monkeypatch.setattr(tagging, "_tag_document", lambda *a: pytest.fail("re-mined an unchanged document"))
        again = mine_store(store)
        assert (again.mined, again.skipped) == (0, 2)
        assert store.tags() == before
        monkeypatch.undo()
        assert mine_store(store, force=True).mined == 2


def test_parallel_mining_equals_serial(tmp_path, monkeypatch):
    import mining.tagging as tagging
    from corpus.ingest import ingest_paths
    from tests.conftest import EXAMPLES

    with Store(tmp_path / "s.db") as store:
        ingest_paths(store, [EXAMPLES])
        mine_store(store, workers=1)
        serial = sorted(map(repr, store.tags()))
        monkeypatch.setattr(tagging, "PARALLEL_MIN_CHARS", 0)
        assert mine_store(store, force=True, workers=2).mined == store.document_count()
        assert sorted(map(repr, store.tags())) == serial


def test_mention_and_issuer_level_regions_are_both_queryable(examples_db):
    with Store(examples_db) as store:
        g = build_graph(store)
        tags = store.tags(kind="region")
        assert tags and all(t.clause_id for t in tags)
        issuer = instruments_by_region(g, "issuer")
        mention = instruments_by_region(g, "mention")
        assert issuer and mention
        assert {r.region for r in mention} <= {t.label for t in tags}
        for row in mention[:5]:
            for ev in row.evidence:
                assert store.clause(ev.clause_id) is not None
        line = timeline(g, store, "家庭医生签约服务")
        assert line.first is not None and line.by_year and line.by_stage


def test_instrument_tags_stay_inside_their_clause(examples_db):
    with Store(examples_db) as store:
        clauses = {c.id: c for c in store.clauses()}
        for tag in store.tags(kind="instrument"):
            c = clauses[tag.clause_id]
            assert c.start <= tag.start < tag.end <= c.end + 1
            assert store.document(tag.doc_id).text[tag.start:tag.end] == tag.matched


def test_match_keeps_its_old_fields():
    from mining.pipeline import Match

    m = Match("instrument", "绩效考核", "环境型", 0, 4, "绩效考核", "dict:绩效考核")
    assert (m.score, m.weak) == (1.0, False)
    assert replace(m, score=0.5).score == 0.5


def mention_pairs(tmp_path, text: str) -> set[tuple[str, str]]:
    """(region, instrument) pairs at mention level of one document with this text."""
    from corpus.ingest import ingest_paths

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        assert [o.status for o in ingest_paths(store, [path])] == ["ingested"]
        mine_store(store)
        return {(r.region, r.instrument) for r in instruments_by_region(build_graph(store), "mention")}


def test_a_region_links_to_the_instruments_of_its_own_sentence(tmp_path):
    """Invented example in the style of a work report's paragraph: 北京 is named for the Winter
    Olympics, sentences away from the paragraph's health measures; 杭州市 those of its sentence."""
    pairs = mention_pairs(tmp_path, "政府工作报告（示例）\n\n"
                                    "实施健康中国战略。推进分级诊疗和家庭医生签约服务，在杭州市推行健康积分。"
                                    "做好北京冬奥会筹办工作，多渠道增加全民健身场所和设施。\n")
    assert {("浙江省杭州市", "健康积分"), ("浙江省杭州市", "家庭医生签约服务")} <= pairs
    assert not {p for p in pairs if p[0] == "北京市"}


def test_a_region_that_opens_a_sentence_scopes_the_next_until_another_region_is_named(tmp_path):
    """Invented example in the style of a research paper: 浙江省 opens the example and the next
    sentence tells its practice; 杭州市, named mid-sentence, ends that and speaks for its own sentence."""
    pairs = mention_pairs(tmp_path, "医防融合的地方实践（示例）\n\n"
                                    "各地探索多种模式。例如，浙江省推行家庭医生签约服务。"
                                    "服务方面，开展健康知识宣教和慢病随访。做好杭州市亚运会筹办工作。"
                                    "建立双向转诊机制。\n")
    assert {("浙江省", "家庭医生签约服务"), ("浙江省", "健康教育与宣传")} <= pairs
    assert not {p for p in pairs if p[1] == "双向转诊"}


def test_a_practice_told_as_done_links_to_its_region_but_is_not_the_documents_instrument(tmp_path):
    """Invented example in the style of a research paper on practice forms: what 温州市 and 杭州市 did
    is their practice (mention level), though the paper sets up nothing (no issuer-level use, and
    `policykg tag` codes no instrument); a penalty clause names an instrument as no practice at all."""
    text = ("医防融合的地方实践（示例）\n\n温州市建立了疾控监督员制度。\n\n"
            "2019年以来，杭州市累计培训社区医生3000人次，绩效考核结果与经费挂钩。\n\n"
            "第五十条 违反本办法规定，未落实家庭医生签约服务的，由宁波市卫生健康局责令改正，给予警告。\n")
    pairs = mention_pairs(tmp_path, text)
    assert {("浙江省温州市", "疾控监督员制度"), ("浙江省杭州市", "绩效考核")} <= pairs
    assert not {p for p in pairs if p[1] == "家庭医生签约服务"}
    with Store(tmp_path / "s.db") as store:
        assert not store.tags(kind="instrument")
        assert {t.label for t in store.tags(kind="practice")} == {"疾控监督员制度", "绩效考核"}
    assert not [m for m in tag_texts(["温州市建立了疾控监督员制度。"])[0] if m.kind in ("instrument", "practice")]


PRACTICE_REVIEW = (   # invented, in the style of a review paper's paragraph on local practice forms
    "近年来，各地围绕医防融合开展了多种探索。浙江温州率先建立疾控监督员制度，由县级疾控中心向医疗机构派驻疾控监督员。"
    "上海市长宁区以家庭医生签约服务为抓手，为签约居民提供个性化健康管理。"
    "深圳罗湖医院集团实行医保基金“总额管理、结余留用”，引导医院重视疾病预防。"
    "安徽省天长市组建县域医共体，在牵头医院设立公共卫生科，推动医防人员双向挂职。"
    "在广西壮族自治区，部分县推广“运动处方”和“营养处方”。"
    "甘肃省临夏州建立了县级医防融合工作领导小组，明确任务清单和责任清单。")


def test_a_review_of_local_practice_gives_each_place_its_own_instruments(tmp_path):
    pairs = mention_pairs(tmp_path, "医防融合的地方实践（示例）\n\n" + PRACTICE_REVIEW + "\n")
    assert {("浙江省温州市", "疾控监督员制度"), ("上海市长宁区", "家庭医生签约服务"),
            ("广东省深圳市罗湖区", "医保支付"), ("安徽省滁州市天长市", "医联体医共体"),
            ("安徽省滁州市天长市", "机构设置"), ("安徽省滁州市天长市", "人员互派"),
            ("广西壮族自治区", "处方工具"), ("甘肃省临夏回族自治州", "组织领导机制"),
            ("甘肃省临夏回族自治州", "清单管理")} <= pairs
    assert ("上海市长宁区", "医保支付") not in pairs and ("浙江省温州市", "家庭医生签约服务") not in pairs


def test_a_short_text_footed_by_its_place_is_about_that_place(tmp_path):
    """Invented slide: the place is named once, in the footer, and every measure above is its own."""
    pairs = mention_pairs(tmp_path, "县域医共体建设模式（示例）\n→ 医保资金按人头总额预付\n→ 县级专家下沉乡镇\n"
                                    "安徽省天长市卫生健康委员会  2019年\n")
    assert {("安徽省滁州市天长市", "医保支付"), ("安徽省滁州市天长市", "专家下沉")} <= pairs


def test_each_part_of_a_list_joined_by_semicolons_keeps_its_own_place(tmp_path):
    """Invented review sentence: three places, one measure each, joined by ；."""
    pairs = mention_pairs(tmp_path, "医防融合的组织保障（示例）\n\n例如，福建省三明市成立医改领导小组；"
                                    "湖北宜昌建立部门联席会议制度；浙江省推行家庭医生签约服务。\n")
    assert {("福建省三明市", "组织领导机制"), ("湖北省宜昌市", "组织领导机制"), ("浙江省", "家庭医生签约服务")} <= pairs
    assert not {("福建省三明市", "家庭医生签约服务"), ("浙江省", "组织领导机制")} & pairs


def test_a_place_that_only_situates_the_opening_one_is_not_carried(tmp_path):
    """Invented case: 上海 situates 长宁区, whose practice the next sentence tells."""
    pairs = mention_pairs(tmp_path, "家庭医生制度的长宁实践（示例）\n\n长宁区是上海较早开展家庭医生签约服务的区之一。"
                                    "该区建立了签约服务评价指标体系，评价结果与家庭医生绩效工资挂钩。\n")
    assert ("上海市长宁区", "绩效考核") in pairs
    assert ("上海市", "绩效考核") not in pairs


def test_a_place_named_to_compare_with_gets_none_of_the_measures(tmp_path):
    """Invented review sentence: 北京 and 上海 are the comparison, 宁夏回族自治区 builds the platform."""
    pairs = mention_pairs(tmp_path, "西部地区的远程医疗（示例）\n\n与北京、上海等医疗资源丰富的城市不同，"
                                    "宁夏回族自治区建成了自治区级远程医疗信息平台，与基层共享检查检验结果。\n")
    assert ("宁夏回族自治区", "信息平台与数据共享") in pairs
    assert not {p for p in pairs if p[0] in ("北京市", "上海市")}


def test_an_instrument_inside_a_quoted_title_links_only_to_a_region_of_that_title(tmp_path):
    """Invented example in the style of a research paper: 湖北 is named beside the title of a national
    plan (its 远景目标 is no instrument of 湖北), while 浙江省's own plan names its pilot."""
    pairs = mention_pairs(tmp_path, "医防协同的政策研究\n\n"
                                    "2020年5月，在参加湖北代表团审议时强调创新医防协同机制，"
                                    "随后《国民经济和社会发展第十四个五年规划和2035年远景目标纲要》提出落实医疗机构公共卫生责任。\n\n"
                                    "2021年，浙江省印发《浙江省医防融合试点工作方案》，推进医防融合。\n")
    assert ("浙江省", "试点示范") in pairs
    assert not {p for p in pairs if p[0] == "湖北省"}


def test_a_section_that_looks_back_codes_no_instrument(tmp_path):
    """Invented example in the style of a government work report: under 一、…工作回顾 the clauses
    tell what was done, mostly without a look-back cue of their own; the same words under 二、 are
    this year's measures. Regions of the look-back section are still tagged."""
    from corpus.ingest import ingest_paths

    path = tmp_path / "report.txt"
    path.write_text("政府工作报告（示例）\n\n一、2023年工作回顾\n\n"
                    "推进健康中国建设。家庭医生签约服务扩大到温州市各县，县域医共体建设加快推进。\n\n"
                    "二、2024年重点工作\n\n"
                    "推进健康中国建设。做实家庭医生签约服务，推进县域医共体建设。\n", encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        assert [o.status for o in ingest_paths(store, [path])] == ["ingested"]
        mine_store(store)
        tags = store.tags()
        text = store.document(tags[0].doc_id).text
    plan_starts = text.index("二、2024年重点工作")
    past = {(t.kind, t.label) for t in tags if t.start < plan_starts}
    plan = {t.label for t in tags if t.start > plan_starts and t.kind == "instrument"}
    assert not {kind for kind, _ in past} & {"instrument"}
    assert ("region", "浙江省温州市") in past
    assert {"家庭医生签约服务", "医联体医共体"} <= plan


def test_an_attachment_line_is_not_joined_to_the_table_row_below_it():
    """Invented example of a plan with a task table as attachment: the table's short cells make the
    document read as broken by layout (analysed per sentence); the 附件 line stays a unit of its own,
    so the first row is not read as a title and keeps its instrument."""
    lines = ["附件：部门任务分工表", "部门", "重点任务", "市卫生健康局",
             "建立联席会议制度，统筹推进医防融合工作。", "市财政局", "落实专项经费保障。",
             "市医保局", "推行按人头付费。", "市教育局", "开展健康教育。"]
    clauses, at = [], 0
    for ordinal, line in enumerate(lines, 1):
        clauses.append(clause(line, ordinal=ordinal, start=at))
        at += len(line) + 1
    assert is_layout_broken(clauses)
    tagged = {(t.clause_id, t.label) for t in tag_clauses(clauses) if t.kind == "instrument"}
    assert ("d:5", "组织领导机制") in tagged


def test_a_plan_with_an_attached_table_is_read_per_clause_in_its_body(tmp_path):
    """Invented example: a county plan whose task table is attached. The table's cells are line
    fragments, but the body is not a slide deck: 温州市, named in one paragraph, does not scope the
    instruments of the next, as a place named in a slide's heading would."""
    cells = "\n".join(["部门", "任务", "完成时限"] + [f"第{n}乡镇卫生院" for n in "一二三四五六七八九十"])
    pairs = mention_pairs(tmp_path, "某县医防融合实施方案（示例）\n一、工作目标\n借鉴温州市经验，推进医防融合工作。\n"
                                    "二、重点任务\n推行家庭医生签约服务，做实慢病随访。\n附件：任务分工表\n" + cells + "\n")
    assert ("浙江省温州市", "家庭医生签约服务") not in pairs


def test_the_measures_of_a_comparison_belong_to_no_place(tmp_path):
    """Invented review sentence: 医保支付 is what 苏州 is compared for, not what 大理 does."""
    pairs = mention_pairs(tmp_path, "西部地区的医防融合（示例）\n\n在组织机制方面，云南大理州成立医防融合工作领导小组。"
                                    "与苏州等东部城市主要依靠医保支付改革驱动不同，大理更多依靠行政推动。\n")
    assert ("云南省大理白族自治州", "组织领导机制") in pairs
    assert not {p for p in pairs if p[1] == "医保支付"}


def test_a_place_that_only_situates_another_gets_none_of_its_measures(tmp_path):
    """Invented examples: 南通 and 吉安市 only say where 启东市 and 吉安县 lie."""
    pairs = mention_pairs(tmp_path, "县域医共体（示例）\n\n同属南通的启东市计划推行按人头打包付费，结余留用。"
                                    "吉安县（隶属江西省吉安市）组建紧密型县域医共体。\n")
    assert {("江苏省南通市启东市", "医保支付"), ("江西省吉安市吉安县", "医联体医共体")} <= pairs
    assert not {p for p in pairs if p[0] in ("江苏省南通市", "江西省吉安市")}


def test_an_anaphor_of_a_level_speaks_of_the_place_of_that_level(tmp_path):
    """Invented news and review sentences: 省医保局 and 自治区财政 are the province of the county or
    city just named; 市卫生健康委 after two districts of Chongqing is 重庆市."""
    pairs = mention_pairs(tmp_path, "医保支付改革（示例）\n\n遵义市湄潭县作为首批试点县，已将医保基金按人头打包给县医共体。"
                                    "省医保局表示，2025年前将在全省88个县全面推开。"
                                    "银川市依托互联网医院开展远程会诊。同时，自治区财政安排专项资金用于乡村医生补助。"
                                    "江津区、荣昌区均成立了医防融合工作专班。年底，市卫生健康委组织专家组开展现场督导。\n")
    assert {("贵州省", "目标规划"), ("宁夏回族自治区", "专项资金"), ("重庆市", "督导检查")} <= pairs
    assert ("贵州省遵义市湄潭县", "目标规划") not in pairs
    assert ("宁夏回族自治区银川市", "专项资金") not in pairs
    assert not {p for p in pairs if p[1] == "督导检查" and p[0] != "重庆市"}


def test_a_news_lead_or_a_reported_finding_opens_the_sentence_of_its_place(tmp_path):
    """Invented news items: the place after 本报讯（…）日前， or 报告显示， scopes the next sentence."""
    pairs = mention_pairs(tmp_path, "新闻（示例）\n\n本报讯（记者 王敏）日前，贵州省推行县域医保基金打包付费。"
                                    "每季度对各医共体开展督导检查。报告显示，会同县对乡镇卫生院实行一体化考核；"
                                    "县疾控中心每季度对各乡镇卫生院开展督导。\n")
    assert {("贵州省", "督导检查"), ("湖南省怀化市会同县", "督导检查")} <= pairs


def test_a_gap_the_text_reports_is_no_measure():
    """Invented examples: a 存在问题 sentence names the platform it lacks; a target group named with
    尚未 still gets its measure."""
    assert instruments("与先进地区相比，我市医防信息系统尚未实现互联互通。") == set()
    assert instruments("基层医防融合复合型人才十分缺乏。") == set()


def test_one_patients_bedside_monitoring_is_no_surveillance():
    assert "监测预警" not in instruments("护士应每小时监测患者生命体征和尿量，发现异常立即报告值班医生。")
    assert "家庭医生签约服务" in instruments("对尚未签约的居民，家庭医生团队要主动上门提供签约服务。")


def test_a_purpose_article_of_a_hospital_rule_sets_up_nothing():
    assert instruments("第一条 为规范和加强本院传染病报告管理工作，制定本制度。") == set()
    assert instruments("第一条 为规范本院公共卫生科工作，制定本规则。") == set()


def test_the_same_words_found_by_two_rules_are_one_tag():
    # 结余留用 is a synonym, and the pattern of 结余…留用 finds it too
    matches = [m for m in tag_texts(["医共体实行按人头付费，结余留用。"])[0] if m.label == "医保支付"]
    spans = [(m.start, m.end) for m in matches]
    assert len(spans) == len(set(spans)) and (11, 15) in spans


def test_a_result_compared_with_an_earlier_year_is_told_as_done():
    """Invented examples: a work summary's result against a plan's target."""
    assert "目标规划" not in instruments("2022年，全县高血压患者规范管理率达到68%，较2019年提高15个百分点。")
    assert "目标规划" in instruments("到2025年，全县高血压患者规范管理率达到70%。")


def test_a_weight_or_a_payment_rate_is_no_goal():
    """Invented examples: 权重提高到30% weighs an appraisal; 报销比例 is an insurance rate."""
    assert instruments("将医防融合指标纳入乡镇卫生院绩效考核，权重提高到30%。") == {"绩效考核"}
    assert "目标规划" not in instruments("签约居民在基层就诊的，门诊慢病报销比例提高到60%。")


def test_what_a_deck_tells_as_done_is_the_practice_of_the_place_its_footer_names(tmp_path):
    """Invented slides footed by a county's health bureau: the team it formed (told as done, with no
    place of its own) is 德清县's; the measure a national notice sets out is no one's."""
    pairs = mention_pairs(tmp_path, "医防融合工作汇报（示例）\n德清县卫生健康局\n"
                                    "一、工作背景\n国家卫生健康委要求各地推进双向转诊。\n学习借鉴福建省三明市经验。\n德清县卫生健康局\n"
                                    "二、主要做法\n2023年，我们组建了由县医院专科医生参加的家庭医生团队，定期下沉乡镇坐诊。\n"
                                    "德清县卫生健康局\n")
    assert ("浙江省湖州市德清县", "家庭医生签约服务") in pairs
    assert ("浙江省湖州市德清县", "双向转诊") not in pairs


def test_an_anaphor_speaks_of_the_place_that_opened_the_sentence_before_not_of_one_it_cites(tmp_path):
    """Invented case study: 全县 is 德清县, which opened the sentence, not 长兴县 whose practice it
    learnt from."""
    pairs = mention_pairs(tmp_path, "县域案例（示例）\n\n德清县学习借鉴了长兴县的做法，组建紧密型县域医共体。"
                                    "全县推行家庭医生签约服务，签约居民可获得健康积分。\n")
    assert {("浙江省湖州市德清县", "家庭医生签约服务"), ("浙江省湖州市德清县", "健康积分")} <= pairs
    assert not {p for p in pairs if p[0] == "浙江省湖州市长兴县" and p[1] != "医联体医共体"}


def test_a_place_inside_a_cited_title_uses_nothing_named_outside_it(tmp_path):
    """Invented case: 河南 only names a yearbook; the 医共体 is 郸城县's."""
    pairs = mention_pairs(tmp_path, "县域案例（示例）\n\n郸城县组建紧密型县域医共体。据《河南卫生健康年鉴（2022）》记载，"
                                    "该县在全县推行健康积分制度。\n")
    assert ("河南省周口市郸城县", "医联体医共体") in pairs
    assert not {p for p in pairs if p[0] == "河南省"}


def test_a_short_summary_titled_by_a_prefecture_gives_it_the_measures_no_county_takes(tmp_path):
    """Invented work summary: the prefecture's own measures are its; a county's are the county's."""
    pairs = mention_pairs(tmp_path, "临夏州2023年医防融合工作总结（示例）\n"
                                    "州疾控中心组建专家组，每季度对各县市开展督导；州财政安排慢病筛查专项经费。"
                                    "东乡族自治县在各村推行健康积分，居民参加活动即可积分换取生活用品。\n")
    assert {("甘肃省临夏回族自治州", "督导检查"), ("甘肃省临夏回族自治州", "专项资金"),
            ("甘肃省临夏回族自治州东乡族自治县", "健康积分")} <= pairs
    assert ("甘肃省临夏回族自治州", "健康积分") not in pairs


def test_a_news_items_dateline_names_no_place_of_its_measures(tmp_path):
    """Invented news item: 拉萨 is where it was filed; the measures are the autonomous region's."""
    pairs = mention_pairs(tmp_path, "新闻（示例）\n\n本报拉萨电 西藏自治区近日印发通知，在全区推行家庭医生签约服务。"
                                    "自治区卫生健康委将签约服务完成情况纳入年度绩效考核。\n")
    assert {("西藏自治区", "家庭医生签约服务"), ("西藏自治区", "绩效考核")} <= pairs
    assert not {p for p in pairs if p[0] == "西藏自治区拉萨市"}


def test_a_place_that_issues_a_title_uses_what_the_title_names(tmp_path):
    """Invented review sentence: 湘西州 issues the 服务规范; 湖北代表团 only reviews the 纲要."""
    pairs = mention_pairs(tmp_path, "民族地区的探索（示例）\n\n湘西州出台《医防融合服务规范（试行）》，统一辖区医疗机构公共卫生服务流程。"
                                    "湖北代表团审议《“十四五”国民健康规划》。\n")
    assert ("湖南省湘西土家族苗族自治州", "法规标准") in pairs
    assert not {p for p in pairs if p[0] == "湖北省" and p[1] == "目标规划"}


def test_a_sentence_that_sums_up_the_places_before_it_is_none_of_theirs(tmp_path):
    """Invented review: the closing 三地做法表明 … 资源下沉 is no measure of 通州区, which opened the
    sentence before."""
    pairs = mention_pairs(tmp_path, "城区医防融合（示例）\n\n福州鼓楼区组建区域医疗联合体。宁波市江北区推进公共卫生科建设。"
                                    "南通市通州区建立区医防融合工作领导小组。三地做法表明，关键在于优质医疗资源下沉。\n")
    assert ("江苏省南通市通州区", "组织领导机制") in pairs
    assert not {p for p in pairs if p[1] == "专家下沉"}


def test_a_slide_whose_second_line_names_its_issuer_is_that_places(tmp_path):
    """Invented slide: the title line names no place, the issuer line under it does; the venue in
    the footer lies inside it."""
    pairs = mention_pairs(tmp_path, "推进医防融合 守护健康（示例）\n广西壮族自治区卫生健康委员会\n"
                                    "◆ 遴选30个县开展医防融合示范县建设\n◆ 建成传染病多点触发监测预警平台\n"
                                    "—— 2023年全区基层卫生工作会议 · 南宁\n")
    assert {("广西壮族自治区", "试点示范"), ("广西壮族自治区", "监测预警")} <= pairs
    assert not {p for p in pairs if p[0] == "广西壮族自治区南宁市"}


def test_a_measure_a_higher_level_sends_staff_for_or_names_is_also_that_levels(tmp_path):
    """Invented deck and cases: the province sends the business deans (省派), the city its experts
    (市级下派), the region names the pilot county; the county's own measures in other phrases, and a
    police station (派出所), climb nowhere."""
    pairs = mention_pairs(tmp_path, "家庭医生工作汇报（示例）\n临朐县卫生健康局\n"
                                    "借助“省派”业务院长进基层的契机，我们组建了5支“全专联合”家庭医生服务团队。\n"
                                    "临朐县卫生健康局\n")
    assert {("山东省潍坊市临朐县", "专家下沉"), ("山东省", "专家下沉")} <= pairs
    (tmp_path / "b").mkdir()
    pairs = mention_pairs(tmp_path / "b", "县域案例（示例）\n\n莒县依托市级下派专家坐诊，提升乡镇卫生院诊疗能力。"
                                          "莒县推行家庭医生签约服务，县派出所配合做好宣传。\n")
    assert {("山东省日照市莒县", "专家下沉"), ("山东省日照市", "专家下沉")} <= pairs
    assert ("山东省日照市莒县", "家庭医生签约服务") in pairs
    assert not {p for p in pairs if p[0] == "山东省日照市" and p[1] != "专家下沉"}
    (tmp_path / "c").mkdir()
    pairs = mention_pairs(tmp_path / "c", "县域案例（示例）\n\n凌云县被自治区确定为医防融合试点县后，"
                                          "县财政每年安排300万元专项资金，支持乡镇卫生院开展慢病管理。\n")
    assert {("广西壮族自治区百色市凌云县", "试点示范"), ("广西壮族自治区", "试点示范"),
            ("广西壮族自治区百色市凌云县", "专项资金")} <= pairs
    assert ("广西壮族自治区", "专项资金") not in pairs      # the county's own funds
