"""Write the invented example documents (示例) of corpus/examples and their catalog.jsonl.

Every text here is made up for tests and demos: the titles say （示例）, the 文号 start with 示,
and README.md in this folder says so. Re-runnable; the output is byte-for-byte the same each run:

    python corpus/examples/make_examples.py
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


@dataclass
class Example:
    id: str
    file: str
    title: str
    issuer: list[str]
    doc_number: str
    date: str
    level: str
    region: str
    doc_type: str
    lines: list[str]                       # the text, one paragraph per line
    short_titles: list[str] = field(default_factory=list)

    def catalog_entry(self) -> dict:
        return {"id": self.id, "file": self.file, "title": self.title, "short_titles": self.short_titles,
                "issuer": self.issuer, "doc_number": self.doc_number, "date": self.date,
                "level": self.level, "region": self.region, "doc_type": self.doc_type}


NATIONAL_2009 = Example(
    id="example-2009-moh-prevention-treatment-notice",
    file="2009-07-10_moh-prevention-treatment-notice.txt",
    title="卫生部关于加强基层医疗卫生机构防治结合工作的通知（示例）",
    short_titles=["基层防治结合通知（示例）"],
    issuer=["卫生部"], doc_number="示卫妇社发〔2009〕70号", date="2009-07-10",
    level="ministry", region="全国", doc_type="通知",
    lines=[
        "卫生部关于加强基层医疗卫生机构防治结合工作的通知（示例）",
        "示卫妇社发〔2009〕70号",
        "各省、自治区、直辖市卫生厅局，新疆生产建设兵团卫生局：",
        "为贯彻落实深化医药卫生体制改革的部署，促进基本公共卫生服务逐步均等化，坚持预防为主、防治结合的方针，"
        "充分发挥城乡基层医疗卫生机构在疾病预防控制中的作用，现就加强基层医疗卫生机构防治结合工作通知如下。",
        "一、充分认识防治结合工作的重要意义",
        "基层医疗卫生机构是提供基本医疗和基本公共卫生服务的网底。当前，一些地方基本医疗与公共卫生服务相互脱节，"
        "慢性病患者发现晚、管理松散。各地要把防治结合作为基层卫生工作的基本要求，统筹安排医疗和预防保健工作。",
        "二、主要任务",
        "（一）规范建立居民健康档案。以重点人群为切入点，逐步为辖区居民建立统一、规范的健康档案，"
        "做到记录真实、动态更新，为开展健康管理提供依据。",
        "（二）加强慢性病患者健康管理。对辖区内35岁及以上的高血压、糖尿病患者进行登记管理，每年至少开展4次面对面随访，"
        "将诊疗与随访、健康指导结合起来。",
        "（三）开展健康教育。基层医疗卫生机构要设置健康教育宣传栏，每年开展健康知识讲座，普及合理膳食、适量运动、戒烟限酒等知识。",
        "（四）加强与专业公共卫生机构的协作。疾病预防控制机构要加强对基层医疗卫生机构的业务指导和人员培训，"
        "建立疫情信息报告和反馈制度。",
        "三、保障措施",
        "（一）加强组织领导。各地要成立由卫生行政部门负责同志任组长的领导小组，制定实施方案，明确职责分工。",
        "（二）落实专项资金。基本公共卫生服务经费要专款专用，按照服务数量和质量拨付，不得挤占挪用。",
        "（三）强化绩效考核。将防治结合工作纳入基层医疗卫生机构绩效考核，考核结果与经费拨付挂钩。",
        "卫生部",
        "二〇〇九年七月十日",
    ],
)

ZHEJIANG_2018 = Example(
    id="example-2018-zhejiang-family-doctor-notice",
    file="2018-03-28_zhejiang-family-doctor-notice-gbk.txt",
    title="浙江省卫生和计划生育委员会关于做好2018年家庭医生签约服务工作的通知（示例）",
    short_titles=["浙江2018年家庭医生签约服务通知（示例）"],
    issuer=["浙江省卫生和计划生育委员会"], doc_number="示浙卫发〔2018〕12号", date="2018-03-28",
    level="provincial", region="浙江省", doc_type="通知",
    lines=[
        "浙江省卫生和计划生育委员会关于做好2018年家庭医生签约服务工作的通知（示例）",
        "示浙卫发〔2018〕12号",
        "各市、县（市、区）卫生计生局（委）：",
        "为推进家庭医生签约服务提质增效，促进基本医疗与基本公共卫生服务医防融合，现就做好2018年家庭医生签约服务工作通知如下。",
        "一、明确工作目标",
        "2018年，全省家庭医生签约服务覆盖率达到35%以上，重点人群签约服务覆盖率达到60%以上，签约居民满意度稳步提高。",
        "二、重点任务",
        "（一）丰富签约服务内涵。坚持防治结合，推进医防融合，将高血压、糖尿病等慢性病的诊疗与随访、健康管理整合为个性化服务包，"
        "由家庭医生团队统一提供。",
        "（二）推广处方类工具。家庭医生在诊疗时同步开具健康教育处方和运动处方，指导签约居民改善生活方式。",
        "（三）畅通双向转诊。县级医院为签约居民预留专家号源和住院床位，上级医院专家定期下沉基层坐诊带教。",
        "（四）完善激励机制。探索对签约服务实行按人头付费，年度结余留用，用于家庭医生团队的绩效分配。",
        "三、工作要求",
        "各地要将家庭医生签约服务纳入年度绩效考核，加强信息平台建设，实现签约、随访、转诊信息互联互通。"
        "请于2018年12月10日前将工作总结报送我委。",
        "浙江省卫生和计划生育委员会",
        "2018年3月28日",
    ],
)

SANMING_2019 = Example(
    id="example-2019-sanming-prevention-treatment-measures",
    file="2019-05-20_sanming-prevention-treatment-measures.docx",
    title="三明市推进医防协同促进医防融合的若干措施（示例）",
    short_titles=["三明医防融合若干措施（示例）"],
    issuer=["三明市卫生健康委员会", "三明市医疗保障局"], doc_number="示明卫发〔2019〕25号",
    date="2019-05-20", level="city", region="福建省三明市", doc_type="措施",
    lines=[
        "三明市推进医防协同促进医防融合的若干措施（示例）",
        "示明卫发〔2019〕25号",
        "各县（市、区）卫生健康局、医疗保障局，市直各医疗卫生单位：",
        "为健全医防协同机制，推动医疗机构与专业公共卫生机构深度融合，结合我市总医院建设实际，制定以下措施。",
        "一、建立医防协同工作机制",
        "（一）成立领导小组。市、县两级成立医防融合工作领导小组，设立工作专班，制定年度任务清单和责任清单。",
        "（二）设立公共卫生科。二级以上公立医院全部设立公共卫生科，配备专职公共卫生医师，负责传染病报告、慢性病管理等工作。",
        "（三）实行疾控监督员制度。市疾病预防控制中心向各总医院派驻疾控监督员，对医院疾病预防控制工作开展督导。",
        "二、推进医防融合服务",
        "（一）专家下沉。总医院专科医生每周下沉乡镇卫生院，参与家庭医生团队，开展慢性病联合门诊。",
        "（二）人员互派。疾病预防控制机构与医院实行人员互派、双向挂职，挂职期限不少于6个月。",
        "（三）医防互训。每年组织临床医师参加公共卫生培训，组织公共卫生医师到医院进行临床轮训。",
        "三、完善保障措施",
        "（一）改革支付方式。对县域医共体实行医保基金按人头付费、总额包干，结余留用，鼓励多做预防。",
        "（二）推行健康积分。签约居民参加健康教育、规范随访可获得健康积分，积分可兑换健康服务。",
        "（三）建设信息平台。建设全市健康云平台，实现电子健康档案与电子病历数据共享。",
        "附：2019年医防融合重点任务清单",
        ["序号", "重点任务", "牵头单位", "完成时限"],
        ["1", "二级以上公立医院设立公共卫生科", "市卫生健康委员会", "2019年9月"],
        ["2", "向总医院派驻疾控监督员", "市疾病预防控制中心", "2019年10月"],
        ["3", "医共体按人头付费结余留用", "市医疗保障局", "2019年12月"],
        "三明市卫生健康委员会 三明市医疗保障局",
        "2019年5月20日",
    ],
)

HUINING_2021 = Example(
    id="example-2021-huining-pilot-plan-notice",
    file="2021-09-15_huining-pilot-plan-notice.pdf",
    title="会宁县人民政府办公室关于印发会宁县医防融合试点工作实施方案（示例）的通知",
    short_titles=["会宁县医防融合试点工作实施方案（示例）"],
    issuer=["会宁县人民政府办公室"], doc_number="示会政办发〔2021〕86号", date="2021-09-15",
    level="county", region="甘肃省白银市会宁县", doc_type="通知",
    lines=[
        "会宁县人民政府办公室关于印发会宁县医防融合试点工作实施方案（示例）的通知",
        "示会政办发〔2021〕86号",
        "各乡镇人民政府，县直各部门，各医疗卫生单位：",
        "《会宁县医防融合试点工作实施方案（示例）》已经县政府同意，现印发给你们，请结合实际认真组织实施。",
        "附件：会宁县医防融合试点工作实施方案（示例）",
        "会宁县人民政府办公室",
        "2021年9月15日",
        "（此件公开发布）",
        "会宁县医防融合试点工作实施方案（示例）",
        "为落实医防协同、医防融合的工作要求，以县域医共体为平台，推动基本医疗和基本公共卫生服务深度融合，"
        "提高群众健康水平，结合我县实际，制定本方案。",
        "一、工作目标",
        "到2022年底，县域医共体内建立医防融合工作机制，高血压、糖尿病患者规范管理率达到70%以上，"
        "家庭医生签约服务覆盖率稳步提高，基层首诊和双向转诊制度有效落实。",
        "二、主要任务",
        "（一）健全组织体系。",
        "1.成立由县政府分管领导任组长的医防融合试点工作领导小组，领导小组办公室设在县卫生健康局。",
        "2.县人民医院、县中医医院设立公共卫生科，乡镇卫生院明确专人负责医防融合工作。",
        "（二）创新服务模式。",
        "1.组建由全科医生、公共卫生医师、护士和乡村医生组成的家庭医生团队，提供签约、诊疗、随访一体化服务。",
        "2.推行“一病一方”，对慢性病患者开具健康教育处方、运动处方和营养处方。",
        "3.县级医院专家每月下沉乡镇卫生院不少于4次，开展联合门诊和医防互训。",
        "（三）强化考核激励。",
        "1.制定医防融合绩效考核方案，考核结果与医共体专项资金拨付挂钩。",
        "2.落实医保按人头付费、结余留用政策，结余资金主要用于医务人员绩效奖励。",
        "三、保障措施",
        "县财政每年安排医防融合专项资金，县卫生健康局牵头建设县域健康信息平台，实现电子健康档案和诊疗信息互联互通。"
        "各乡镇、各部门要加强协作，确保试点工作取得实效。",
    ],
)

NATIONAL_2023 = Example(
    id="example-2023-nhc-pilot-cities-notice",
    file="2023-06-12_nhc-pilot-cities-notice.html",
    title="国家卫生健康委办公厅关于开展医防融合试点城市建设工作的通知（示例）",
    short_titles=["医防融合试点城市通知（示例）"],
    issuer=["国家卫生健康委员会办公厅"], doc_number="示国卫办疾控函〔2023〕156号", date="2023-06-12",
    level="ministry", region="全国", doc_type="通知",
    lines=[
        "各省、自治区、直辖市及新疆生产建设兵团卫生健康委、疾控局：",
        "为深入推进医防协同、医防融合，探索医疗机构与疾病预防控制机构协同联动的有效路径，我委决定开展医防融合试点城市建设工作。"
        "现将有关事项通知如下。",
        "一、试点城市",
        "经地方申报、专家评审，确定浙江省温州市、福建省三明市、甘肃省白银市等城市为首批医防融合试点城市，试点期为2023年至2025年。",
        "二、试点任务",
        "（一）完善医防协同机制。试点城市要建立由政府负责同志牵头的领导小组，明确卫生健康、疾控、医保、财政等部门职责。",
        "（二）推行疾控监督员制度。向二级以上医疗机构派驻疾控监督员，督促落实传染病监测报告和院内感染防控责任。",
        "（三）加强公共卫生科建设。二级以上医疗机构设立公共卫生科，统筹医院疾病预防控制工作。",
        "（四）推进信息平台建设。建设医防融合信息平台，推动电子病历、电子健康档案与传染病监测预警平台数据共享。",
        "三、工作要求",
        "各省级卫生健康行政部门要加强对试点城市的指导，将试点工作纳入绩效考核。试点城市每年12月底前报送年度进展报告。",
        "国家卫生健康委办公厅",
        "2023年6月12日",
    ],
)

ZHEJIANG_2024 = Example(
    id="example-2024-zhejiang-joint-opinions",
    file="2024-04-08_zhejiang-joint-opinions.txt",
    title="浙江省卫生健康委员会 浙江省疾病预防控制局关于深化医防融合推动医防协同高质量发展的意见（示例）",
    short_titles=["浙江深化医防融合意见（示例）"],
    issuer=["浙江省卫生健康委员会", "浙江省疾病预防控制局"], doc_number="示浙卫发〔2024〕5号",
    date="2024-04-08", level="provincial", region="浙江省", doc_type="意见",
    lines=[
        "浙江省卫生健康委员会 浙江省疾病预防控制局关于深化医防融合推动医防协同高质量发展的意见（示例）",
        "示浙卫发〔2024〕5号",
        "各市、县（市、区）卫生健康局、疾控局，省级各医疗卫生单位：",
        "为深化医防融合，推动医防协同高质量发展，构建预防、治疗、康复、健康促进一体化服务体系，提出如下意见。",
        "一、总体要求",
        "坚持预防为主、防治结合，以家庭医生签约服务为基础，以县域医共体和城市医疗集团为平台，到2025年基本建立医防融合服务体系。",
        "二、重点任务",
        "（一）做实家庭医生签约服务。推广个性化服务包，对签约慢性病患者实行“双处方”管理，同时开具治疗处方和健康处方。",
        "（二）推广处方类工具。在全省推广运动处方、营养处方和心理处方，鼓励有条件的地区开具电子疫苗处方。",
        "（三）深化疾控监督员制度。二级以上医疗机构疾控监督员派驻全覆盖，建立问题清单和整改台账。",
        "（四）推进人员互派和医防互训。疾控机构与医疗机构每年互派骨干不少于2人次，联合开展交叉培训。",
        "（五）建设健康云平台。依托监测预警平台，实现电子健康档案、电子病历和疾病监测数据实时共享。",
        "（六）实施健康积分激励。居民参加健康体检、慢性病随访可获得健康积分，学校配备健康副校长。",
        "三、保障措施",
        "各地要将医防融合纳入政府绩效考核，统筹安排专项资金，完善医保结余留用政策。",
        "浙江省卫生健康委员会 浙江省疾病预防控制局",
        "2024年4月8日",
    ],
)

EXAMPLES = [NATIONAL_2009, ZHEJIANG_2018, SANMING_2019, HUINING_2021, NATIONAL_2023, ZHEJIANG_2024]


def plain_lines(example: Example) -> list[str]:
    """The text lines, table rows written as their cells joined by a space."""
    return [line if isinstance(line, str) else " ".join(line) for line in example.lines]


# --------------------------------------------------------------------------- writers

def write_txt(example: Example, encoding: str = "utf-8") -> None:
    text = "\n".join(plain_lines(example)) + "\n"
    (HERE / example.file).write_bytes(text.encode(encoding))


def write_docx(example: Example) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    document.core_properties.title = example.title
    document.core_properties.author = "PolicyKG examples"
    for index, line in enumerate(example.lines):
        if isinstance(line, list):
            _docx_table_row(document, line)
            continue
        paragraph = document.add_paragraph(line)
        if index < 2:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    document.save(buffer)
    (HERE / example.file).write_bytes(_fixed_zip(buffer.getvalue()))


def _docx_table_row(document, cells: list[str]) -> None:
    last = document.element.body[-2] if len(document.element.body) > 1 else None  # before sectPr
    if last is not None and last.tag.endswith("}tbl"):
        table = document.tables[-1]
        row = table.add_row()
    else:
        table = document.add_table(rows=1, cols=len(cells))
        table.style = "Table Grid"
        row = table.rows[0]
    for cell, value in zip(row.cells, cells):
        cell.text = value


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so that re-running gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_pdf(example: Example) -> None:
    """An A4 公文-like PDF: 28 characters a line, paragraphs indented by two characters."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font, size, leading = "STSong-Light", 15, 26
    width, height = A4
    left, right, top, bottom = 88.0, width - 88.0, height - 90, 80
    pdf = canvas.Canvas(str(HERE / example.file), pagesize=A4, invariant=1)
    pdf.setTitle(example.title)
    pages = [1]
    y = top

    def new_page() -> float:
        pdf.setFont(font, 11)
        pdf.drawCentredString(width / 2, 40, f"- {pages[0]} -")
        pdf.showPage()
        pages[0] += 1
        return top

    for index, line in enumerate(plain_lines(example)):
        centred = index < 2 or line == example.lines[8]  # title, 文号, the attachment's title
        indent = 0 if centred else 2 * size
        rows = _wrap(line, size, right - left, font, indent=indent)
        for number, row in enumerate(rows):
            if y < bottom:
                y = new_page()
            pdf.setFont(font, size)
            if centred:
                pdf.drawCentredString(width / 2, y, row)
            else:
                pdf.drawString(left + (2 * size if number == 0 else 0), y, row)
            y -= leading
    new_page()
    pdf.save()


