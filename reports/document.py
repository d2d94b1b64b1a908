"""The plan's implementation report (规划实施情况报告) for one year, as a Word document.

A title page; 一、总体情况 (counts, 达标率 with what it is made of, completeness and a chart of
the status mix); 二、主要指标完成情况 (a table per category); 三、存在的主要问题 (every indicator
lagging, off track, regressing or missed, in a sentence with its numbers and the department's
情况说明); 四、下一步工作 (the departments' 下一步措施); and an appendix: 上下衔接, unresolved
source conflicts and how attainment is judged. Everything is read from the stored results
(reports.selectors.plan_report) and said through indicators.wording, in the active language.

Fonts: the East Asian font is declared on every style (w:eastAsia), so that Chinese is set in
宋体 / 黑体 by Word and WPS, and in whatever CJK font LibreOffice maps them to.
"""

import io
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboards.status_style import ATTENTION_ORDER, badge
from indicators import wording
from indicators.attainment import Status
from indicators.models import Actual

from .charts import status_mix_png
from .method import attainment_method
from .selectors import plan_report

LATIN = "Times New Roman"
BODY = "宋体"  # SimSun
HEADING = "黑体"  # SimHei
BLACK = RGBColor(0, 0, 0)
HEADER_SHADE = "D9D9D9"

# The statuses 三、存在的主要问题 lists, worst first (as the dashboards order them).
PROBLEMS = [Status.REGRESSING, Status.OFF_TRACK, Status.NOT_ACHIEVED, Status.LAGGING]
# The counts 一、总体情况 always names (others only when some indicator has them).
NAMED_COUNTS = [
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.LAGGING,
    Status.OFF_TRACK,
    Status.NOT_ACHIEVED,
    Status.INSUFFICIENT_DATA,
]


def build_plan_report(path, *, user, plan, year=None):
    """Write the report of `plan` at `year` (default: its evaluation year) to `path`, in the
    active language, showing what `user` may see. Returns the number of indicators."""
    report = plan_report(plan, user=user, year=year)
    doc = _new_document()
    _title_page(doc, report)
    _overview(doc, report)
    _indicator_tables(doc, report)
    _problems(doc, report)
    _next_steps(doc, report)
    _appendix(doc, report)
    doc.save(path)
    return len(report.rows)


# ---------------------------------------------------------------------------------------------
# The document and its styles


def _fonts(style, *, east_asia, size=None, bold=None):
    """Latin and East Asian fonts named on a style (theme fonts removed: they would win)."""
    style.font.name = LATIN
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = BLACK


