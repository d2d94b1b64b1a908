"""Assemble the auditor's workbook for a scope of plans.

Above MAX_PLAN_SHEETS plans the indicator rows go to one sheet, 指标明细. When it gets at
least PARALLEL_MIN_ROWS rows (on PostgreSQL, outside a transaction), two worker processes
share it, one per core: each reads and writes a contiguous half of the plans into its own
part of the sheet, and the parts are joined in plan order.
"""

import functools
import multiprocessing
import os

from django.conf import settings
from django.db import connection
from django.utils import timezone

from indicators.models import Actual, AttainmentStatus, Comparator
from indicators.values import WHOLE_UNITS
from qualityplan.workers import run_in_workers

from . import history
from .selectors import ResultRow, plan_batches, plans_in_scope, target_counts
from .workbook import (
    DECIMAL,
    INTEGER,
    PERCENT,
    RATIO,
    SheetWriter,
    new_workbook,
    number_format_for_unit,
)
from .xlsx_stream import fill_rgb

# Above this many plans, the indicator rows go to one sheet with a plan column.
MAX_PLAN_SHEETS = 50
PARALLEL_MIN_ROWS = 20_000

# What an indicator row shows where its target has no stored result.
_NO_RESULT = ResultRow(
    status="no_data",
    completion=None,
    progress=None,
    elapsed=None,
    projected_value=None,
    projected_met=None,
    note="",
    computed_at=None,
)

STATUS_FILLS = {
    "achieved": "C6EFCE",
    "on_track": "BDD7EE",
    "lagging": "FFEB9C",
    "off_track": "FFC7CE",
    "regressing": "F4B084",
    "not_achieved": "FF9999",
    "insufficient_data": "E7E6E6",
    "indeterminate": "E7E6E6",
    "in_progress": "B4DEE0",
    "no_data": "F2F2F2",
}

SUMMARY_COLUMNS = [
    ("规划标识", 16),
    ("规划名称", 40),
    ("区划", 10),
    ("评价年份", 9),
    ("指标数", 8),
    *[(str(label), 10) for _, label in AttainmentStatus.choices],
    ("达标率", 9),
    ("已填报指标", 10),
    ("数据完整度", 10),
    ("数据计算时间", 18),
    ("报表生成时间", 18),
    ("生成人", 10),
]


def plan_columns(years, *, with_plan):
    columns = [("规划标识", 14)] if with_plan else []
    columns += [
        ("指标编码", 10),
        ("指标名称", 36),
        ("类别", 14),
        ("单位", 8),
        ("责任单位", 14),
        ("基期年份", 9),
        ("基期值", 10),
        ("目标年份", 9),
        ("比较方式", 8),
        ("目标值", 10),
        ("目标上限", 9),
        ("目标原文", 16),
    ]
    columns += [(f"{y}年实际", 11) for y in years]
    columns += [
        ("评价年份", 9),
        ("完成率", 9),
        ("目标进度", 9),
        ("序时进度", 9),
        ("完成状态", 12),
        ("预测值", 10),
        ("预测可达标", 10),
        ("出处", 16),
        ("原文", 50),
        ("来源冲突", 24),
        ("判定依据", 50),
        ("情况说明", 40),
        ("下一步措施", 40),
    ]
    return columns


