"""Documents built in the tests: Word files with python-docx, PDFs with reportlab."""

import io

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded documents go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


PLAN_TITLE = "某市“十四五”质量发展规划"
PROSE = "到2025年,全市制造业产品质量合格率达到95%以上,主导制修订国家标准30项以上。"
TABLE_ROWS = [
    ["类别", "指标", "单位", "2020年", "2025年目标"],
    ["质量提升", "产品质量抽查合格率", "%", "94", "96以上"],
    [None, "消费品不合格发现率", "%", "", "10"],
    ["品牌建设", "培育“品字标”企业(累计)", "家", "120", "300"],
]


def make_docx(paragraphs=(PLAN_TITLE, "一、主要目标", PROSE, "表1 主要指标"), rows=TABLE_ROWS):
    """A Word file: the paragraphs, then a table whose None cells merge with the cell above."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text is None:
                    table.cell(r - 1, c).merge(table.cell(r, c))
                else:
                    table.cell(r, c).text = text
        document.add_paragraph("二、主要任务")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_pdf(lines, *, encrypt=None):
    """A PDF with a text layer, in a CJK font every PDF reader knows (no font embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=encrypt)
    pdf.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        pdf.drawString(50, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
