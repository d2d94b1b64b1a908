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
from django.utils import timezone, translation

from indicators import wording
from indicators.models import Actual, AttainmentStatus, Comparator
from indicators.values import WHOLE_UNITS
from qualityplan.workers import run_in_workers

from . import history
from .method import attainment_method
from .selectors import StoredResult, plan_batches, plans_in_scope, target_counts
from .workbook import (
    DECIMAL,
    INTEGER,
    PERCENT,
    RATIO,
    SheetWriter,
    new_workbook,
    number_format_for_unit,
)
from .xlsx_stream import Formula, column_letter, fill_rgb

TITLE = "质量规划审计报表"
A3 = 8  # the paper the indicator sheets print on (A4 is 9): they are wide
# Above this many plans, the indicator rows go to one sheet with a plan column.
MAX_PLAN_SHEETS = 50
PARALLEL_MIN_ROWS = 20_000
# The shared formulas of the parts of one sheet are numbered apart: this many for each part,
# far more than the formulas a row has.
SHARED_PER_PART = 100

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
    ("规划名称", 36),
    ("区划", 10),
    ("评价年份", 8),
    ("指标数", 8),
    *[(str(label), 10) for _, label in AttainmentStatus.choices],
    ("达标率", 9),
    ("已达标数值目标", 8),
    ("有数据数值目标", 8),
    ("已填报指标", 8),
    ("数据完整度", 9),
    ("数据计算时间", 17),
    ("报表生成时间", 17),
    ("生成人", 10),
]

# The most targets said at once are kept for the rows of the same target (plans of many
# regions often share a target).
SAID_TARGETS = 10_000
# The stored ratios have four decimals: a recomputed one agrees when it rounds to it.
AGREES_WITHIN = "0.0000501"


def plan_columns(years, *, with_plan):
    """The columns of the indicator rows: of one plan's sheet, or (`with_plan`) of the one
    sheet of a national scope, which leaves out the sentence of 判定依据: saying it costs as
    much as the rest of a row, and each plan's own workbook says it."""
    columns = [("规划标识", 14)] if with_plan else []
    columns += [
        ("指标编码", 10),
        ("指标名称", 24),
        ("类别", 14),
        ("单位", 8),
        ("责任单位", 14),
        ("基期年份", 8),
        ("基期值", 10),
        ("目标年份", 8),
        ("比较方式", 8),
        ("目标值", 10),
        ("目标上限", 9),
        ("目标表述", 18),
    ]
    columns += [(f"{y}年实际", 11) for y in years]
    columns += [
        ("评价年份", 8),
        ("判定用实际值", 11),
        ("判定用基期年份", 8),
        ("判定用基期值", 11),
        ("完成率(复算)", 9),
        ("完成率", 9),
        ("目标进度(复算)", 9),
        ("目标进度", 9),
        ("序时进度(复算)", 9),
        ("序时进度", 9),
        ("核对", 8),
        ("完成状态", 14),
        *([] if with_plan else [("判定依据", 36)]),
        ("预测值", 10),
        ("预测可达标", 8),
        ("出处", 14),
        ("原文", 36),
        ("来源冲突", 24),
        ("情况说明", 36),
        ("下一步措施", 36),
    ]
    return columns


