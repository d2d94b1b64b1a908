"""Reads for the auditor's workbook, in batches of plans so that memory stays flat.

Rows are read as plain tuples (`values_list`), never as model instances: the workbook of a
national scope has 100,000 of them.
"""

from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count, Max

from accounts.scope import scope_actuals
from indicators import attainment
from indicators.models import Actual, AttainmentResult, Baseline, Target
from indicators.selectors import (
    evaluation_year,
    plans_in_order,
    primary_targets,
    reference_baseline,
)

PLAN_BATCH = 50


class BaselineRow(NamedTuple):
    year: int
    value: object


class TargetRow(NamedTuple):
    """One target of a plan with what the workbook shows beside it."""

    target_id: int
    indicator_id: int
    code: str
    name: str
    category: str
    unit: str
    department: str | None
    year: int
    comparator: str
    value: object
    value_max: object
    raw: str
    qualitative_text: str
    source_ref: str
    source_text: str
    conflict: str | None
    baseline: BaselineRow | None
    actuals: dict  # year -> (value, qualifier, raw, qualitative status)
    judged: int  # the year the result is for
    status: str
    result: tuple | None  # the stored result's RESULT_FIELDS, None when there is none


_TARGET_FIELDS = (
    "pk",
    "indicator_id",
    "indicator__code",
    "indicator__name",
    "indicator__category",
    "indicator__unit",
    "indicator__department__name",
    "year",
    "comparator",
    "value",
    "value_max",
    "raw",
    "qualitative_text",
    "source_ref",
    "source_text",
    "conflict__description",
)
RESULT_FIELDS = (
    "status",
    "completion",
    "progress",
    "elapsed",
    "projected_value",
    "projected_met",
    "note",
    "computed_at",
)


def plans_in_scope(slugs=None):
    plans = plans_in_order()
    return plans.filter(slug__in=slugs) if slugs else plans


def target_counts(plans):
    """{plan id: number of targets}: the number of indicator rows each plan gets."""
    return dict(
        Target.objects.filter(indicator__plan__in=plans)
        .values("indicator__plan_id")
        .annotate(n=Count("pk"))
        .values_list("indicator__plan_id", "n")
    )


class _Milestone(NamedTuple):
    pk: int
    indicator_id: int
    year: int


def plan_batches(plans, *, user, year=None):
    """Yield (plan, year, rows, rollup, as_of) per plan; rows are TargetRow, one per target."""
    plans = list(plans)
    for start in range(0, len(plans), PLAN_BATCH):
        batch = plans[start : start + PLAN_BATCH]
        ids = [p.pk for p in batch]
        regions = {p.region_id for p in batch}
        targets = defaultdict(list)
        for values in (
            Target.objects.filter(indicator__plan_id__in=ids)
            .order_by("indicator__code", "year", "pk")
            .values_list("indicator__plan_id", *_TARGET_FIELDS)
        ):
            targets[values[0]].append(values[1:])
        baselines = defaultdict(list)
        for indicator_id, year_, value in (
            Baseline.objects.filter(indicator__plan_id__in=ids)
            .order_by("year", "pk")
            .values_list("indicator_id", "year", "value")
        ):
            baselines[indicator_id].append(BaselineRow(year_, value))
        actuals = defaultdict(dict)
        visible = scope_actuals(
            Actual.objects.filter(
                indicator__plan_id__in=ids, region_id__in=regions, status=Actual.Status.APPROVED
            ),
            user,
        )
        for indicator_id, region_id, year_, *figure in visible.values_list(
            "indicator_id", "region_id", "year", "value", "qualifier", "raw", "qualitative_status"
        ):
            actuals[(indicator_id, region_id)][year_] = tuple(figure)
        latest = dict(
            Actual.objects.filter(indicator__plan_id__in=ids, status=Actual.Status.APPROVED)
            .values("indicator__plan_id")
            .annotate(latest=Max("year"))
            .values_list("indicator__plan_id", "latest")
        )
        evaluated = {p.pk: year or evaluation_year(p, latest.get(p.pk)) for p in batch}
        # Only the rows the workbook shows: the plans' own regions, each target at its year
        # (a superset when plans of the batch differ; the exact key picks the row below).
        years = {min(evaluated[p.pk], t[7]) for p in batch for t in targets[p.pk]}
        results = {}
        for target_id, region_id, year_, *result in AttainmentResult.objects.filter(
            plan_id__in=ids, region_id__in=regions, year__in=years
        ).values_list("target_id", "region_id", "year", *RESULT_FIELDS):
            results[(target_id, region_id, year_)] = tuple(result)
        for plan in batch:
            yield (
                plan,
                *_plan_rows(
                    plan, evaluated[plan.pk], targets[plan.pk], baselines, actuals, results
                ),
            )


def _plan_rows(plan, at, targets, baselines, actuals, results):
    primary = {m.pk for m in primary_targets([_Milestone(t[0], t[1], t[7]) for t in targets], at)}
    rows, statuses = [], []
    as_of = None
    no_data = str(attainment.Status.NO_DATA)
    for t in targets:
        target_id, indicator_id, year_ = t[0], t[1], t[7]
        judged = min(at, year_)
        result = results.get((target_id, plan.region_id, judged))
        if result is None:
            status = no_data
        else:
            status, computed_at = result[0], result[-1]
            if as_of is None or computed_at > as_of:
                as_of = computed_at
        rows.append(
            TargetRow(
                *t,
                reference_baseline(baselines.get(indicator_id, ()), year_),
                actuals.get((indicator_id, plan.region_id), {}),
                judged,
                status,
                result,
            )
        )
        if target_id in primary:
            statuses.append((status, t[8] != "qualitative"))
    return at, rows, attainment.rollup(statuses), as_of
