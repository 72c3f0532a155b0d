"""corpus.text: decoding, normalising, 文号 and dates."""
from __future__ import annotations

import codecs

import pytest

from corpus.text import ReadError, decode_bytes, normalize, normalize_doc_number, parse_chinese_date

SAMPLE = "关于推进医防融合的通知（示例）\n一、建立疾控监督员制度。\n"


# --------------------------------------------------------------------------- decode_bytes

@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("gbk", "gbk"), ("gb18030", "gbk"),
])
def test_plain_encodings_decode(encoding, expected):
    text, found = decode_bytes(SAMPLE.encode(encoding), "a.txt")
    assert text == SAMPLE
    assert found == expected


def test_gb18030_only_characters_decode():
    text = SAMPLE + "㐀€"  # outside GBK's 2-byte table
    decoded, encoding = decode_bytes(text.encode("gb18030"), "a.txt")
    assert decoded == text and encoding == "gb18030"


@pytest.mark.parametrize("bom, encoding", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
])
def test_byte_order_marks(bom, encoding):
    text, found = decode_bytes(bom + SAMPLE.encode(encoding), "a.txt")
    assert text == SAMPLE
    assert found.startswith(encoding)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding):
    text, found = decode_bytes(SAMPLE.encode(encoding), "a.txt")
    assert text == SAMPLE and found == encoding


@pytest.mark.parametrize("data, reason", [
    (b"", "empty document"),
    (b"  \n\t\r\n ", "empty document"),
    (bytes(range(256)) * 8, "looks binary, not text"),
    (b"\x01\x02\x03\x04abc\x05\x06\x07\x08" * 50, "looks binary, not text"),
])
def test_bad_bytes_raise_read_error(data, reason):
    with pytest.raises(ReadError) as info:
        decode_bytes(data, "dir/bad.txt")
    assert info.value.reason == reason
    assert info.value.path == "dir/bad.txt"
    assert str(info.value) == f"dir/bad.txt: {reason}"


# --------------------------------------------------------------------------- normalize

def test_full_width_ascii_becomes_half_width_but_chinese_punctuation_stays():
    raw = "２０１８年，ＡＢＣ　ａｂｃ：（一）《“十四五”国民健康规划》〔２０２２〕、；。"
    assert normalize(raw) == "2018年，ABC abc：（一）《“十四五”国民健康规划》〔2022〕、；。\n"


def test_line_endings_spaces_and_invisible_characters():
    raw = "\ufeff第一章  总则\r\n\r\n　　第一条\u200b 为了…，制定本法。  \r第二条\t本法适用于…。\u2028"
    assert normalize(raw) == "第一章 总则\n第一条 为了…，制定本法。\n第二条 本法适用于…。\n"


def test_paragraph_lines_of_a_plain_text_are_kept():
    raw = ("国务院办公厅关于加强\n三级公立医院绩效考核工作的意见\n国办发〔2019〕4号\n"
           "各省、自治区、直辖市人民政府：\n决胜全面建成小康社会\n——在大会上的报告\n")
    assert normalize(raw) == raw


def test_wrapped_title_inside_book_title_marks_is_joined():
    raw = "关于印发《海南省将健康融入所有政策\n实施方案》的通知\n各市、县人民政府：\n"
    assert normalize(raw) == "关于印发《海南省将健康融入所有政策实施方案》的通知\n各市、县人民政府：\n"


def _hard_wrap(paragraphs: list[str], width: int = 24) -> str:
    lines = []
    for paragraph in paragraphs:
        lines += [paragraph[i:i + width] for i in range(0, len(paragraph), width)]
    return "\n".join(lines)


