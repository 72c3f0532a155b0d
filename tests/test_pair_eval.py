"""`policykg eval regions`: mention-level region × instrument pairs against a reader's list. The
passages are invented examples in the style of the practice-forms literature."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.pair_eval import evaluate_pairs
from mining.tag_eval import GoldFileError

PASSAGES = [
    {"id": "review", "style": "review",
     "text": "例如，浙江温州建立了疾控监督员制度。上海市长宁区推行家庭医生签约服务，居民与家庭医生团队签订服务协议。",
     "pairs": [["浙江省温州市", "疾控监督员制度"], ["上海市长宁区", "家庭医生签约服务"],
               ["浙江温州", "人员互派"]]},
    {"id": "affiliation", "style": "trap",
     "text": "作者单位：北京大学公共卫生学院。医防融合需要完善绩效考核和信息平台。", "pairs": []},
]


def write(tmp_path, rows) -> str:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_pairs_are_scored_by_region_as_the_gazetteer_names_it(tmp_path):
    result = evaluate_pairs(write(tmp_path, PASSAGES))
    # 浙江温州 in the gold is 浙江省温州市; the text posts no staff in words the tagger knows (a miss)
    assert (result.pairs.tp, result.pairs.fp, result.pairs.fn) == (2, 0, 1)
    assert result.errors == [{"id": "review", "missing": [("浙江省温州市", "人员互派")], "extra": []}]
    assert result.by_style["trap"].f1 == 1.0        # nothing to find, nothing found


def test_a_pair_outside_the_canonical_instruments_is_an_error_naming_the_line(tmp_path):
    rows = PASSAGES + [{"id": "bad", "text": "温州市推行健康积分。", "pairs": [["浙江省温州市", "积分制"]]}]
    with pytest.raises(GoldFileError, match=r"pairs\.jsonl:3: .*积分制"):
        evaluate_pairs(write(tmp_path, rows))


def test_the_command_prints_precision_recall_and_the_passages_wrong(tmp_path):
    out = CliRunner().invoke(main, ["eval", "regions", "--gold", write(tmp_path, PASSAGES), "--errors"])
    assert out.exit_code == 0, out.output
    assert "precision 1.000  recall 0.667" in out.output
    assert "review: missing [('浙江省温州市', '人员互派')]" in out.output


def test_a_passage_may_be_a_file_named_by_reference_and_is_skipped_when_absent_or_changed(tmp_path):
    import hashlib

    texts = tmp_path / "literature"
    texts.mkdir()
    case = texts / "case.txt"          # an invented example, as a paper of ../shared/literature would be
    case.write_text("德清县推行健康积分制度，居民参加健康讲座可获得积分并兑换服务。", encoding="utf-8")
    sha1 = hashlib.sha1(case.read_bytes()).hexdigest()[:10]
    rows = [{"id": "case", "file": "case.txt", "sha1": sha1, "pairs": [["浙江省湖州市德清县", "健康积分"]]},
            {"id": "absent", "file": "absent.txt", "pairs": [["浙江省温州市", "疾控监督员制度"]]},
            {"id": "changed", "file": "case.txt", "sha1": "0000000000", "pairs": []}]
    result = evaluate_pairs(write(tmp_path, rows), texts)
    assert result.skipped == ["absent", "changed"]
    assert result.passages == 1
    assert (result.pairs.tp, result.pairs.fp, result.pairs.fn) == (1, 0, 0)
    out = CliRunner().invoke(main, ["eval", "regions", "--gold", write(tmp_path, rows), "--texts", str(texts)])
    assert out.exit_code == 0, out.output
    assert "2 references skipped" in out.output