class DetailRows:
    """Turns selectors.TargetRow into the cells of an indicator row.

    Every style such a row can use is registered here, once, with its quotePrefix twin (for
    text that looks like a formula): the rows then need no style lookup per cell, and a
    worker process writing part of a sheet uses the very indices the parent writes to
    styles.xml.
    """

    def __init__(self, styles):
        self.formats = {fmt: styles.index(fmt) for fmt in (PERCENT, INTEGER, DECIMAL, RATIO)}
        self.fills = {s: styles.index(fill=fill_rgb(rgb)) for s, rgb in STATUS_FILLS.items()}
        self.wrap = styles.index(wrap=True)
        for style in [0, *self.formats.values(), *self.fills.values(), self.wrap]:
            styles.quoted(style)
        self.unit_styles = {}
        # The words, translated once rather than per row.
        self.status_labels = {s: str(label) for s, label in AttainmentStatus.choices}
        self.comparators = {c: str(label) for c, label in Comparator.choices}
        self.qualitative = {q: str(label) for q, label in Actual.QualitativeStatus.choices}

    def unit_style(self, unit):
        style = self.unit_styles.get(unit)
        if style is None:
            style = self.unit_styles[unit] = self.formats[number_format_for_unit(unit, WHOLE_UNITS)]
        return style

    def cells(self, row, *, years, plan_slug=None):
        fmt = self.unit_style(row.unit)
        ratio = self.formats[RATIO]
        b = row.baseline
        values = [plan_slug] if plan_slug is not None else []
        values += [
            row.code,
            row.name,
            row.category,
            row.unit,
            row.department or "",
            b.year if b else None,
            (b.value, fmt) if b else None,
            row.year,
            self.comparators[row.comparator],
            (row.value, fmt),
            (row.value_max, fmt),
            row.raw or row.qualitative_text,
        ]
        actuals = row.actuals
        for y in years:
            actual = actuals.get(y)
            if actual is None:
                values.append(None)
            elif actual.qualitative_status:
                values.append(self.qualitative.get(actual.qualitative_status))
            elif actual.qualifier or actual.value is None:
                values.append(actual.raw)  # "98以上" stays as written
            else:
                values.append((actual.value, fmt))
        r = row.result or _NO_RESULT
        values += [
            row.judged,
            (r.completion, ratio),
            (r.progress, ratio),
            (r.elapsed, ratio),
            (self.status_labels[row.status], self.fills[row.status]),
            (r.projected_value, fmt),
            "是" if r.projected_met is True else "否" if r.projected_met is False else "",
            row.source_ref,
            (row.source_text, self.wrap),
            row.conflict or "",
            r.note,
        ]
        # The department's account of the judged year's figure.
        judged = actuals.get(row.judged)
        values += [
            (judged.explanation if judged else "", self.wrap),
            (judged.next_steps if judged else "", self.wrap),
        ]
        return values


def _summary_row(plan_rows, generated):
    """The 汇总 row of a plan (selectors.PlanRows)."""
    plan, at, rows, rollup = plan_rows.plan, plan_rows.year, plan_rows.rows, plan_rows.rollup
    as_of = plan_rows.as_of
    indicators = len({row.indicator_id for row in rows})
    reported = len({row.indicator_id for row in rows if at in row.actuals})
    return [
        plan.slug,
        plan.title,
        plan.region.name,
        at,
        indicators,
        *rollup["counts"].values(),
        {"value": rollup["achievement_rate"], "format": RATIO},
        reported,
        {"value": reported / indicators if indicators else None, "format": RATIO},
        timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "",
        *generated,
    ]


def build_report(path, *, user, plan_slugs=None, year=None, progress=None):
    """Write the workbook to `path`; `progress(done, total)` is called as plans are written.

    Returns the number of indicator (target) rows written.
    """
    plans = list(plans_in_scope(plan_slugs))
    generated = (timezone.localtime().strftime("%Y-%m-%d %H:%M"), user.get_username())
    wb = new_workbook()
    summary = SheetWriter(wb, "汇总", SUMMARY_COLUMNS)
    detail = DetailRows(wb.styles)
    report = Report(plans, user=user, year=year, generated=generated, progress=progress)
    if len(plans) > MAX_PLAN_SHEETS:
        summary_rows, rows_written = report.write_one_sheet(wb, detail)
    else:
        summary_rows, rows_written = report.write_plan_sheets(wb, detail)
    for values in summary_rows:
        summary.append(values)
    summary.close()
    history.write_change_log(wb, plans=plans, user=user)
    write_method(wb)
    wb.save(path)
    return rows_written