PARAGRAPHS = [
    "一、总体要求",
    "坚持预防为主、防治结合，以家庭医生签约服务为基础，以县域医共体为平台，推动医防融合，到2025年基本建立医防协同机制，形成可推广的经验做法。",
    "（一）设立公共卫生科。二级以上公立医院全部设立公共卫生科，配备专职公共卫生医师，负责传染病报告、慢性病管理和健康教育等工作。",
    "（二）实行疾控监督员制度。疾病预防控制中心向医院派驻疾控监督员，对医院疾病预防控制工作开展督导检查，督导结果纳入绩效考核。",
    "1.专家下沉。总医院专科医生每周下沉乡镇卫生院，参与家庭医生团队，开展慢性病联合门诊和医防互训，提高基层服务能力和水平。",
    "2.人员互派。疾病预防控制机构与医院实行人员互派、双向挂职，挂职期限不少于6个月，挂职期间的表现作为职称评聘的重要依据。",
]


def test_hard_wrapped_lines_are_joined_but_numbered_clauses_stay_apart():
    assert normalize(_hard_wrap(PARAGRAPHS)) == "\n".join(PARAGRAPHS) + "\n"


@pytest.mark.parametrize("bullet", ["• ", "- ", "* ", "·", "－"])
def test_bulleted_lines_of_a_slide_stay_apart(bullet):
    """Invented slide: bullet lines of one width look hard-wrapped, but each bullet is a line of its own."""
    slide = "天津市基层慢病管理（示例）\n" + "".join(f"{bullet}第{n}项措施落实到每个社区卫生服务中心\n" for n in "一二三四五六")
    assert normalize(slide).count("\n") == 7


def test_latin_words_keep_a_space_when_joined():
    words = "推进信息平台建设，实现 HIS and EMR data sharing across the county health network，" * 2
    wrapped = _hard_wrap(PARAGRAPHS[1:] + [words])
    assert "network，推进" in normalize(wrapped) or "network，" in normalize(wrapped)


@pytest.mark.parametrize("raw", [
    SAMPLE, _hard_wrap(PARAGRAPHS), _hard_wrap(PARAGRAPHS, 17) + "\n\n国务院\n2019年6月24日\n",
    "关于《阜新“将健康融入\n所有政策”工作指导方案》的通知\n\n\n  各乡镇：\n",
    "ＡＢＣ　　ｄｅｆ\r\n\r\n\u200b", "", "\n\n",
])
def test_normalize_is_idempotent(raw):
    once = normalize(raw)
    assert normalize(once) == once


# --------------------------------------------------------------------------- 文号 and dates

@pytest.mark.parametrize("raw, expected", [
    ("国卫办基层函[2018]209号", "国卫办基层函〔2018〕209号"),
    ("阜蒙健促办发[2020] 3 号", "阜蒙健促办发〔2020〕3号"),
    ("国办发（2022）11号", "国办发〔2022〕11号"),
    ("国办发(2022)11号", "国办发〔2022〕11号"),
    ("中发【2016】23号", "中发〔2016〕23号"),
    ("国卫基层发［2018］18号", "国卫基层发〔2018〕18号"),
    ("国卫基层发﹝2019﹞52号", "国卫基层发〔2019〕52号"),
    ("国发〔２０１９〕１３号", "国发〔2019〕13号"),
    ("国办发〔2019〕4号", "国办发〔2019〕4号"),
])
def test_normalize_doc_number(raw, expected):
    assert normalize_doc_number(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("二〇一八年三月二十日", "2018-03-20"),
    ("二○一八年三月二十日", "2018-03-20"),
    ("二零一八年三月二十日", "2018-03-20"),
    ("二〇〇九年七月十日", "2009-07-10"),
    ("二〇二二年十二月三十一日", "2022-12-31"),
    ("2018年3月20日", "2018-03-20"),
    ("２０１８年３月２０日", "2018-03-20"),
    ("2018-03-20", "2018-03-20"),
    ("2018.3.20", "2018-03-20"),
    ("2018/3/20", "2018-03-20"),
    ("（2022年10月16日）", "2022-10-16"),
    ("2019年12月28日 第十三届全国人民代表大会常务委员会第十五次会议通过", "2019-12-28"),
])
def test_parse_chinese_date(raw, expected):
    assert parse_chinese_date(raw) == expected


@pytest.mark.parametrize("raw", ["", "2018年", "二〇一八年十三月一日", "2018-02-30", "三月二十日"])
def test_parse_chinese_date_rejects_non_dates(raw):
    assert parse_chinese_date(raw) is None
