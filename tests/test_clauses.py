"""corpus.clauses: numbering levels, offsets, headings; invariants on the shared corpus."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.clauses import clause_number, segment_clauses
from corpus.records import ClauseSpan

from tests.paths import SHARED

POLICY = """关于推进医防融合工作的通知（示例）
示卫基层发〔2019〕8号
各市卫生健康委：
为推进医防融合，现通知如下。
一、总体要求
坚持预防为主、防治结合。
（一）指导思想。
以人民健康为中心，推动医防协同。
（二）工作目标。到2025年，建立医防融合机制，重点人群签约率达到1.5倍于2018年水平。
二、主要任务
（一）建立疾控监督员制度。
1.向二级以上医院派驻疾控监督员。
2、疾控监督员每月开展督导。
（1）督导传染病报告；
（2）督导院感防控，每季度通报一次。
2018年起在试点城市先行实施。
1.5倍的目标由各地分解落实。
三、保障措施
设立专项资金，实行绩效考核。
浙江省卫生健康委员会
2019年5月20日
"""

LAW = """中华人民共和国示例法
第一章 总则
第一条 为了推进医防融合，制定本法。
第二条 国家建立下列制度：
（一）家庭医生签约服务制度；
（二）疾控监督员制度。
第三条 医疗卫生机构应当防治结合。
县级以上人民政府应当保障经费。
第二章 附则
第四条 本法自公布之日起施行。
"""


def _check_invariants(text: str, spans: list[ClauseSpan]) -> None:
    """Trimmed, ordered, non-overlapping spans whose gaps are whitespace and that cover every
    non-blank character."""
    position = 0
    for span in spans:
        assert position <= span.start < span.end <= len(text)
        assert not text[position:span.start].strip()
        piece = text[span.start:span.end]
        assert piece == piece.strip()
        position = span.end
    assert not text[position:].strip()


def _numbers(text: str) -> list[tuple[str, int]]:
    return [(s.number, s.level) for s in segment_clauses(text)]


@pytest.mark.parametrize("line, expected", [
    ("一、总体要求", ("一、", 1)), ("十二、保障措施", ("十二、", 1)), ("（三）工作目标", ("（三）", 2)),
    ("(三)工作目标", ("(三)", 2)), ("1.专家下沉", ("1.", 3)), ("12、人员互派", ("12、", 3)),
    ("3．医防互训", ("3．", 3)), ("（1）督导", ("（1）", 4)), ("第一章 总则", ("第一章", 1)),
    ("第十二条 本法", ("第十二条", 2)), ("第一百一十条 本法", ("第一百一十条", 2)),
    ("第三篇 优化健康服务", ("第三篇", 1)), ("第二节 建立制度", ("第二节", 1)),
    ("2018年起实施", None), ("1.5倍的目标", None), ("2021.3.20发布", None), ("一是加强领导", None),
    ("中华人民共和国", None), ("第十九届中央委员会", None),
])
def test_clause_number(line, expected):
    assert clause_number(line) == expected


def test_policy_numbering_levels():
    assert _numbers(POLICY) == [
        ("", 0), ("", 0), ("", 0), ("", 0),
        ("一、", 1), ("", 0),
        ("（一）", 2), ("（二）", 2),
        ("二、", 1), ("（一）", 2), ("1.", 3), ("2、", 3), ("（1）", 4), ("（2）", 4), ("", 0), ("", 0),
        ("三、", 1), ("", 0), ("", 0), ("", 0),
    ]
    _check_invariants(POLICY, segment_clauses(POLICY))


def test_heading_only_item_takes_its_paragraph():
    spans = segment_clauses(POLICY)
    guiding = next(s for s in spans if s.number == "（一）")
    assert POLICY[guiding.start:guiding.end] == "（一）指导思想。\n以人民健康为中心，推动医防协同。"
    assert guiding.heading == "指导思想"


def test_numbers_inside_text_are_not_clauses():
    spans = segment_clauses(POLICY)
    texts = [POLICY[s.start:s.end] for s in spans]
    assert "2018年起在试点城市先行实施。" in texts
    assert "1.5倍的目标由各地分解落实。" in texts
    assert [s.number for s in spans if "1.5倍" in POLICY[s.start:s.end]] == ["（二）", ""]


def test_headings():
    spans = {POLICY[s.start:s.end].split("\n")[0]: s.heading for s in segment_clauses(POLICY)}
    assert spans["一、总体要求"] == "总体要求"
    assert spans["（二）工作目标。到2025年，建立医防融合机制，重点人群签约率达到1.5倍于2018年水平。"] == "工作目标"
    assert spans["（1）督导传染病报告；"] == ""
    assert spans["浙江省卫生健康委员会"] == ""


def test_law_articles_keep_their_paragraphs_and_items_are_clauses():
    spans = segment_clauses(LAW)
    assert [(s.number, s.level) for s in spans] == [
        ("", 0), ("第一章", 1), ("第一条", 2), ("第二条", 2), ("（一）", 2), ("（二）", 2), ("第三条", 2),
        ("第二章", 1), ("第四条", 2),
    ]
    third = spans[6]
    assert LAW[third.start:third.end] == "第三条 医疗卫生机构应当防治结合。\n县级以上人民政府应当保障经费。"
    assert spans[1].heading == "总则"
    _check_invariants(LAW, spans)


def test_report_without_numbers_is_split_per_paragraph():
    report = "各位代表：\n现在，我代表国务院，向大会报告政府工作。\n过去一年，我们推进健康中国建设。\n\n今年要加强基层医疗卫生服务。\n"
    spans = segment_clauses(report)
    assert [report[s.start:s.end] for s in spans] == [
        "各位代表：", "现在，我代表国务院，向大会报告政府工作。", "过去一年，我们推进健康中国建设。", "今年要加强基层医疗卫生服务。"]
    assert all((s.number, s.level) == ("", 0) for s in spans)


def test_offsets_work_on_unnormalised_text():
    text = "  \n  一、总体要求  \r\n\n（一）设立公共卫生科。  \n\n"
    spans = segment_clauses(text)
    assert [text[s.start:s.end] for s in spans] == ["一、总体要求", "（一）设立公共卫生科。"]
    _check_invariants(text, spans)


def test_empty_text():
    assert segment_clauses("") == []
    assert segment_clauses(" \n\n") == []


# --------------------------------------------------------------------------- shared corpus

def _shared_texts():
    corpus = SHARED / "corpus"
    if not (corpus / "catalog.jsonl").exists():
        pytest.skip(f"{corpus} is absent")
    from corpus.readers import read_file

    return {path.name: read_file(path).text for path in sorted(corpus.glob("*.txt"))}


@pytest.mark.shared
def test_shared_corpus_invariants_and_numbering():
    texts = _shared_texts()
    for name, text in texts.items():
        spans = segment_clauses(text)
        assert spans, name
        _check_invariants(text, spans)
    law = next(t for n, t in texts.items() if "infectious-disease-law-2025" in n)
    articles = [s.number for s in segment_clauses(law) if s.number.endswith("条")]
    assert articles[0] == "第一条" and articles[-1] == "第一百一十五条" and len(articles) == 115
    plenum = next(t for n, t in texts.items() if "third-plenum" in n)
    items = [s.number for s in segment_clauses(plenum) if s.level == 4]
    assert items == [f"（{i}）" for i in range(1, 61)]


@pytest.mark.shared
def test_shared_corpus_years_are_not_clause_numbers():
    texts = _shared_texts()
    assert not any(re.match(r"\d{4}年", t[s.start:s.end]) and s.number for t in texts.values()
                   for s in segment_clauses(t))
