"""Assemble the auditor's workbook for a scope of plans."""

from django.conf import settings
from django.utils import timezone

from indicators.models import Actual, AttainmentStatus, Comparator
from indicators.values import WHOLE_UNITS

from . import history
from .selectors import plan_batches, plans_in_scope
from .workbook import RATIO, SheetWriter, new_workbook, number_format_for_unit

# Above this many plans, the indicator rows go to one sheet with a plan column.
MAX_PLAN_SHEETS = 50

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
COMPARATOR_TEXT = dict(Comparator.choices)

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


def _fill(status):
    return STATUS_FILLS.get(status, "FFFFFF")


def plan_columns(plan, *, with_plan):
    years = list(plan.years) if plan else []
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
    ]
    return columns


def _actual_cell(actual, fmt):
    if actual is None:
        return None
    value, qualifier, raw, qualitative = actual
    if qualitative:
        return dict(Actual.QualitativeStatus.choices).get(qualitative)
    if qualifier or value is None:
        return raw  # "98以上" stays as written
    return {"value": value, "format": fmt}


def plan_row(plan, row, *, with_plan, years):
    t, ind, b, r = row["target"], row["indicator"], row["baseline"], row["result"]
    fmt = number_format_for_unit(ind.unit, WHOLE_UNITS)
    status = row["status"]
    values = [plan.slug] if with_plan else []
    values += [
        ind.code,
        ind.name,
        ind.category,
        ind.unit,
        ind.department.name if ind.department else "",
        b.year if b else None,
        {"value": b.value, "format": fmt} if b else None,
        t.year,
        str(COMPARATOR_TEXT[t.comparator]),
        {"value": t.value, "format": fmt},
        {"value": t.value_max, "format": fmt},
        t.raw or t.qualitative_text,
    ]
    values += [_actual_cell(row["actuals"].get(y), fmt) for y in years]
    values += [
        row["year"],
        {"value": r.get("completion"), "format": RATIO},
        {"value": r.get("progress"), "format": RATIO},
        {"value": r.get("elapsed"), "format": RATIO},
        {"value": str(AttainmentStatus(status).label), "fill": _fill(status)},
        {"value": r.get("projected_value"), "format": fmt},
        {True: "是", False: "否"}.get(r.get("projected_met"), ""),
        t.source_ref,
        {"value": t.source_text, "wrap": True},
        t.conflict.description if t.conflict else "",
        r.get("note", ""),
    ]
    return values


def build_report(path, *, user, plan_slugs=None, year=None, progress=None):
    """Write the workbook to `path`; `progress(done, total)` is called as plans are written.

    Returns the number of indicator (target) rows written.
    """
    plans = list(plans_in_scope(plan_slugs))
    generated_at = timezone.localtime()
    wb = new_workbook()
    summary = SheetWriter(wb, "汇总", SUMMARY_COLUMNS)
    one_sheet = len(plans) > MAX_PLAN_SHEETS
    shared = None
    if one_sheet:
        years = sorted({y for p in plans for y in p.years})
        shared = SheetWriter(
            wb,
            "指标明细",
            plan_columns(None, with_plan=True)[:13]
            + [(f"{y}年实际", 11) for y in years]
            + plan_columns(None, with_plan=True)[13:],
        )
    rows_written = 0
    summary_rows = []
    for n, (plan, at, rows, rollup, as_of) in enumerate(
        plan_batches(plans, user=user, year=year), start=1
    ):
        if one_sheet:
            sheet, plan_years = shared, years
        else:
            sheet, plan_years = (
                SheetWriter(wb, plan.slug[:31], plan_columns(plan, with_plan=False)),
                list(plan.years),
            )
        for row in rows:
            sheet.append(plan_row(plan, row, with_plan=one_sheet, years=plan_years))
        rows_written += len(rows)
        if not one_sheet:
            sheet.close()
        indicators = len({row["indicator"].pk for row in rows})
        reported = len({row["indicator"].pk for row in rows if at in row["actuals"]})
        summary_rows.append(
            [
                plan.slug,
                plan.title,
                plan.region.name,
                at,
                indicators,
                *[rollup["counts"][s] for s in rollup["counts"]],
                {"value": rollup["achievement_rate"], "format": RATIO},
                reported,
                {"value": reported / indicators if indicators else None, "format": RATIO},
                timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "",
                generated_at.strftime("%Y-%m-%d %H:%M"),
                user.get_username(),
            ]
        )
        if progress:
            progress(n, len(plans))
    if shared:
        shared.close()
    for values in summary_rows:
        summary.append(values)
    summary.close()
    history.write_change_log(wb, plans=plans, user=user)
    write_method(wb)
    wb.save(path)
    return rows_written


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
