"""Ingest: idempotent by content, one transaction per file, bad input reported and skipped."""
from __future__ import annotations

import json

from click.testing import CliRunner

from corpus.ingest import ingest_paths
from corpus.store import Store
from graph.cli import main

NOTICE = """浙江省卫生健康委员会关于推进医防融合工作的通知（示例）
示卫基层发〔2019〕8号
各市卫生健康委：
一、总体要求
（一）推进医防融合，建立疾控监督员制度。
（二）实行家庭医生签约服务。
二、保障措施
（一）设立专项资金。
浙江省卫生健康委员会
2019年5月20日
"""

WRAPPER = """示例市人民政府办公室关于印发示例市医防协同实施方案的通知
各县（区）人民政府：
现将《示例市医防协同实施方案》印发给你们，请认真贯彻执行。
附件：示例市医防协同实施方案
2021年3月1日
示例市医防协同实施方案
一、工作目标
到2025年，医防协同机制基本建立，各级医疗机构设立公共卫生科，疾控机构与医院建立人员互派机制，
完善绩效考核办法，推进信息平台与数据共享，开展医防互训，建立双向转诊通道，落实健康教育处方。
二、主要任务
（一）建立工作专班，明确任务清单和责任清单。
（二）开展试点示范，总结推广经验做法。
"""


def _write_bad_inputs(folder):
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "fake.docx").write_bytes(b"this is not a zip archive")
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")


def test_bad_input_is_reported_per_file_and_the_rest_is_stored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write_bad_inputs(folder)
    (folder / "gbk.txt").write_bytes(NOTICE.encode("gbk"))
    with Store(tmp_path / "s.db") as store:
        outcomes = {o.path.rsplit("/", 1)[1]: o for o in ingest_paths(store, [folder])}
        assert outcomes["gbk.txt"].status == "ingested"
        for name in ("empty.txt", "binary.txt", "fake.docx", "truncated.pdf"):
            assert outcomes[name].status == "failed", name
            assert outcomes[name].reason and "\n" not in outcomes[name].reason
        doc = store.documents()[0]
        assert "医防融合" in doc.text  # GBK decoded right
        assert doc.meta.doc_number == "示卫基层发〔2019〕8号"
        assert doc.meta.date == "2019-05-20"


def test_same_content_twice_is_stored_once(tmp_path):
    (tmp_path / "a.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(NOTICE, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        first = ingest_paths(store, [tmp_path / "a.txt", tmp_path / "copy.txt"])
        again = ingest_paths(store, [tmp_path / "a.txt"])
        assert [o.status for o in first] == ["ingested", "duplicate"]
        assert [o.status for o in again] == ["duplicate"]
        assert store.document_count() == 1


def test_changed_file_replaces_its_earlier_version(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(NOTICE, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        ingest_paths(store, [path])
        path.write_text(NOTICE.replace("专项资金", "健康积分"), encoding="utf-8")
        [outcome] = ingest_paths(store, [path])
        assert outcome.status == "ingested" and "replaced" in outcome.reason
        assert store.document_count() == 1
        assert store.search_clauses("健康积分") and not store.search_clauses("专项资金")


def test_wrapper_and_attachment_are_both_recorded_and_linked(tmp_path):
    (tmp_path / "w.txt").write_text(WRAPPER, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        [outcome] = ingest_paths(store, [tmp_path / "w.txt"])
        docs = {d.id: d for d in store.documents()}
        wrapper, attachment = docs[outcome.doc_id], docs[outcome.doc_id + ".att"]
        assert attachment.parent_id == wrapper.id
        assert attachment.meta.title == "示例市医防协同实施方案"
        assert attachment.text.startswith("示例市医防协同实施方案")
        # the attachment's clauses are stored once, under the attachment
        hits = store.search_clauses("工作专班")
        assert [c.doc_id for c in hits] == [attachment.id]
        for clause in store.clauses(attachment.id):
            assert attachment.text[clause.start:clause.end] == clause.text


def test_cli_ingest_prints_one_line_per_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _write_bad_inputs(folder)
    (folder / "ok.txt").write_text(NOTICE, encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "ingest", str(folder)])
    assert result.exit_code == 0, result.output
    lines = [l for l in result.output.splitlines() if l.startswith(("ingested", "failed", "duplicate"))]
    assert len(lines) == 5
    assert all(str(folder) in l for l in lines)
    assert "ingest: 1 ingested, 0 duplicate, 4 failed" in result.output
    listed = CliRunner().invoke(main, ["--db", str(tmp_path / "s.db"), "documents", "--format", "json"])
    assert [d["doc_number"] for d in json.loads(listed.output)] == ["示卫基层发〔2019〕8号"]
