"""Issue 4: verifying policy citations in manuscripts.

Most tests run on the bundled examples (``examples_db``); the development set on the real corpus
uses ``shared_db`` and skips when ../shared is absent.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from corpus.store import Store
from corpus.text import ReadError
from graph import cli_verify
from mining.verify import evaluation as verify_evaluation
from mining import quotes as q
from mining.manuscript import read_manuscript
from mining.report import render_docx, render_html, render_markdown
from mining.verify import KINDS, STATUSES, verify_file, verify_text

GOLD = Path(__file__).parent / "gold"

CORRECT = ("2018年3月，浙江省卫生和计划生育委员会印发《浙江省卫生和计划生育委员会关于做好2018年家庭医生签约服务工作的通知"
           "（示例）》（示浙卫发〔2018〕12号），首次提出“医防融合”。")
WRONG = ("2020年，国家卫生健康委员会印发《三明市推进医防协同促进医防融合的若干措施（示例）》（示浙卫发〔2024〕5号），"
         "要求“市疾病预防控制中心向各总医院派驻疾控督导员”，并在浙江省三明市首次提出“医防融合”。")


@pytest.fixture()
def store(examples_db):
    with Store(examples_db) as s:
        yield s


def statuses(citation) -> dict[str, list[str]]:
    return citation.statuses()


# -------------------------------------------------------------------------------- contract


def test_json_contract_shape(store):
    data = json.loads(json.dumps(verify_text(CORRECT + "\n" + WRONG, store, "m.txt").to_dict(), ensure_ascii=False))
    assert set(data) == {"manuscript", "citations"} and data["manuscript"] == "m.txt"
    assert len(data["citations"]) == 2
    for i, c in enumerate(data["citations"], 1):
        assert set(c) == {"id", "sentence", "cited", "document", "checks"}
        assert c["id"] == i and isinstance(c["sentence"], str) and isinstance(c["cited"], str)
        assert set(c["document"]) == {"id", "title", "date"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["document"]["date"])
        for check in c["checks"]:
            assert set(check) == {"kind", "status", "claimed", "found", "evidence"}
            assert check["kind"] in KINDS and check["status"] in STATUSES
            if check["evidence"] is not None:
                assert set(check["evidence"]) == {"doc_id", "clause", "start", "end"}
                assert isinstance(check["evidence"]["start"], int)


def test_evidence_offsets_point_at_the_passage(store):
    report = verify_text(CORRECT, store)
    quote = next(c for c in report.citations[0].checks if c.kind == "quote")
    ev = quote.evidence
    doc = store.document(ev.doc_id)
    assert doc.text[ev.start:ev.end] == "医防融合"
    clause = store.clause(ev.clause)
    assert clause.start <= ev.start < clause.end


# -------------------------------------------------------------------------------- detection


def test_correct_citation_is_not_flagged(store):
    [citation] = verify_text(CORRECT, store).citations
    got = statuses(citation)
    assert citation.document.id == "example-2018-zhejiang-family-doctor-notice"
    assert got == {"exists": ["ok"], "title": ["ok"], "year": ["ok"], "issuer": ["ok"], "doc_number": ["ok"],
                   "quote": ["ok"], "first_appearance": ["ok"]}


def test_every_planted_error_in_one_sentence(store):
    [citation] = verify_text(WRONG, store).citations
    got = statuses(citation)
    assert got["exists"] == ["ok"] and got["title"] == ["ok"]
    assert got["year"] == ["mismatch"]                       # 2019, not 2020
    assert got["issuer"] == ["mismatch"]                     # 三明市卫健委 + 医保局, not 国家卫健委
    assert got["doc_number"] == ["mismatch"]                 # the 文号 of the Zhejiang opinions
    assert got["quote"] == ["mismatch", "ok"]                # 督导员 ≠ 监督员
    assert got["first_appearance"] == ["mismatch"]           # the 2018 Zhejiang notice is earlier
    assert got["region"] == ["mismatch"]                     # 三明 is in Fujian
    number = next(c for c in citation.checks if c.kind == "doc_number")
    assert number.found["belongs_to"]["id"] == "example-2024-zhejiang-joint-opinions"
    quote = next(c for c in citation.checks if c.kind == "quote")
    assert quote.found["difference"] == q.CHANGED and quote.found["passage"].endswith("疾控监督员")


def test_not_found_and_misspelled_titles(store):
    report = verify_text("《关于推进医防融合示范区建设的通知（示例）》和《三明市推进医防协同促进医防融和的若干措施（示例）》。", store)
    missing, typo = report.citations
    assert statuses(missing) == {"exists": ["not_found"]} and missing.document is None
    assert statuses(typo)["exists"] == ["ok"] and statuses(typo)["title"] == ["mismatch"]
    assert typo.document.id == "example-2019-sanming-prevention-treatment-measures"
    title = next(c for c in typo.checks if c.kind == "title")
    assert title.found["official"] == "三明市推进医防协同促进医防融合的若干措施（示例）" and title.found["score"] >= 90


def test_quotation_from_another_document_names_it(store):
    text = "《国家卫生健康委办公厅关于开展医防融合试点城市建设工作的通知（示例）》要求“二级以上医疗机构疾控监督员派驻全覆盖”。"
    [citation] = verify_text(text, store).citations
    quote = next(c for c in citation.checks if c.kind == "quote")
    assert quote.status == "mismatch"
    assert quote.found["doc_id"] == "example-2024-zhejiang-joint-opinions"
    assert quote.evidence.doc_id == "example-2024-zhejiang-joint-opinions"


def test_punctuation_only_difference_is_uncertain_not_mismatch(store):
    text = "《会宁县医防融合试点工作实施方案（示例）》提出“对慢性病患者开具健康教育处方，运动处方和营养处方”。"
    [citation] = verify_text(text, store).citations
    quote = next(c for c in citation.checks if c.kind == "quote")
    assert quote.status == "uncertain" and quote.found["difference"] == q.PUNCTUATION_ONLY


def test_wrapper_and_attachment_resolve_to_each_other(store):
    for title in ("会宁县医防融合试点工作实施方案（示例）", "会宁县人民政府办公室关于印发会宁县医防融合试点工作实施方案（示例）的通知"):
        [citation] = verify_text(f"《{title}》提出“推行“一病一方””。", store).citations
        assert citation.document.id.startswith("example-2021-huining-pilot-plan-notice")
        assert statuses(citation)["title"] == ["ok"]


def test_catalogue_only_document_is_ok_but_unverifiable(store):
    text = "国家卫生健康委办公厅《关于做好2018年家庭医生签约服务工作的通知》（国卫办基层函〔2018〕209号）首次提出“医防融合”。"
    [citation] = verify_text(text, store).citations
    got = statuses(citation)
    assert got["exists"] == ["ok"] and got["doc_number"] == ["ok"] and got["issuer"] == ["ok"]
    assert got["quote"] == ["uncertain"] and got["first_appearance"] == ["uncertain"]
    exists = citation.checks[0]
    assert exists.found["in_corpus"] is False and "not in the corpus" in exists.note


def test_reference_entries(store):
    text = ("参考文献\n"
            "[1] 三明市卫生健康委员会, 三明市医疗保障局. 三明市推进医防协同促进医防融合的若干措施（示例）: 示明卫发〔2019〕25号[Z]. 2019-05-20.\n"
            "[2] 财政部. 卫生部关于加强基层医疗卫生机构防治结合工作的通知（示例）[EB/OL]. (2009-07-10)[2024-01-01]. http://example.org/a\n"
            "[3] 张三. 医防融合研究[J]. 中国卫生, 2020, 3(2): 1-5.")
    report = verify_text(text, store)
    assert len(report.citations) == 2 and all(c.source == "reference" for c in report.citations)
    first, second = (statuses(c) for c in report.citations)
    assert first == {"exists": ["ok"], "title": ["ok"], "year": ["ok"], "issuer": ["ok"], "doc_number": ["ok"]}
    assert second["issuer"] == ["mismatch"] and second["year"] == ["ok"]


def test_examples_gold_set(examples_db):
    with Store(examples_db) as store:
        result = verify_evaluation.evaluate(GOLD / "verify-examples", store)
    assert result.matched_citations == result.gold_citations
    overall = result.overall
    assert overall.precision == 1.0 and overall.recall == 1.0, result.errors
    assert result.correct_flagged_mismatch == 0
    assert all(result.scores[k].tp for k in KINDS), "every kind of planted error is in the examples set"


def test_shared_dev_set(shared_db):
    with Store(shared_db) as store:
        result = verify_evaluation.evaluate(GOLD / "verify", store)
    assert result.manuscripts >= 20 and result.matched_citations == result.gold_citations
    for kind, score in result.scores.items():
        assert score.precision >= 0.95 and score.recall >= 0.95, (kind, result.errors)
    assert result.correct_flagged_mismatch == 0, result.errors


# -------------------------------------------------------------------------------- quotations


def test_quote_diff_kinds():
    assert q.diff("健全人民健康促进政策", "完善人民健康促进政策").kinds == [q.CHANGED]
    assert q.diff("以改革为动力", "以改革创新为动力").kinds == [q.MISSING]
    assert q.diff("以改革创新为推动力", "以改革创新为动力").kinds == [q.ADDED]
    assert q.diff("预防为主、防治结合", "预防为主，防治结合").punctuation_only
    assert q.quote_segments("坚持预防为主……防治结合") == ["坚持预防为主", "防治结合"]


# -------------------------------------------------------------------------------- manuscripts


def _docx(path: Path, paragraphs: list[list[tuple[str, bool]]]) -> Path:
    import docx

    document = docx.Document()
    for runs in paragraphs:
        p = document.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold
    document.save(path)
    return path


def test_reads_every_manuscript_format(tmp_path, store):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    sentence = "《三明市推进医防协同促进医防融合的若干措施（示例）》提出“实行疾控监督员制度”。"
    (tmp_path / "a.txt").write_bytes(sentence.encode("gbk"))
    (tmp_path / "a.md").write_text(f"# 标题\n\n**{sentence}**\n", encoding="utf-8")
    _docx(tmp_path / "a.docx", [[("引言。", False)], [(sentence, False)]])
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "a.pdf"))
    pdf.setFont("STSong-Light", 10)
    pdf.drawString(40, 800, sentence)
    pdf.save()
    for name in ("a.txt", "a.md", "a.docx", "a.pdf"):
        assert sentence in read_manuscript(tmp_path / name).text, name
        [citation] = verify_file(tmp_path / name, store).citations
        assert statuses(citation)["quote"] == ["ok"], name


@pytest.mark.parametrize("name, data, reason", [
    ("broken.docx", b"this is not a zip archive", "not a valid .docx"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("empty.md", b"", "empty"),
    ("notes.rtf", b"{\\rtf1}", "unsupported"),
])
def test_malformed_manuscript_gives_one_line_naming_the_file(tmp_path, store, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        verify_file(path, store)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and reason in message


# -------------------------------------------------------------------------------- reports


def test_docx_report_has_one_comment_per_citation(tmp_path, store):
    import docx

    source = _docx(tmp_path / "paper.docx", [
        [("2020年，国家卫生健康委员会印发", False), ("《三明市推进医防协同促进医防融合的若干措施（示例）》", True),
         ("，要求“市疾病预防控制中心向各总医院派驻疾控督导员”。", False)],
        [("另见《关于推进医防融合示范区建设的通知（示例）》。", False)],
    ])
    report = verify_file(source, store)
    out = tmp_path / "paper.checked.docx"
    out.write_bytes(render_docx(report))
    reopened = docx.Document(str(out))
    comments = list(reopened.comments)
    assert len(comments) == len(report.citations) == 2
    assert all(c.author == "PolicyKG" for c in comments)
    assert "year mismatch" in comments[0].text and "not_found" in comments[1].text
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    anchored = [re.sub(r"<[^>]+>", "", m.group(2)) for m in
                re.finditer(r'commentRangeStart w:id="(\d+)"/>(.*?)<w:commentRangeEnd w:id="\1"/>', xml)]
    assert anchored == ["《三明市推进医防协同促进医防融合的若干措施（示例）》", "《关于推进医防融合示范区建设的通知（示例）》"]
    assert reopened.paragraphs[0].runs[1].bold  # formatting of the original kept


def test_docx_report_from_plain_text(store):
    import io

    import docx

    report = verify_text(CORRECT + "\n" + WRONG, store)
    reopened = docx.Document(io.BytesIO(render_docx(report)))
    assert len(list(reopened.comments)) == 2


def test_markdown_and_html_mark_quotation_differences(store):
    report = verify_text(WRONG, store)
    for rendered in (render_markdown(report), render_html(report)):
        assert "<del>督导</del>" in rendered and "<ins>监督</ins>" in rendered
        assert "mismatch" in rendered and "example-2019-sanming-prevention-treatment-measures" in rendered
    assert render_html(report).startswith("<!DOCTYPE html>")


# -------------------------------------------------------------------------------- CLI


def _cli() -> click.Group:
    @click.group()
    @click.option("--db", required=True)
    @click.pass_context
    def main(ctx, db):
        ctx.obj = {"db": db}

    @main.group(name="eval")
    def eval_group():
        pass

    cli_verify.register(main, eval_group)
    return main


def test_cli_verify_formats(tmp_path, examples_db):
    manuscript = tmp_path / "m.txt"
    manuscript.write_text(CORRECT + "\n" + WRONG, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(_cli(), ["--db", str(examples_db), "verify", str(manuscript)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["citations"]) == 2
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(_cli(), ["--db", str(examples_db), "verify", str(manuscript), "--format", fmt,
                                        "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0


def test_cli_verify_bad_manuscript(tmp_path, examples_db):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"nope")
    result = CliRunner().invoke(_cli(), ["--db", str(examples_db), "verify", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and str(bad) in result.output


def test_cli_eval_verify(examples_db):
    result = CliRunner().invoke(_cli(), ["--db", str(examples_db), "eval", "verify", "--gold",
                                         str(GOLD / "verify-examples")])
    assert result.exit_code == 0, result.output
    assert re.search(r"overall\s+\d+\s+0\s+0\s+1\.000\s+1\.000", result.output)


def test_hard_wrapped_text_manuscript_is_read_as_sentences(tmp_path):
    """Text pasted from a PDF (lines cut at the page width) is joined back into sentences,
    so a claim that spans a line break stays with its citation."""
    from mining.manuscript import read_manuscript

    sentence = ("示例：2016年中共中央、国务院印发的《“健康中国2030”规划纲要》提出要坚持预防为主，"
                "推动人人参与、人人尽力、人人享有，落实预防为主，推行健康生活方式。")
    wrapped = [sentence[i:i + 20] for i in range(0, len(sentence), 20)] * 3
    path = tmp_path / "wrapped.txt"
    path.write_text("\n\n".join(wrapped) + "\n[1] 中共中央 国务院.“健康中国2030”规划纲要[Z].2016.\n", encoding="utf-8")
    manuscript = read_manuscript(path)
    texts = [manuscript.text[p.start:p.end] for p in manuscript.paragraphs]
    assert sentence in texts
    assert texts[-1].startswith("[1]")
