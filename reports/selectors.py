"""Reads for the auditor's workbook, in batches of plans so that memory stays flat."""

from collections import defaultdict

from django.db.models import Max, Q

from accounts.scope import scope_actuals
from indicators import attainment
from indicators.models import Actual, AttainmentResult, Baseline, Plan, Target
from indicators.selectors import reference_baseline

PLAN_BATCH = 50


def plans_in_scope(slugs=None):
    plans = Plan.objects.select_related("region").order_by(
        "is_synthetic", "region__code", "period_start", "slug"
    )
    return plans.filter(slug__in=slugs) if slugs else plans


def _primary_target_ids(targets, year):
    chosen = {}
    for t in sorted(targets, key=lambda t: (t.year, t.pk)):
        current = chosen.get(t.indicator_id)
        if current is None or (current.year < year and t.year > current.year):
            chosen[t.indicator_id] = t
    return {t.pk for t in chosen.values()}


def plan_batches(plans, *, user, year=None):
    """Yield (plan, year, rows, rollup) per plan; rows are dicts, one per target."""
    plans = list(plans)
    for start in range(0, len(plans), PLAN_BATCH):
        batch = plans[start : start + PLAN_BATCH]
        ids = [p.pk for p in batch]
        targets = defaultdict(list)
        for t in (
            Target.objects.filter(indicator__plan_id__in=ids)
            .select_related("indicator__department", "conflict")
            .order_by("indicator__code", "year", "pk")
        ):
            targets[t.indicator.plan_id].append(t)
        baselines = defaultdict(list)
        for b in Baseline.objects.filter(indicator__plan_id__in=ids).order_by("year", "pk"):
            baselines[b.indicator_id].append(b)
        actuals = defaultdict(dict)
        visible = scope_actuals(
            Actual.objects.filter(indicator__plan_id__in=ids, status=Actual.Status.APPROVED),
            user,
        )
        for (
            indicator_id,
            region_id,
            year_,
            value,
            qualifier,
            raw,
            qualitative,
        ) in visible.values_list(
            "indicator_id", "region_id", "year", "value", "qualifier", "raw", "qualitative_status"
        ):
            actuals[(indicator_id, region_id)][year_] = (value, qualifier, raw, qualitative)
        latest = dict(
            Actual.objects.filter(indicator__plan_id__in=ids, status=Actual.Status.APPROVED)
            .values("indicator__plan_id")
            .annotate(latest=Max("year"))
            .values_list("indicator__plan_id", "latest")
        )
        evaluated = {p.pk: year or latest.get(p.pk) or p.period_end for p in batch}
        # Only the rows the workbook shows: the plan's own region, each target at its year.
        wanted = Q(pk__in=[])
        for p in batch:
            years = {min(evaluated[p.pk], t.year) for t in targets[p.pk]}
            wanted |= Q(plan_id=p.pk, region_id=p.region_id, year__in=years)
        results = {}
        for r in AttainmentResult.objects.filter(wanted).values(
            "target_id",
            "region_id",
            "year",
            "status",
            "completion",
            "progress",
            "elapsed",
            "projected_value",
            "projected_met",
            "note",
            "computed_at",
        ):
            results[(r["target_id"], r["region_id"], r["year"])] = r
        for plan in batch:
            at = evaluated[plan.pk]
            plan_targets = targets[plan.pk]
            primary = _primary_target_ids(plan_targets, at)
            rows, statuses = [], []
            for t in plan_targets:
                judged = min(at, t.year)
                r = results.get((t.pk, plan.region_id, judged)) or {}
                status = r.get("status", attainment.Status.NO_DATA)
                baseline = reference_baseline(baselines[t.indicator_id], t.year)
                rows.append(
                    {
                        "target": t,
                        "indicator": t.indicator,
                        "baseline": baseline,
                        "actuals": actuals.get((t.indicator_id, plan.region_id), {}),
                        "year": judged,
                        "result": r,
                        "status": str(status),
                    }
                )
                if t.pk in primary:
                    statuses.append((status, t.comparator != "qualitative"))
            as_of = max(
                (
                    row["result"].get("computed_at")
                    for row in rows
                    if row["result"].get("computed_at")
                ),
                default=None,
            )
            yield plan, at, rows, attainment.rollup(statuses), as_of
