"""Issue 4: the independent blind set (tests/gold/verify-blind) on the real corpus.

The set was written without looking at the development set: literature-style passages (.txt, .md,
.docx, a hard-wrapped text pasted from a PDF, English-Chinese mixes, GB/T 7714 reference lists)
with planted errors of every kind and tricky correct citations. It needs ../shared/corpus
(``shared_db`` skips when it is absent).
"""
from __future__ import annotations

from pathlib import Path

from corpus.store import Store
from mining.verify import evaluation as verify_evaluation
from mining.verify import KINDS, verify_text

BLIND = Path(__file__).parent / "gold" / "verify-blind"


def statuses(citation) -> dict[str, list[str]]:
    return citation.statuses()


def test_blind_set(shared_db):
    with Store(shared_db) as store:
        result = verify_evaluation.evaluate(BLIND / "", store)
    assert result.manuscripts >= 24 and result.matched_citations == result.gold_citations
    overall = result.overall
    assert overall.precision >= 0.95 and overall.recall >= 0.95, result.errors
    for kind in KINDS:
        score = result.scores[kind]
        assert score.tp, f"the blind set plants at least one {kind} error"
        assert score.precision >= 0.95 and score.recall >= 0.95, (kind, result.errors)
    assert result.correct_flagged_mismatch == 0, result.errors


# -------------------------------------------------------------------------------- the general fixes


def _one(store, text):
    report = verify_text(text, store)
    assert report.citations, text
    return statuses(report.citations[0])


def test_issuer_with_parent_region_is_the_same_local_body(shared_db):
    with Store(shared_db) as store:
        ok = _one(store, "广东省汕头市人大常委会2022年通过的《汕头经济特区基层医疗卫生服务条例》。")
        wrong = _one(store, "山东省人民政府2020年公布的《山东省突发事件应急保障条例》。")
    assert ok["issuer"] == ["ok"]
    assert wrong["issuer"] == ["mismatch"]


def test_office_named_for_the_body_above_it_is_a_wrong_issuer(shared_db):
    """国务院办公厅 for a 中共中央 国务院 document is wrong; 国务院 for a 国办 one is only imprecise."""
    with Store(shared_db) as store:
        child = _one(store, "2016年，国务院办公厅印发《“健康中国2030”规划纲要》。")
        parent = _one(store, "2019年1月，国务院印发《关于加强三级公立医院绩效考核工作的意见》。")
    assert child["issuer"] == ["mismatch"]
    assert parent["issuer"] == ["uncertain"]


def test_legislature_adopting_a_report_is_not_a_wrong_issuer(shared_db):
    with Store(shared_db) as store:
        got = _one(store, "2021年3月，十三届全国人大四次会议审议批准了《政府工作报告》。")
    assert got["year"] == ["ok"] and got["issuer"] == ["uncertain"]


def test_years_in_chinese_numerals_sessions_and_others(shared_db):
    with Store(shared_db) as store:
        wrong = _one(store, "二〇二三年七月十八日，党的二十届三中全会审议通过《中共中央关于进一步全面深化改革、推进中国式现代化的决定》。")
        session = _one(store, "2019年12月28日，第十三届全国人大常委会第十五次会议审议通过《中华人民共和国基本医疗卫生与健康促进法》。")
        others = _one(store, "2015年，国家卫生计生委等7部门联合印发《关于推进家庭医生签约服务的指导意见》。")
        after = _one(store, "《“健康中国2030”规划纲要》于2017年由中共中央、国务院印发。")
        target = _one(store, "到2030年，《“健康中国2030”规划纲要》确定的主要指标将基本实现。")
    assert wrong["year"] == ["mismatch"]
    assert session["year"] == ["ok"] and session["issuer"] == ["ok"]
    assert others["year"] == ["mismatch"] and others["issuer"] == ["ok"]
    assert after["year"] == ["mismatch"] and after["issuer"] == ["ok"]
    assert "year" not in target


def test_novelty_refuted_for_a_catalogue_only_document(shared_db):
    """The cited text is not in the corpus, but an earlier corpus text contains the term."""
    with Store(shared_db) as store:
        refuted = _one(store, "2022年国务院办公厅印发的《“十四五”国民健康规划》首次提出“医防协同”。")
        open_ = _one(store, "“医防融合”一词于2018年首次出现在《关于做好2018年家庭医生签约服务工作的通知》中。")
    assert refuted["first_appearance"] == ["mismatch"]
    assert open_["first_appearance"] == ["uncertain"]


def test_translations_aliases_and_series_are_not_problems(shared_db):
    with Store(shared_db) as store:
        english = _one(store, 'The plan (《“健康中国2030”规划纲要》) emphasizes "prevention first".')
        alias = _one(store, "2019年，国务院办公厅印发《关于加强三级公立医院绩效考核工作的意见》，绩效考核（“国考”）全面启动。")
        series = _one(store, "此后，连续多年在《关于做好国家基本公共卫生服务项目工作的通知》中均提及推动“医防融合”。")
    assert english["quote"] == ["uncertain"]
    assert "quote" not in alias
    assert series["exists"] == ["ok"] and series["title"] == ["uncertain"]