def _new_document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.different_first_page_header_footer = True  # no page number on the title page
    _page_number(section.footer.paragraphs[0])
    styles = doc.styles
    _fonts(styles["Normal"], east_asia=BODY, size=12)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Normal"].paragraph_format.line_spacing = 1.3
    for name, size in (("Title", 22), ("Subtitle", 16)):
        _fonts(styles[name], east_asia=HEADING, size=size, bold=True)
        styles[name].font.italic = False
    for name, size in (("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        _fonts(styles[name], east_asia=HEADING, size=size, bold=name != "Heading 1")
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    for name in ("Header", "Footer", "Caption", "Table Grid", "List Paragraph"):
        _fonts(styles[name], east_asia=BODY)
    table_text = styles.add_style("Table Text", 1)  # a paragraph style
    table_text.base_style = styles["Normal"]
    _fonts(table_text, east_asia=BODY, size=9)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    return doc


def _page_number(paragraph):
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _shade(cell, fill):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc, header, widths):
    """A bordered table with a shaded header row repeated on every page."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    row = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(row.cells, header, strict=True):
        _cell_text(cell, text, bold=True)
        _shade(cell, HEADER_SHADE)
    _widths(table, widths)
    return table


def _widths(table, widths):
    # The grid is what LibreOffice lays out by; Word reads the cells' widths.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _cell_text(cell, text, *, bold=False):
    paragraph = cell.paragraphs[0]
    paragraph.style = "Table Text"
    run = paragraph.add_run(text)
    run.bold = bold
    return paragraph


def _add_row(table, values, widths):
    cells = table.add_row().cells
    for cell, value, width in zip(cells, values, widths, strict=True):
        cell.width = Cm(width)
        if callable(value):
            value(cell)
        else:
            _cell_text(cell, value)


def _status_cell(status):
    """A cell writer: the status's shape in its dashboard colour, then its name."""
    b = badge(status)

    def write(cell):
        paragraph = cell.paragraphs[0]
        paragraph.style = "Table Text"
        shape = paragraph.add_run(b["shape"] + " ")
        shape.font.color.rgb = RGBColor.from_string(b["colour"].lstrip("#").upper())
        paragraph.add_run(str(b["label"]))

    return write


def _numbered(n, title):
    """A second-level heading's number and title: "(一)质量安全" in Chinese, "1. …" else."""
    if (get_language() or "").startswith("zh") and n < 100:
        return f"({_chinese_number(n)}){title}"
    return f"{n}. {title}"


def _chinese_number(n):
    """1-99 in Chinese numerals: 一, 十, 十一, 二十三."""
    tens, ones = divmod(n, 10)
    digits = "一二三四五六七八九"
    said = (digits[tens - 1] if tens > 1 else "") + ("十" if tens else "")
    return said + (digits[ones - 1] if ones else "")


# ---------------------------------------------------------------------------------------------
# The parts


def _title_page(doc, report):
    plan = report.plan
    for _i in range(5):
        doc.add_paragraph()
    title = doc.add_paragraph(plan.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = doc.add_paragraph(
        _("%(year)d年度规划实施情况报告") % {"year": report.year}, style="Subtitle"
    )
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _i in range(4):
        doc.add_paragraph()
    as_of = (
        timezone.localtime(report.as_of).strftime("%Y-%m-%d %H:%M")
        if report.as_of
        else _("尚未计算")
    )
    start, end = plan.period_start, plan.period_end
    for label, value in (
        (_("区划"), plan.region.name),
        (_("规划期"), _("%(start)d—%(end)d年") % {"start": start, "end": end}),
        (_("评价年份"), _("%(year)d年") % {"year": report.year}),
        (_("生成日期"), timezone.localdate().isoformat()),
        (_("数据截至"), as_of),
    ):
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(f"{label}:").bold = True
        line.add_run(value)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _rate_text(report):
    """达标率 with its numerator and denominator, or 数据不足 with the completeness."""
    rollup = report.rollup
    if not report.enough_data:
        return _("数据不足(%(reported)d/%(due)d 已填报)") % {
            "reported": report.reported,
            "due": report.due,
        }
    if rollup["achievement_rate"] is None:
        return _("无(没有可评价的数值目标)")
    return _("%(rate)s(已达标 %(achieved)d 个 / 有数据的数值目标 %(with_data)d 个)") % {
        "rate": wording.percent(rollup["achievement_rate"]),
        "achieved": rollup["achieved"],
        "with_data": rollup["with_data"],
    }


def _overview(doc, report):
    doc.add_heading(_("一、总体情况"), 1)
    numeric, qualitative = defaultdict(int), defaultdict(int)
    for row in report.rows:
        (qualitative if row.comparator == "qualitative" else numeric)[Status(row.status)] += 1
    doc.add_paragraph(
        _(
            "本规划共有指标 %(due)d 个(数值目标 %(numeric)d 个,定性目标 %(qualitative)d 个),"
            "%(year)d年均应填报。已填报 %(reported)d 个,数据完整度 %(completeness)s。"
        )
        % {
            "due": report.due,
            "numeric": sum(numeric.values()),
            "qualitative": sum(qualitative.values()),
            "year": report.year,
            "reported": report.reported,
            "completeness": wording.percent(report.reported / report.due if report.due else None),
        }
    )
    doc.add_paragraph(_("达标率:%(rate)s。") % {"rate": _rate_text(report)})
    counts = [
        s
        for s in [*NAMED_COUNTS, *(s for s in ATTENTION_ORDER if s not in NAMED_COUNTS)]
        if s in NAMED_COUNTS or numeric[s] or qualitative[s]
    ]
    widths = [5.0, 3.2, 3.2, 3.2]
    table = _table(doc, [_("完成状态"), _("数值目标"), _("定性目标"), _("合计")], widths)
    for status in counts:
        n, q = numeric[status], qualitative[status]
        _add_row(table, [_status_cell(status), str(n), str(q), str(n + q)], widths)
    _add_row(
        table,
        [
            _("合计"),
            str(sum(numeric.values())),
            str(sum(qualitative.values())),
            str(report.due),
        ],
        widths,
    )
    doc.add_paragraph()
    totals = {s: numeric[s] + qualitative[s] for s in Status}
    chart = status_mix_png(totals, title=_("%(year)d年指标完成状态分布") % {"year": report.year})
    doc.add_picture(io.BytesIO(chart), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = doc.add_paragraph(
        _("图 %(year)d年各完成状态的指标数") % {"year": report.year}, style="Caption"
    )
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _baseline_text(row, terms):
    r = row.result
    if r is not None and r.baseline_value is not None:
        value, year = r.baseline_value, r.baseline_year
    elif row.baseline is not None and row.baseline.value is not None:
        value, year = row.baseline.value, row.baseline.year
    else:
        return wording.DASH
    said = wording.quantity(value, terms.unit, max(terms.places, wording.decimal_places(value)))
    return _("%(value)s(%(year)d年)") % {"value": said, "year": year}


def _actual_text(row, terms):
    r = row.result
    if row.comparator == "qualitative":
        figure = row.actuals.get(row.judged)  # (value, qualifier, raw, qualitative status)
        if figure is None or not figure[3]:
            return _("未填报")
        return str(Actual.QualitativeStatus(figure[3]).label)
    if r is None or r.actual is None:
        return _("未填报")
    return wording.actual_text(terms, r.actual, r.actual_qualifier, year=row.judged)


def _progress_text(row):
    r = row.result
    if r is None or (r.progress is None and r.elapsed is None):
        return wording.DASH
    return f"{wording.percent(r.progress)} / {wording.percent(r.elapsed)}"


def _orient(doc, orientation):
    """A new section on a new page, A4 in `orientation`, margins as the first section's."""
    first = doc.sections[0]
    section = doc.add_section()
    section.orientation = orientation
    short, long = Cm(21), Cm(29.7)
    landscape = orientation == WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.different_first_page_header_footer = False
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, getattr(first, side))


def _indicator_tables(doc, report):
    """Landscape pages: the tables need the width."""
    _orient(doc, WD_ORIENT.LANDSCAPE)
    doc.add_heading(_("二、主要指标完成情况"), 1)
    by_category = {}
    for row in report.rows:
        by_category.setdefault(row.category or _("其他"), []).append(row)
    header = [
        _("指标"),
        _("单位"),
        _("基期值"),
        _("目标"),
        _("%(year)d年实际") % {"year": report.year},
        _("完成率"),
        _("目标进度 / 序时进度"),
        _("状态"),
        _("责任单位"),
    ]
    widths = [3.9, 1.3, 2.6, 3.5, 3.0, 2.5, 2.6, 3.0, 2.9]
    start = report.plan.period_start
    for n, (category, rows) in enumerate(by_category.items(), start=1):
        doc.add_heading(_numbered(n, category), 2)
        table = _table(doc, header, widths)
        for row in rows:
            terms = row.terms(start)
            r = row.result
            _add_row(
                table,
                [
                    row.name,
                    row.unit or wording.DASH,
                    _baseline_text(row, terms),
                    _("%(target)s(%(year)d年)")
                    % {"target": wording.target_text(terms), "year": row.year},
                    _actual_text(row, terms),
                    wording.percent(r.completion if r else None),
                    _progress_text(row),
                    _status_cell(row.status),
                    row.department or wording.DASH,
                ],
                widths,
            )
        doc.add_paragraph()


def _problems(doc, report):
    _orient(doc, WD_ORIENT.PORTRAIT)
    doc.add_heading(_("三、存在的主要问题"), 1)
    order = {s: n for n, s in enumerate(PROBLEMS)}
    rows = sorted(
        (row for row in report.rows if Status(row.status) in order),
        key=lambda row: (order[Status(row.status)], row.code),
    )
    if not rows:
        doc.add_paragraph(
            _("%(year)d年没有滞后、严重滞后、逆向或未达标的指标。") % {"year": report.year}
        )
        return
    doc.add_paragraph(
        _("%(year)d年有 %(count)d 个指标滞后、严重滞后、逆向或未达标:")
        % {"year": report.year, "count": len(rows)}
    )
    start = report.plan.period_start
    for n, row in enumerate(rows, start=1):
        b = badge(row.status)
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{n}. {row.name}").bold = True
        shape = paragraph.add_run(f"({b['shape']} ")
        shape.font.color.rgb = RGBColor.from_string(b["colour"].lstrip("#").upper())
        paragraph.add_run(f"{b['label']})")
        paragraph.add_run(_(":%(reason)s。") % {"reason": row.reason(row.terms(start))})
        if row.department:
            paragraph.add_run(_("责任单位:%(department)s。") % {"department": row.department})
        notes = report.notes.get(row.indicator_id)
        explanation = doc.add_paragraph()
        explanation.paragraph_format.left_indent = Cm(0.74)
        if notes and notes.explanation.strip():
            explanation.add_run(_("情况说明:")).bold = True
            explanation.add_run(notes.explanation.strip())
        else:
            explanation.add_run(_("责任单位未提交情况说明。")).italic = True


def _next_steps(doc, report):
    doc.add_heading(_("四、下一步工作"), 1)
    by_department = {}
    for row in report.rows:
        notes = report.notes.get(row.indicator_id)
        if notes and notes.next_steps.strip():
            department = row.department or _("未指定责任单位")
            by_department.setdefault(department, []).append((row, notes.next_steps.strip()))
    if not by_department:
        doc.add_paragraph(_("各责任单位尚未填报%(year)d年的下一步措施。") % {"year": report.year})
        return
    for n, (department, items) in enumerate(sorted(by_department.items()), start=1):
        doc.add_heading(_numbered(n, department), 2)
        for row, steps in items:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{row.name}:").bold = True
            paragraph.add_run(steps)


def _appendix(doc, report):
    doc.add_heading(_("附:有关说明"), 1)
    doc.add_heading(_numbered(1, _("上下衔接")), 2)
    if report.alignment:
        doc.add_paragraph(_("以下指标的目标弱于上级区划同一年份的目标:"))
        for flag in report.alignment:
            doc.add_paragraph(_alignment_text(flag), style="List Bullet")
    else:
        doc.add_paragraph(_("未发现目标弱于上级区划同年目标的指标。"))
    doc.add_heading(_numbered(2, _("未处理的来源冲突")), 2)
    if report.conflicts:
        doc.add_paragraph(_("规划文件中以下数值前后不一致,有待人工确认:"))
        for conflict in report.conflicts:
            doc.add_paragraph(conflict.description, style="List Bullet")
    else:
        doc.add_paragraph(_("没有未处理的来源冲突。"))
    doc.add_heading(_numbered(3, _("完成情况的判定方法")), 2)
    for line in attainment_method():
        doc.add_paragraph(line)


def _alignment_text(flag):
    child, parent = flag.child, flag.parent
    return _(
        "%(indicator)s:%(region)s %(year)d年目标 %(target)s,"
        "弱于%(parent_region)s同年目标 %(parent_target)s"
    ) % {
        "indicator": child.indicator.name,
        "region": child.indicator.plan.region.name,
        "year": child.year,
        "target": wording.target_text(_target_terms(child)),
        "parent_region": parent.indicator.plan.region.name,
        "parent_target": wording.target_text(_target_terms(parent)),
    }


def _target_terms(target):
    return wording.terms_of(target, target.indicator, places=wording.precision(target.value))