class RowFormulas:
    """The live formulas of an indicator row (DOMAIN.md §3) over the cells beside them, for
    one column layout: 完成率, 目标进度 and 序时进度 recomputed from the judged actual a,
    baseline b and its year y0, the target t and its year T, and the year judged y; and 核对,
    whether each agrees with the stored value."""

    def __init__(self, columns):
        col = {name: column_letter(n) + "{row}" for n, (name, _) in enumerate(columns, start=1)}
        a, b, y0 = col["判定用实际值"], col["判定用基期值"], col["判定用基期年份"]
        t, target_year, y = col["目标值"], col["目标年份"], col["评价年份"]
        self.completion_higher = Formula(f'IF(OR({a}="",{t}=0),"",{a}/{t})')
        self.completion_lower = Formula(f'IF(OR({a}="",{a}=0),"",{t}/{a})')
        self.progress = Formula(f'IF(OR({a}="",{b}=""),"",IF({t}={b},"",({a}-{b})/({t}-{b})))')
        self.elapsed = Formula(
            f'IF({y0}="","",IF({target_year}={y0},1,MIN(1,MAX(0,({y}-{y0})/({target_year}-{y0})))))'
        )
        checks = []
        for name in ("完成率", "目标进度", "序时进度"):
            again, stored = col[f"{name}(复算)"], col[name]
            checks.append(
                f'IF({again}="",{stored}="",'
                f'IF({stored}="",FALSE,ABS({again}-{stored})<{AGREES_WITHIN}))'
            )
        self.check = Formula(f'IF(AND({",".join(checks)}),"一致","不一致")')

    def completion(self, row):
        """a / t, or t / a where lower is better (as the engine decides it)."""
        lower = row.comparator in ("lte", "lt") or (
            row.comparator == "eq" and row.direction == "lower"
        )
        return self.completion_lower if lower else self.completion_higher


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
        self.formulas = {}
        # The words, said once rather than per row; the same target is said once too.
        self.status_texts = {s: wording.status_text(s) for s, _ in AttainmentStatus.choices}
        self.thresholds = wording.current_thresholds()
        self.target_texts = {}
        self.comparators = {c: str(label) for c, label in Comparator.choices}
        self.qualitative = {q: str(label) for q, label in Actual.QualitativeStatus.choices}

    def unit_style(self, unit):
        style = self.unit_styles.get(unit)
        if style is None:
            style = self.unit_styles[unit] = self.formats[number_format_for_unit(unit, WHOLE_UNITS)]
        return style

    def target_text(self, row, period_start):
        """The row's target as wording says it, said once for the rows that share it."""
        key = (row.comparator, row.value, row.value_max, row.raw, row.qualitative_text)
        key += (row.unit, row.places)
        said = self.target_texts.get(key)
        if said is None:
            if len(self.target_texts) >= SAID_TARGETS:
                self.target_texts.clear()  # memory stays flat
            said = self.target_texts[key] = wording.target_text(row.terms(period_start))
        return said

    def row_formulas(self, years, with_plan):
        key = (len(years), with_plan)
        found = self.formulas.get(key)
        if found is None:
            found = self.formulas[key] = RowFormulas(plan_columns(years, with_plan=with_plan))
        return found

    def cells(self, row, *, years, period_start, plan_slug=None):
        fmt = self.unit_style(row.unit)
        ratio = self.formats[RATIO]
        with_plan = plan_slug is not None
        formulas = self.row_formulas(years, with_plan)
        target = self.target_text(row, period_start)
        b = row.baseline
        values = [plan_slug] if with_plan else []
        values += [
            row.code,
            (row.name, self.wrap),
            row.category,
            row.unit,
            row.department or "",
            b.year if b else None,
            (b.value, fmt) if b else None,
            row.year,
            self.comparators[row.comparator],
            (row.value, fmt),
            (row.value_max, fmt),
            (target, self.wrap),
        ]
        actuals = row.actuals
        for y in years:
            actual = actuals.get(y)
            if actual is None:
                values.append(None)
                continue
            value, qualifier, raw, qualitative = actual[:4]
            if qualitative:
                values.append(self.qualitative.get(qualitative))
            elif qualifier or value is None:
                values.append(raw)  # "98以上" stays as written
            else:
                values.append((value, fmt))
        r = row.result or _NOTHING_STORED
        values += [
            row.judged,
            (r.actual, fmt),
            r.baseline_year,
            (r.baseline_value, fmt),
            (formulas.completion(row), ratio),
            (r.completion, ratio),
            (formulas.progress, ratio),
            (r.progress, ratio),
            (formulas.elapsed, ratio),
            (r.elapsed, ratio),
            formulas.check,
            (self.status_texts[row.status], self.fills[row.status]),
        ]
        if not with_plan:
            # The sentence quotes the target as said above (wording quotes a worded target as
            # it stands) rather than saying it again.
            said = row.terms(period_start)._replace(raw=target)
            values.append((row.reason(said, self.thresholds), self.wrap))
        values += [
            (r.projected_value, fmt),
            "是" if r.projected_met is True else "否" if r.projected_met is False else "",
            row.source_ref,
            (row.source_text, self.wrap),
            (row.conflict or "", self.wrap),
        ]
        # The department's account of the judged year's figure.
        judged = actuals.get(row.judged)
        explanation, next_steps = judged[4:] if judged else ("", "")
        values += [(explanation, self.wrap), (next_steps, self.wrap)]
        return values


_NOTHING_STORED = StoredResult(*[None] * 11)


def _summary_row(plan, at, rows, rollup, as_of, generated):
    indicators = len({row.indicator_id for row in rows})
    reported = len({row.indicator_id for row in rows if at in row.actuals})
    # 达标率 only where at least half the indicators have a figure (DOMAIN.md §3).
    rate = (
        {"value": rollup["achievement_rate"], "format": RATIO}
        if 2 * reported >= indicators > 0
        else "数据不足"
    )
    return [
        plan.slug,
        {"value": plan.title, "wrap": True},
        plan.region.name,
        at,
        indicators,
        *rollup["counts"].values(),
        rate,
        rollup["achieved"],
        rollup["with_data"],
        reported,
        {"value": reported / indicators if indicators else None, "format": RATIO},
        timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "",
        *generated,
    ]


