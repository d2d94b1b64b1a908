"""What the dashboards show, read from stored attainment results (never recomputed here) and
said in words (indicators.wording)."""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.db.models import Max, Min, Q

from indicators import wording
from indicators.attainment import Status
from indicators.models import (
    Actual,
    AttainmentResult,
    Baseline,
    Plan,
    Target,
)
from indicators.selectors import (
    plan_attainment,
    plans_in_order,
    primary_targets,
)

from .status_style import ATTENTION_ORDER, NEEDS_ATTENTION, badge

# How a status compares from one year to the next: on course, lagging, or worse.
_GOOD = {Status.ACHIEVED, Status.ON_TRACK}
_WORSE = {Status.OFF_TRACK, Status.REGRESSING, Status.NOT_ACHIEVED}


def _rank(status):
    status = Status(status)
    if status in _GOOD:
        return 0
    if status == Status.LAGGING:
        return 1
    if status in _WORSE:
        return 2
    return None  # no verdict: nothing to compare


# --- years -----------------------------------------------------------------------------------


def overview_years():
    """Every year of every plan's period."""
    span = Plan.objects.aggregate(start=Min("period_start"), end=Max("period_end"))
    return list(range(span["start"], span["end"] + 1)) if span["start"] else []


def indicator_statuses_by_year(plan, years):
    """{year: {indicator code: status}} of the target that speaks for each indicator in each
    of `years`, read from the stored results of the plan's region."""
    targets = list(
        Target.objects.filter(indicator__plan=plan).values_list(
            "pk", "indicator_id", "indicator__code", "year"
        )
    )
    rows = [_Milestone(pk, indicator, year, code) for pk, indicator, code, year in targets]
    # A target is judged at its own year once that year has passed.
    judged = {min(year, t.year) for year in years for t in rows}
    results = {
        (t, y): s
        for t, y, s in AttainmentResult.objects.filter(
            plan=plan, region_id=plan.region_id, year__in=judged
        ).values_list("target_id", "year", "status")
    }
    by_year = {}
    for year in years:
        by_year[year] = {
            t.code: results.get((t.pk, min(year, t.year)), Status.NO_DATA)
            for t in primary_targets(rows, year)
        }
    return by_year


class _Milestone(NamedTuple):
    """A target as primary_targets() reads it."""

    pk: int
    indicator_id: int
    year: int
    code: str


def changes(before, now):
    """What moved between two years' statuses ({indicator code: status} each): the indicators
    that slipped (to 滞后, or from on course or 滞后 to 严重滞后, 逆向 or 未达标), per status
    they slipped to, and those back on course; indicators without a verdict in either year
    are left out. {"worse": [badge with "codes" and "count"], "recovered": [codes]}"""
    worse, recovered = defaultdict(list), []
    for code, status in sorted(now.items()):
        rank, earlier = _rank(status), _rank(before.get(code, Status.NO_DATA))
        if rank is None or earlier is None:
            continue
        if rank > earlier:
            worse[Status(status)].append(code)
        elif rank == 0 < earlier:
            recovered.append(code)
    return {
        "worse": [
            {**badge(s), "codes": worse[s], "count": len(worse[s])}
            for s in ATTENTION_ORDER
            if worse[s]
        ],
        "recovered": recovered,
    }


# --- a plan ----------------------------------------------------------------------------------