def _wrap(text: str, size: float, width: float, font: str, indent: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows, current, room = [], "", width - indent
    for ch in text:
        if stringWidth(current + ch, font, size) > room:
            rows.append(current)
            current, room = "", width
        current += ch
    rows.append(current)
    return rows


HTML_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_示例部门文件_示例政府网</title>
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2023-06-20 16:30">
<meta name="ContentSource" content="示例政府网">
<style>.pages_content p {{ text-indent: 2em; }}</style>
<script>var _trackPage = "example"; document.write("统计代码");</script>
</head>
<body>
<header class="header"><div class="nav"><a href="#">首页</a> | <a href="#">政策</a> | <a href="#">互动</a></div></header>
<nav class="crumbs">首页 &gt; 政策 &gt; 部门文件</nav>
<div class="article oneColumn pub_border">
<table class="xxgk_table">
<tr><td>标　　题：</td><td colspan="3">{title}</td></tr>
<tr><td>发文机关：</td><td>国家卫生健康委办公厅</td><td>成文日期：</td><td>2023年06月12日</td></tr>
<tr><td>发文字号：</td><td>{doc_number}</td><td>发布日期：</td><td>2023年06月20日</td></tr>
</table>
<h1>{title}</h1>
<div class="pages_content" id="UCAP-CONTENT">
{paragraphs}
</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a></div>
</div>
<footer class="footer"><p>主办单位：示例政府网（本页面为虚构示例）</p></footer>
<script>console.log("页面脚本不应出现在正文中");</script>
</body>
</html>
"""


def write_html(example: Example) -> None:
    paragraphs = "\n".join(f"<p>{line}</p>" for line in plain_lines(example))
    page = HTML_PAGE.format(title=example.title, doc_number=example.doc_number, paragraphs=paragraphs)
    (HERE / example.file).write_bytes(page.encode("gb18030"))


def write_catalog(examples: list[Example]) -> None:
    rows = [json.dumps(e.catalog_entry(), ensure_ascii=False) for e in examples]
    (HERE / "catalog.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    write_txt(NATIONAL_2009)
    write_txt(ZHEJIANG_2018, encoding="gbk")
    write_docx(SANMING_2019)
    write_pdf(HUINING_2021)
    write_html(NATIONAL_2023)
    write_txt(ZHEJIANG_2024)
    write_catalog(EXAMPLES)


if __name__ == "__main__":
    main()