def build_report(path, *, user, plan_slugs=None, year=None, progress=None, with_load_detail=False):
    """Write the workbook to `path`; `progress(done, total)` is called as plans are written.
    The change log says each plan load in one line, or row by row with `with_load_detail`.

    Returns the number of indicator (target) rows written.
    """
    with translation.override(settings.LANGUAGE_CODE):  # the workbook is in Chinese
        plans = list(plans_in_scope(plan_slugs))
        generated = (timezone.localtime().strftime("%Y-%m-%d %H:%M"), user.get_username())
        wb = new_workbook()
        summary = SheetWriter(wb, "汇总", SUMMARY_COLUMNS, header=f"{TITLE} · 汇总")
        detail = DetailRows(wb.styles)
        report = Report(plans, user=user, year=year, generated=generated, progress=progress)
        if len(plans) > MAX_PLAN_SHEETS:
            summary_rows, rows_written = report.write_one_sheet(wb, detail)
        else:
            summary_rows, rows_written = report.write_plan_sheets(wb, detail)
        for values in summary_rows:
            summary.append(values)
        summary.close()
        history.write_change_log(
            wb, plans=plans, user=user, with_load_detail=with_load_detail, header=TITLE
        )
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
        for plan, at, rows, rollup, as_of in plan_batches(
            self.plans, user=self.user, year=self.year
        ):
            years = list(plan.years)
            sheet = SheetWriter(
                wb,
                plan.slug[:31],
                plan_columns(years, with_plan=False),
                header=f"{plan.title}({plan.region.name} {plan.period_start}—{plan.period_end})",
                paper=A3,
                rows=len(rows),
            )
            for row in rows:
                sheet.append(detail.cells(row, years=years, period_start=plan.period_start))
            sheet.close()
            written += len(rows)
            summary_rows.append(_summary_row(plan, at, rows, rollup, as_of, self.generated))
            self._plans_done(1)
        return summary_rows, written

    def write_one_sheet(self, wb, detail):
        years = sorted({y for p in self.plans for y in p.years})
        sheet = SheetWriter(
            wb,
            "指标明细",
            plan_columns(years, with_plan=True),
            header=f"{TITLE} · 指标明细",
            paper=A3,
        )
        counts = target_counts(self.plans)
        total = sum(counts.values())
        jobs = []
        first_row = 2  # below the header
        for n, part in enumerate(self._split(counts, total)):
            rows = sum(counts.get(p.pk, 0) for p in part)
            where = {
                "first_row": first_row,
                "last_row": first_row + rows - 1,
                "first_shared": n * SHARED_PER_PART,
                "widths": sheet.ws.widths,
            }
            jobs.append(functools.partial(self._write_part, wb, detail, part, years, where))
            first_row += rows
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

    def _write_part(self, wb, detail, plans, years, where):
        """Write the rows of `plans` into a part of the sheet; where: Workbook.sheet_part's
        keywords (its first and last row, its first shared formula, the sheet's widths)."""
        styles = len(wb.styles)
        part = wb.sheet_part(**where)
        summary_rows, written = [], 0
        for plan, at, rows, rollup, as_of in plan_batches(plans, user=self.user, year=self.year):
            for row in rows:
                part.append(
                    detail.cells(
                        row, years=years, period_start=plan.period_start, plan_slug=plan.slug
                    )
                )
            written += len(rows)
            summary_rows.append(_summary_row(plan, at, rows, rollup, as_of, self.generated))
            self._plans_done(1)
        if len(wb.styles) != styles:
            raise RuntimeError("a cell style was added while writing a sheet part")
        return part.detach(), summary_rows, written


def write_method(wb):
    sheet = SheetWriter(
        wb, "说明", [("说明", 110)], freeze=False, filters=False, header=f"{TITLE} · 说明"
    )
    for line in [
        "目标完成情况的判定方法(每个目标、每个区划、每个评价年份各一条结果)",
        *attainment_method(),
        "各规划工作表中,“完成率(复算)”“目标进度(复算)”“序时进度(复算)”是按上述公式引用同一行"
        "“判定用实际值”“判定用基期值”“判定用基期年份”“目标值”“目标年份”“评价年份”计算的"
        "Excel 公式,右侧一列为系统存储的结果(四位小数);“核对”列在三者均与存储值相差不超过"
        "0.00005 时显示“一致”。“判定用实际值”对“新增”类目标是规划期首年至评价年份各年审核值之和。",
        "“判定依据”以一句话说明完成状态由哪条规则、哪些数字判定;超过 50 个规划时各规划的指标合在"
        "“指标明细”一张表中,不列“判定依据”(单独导出该规划即可看到)。",
        "“目标表述”“出处”“原文”列为规划文件中的原始表述;“来源冲突”列出文件前后不一致、待人工处理的数值。",
        "工作表“变更记录”列出范围内人员对实际值、目标值、基期值、指标和年度锁定的修改:时间、用户、"
        "字段、原值、新值、原因;每次载入规划文件只记一行(谁、何时、哪个文件、多少条)。",
    ]:
        sheet.append([{"value": line, "wrap": True}])