def plan_summary(plan, report, previous=None):
    """One overview card: 达标率 with what it is made of, counts per status (numeric targets
    and qualitative ones apart), completeness, and what changed since the year before
    (`previous`: {indicator code: status} of that year, None before the period; nothing is
    said where no indicator had a verdict that year)."""
    year = report["year"]
    indicators = plan.indicators.count()
    reported = (
        Actual.objects.filter(
            indicator__plan=plan, region=plan.region_id, year=year, status=Actual.Status.APPROVED
        )
        .values("indicator")
        .distinct()
        .count()
    )
    numeric, qualitative, now = Counter(), Counter(), {}
    for r in report["records"]:
        if r["primary"]:
            (qualitative if r["comparator"] == "qualitative" else numeric)[r["status"]] += 1
            now[r["indicator_code"]] = r["status"]
    rollup = report["rollup"]
    judged_before = previous is not None and any(_rank(s) is not None for s in previous.values())
    return {
        "slug": plan.slug,
        "title": plan.title,
        "region": plan.region.name,
        "period": f"{plan.period_start}–{plan.period_end}",
        "year": year,
        "achievement_rate": rollup["achievement_rate"],
        "rate": wording.percent(rollup["achievement_rate"]),
        "achieved": rollup["achieved"],
        "assessed": rollup["with_data"],
        "counts": _counts(numeric),
        "all_counts": _counts(numeric + qualitative),
        "qualitative": sum(qualitative.values()),
        "qualitative_counts": _counts(qualitative),
        "indicators": indicators,
        "reported": reported,
        # 达标率 only where at least half of the indicators due have data (DOMAIN.md §3).
        "enough_data": indicators > 0 and 2 * reported >= indicators,
        "previous_year": year - 1 if judged_before else None,
        "changes": changes(previous, now) if judged_before else None,
        "open_conflicts": plan.conflicts.filter(resolved_at=None).count(),
        "computed_at": report["computed_at"],
        "has_sample": Actual.objects.filter(indicator__plan=plan, is_sample=True).exists(),
    }


def _counts(counter):
    return [{**badge(s), "count": counter[str(s)]} for s in ATTENTION_ORDER if counter[str(s)]]


def indicator_places(plan):
    """{indicator code: the decimal places its figures are said at} (wording.precision of its
    targets and baselines as written)."""
    values = defaultdict(list)
    for code, value in Target.objects.filter(indicator__plan=plan).values_list(
        "indicator__code", "value"
    ):
        values[code].append(value)
    for code, value in Baseline.objects.filter(indicator__plan=plan).values_list(
        "indicator__code", "value"
    ):
        values[code].append(value)
    return {code: wording.precision(*v) for code, v in values.items()}


def terms(record, indicator, places):
    """A plan_attainment() record's target as wording.Terms."""
    return wording.Terms(
        comparator=record["comparator"],
        value=record["target_value"],
        year=record["target_year"],
        value_max=record["target_value_max"],
        raw=record["target_raw"],
        qualitative_text=record["qualitative_text"],
        unit=indicator.unit,
        measure=indicator.measure,
        period_start=indicator.plan.period_start,
        places=places,
    )


def said(record, t):
    """A plan_attainment() record as a person reads it."""
    return wording.say(
        t,
        status=record["status"],
        rule=record["rule"],
        year=record["year"],
        actual=record["actual"],
        actual_qualifier=record["actual_qualifier"],
        baseline_value=record["baseline_value"],
        baseline_year=record["baseline_year"],
        completion=record["completion"],
        progress=record["progress"],
        elapsed=record["elapsed"],
        projected_value=record["projected_value"],
        projected_met=record["projected_met"],
    )


def progress_bar(record, measure):
    """The row's bar: progress against its own 序时进度 mark (None where there is none to draw:
    qualitative targets, 每年 targets judged year by year, no progress). An achieved target is
    drawn full, never negative."""
    progress, elapsed = record["progress"], record["elapsed"]
    if record["comparator"] == "qualitative" or measure == "per_year":
        return None
    if record["status"] == Status.ACHIEVED:
        return {"width": 100, "mark": _share(elapsed), "over": False, "negative": False}
    if progress is None:
        return None
    return {
        "width": _share(max(min(progress, 1), 0)),
        "mark": _share(elapsed),
        "over": progress > 1,
        "negative": progress < 0,
    }


def _share(ratio):
    return None if ratio is None else round(float(ratio) * 100, 1)


