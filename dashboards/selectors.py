"""What the dashboards show, read from stored attainment results (never recomputed here)."""

from collections import defaultdict

from indicators.models import Actual, AttainmentResult, Indicator, Plan
from indicators.selectors import alignment_flags, latest_approved_year

from .status_style import ATTENTION_ORDER, badge


def plan_summary(plan, report):
    """One overview card: 达标率, counts per status, completeness, open conflicts."""
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
    rollup = report["rollup"]
    return {
        "slug": plan.slug,
        "title": plan.title,
        "region": plan.region.name,
        "period": f"{plan.period_start}–{plan.period_end}",
        "year": year,
        "achievement_rate": rollup["achievement_rate"],
        "achieved": rollup["achieved"],
        "with_data": rollup["with_data"],
        "counts": [
            {**badge(status), "count": rollup["counts"][status]}
            for status in ATTENTION_ORDER
            if rollup["counts"][status]
        ],
        "indicators": indicators,
        "reported": reported,
        "completeness": reported / indicators if indicators else None,
        "open_conflicts": plan.conflicts.filter(resolved_at=None).count(),
        "computed_at": report["computed_at"],
        "has_sample": Actual.objects.filter(indicator__plan=plan, is_sample=True).exists(),
    }


def plan_rows(plan, report):
    """Per indicator: the result of the target that speaks for it, worst first."""
    indicators = {i.code: i for i in plan.indicators.select_related("department").order_by("code")}
    seen, rows = set(), []
    primary_year = {}
    for record in report["records"]:
        # The first record per indicator whose target is still ahead speaks for it.
        code = record["indicator_code"]
        if code not in primary_year or (
            primary_year[code] < report["year"] and record["target_year"] > primary_year[code]
        ):
            primary_year[code] = record["target_year"]
    for record in report["records"]:
        code = record["indicator_code"]
        if code in seen or record["target_year"] != primary_year[code]:
            continue
        seen.add(code)
        ind = indicators[code]
        rows.append(
            {
                **record,
                "indicator": ind,
                "category": ind.category or "—",
                "department": ind.department,
                "badge": badge(record["status"]),
            }
        )
    order = {str(s): n for n, s in enumerate(ATTENTION_ORDER)}
    rows.sort(key=lambda r: (order[r["status"]], r["indicator_code"]))
    return rows


def filter_rows(rows, *, status=None, category=None, department=None):
    if status:
        rows = [r for r in rows if r["status"] == status]
    if category:
        rows = [r for r in rows if r["category"] == category]
    if department:
        rows = [r for r in rows if r["department"] and str(r["department"].pk) == department]
    return rows


def indicator_detail(indicator):
    """Everything the indicator page draws: actuals, path, milestones, projection, sources."""
    plan = indicator.plan
    targets = list(indicator.targets.select_related("conflict").order_by("year", "pk"))
    baselines = list(indicator.baselines.select_related("conflict").order_by("year", "pk"))
    actuals = list(
        Actual.objects.filter(indicator=indicator, region=plan.region)
        .select_related("entered_by", "reviewed_by")
        .order_by("year")
    )
    results = list(
        AttainmentResult.objects.filter(indicator=indicator, region=plan.region).order_by(
            "target__year", "year"
        )
    )
    latest = {}
    year = latest_approved_year(plan)
    for r in results:
        if year is None or r.year <= year:
            latest[r.target_id] = r
    return {
        "targets": targets,
        "baselines": baselines,
        "actuals": actuals,
        "results_by_target": latest,
        "has_sample": any(a.is_sample for a in actuals),
        "computed_at": max((r.computed_at for r in results), default=None),
    }


def comparison(canonical):
    """One canonical indicator across regions: latest approved value and each region's target."""
    members = list(
        Indicator.objects.filter(canonical=canonical)
        .select_related("plan__region")
        .prefetch_related("targets")
        .order_by("plan__region__code", "plan__period_start")
    )
    # The latest approved value of each member in its own plan's region.
    latest = {}
    regions = {m.pk: m.plan.region_id for m in members}
    for a in Actual.objects.filter(indicator__in=members, status=Actual.Status.APPROVED).order_by(
        "year"
    ):
        if a.region_id == regions[a.indicator_id]:
            latest[a.indicator_id] = a
    flags = alignment_flags([canonical.pk])
    flagged = defaultdict(list)
    for f in flags:
        flagged[f.child.indicator_id].append(f.message)
    bars = []
    for m in members:
        targets = [t for t in m.targets.all() if t.value is not None]
        target = max(targets, key=lambda t: t.year) if targets else None
        actual = latest.get(m.pk)
        bars.append(
            {
                "indicator": m,
                "label": f"{m.plan.region.name} · {m.plan.slug}",
                "actual": actual,
                "target": target,
                "flags": flagged.get(m.pk, []),
            }
        )
    return bars, flags


def department_status(department, year):
    """The department's indicators, what is missing for the year and each submission's state."""
    indicators = list(
        Indicator.objects.filter(department=department)
        .select_related("plan")
        .order_by("plan__slug", "code")
    )
    actuals = {
        a.indicator_id: a
        for a in Actual.objects.filter(
            indicator__in=indicators, year=year, region=department.region
        ).select_related("entered_by", "reviewed_by")
    }
    rows = [
        {
            "indicator": i,
            "actual": actuals.get(i.pk),
            "in_period": i.plan.period_start <= year <= i.plan.period_end,
        }
        for i in indicators
    ]
    missing = [
        r
        for r in rows
        if r["in_period"]
        and (
            r["actual"] is None
            or r["actual"].status in (Actual.Status.DRAFT, Actual.Status.RETURNED)
        )
    ]
    return rows, missing


def overview_plans(region_code=None):
    plans = Plan.objects.select_related("region").order_by(
        "is_synthetic", "region__code", "period_start", "slug"
    )
    if region_code:
        plans = plans.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    return plans
