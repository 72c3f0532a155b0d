"""The Streamlit explorer, driven headless with AppTest on the store built from corpus/examples.

AppTest cannot upload files; the Verify page sends pasted text through the same code as an upload
(verify_file on a temporary file), and tests/test_browser.py uploads a real file.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# The earliest example document containing 医防融合 (see corpus/examples/catalog.jsonl): the 2009
# notice only says 防治结合, the 2018 Zhejiang notice is the first to say 医防融合.
EARLIEST_TITLE = "浙江省卫生和计划生育委员会关于做好2018年家庭医生签约服务工作的通知（示例）"

MANUSCRIPT = (
    "三明市2019年发布的《三明市推进医防协同促进医防融合的若干措施（示例）》（示明卫发〔2019〕25号）"
    "提出“医防融合”。"
    "国家卫生健康委办公厅2022年印发《国家卫生健康委办公厅关于开展医防融合试点城市建设工作的通知（示例）》。"
)


@pytest.fixture
def app(examples_db, monkeypatch):
    """An AppTest factory: app("Timeline") is the app run once, showing that page."""
    monkeypatch.setenv("POLICYKG_DB", str(examples_db))

    def run(page: str = "Overview") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        if page != "Overview":
            at.radio(key="page").set_value(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def table(at: AppTest, *columns: str):
    """The first table (DataFrame) shown with all these columns (or index names)."""
    for element in at.dataframe:
        frame = element.value
        if set(columns) <= set(frame.columns) | set(frame.index.names):
            return frame
    raise AssertionError(f"no table with columns {columns}")


def dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(conn.iterdump())


@pytest.mark.parametrize("page", ["Overview", "Timeline", "Instruments by region", "Reader", "Verify manuscript"])
def test_every_page_renders(app, page):
    at = app(page)
    assert at.header[0].value


def test_overview_lists_every_document(app, examples_db):
    at = app("Overview")
    frame = table(at, "id", "title", "文号")
    assert len(frame) == 7  # six example files, one of them carries an attachment
    assert EARLIEST_TITLE in set(frame["title"])
    assert {m.label: m.value for m in at.metric}["Documents"] == "7"


def test_timeline_names_the_earliest_document_with_its_clause(app):
    at = app("Timeline")
    assert at.text_input(key="timeline_term").value == "医防融合"
    first = at.success[0].value
    assert EARLIEST_TITLE in first and "2018-03-28" in first
    assert '<mark style="background:#ffe08a" title="医防融合">医防融合</mark>' in markdown(at)
    # the caveat: catalogue documents dated before 2018 whose text is not in the corpus
    assert "no text in the corpus" in at.warning[0].value
    stages = table(at, "stage", "documents")
    documents = table(at, "date", "title", "clauses")
    assert stages["documents"].sum() == len(documents) >= 5
    assert documents["date"].is_monotonic_increasing


def test_timeline_of_an_instrument_and_of_an_absent_term(app):
    at = app("Timeline")
    at.text_input(key="timeline_term").input("疾控监督员制度").run()
    assert "Matched as instrument" in at.caption[0].value
    assert at.success
    at.text_input(key="timeline_term").input("医防整合不存在词").run()
    assert not at.exception
    assert "does not appear" in at.warning[0].value


def test_region_table_has_rows_and_evidence(app):
    at = app("Instruments by region")
    pivot = table(at, "region")
    assert "浙江省" in pivot.index and pivot.values.sum() > 0
    assert "<mark" in markdown(at)  # the evidence clauses of the selected cell, highlighted
    at.radio(key="region_level").set_value("mention").run()
    assert not at.exception
    rows = table(at, "region", "instrument", "documents", "clauses")
    assert len(rows) > 0 and set(rows.columns) >= {"region", "instrument", "documents", "clauses"}


def test_reader_highlights_tags_with_label_and_rule(app):
    at = app("Reader")
    at.selectbox(key="reader_doc").set_value("example-2021-huining-pilot-plan-notice.att").run()
    text = markdown(at)
    assert "会宁县医防融合试点工作实施方案（示例）" in text
    assert 'title="instrument: ' in text and "(dict:" in text
    at.multiselect(key="reader_kinds").set_value(["region"]).run()
    text = markdown(at)
    assert 'title="region: ' in text and 'title="instrument: ' not in text


def test_verify_pasted_text_shows_checks_and_downloads(app):
    at = app("Verify manuscript")
    at.text_area(key="verify_text").input(MANUSCRIPT).run()
    assert not at.exception, [e.value for e in at.exception]
    checks = table(at, "#", "check", "status")
    assert set(checks["#"]) == {1, 2}
    status = {(row["#"], row["check"]): row["status"] for _, row in checks.iterrows()}
    assert status[(1, "exists")] == "ok" and status[(1, "doc_number")] == "ok"
    assert status[(2, "year")] == "mismatch"  # the notice is dated 2023
    assert ":red-badge[year: mismatch]" in markdown(at)
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {"Download JSON", "Download Markdown", "Download HTML", "Download Word (annotated)"}


def test_verify_shows_quote_differences_missing_documents_and_wrong_provinces(app):
    at = app("Verify manuscript")
    at.text_area(key="verify_text").input(
        "《国家卫生健康委办公厅关于开展医防融合试点城市建设工作的通知（示例）》要求“探索医疗机构与疾控机构协同联动的有效路径”。"
        "《健康甘肃2035不存在的规划》提出“$x$ [1] *加强*”。"
        "会宁县的做法见《会宁县医防融合试点工作实施方案（示例）》，会宁县隶属浙江省白银市。").run()
    assert not at.exception, [e.value for e in at.exception]
    text = markdown(at)
    assert "疾<del>控</del>机构" in text and "疾<ins>病预防控制</ins>机构" in text  # the altered quotation
    assert ":red-badge[region: mismatch]" in text                            # 白银市 is in 甘肃省
    assert any("no document found" in e.label for e in at.expander)
    assert "\\$x\\$ \\[1\\] \\*加强\\*" in text  # manuscript text is shown literally, not as markdown


def test_app_never_writes_to_the_store(app, examples_db):
    before = dump(examples_db)
    for page in ["Overview", "Timeline", "Instruments by region", "Reader"]:
        app(page)
    at = app("Verify manuscript")
    at.text_area(key="verify_text").input(MANUSCRIPT).run()
    assert dump(examples_db) == before


def test_missing_store_is_reported_not_created(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("POLICYKG_DB", str(missing))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "No store at" in at.error[0].value
    assert not missing.exists()
