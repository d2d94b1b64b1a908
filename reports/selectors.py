"""Reads for the auditor's workbook and the plan's implementation report, in batches of plans
so that memory stays flat.

Rows are read as plain tuples (`values_list`), never as model instances: the workbook of a
national scope has 100,000 of them. Results are the stored ones, never recomputed here.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Max

from accounts.scope import scope_actuals
from indicators import attainment, wording
from indicators.models import Actual, AttainmentResult, Baseline, Plan, Target
from indicators.selectors import (
    alignment_flags,
    evaluation_year,
    plans_in_order,
    primary_targets,
    reference_baseline,
)

PLAN_BATCH = 50


class BaselineRow(NamedTuple):
    year: int
    value: object


class StoredResult(NamedTuple):
    """The figures a stored attainment result was decided by (see RESULT_FIELDS)."""

    status: str
    actual: object  # the a judged: for 新增 the running sum
    actual_qualifier: str
    baseline_value: object  # the b and y0 the result used
    baseline_year: int | None
    completion: object
    progress: object
    elapsed: object
    projected_value: object
    projected_met: bool | None
    computed_at: object
    rule: int | None = None  # the rule of DOMAIN.md §3 that decided, where results record it


class TargetRow(NamedTuple):
    """One target of a plan with what the workbook and the report show beside it."""

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
    measure: str
    direction: str
    baseline: BaselineRow | None  # the plan's own, as printed
    actuals: dict  # year -> (value, qualifier, raw, qualitative status, 情况说明, 下一步措施)
    judged: int  # the year the result is for
    status: str
    result: StoredResult | None  # None when nothing is stored for the target at `judged`
    places: int  # the decimal places the indicator's figures are said at
    primary: bool  # the target that speaks for its indicator at the plan's year

    def terms(self, period_start):
        """The target as indicators.wording says it."""
        return wording.Terms(
            comparator=self.comparator,
            value=self.value,
            year=self.year,
            value_max=self.value_max,
            raw=self.raw,
            qualitative_text=self.qualitative_text,
            unit=self.unit,
            measure=self.measure,
            period_start=period_start,
            places=self.places,
        )

    def reason(self, terms, thresholds=None):
        """判定依据: the stored result's reason as one sentence with its numbers
        (thresholds: as wording.reason takes them, by default the settings)."""
        r = self.result
        if r is None:
            return wording.reason(
                terms, rule=None, status=self.status, year=self.judged, thresholds=thresholds
            )
        return wording.reason(
            terms,
            rule=r.rule,
            status=r.status,
            year=self.judged,
            actual=r.actual,
            actual_qualifier=r.actual_qualifier,
            baseline_value=r.baseline_value,
            baseline_year=r.baseline_year,
            progress=r.progress,
            elapsed=r.elapsed,
            thresholds=thresholds,
        )


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
    "indicator__measure",
    "indicator__direction",
)
RESULT_FIELDS = (
    "status",
    "actual",
    "actual_qualifier",
    "baseline_value",
    "baseline_year",
    "completion",
    "progress",
    "elapsed",
    "projected_value",
    "projected_met",
    "computed_at",
)


def _result_fields():
    """RESULT_FIELDS, and the rule that decided where stored results record it."""
    stored = {f.name for f in AttainmentResult._meta.concrete_fields}
    return RESULT_FIELDS + (("rule",) if "rule" in stored else ())


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


class PlanRows(NamedTuple):
    """One plan of the workbook or the report: its rows at the year judged."""

    plan: Plan
    year: int  # the year judged
    rows: list[TargetRow]  # one per target
    rollup: dict
    as_of: object  # when its results were computed


class _Milestone(NamedTuple):
    pk: int
    indicator_id: int
    year: int


def plan_batches(plans, *, user, year=None):
    """Yield PlanRows per plan."""
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
        places = _places(targets, baselines)
        actuals = defaultdict(dict)
        visible = scope_actuals(
            Actual.objects.filter(
                indicator__plan_id__in=ids, region_id__in=regions, status=Actual.Status.APPROVED
            ),
            user,
        )
        for indicator_id, region_id, year_, *figure in visible.values_list(
            "indicator_id",
            "region_id",
            "year",
            "value",
            "qualifier",
            "raw",
            "qualitative_status",
            "explanation",
            "next_steps",
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
        ).values_list("target_id", "region_id", "year", *_result_fields()):
            results[(target_id, region_id, year_)] = StoredResult(*result)
        for plan in batch:
            yield PlanRows(
                plan,
                *_plan_rows(
                    plan, evaluated[plan.pk], targets[plan.pk], baselines, actuals, results, places
                ),
            )


def _places(targets, baselines):
    """{indicator id: the decimal places its figures are said at}: wording.precision of its
    target and baseline values as written."""
    values = defaultdict(list)
    for plan_targets in targets.values():
        for t in plan_targets:
            values[t[1]].append(t[9])
    for indicator_id, rows in baselines.items():
        values[indicator_id] += [b.value for b in rows]
    return {indicator_id: wording.precision(*v) for indicator_id, v in values.items()}


def _plan_rows(plan, at, targets, baselines, actuals, results, places):
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
            status = result.status
            if as_of is None or result.computed_at > as_of:
                as_of = result.computed_at
        rows.append(
            TargetRow(
                *t,
                reference_baseline(baselines.get(indicator_id, ()), year_),
                actuals.get((indicator_id, plan.region_id), {}),
                judged,
                status,
                result,
                places.get(indicator_id, 0),
                target_id in primary,
            )
        )
        if target_id in primary:
            statuses.append((status, t[8] != "qualitative"))
    return at, rows, attainment.rollup(statuses), as_of


class Notes(NamedTuple):
    """What the department wrote beside the figure judged."""

    explanation: str  # 情况说明
    next_steps: str  # 下一步措施


@dataclass
class PlanReport:
    """One plan at one year, as the implementation report (规划实施情况报告) tells it."""

    plan: Plan
    year: int
    rows: list  # TargetRow of the target that speaks for each indicator, in code order
    rollup: dict  # attainment.rollup of those rows
    as_of: object  # when the newest result shown was computed
    reported: int  # indicators with an approved figure for the year (已填报)
    notes: dict  # indicator id -> Notes of the approved figure for the year
    alignment: list  # indicators.selectors.AlignmentFlag of the plan's own targets
    conflicts: list  # the plan's unresolved SourceConflict

    @property
    def due(self):
        """Indicators that should have a figure for the year (应填报)."""
        return len(self.rows)

    @property
    def enough_data(self):
        """Whether at least half the indicators due have a figure (else 达标率 is not said)."""
        return self.due > 0 and 2 * self.reported >= self.due


def plan_report(plan, *, user, year=None):
    """The stored results of `plan` at `year` (default: its evaluation year) for the
    implementation report, with what the departments wrote beside the figures."""
    (found,) = plan_batches([plan], user=user, year=year)
    at = found.year
    primary = [row for row in found.rows if row.primary]
    notes = {
        indicator_id: Notes(explanation, next_steps)
        for indicator_id, explanation, next_steps in scope_actuals(
            Actual.objects.filter(
                indicator__plan=plan,
                region_id=plan.region_id,
                year=at,
                status=Actual.Status.APPROVED,
            ),
            user,
        ).values_list("indicator_id", "explanation", "next_steps")
    }
    canonicals = set(plan.indicators.exclude(canonical=None).values_list("canonical", flat=True))
    return PlanReport(
        plan=plan,
        year=at,
        rows=primary,
        rollup=found.rollup,
        as_of=found.as_of,
        reported=sum(1 for row in primary if at in row.actuals),
        notes=notes,
        alignment=[
            flag
            for flag in (alignment_flags(canonicals) if canonicals else [])
            if flag.child.indicator.plan_id == plan.pk
        ],
        conflicts=list(plan.conflicts.filter(resolved_at=None).order_by("key")),
    )