class Report:
    """The plan rows and summary rows of one workbook, written per plan sheet or into one."""

    def __init__(self, plans, *, user, year, generated, progress):
        self.plans = plans
        self.user = user
        self.year = year
        self.generated = generated
        self.progress = progress
        self.done = multiprocessing.Value("l", 0)  # plans written, shared with workers

    def _plans_done(self, n):
        with self.done.get_lock():
            self.done.value += n
            done = self.done.value
        if self.progress:
            self.progress(done, len(self.plans))

    def write_plan_sheets(self, wb, detail):
        summary_rows, written = [], 0
        for plan_rows in plan_batches(self.plans, user=self.user, year=self.year):
            years = list(plan_rows.plan.years)
            sheet = SheetWriter(wb, plan_rows.plan.slug[:31], plan_columns(years, with_plan=False))
            for row in plan_rows.rows:
                sheet.append(detail.cells(row, years=years))
            sheet.close()
            written += len(plan_rows.rows)
            summary_rows.append(_summary_row(plan_rows, self.generated))
            self._plans_done(1)
        return summary_rows, written

    def write_one_sheet(self, wb, detail):
        years = sorted({y for p in self.plans for y in p.years})
        sheet = SheetWriter(wb, "指标明细", plan_columns(years, with_plan=True))
        counts = target_counts(self.plans)
        total = sum(counts.values())
        jobs = []
        first_row = 2  # below the header
        for part in self._split(counts, total):
            jobs.append(functools.partial(self._write_part, wb, detail, part, years, first_row))
            first_row += sum(counts.get(p.pk, 0) for p in part)
        results = run_in_workers(jobs) if len(jobs) > 1 else [jobs[0]()]
        summary_rows, written = [], 0
        for part, part_summary, part_written in results:
            sheet.join(part)
            summary_rows += part_summary
            written += part_written
        sheet.close()
        return summary_rows, written

    def _split(self, counts, total):
        """The plans in contiguous parts of about equal rows: two when worth a process each."""
        if (
            total < PARALLEL_MIN_ROWS
            or (os.cpu_count() or 1) < 2
            or connection.vendor != "postgresql"
            or connection.in_atomic_block  # workers would not see uncommitted rows
        ):
            return [self.plans]
        seen = 0
        for n, plan in enumerate(self.plans):
            if seen >= total / 2:
                return [self.plans[:n], self.plans[n:]]
            seen += counts.get(plan.pk, 0)
        return [self.plans]

    def _write_part(self, wb, detail, plans, years, first_row):
        styles = len(wb.styles)
        part = wb.sheet_part(first_row=first_row)
        summary_rows, written = [], 0
        for plan_rows in plan_batches(plans, user=self.user, year=self.year):
            slug = plan_rows.plan.slug
            for row in plan_rows.rows:
                part.append(detail.cells(row, years=years, plan_slug=slug))
            written += len(plan_rows.rows)
            summary_rows.append(_summary_row(plan_rows, self.generated))
            self._plans_done(1)
        if len(wb.styles) != styles:
            raise RuntimeError("a cell style was added while writing a sheet part")
        return part.detach(), summary_rows, written


def write_method(wb):
    sheet = SheetWriter(wb, "说明", [("说明", 110)], freeze=False, filters=False)
    on_track, lagging = settings.ATTAINMENT_ON_TRACK_SHARE, settings.ATTAINMENT_LAGGING_SHARE
    for line in [
        "目标完成情况的判定方法(每个目标、每个区划、每个评价年份各一条结果)",
        "实际值 a:评价年份经审核的数值;“新增”类目标为规划期首年至评价年份各年审核值之和。",
        "基期 b、基期年份 y0:规划给出的基期值;规划未给出时取规划期内最早的审核值及其年份;"
        "“新增”类目标 b=0、y0 为规划期首年的前一年。",
        "是否达标:按比较方式判定(≥、>、≤、<、=、区间取下限)。带“以上/以下”的填报值视为区间,"
        "全部可能值均达标为达标,均不达标为未达标,否则为“无法判定”。",
        "完成率:越高越好时 a/t,越低越好时 t/a。目标进度 p=(a−b)/(t−b)。"
        "序时进度 e=(y−y0)/(T−y0),限定在 0 到 1 之间。",
        "状态按以下顺序取第一条适用的规则:无审核值→未填报;无法判定→无法判定;达标→已达标;"
        "已到目标年份或“每年”类目标→未达标;基期已达标→严重滞后;无基期或 e=0→数据不足;"
        f"p<0→逆向;p≥{on_track}×e→符合序时进度;p≥{lagging}×e→滞后;否则→严重滞后。",
        "定性目标:由人员依据佐证材料判定为达标、推进中或未达标;未判定为未填报。",
        "预测值:以 (y0,b) 与各年审核值做最小二乘直线,外推到目标年份,并判断是否可达标。",
        f"当前阈值:符合序时进度 {on_track},滞后 {lagging}(参照 Eurostat 可持续发展目标进展评估)。",
        "“目标原文”“出处”“原文”列为规划文件中的原始表述;“来源冲突”列出文件前后不一致、待人工处理的数值。",
        "工作表“变更记录”列出范围内实际值、目标值、基期值的全部修改:时间、用户、字段、原值、新值、原因。",
    ]:
        sheet.append([{"value": line, "wrap": True}])