def plan_rows(plan, report):
    """Per indicator: the result of the target that speaks for it, said in words, worst first."""
    indicators = {
        i.code: i for i in plan.indicators.select_related("department", "plan").order_by("code")
    }
    places = indicator_places(plan)
    rows = []
    for record in report["records"]:
        if not record["primary"]:
            continue
        ind = indicators[record["indicator_code"]]
        t = terms(record, ind, places.get(ind.code, 0))
        rows.append(
            {
                **record,
                "indicator": ind,
                "category": ind.category or "—",
                "department": ind.department,
                "measure": ind.measure,
                "said": said(record, t),
                "bar": progress_bar(record, ind.measure),
                "badge": badge(record["status"]),
                "attention": Status(record["status"]) in NEEDS_ATTENTION,
            }
        )
    _add_explanations(plan, [r for r in rows if r["attention"]])
    order = {str(s): n for n, s in enumerate(ATTENTION_ORDER)}
    rows.sort(key=lambda r: (order[r["status"]], r["indicator_code"]))
    return rows


def _add_explanations(plan, rows):
    """Beside each row, the department's 情况说明 and 下一步措施 entered with the approved
    figure of the year judged (empty where none was written)."""
    found = {}
    if rows:
        for code, year, explanation, next_steps in Actual.objects.filter(
            indicator__plan=plan,
            region_id=plan.region_id,
            status=Actual.Status.APPROVED,
            year__in={r["year"] for r in rows},
        ).values_list("indicator__code", "year", "explanation", "next_steps"):
            found[(code, year)] = (explanation, next_steps)
    for row in rows:
        row["explanation"], row["next_steps"] = found.get(
            (row["indicator_code"], row["year"]), ("", "")
        )


def filter_rows(rows, *, status=None, category=None, department=None):
    if status:
        rows = [r for r in rows if r["status"] == status]
    if category:
        rows = [r for r in rows if r["category"] == category]
    if department:
        rows = [r for r in rows if r["department"] and r["department"].pk == department]
    return rows


def by_category(rows):
    """[(category, rows)] in the order of each category's first (worst) row."""
    groups = {}
    for row in rows:
        groups.setdefault(row["category"], []).append(row)
    return list(groups.items())


# --- an indicator ----------------------------------------------------------------------------


def indicator_detail(indicator, year=None):
    """Everything the indicator page draws: actuals, path, milestones, projection, sources, and
    each target's result at `year` (default: the plan's evaluation year) said in words, with
    the status of the indicator in each year so far."""
    plan = indicator.plan
    targets = list(indicator.targets.select_related("conflict").order_by("year", "pk"))
    baselines = list(indicator.baselines.select_related("conflict").order_by("year", "pk"))
    actuals = list(
        Actual.objects.filter(indicator=indicator, region=plan.region)
        .select_related("entered_by", "reviewed_by")
        .order_by("year")
    )
    report = plan_attainment(plan, year=year)
    at = report["year"]
    records = {
        r["target_id"]: r for r in report["records"] if r["indicator_code"] == indicator.code
    }
    places = wording.precision(*(t.value for t in targets), *(b.value for b in baselines))
    rows = [
        {
            "target": t,
            "year": records[t.pk]["year"],
            "primary": records[t.pk]["primary"],
            "said": said(records[t.pk], terms(records[t.pk], indicator, places)),
            "badge": badge(records[t.pk]["status"]),
            "projected_value": records[t.pk]["projected_value"],
        }
        for t in targets
    ]
    years = [y for y in plan.years if y <= at]
    by_year = indicator_statuses_by_year(plan, years) if years else {}
    history = [
        (y, badge(statuses[indicator.code]))
        for y, statuses in by_year.items()
        if indicator.code in statuses
    ]
    return {
        "year": at,
        "history": history,
        "targets": targets,
        "baselines": [
            (
                b,
                wording.quantity(
                    b.value, indicator.unit, max(places, wording.decimal_places(b.value))
                ),
            )
            if b.value is not None
            else (b, b.raw)
            for b in baselines
        ],
        "actuals": actuals,
        "results": rows,
        "places": places,
        "has_sample": any(a.is_sample for a in actuals),
        "computed_at": report["computed_at"],
    }


# --- the overview ----------------------------------------------------------------------------


def overview_plans(region_code=None, year=None):
    plans = plans_in_order()
    if region_code:
        plans = plans.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    if year is not None:
        plans = plans.filter(Q(period_start__lte=year) & Q(period_end__gte=year))
    return plans
