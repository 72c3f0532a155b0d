"""corpus.readers: every format, and bad input reported as one-line ReadErrors."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from corpus.examples.make_examples import (HUINING_2021, NATIONAL_2009, NATIONAL_2023, SANMING_2019,
                                           ZHEJIANG_2018, plain_lines)
from corpus.readers import RawDocument, read_file
from corpus.text import ReadError, normalize

EXAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "examples"
NOTICE = "浙江省卫生健康委员会关于推进医防融合工作的通知（示例）\n示卫基层发〔2019〕8号\n一、建立疾控监督员制度。\n"


def _expected(example) -> str:
    return normalize("\n".join(plain_lines(example)))


# --------------------------------------------------------------------------- formats

def test_txt_utf8():
    doc = read_file(EXAMPLES / NATIONAL_2009.file)
    assert isinstance(doc, RawDocument)
    assert (doc.fmt, doc.encoding) == ("txt", "utf-8")
    assert doc.text == _expected(NATIONAL_2009)
    assert doc.data == (EXAMPLES / NATIONAL_2009.file).read_bytes()


def test_txt_gbk_decodes_right():
    doc = read_file(EXAMPLES / ZHEJIANG_2018.file)
    assert doc.encoding == "gbk"
    assert doc.text == _expected(ZHEJIANG_2018)
    assert "医防融合" in doc.text


def test_md_loses_heading_marks(tmp_path):
    path = tmp_path / "notice.md"
    path.write_text("# 关于推进医防融合工作的通知（示例）\n\n## 一、总体要求\n坚持预防为主。\n", encoding="utf-8")
    doc = read_file(path)
    assert doc.fmt == "md"
    assert doc.text == "关于推进医防融合工作的通知（示例）\n一、总体要求\n坚持预防为主。\n"


def test_docx_paragraphs_and_tables_in_order():
    doc = read_file(EXAMPLES / SANMING_2019.file)
    assert doc.fmt == "docx"
    assert doc.text == _expected(SANMING_2019)
    lines = doc.text.splitlines()
    table_row = lines.index("1 二级以上公立医院设立公共卫生科 市卫生健康委员会 2019年9月")
    assert lines[table_row - 2] == "附：2019年医防融合重点任务清单"  # header row between
    assert lines[-1] == "2019年5月20日"
    assert doc.hints["title"] == SANMING_2019.title


def test_pdf_rejoins_hard_wrapped_lines():
    doc = read_file(EXAMPLES / HUINING_2021.file)
    assert doc.fmt == "pdf"
    expected = _expected(HUINING_2021).splitlines()
    lines = doc.text.splitlines()
    # the centred two-line title stays two lines (metadata joins them); every paragraph is whole
    assert "".join(lines[:2]) == expected[0]
    assert lines[2:] == expected[1:]
    assert not any(line.strip() in ("- 1 -", "- 2 -") for line in lines)  # page numbers dropped


def test_html_main_content_and_hints():
    doc = read_file(EXAMPLES / NATIONAL_2023.file)
    assert doc.fmt == "html"
    assert doc.encoding == "gb18030"  # declared gb2312, read as its superset
    assert doc.text == _expected(NATIONAL_2023)
    for noise in ("统计代码", "页面脚本", "首页", "分享到", "主办单位"):
        assert noise not in doc.text
    assert doc.html_title == NATIONAL_2023.title
    assert doc.hints["title"] == NATIONAL_2023.title
    assert doc.hints["pub_date"] == "2023-06-20"
    assert doc.hints["date"] == "2023-06-12"
    assert doc.hints["doc_number"] == NATIONAL_2023.doc_number
    assert doc.hints["issuer"] == "国家卫生健康委办公厅"


def test_html_without_known_container_uses_largest_text_block(tmp_path):
    page = ("<html><head><meta charset='utf-8'><title>关于推进医防融合的通知 - 示例网</title></head><body>"
            "<div class='menu'><p>首页</p><p>机构</p></div>"
            "<div class='main'><p>一、建立疾控监督员制度。</p><p>二、设立公共卫生科，配备专职人员。</p>"
            "<p>三、推行家庭医生签约服务。</p></div><div><p>版权所有</p></div></body></html>")
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    doc = read_file(path)
    assert doc.text == "一、建立疾控监督员制度。\n二、设立公共卫生科，配备专职人员。\n三、推行家庭医生签约服务。\n"
    assert doc.html_title == "关于推进医防融合的通知"


def test_every_example_file_reads():
    files = [p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf", ".html")]
    assert {p.suffix for p in files} >= {".txt", ".docx", ".pdf", ".html"}
    for path in files:
        assert read_file(path).text.strip()


# --------------------------------------------------------------------------- bad input

def _reason(path: Path) -> str:
    with pytest.raises(ReadError) as info:
        read_file(path)
    error = info.value
    assert error.path == str(path)
    assert str(error) == f"{path}: {error.reason}"
    assert "\n" not in str(error)
    return error.reason


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert _reason(tmp_path / "empty.txt") == "empty document"


def test_whitespace_only_file(tmp_path):
    (tmp_path / "blank.txt").write_text(" \n\u3000\n", encoding="utf-8")
    assert _reason(tmp_path / "blank.txt") == "empty document"


def test_binary_renamed_txt(tmp_path):
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    assert _reason(tmp_path / "binary.txt") == "looks binary, not text"


def test_zip_renamed_txt(tmp_path):
    (tmp_path / "archive.txt").write_bytes((EXAMPLES / SANMING_2019.file).read_bytes())
    assert _reason(tmp_path / "archive.txt") == "looks binary, not text"


def test_docx_that_is_not_a_zip(tmp_path):
    (tmp_path / "fake.docx").write_bytes(b"this is not a zip archive")
    assert _reason(tmp_path / "fake.docx") == "not a valid .docx (not a zip archive)"


def test_zip_that_is_not_a_docx(tmp_path):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    (tmp_path / "other.docx").write_bytes(buffer.getvalue())
    assert _reason(tmp_path / "other.docx").startswith("not a valid .docx (")


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf(tmp_path, cut):
    data = (EXAMPLES / HUINING_2021.file).read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[:int(len(data) * cut)])
    assert _reason(tmp_path / "truncated.pdf").startswith("corrupt or truncated PDF: ")


def test_pdf_header_only(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    assert _reason(tmp_path / "broken.pdf").startswith("corrupt or truncated PDF: ")


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)  # an image-like page, no text
    pdf.showPage()
    pdf.save()
    assert _reason(path) == "PDF has no text layer (scanned?)"


def test_unsupported_extension(tmp_path):
    (tmp_path / "table.xyz").write_text(NOTICE, encoding="utf-8")
    assert _reason(tmp_path / "table.xyz") == "unsupported format .xyz"


def test_missing_file(tmp_path):
    assert _reason(tmp_path / "missing.txt") == "no such file"
