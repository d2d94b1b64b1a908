"""Reads of plans and targets shaped for commands, pages and reports."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_indicators
from regions.models import Region

from .models import Actual, Indicator, Plan, PlanYear, Target
from .values import plain_decimal


def _number(value):
    return None if value is None else plain_decimal(value)


def _conflict_label(conflict):
    return None if conflict is None else f"{conflict.key}: {conflict.description}"


def reference_baseline(baselines, target_year):
    """The latest baseline at or before the target year (the first stated, on a tie)."""
    candidates = [b for b in baselines if b.year <= target_year]
    if not candidates:
        return None
    latest = max(b.year for b in candidates)
    return next(b for b in candidates if b.year == latest)


def target_records(plan_slug=None):
    """One dict per target with TARGET_FIELDS, in plan and indicator order."""
    targets = (
        Target.objects.select_related("indicator__plan", "conflict")
        .prefetch_related("indicator__baselines__conflict")
        .order_by(
            "indicator__plan__region__code",
            "indicator__plan__slug",
            "indicator__code",
            "year",
            "pk",
        )
    )
    if plan_slug:
        targets = targets.filter(indicator__plan__slug=plan_slug)
    for t in targets:
        ind = t.indicator
        baseline = reference_baseline(list(ind.baselines.all()), t.year)
        conflict = t.conflict or (baseline.conflict if baseline else None)
        yield {
            "plan": ind.plan.slug,
            "indicator_code": ind.code,
            "name": ind.name,
            "category": ind.category,
            "unit": ind.unit,
            "direction": ind.direction,
            "measure": ind.measure,
            "comparator": t.comparator,
            "target_year": t.year,
            "target_value": _number(t.value),
            "target_value_max": _number(t.value_max),
            "qualitative_text": t.qualitative_text or None,
            "baseline_year": baseline.year if baseline else None,
            "baseline_value": _number(baseline.value) if baseline else None,
            "source": t.source_ref,
            "raw": t.raw,
            "conflict": _conflict_label(conflict),
        }


@dataclass
class EntryLine:
    """What a clerk sees for one indicator on the data-entry page."""

    indicator: Indicator
    targets: list
    baseline: object
    last_year: object
    actual: object

    @property
    def initial(self):
        a = self.actual
        return {
            "indicator": self.indicator.pk,
            "version": a.version if a else None,
            "text": a.raw if a else "",
            "note": a.note if a else "",
            "qualitative_status": a.qualitative_status if a else "",
            "evidence": a.evidence if a else "",
        }


def entry_lines(user, *, department, region, year):
    """The indicators of a department whose plan covers `year`, with their context."""
    indicators = list(
        scope_indicators(
            Indicator.objects.filter(
                department=department, plan__period_start__lte=year, plan__period_end__gte=year
            ),
            user,
        )
        .select_related("plan")
        .prefetch_related("targets", "baselines")
        .order_by("plan__slug", "code")
    )
    actuals = {
        (a.indicator_id, a.year): a
        for a in Actual.objects.filter(
            indicator__in=indicators, region=region, year__in=[year, year - 1]
        ).select_related("entered_by", "reviewed_by")
    }
    lines = []
    for ind in indicators:
        targets = list(ind.targets.all())
        last = actuals.get((ind.pk, year - 1))
        lines.append(
            EntryLine(
                indicator=ind,
                targets=targets,
                baseline=reference_baseline(list(ind.baselines.all()), year),
                last_year=last if last and last.status == Actual.Status.APPROVED else None,
                actual=actuals.get((ind.pk, year)),
            )
        )
    return lines


def missing_entries(plan, year):
    """Per department: the indicators of `plan` with nothing submitted for `year`.

    Counts as missing: no figure, a draft never submitted, or a figure sent back.
    Figures are those of the plan's own region.
    """
    done = set(
        Actual.objects.filter(
            indicator__plan=plan,
            region=plan.region,
            year=year,
            status__in=[Actual.Status.SUBMITTED, Actual.Status.APPROVED],
        ).values_list("indicator_id", flat=True)
    )
    missing = {}
    for indicator in (
        plan.indicators.exclude(department=None)
        .select_related("department__region")
        .order_by("code")
    ):
        if indicator.pk not in done:
            missing.setdefault(indicator.department, []).append(indicator)
    return missing


def year_is_locked(plan, year):
    return PlanYear.objects.filter(plan=plan, year=year, is_locked=True).exists()


def approved_history(indicator, region, year):
    """Earlier approved values of one indicator and region, oldest first."""
    return list(
        Actual.objects.filter(
            indicator=indicator,
            region=region,
            year__lt=year,
            status=Actual.Status.APPROVED,
            value__isnull=False,
        )
        .order_by("year")
        .values_list("value", flat=True)
    )


HIGHER_IS_BETTER = {"gte", "gt", "range"}
LOWER_IS_BETTER = {"lte", "lt"}


@dataclass
class AlignmentFlag:
    """上下衔接: a region's target weaker than its parent region's target for the same year."""

    canonical: object
    child: Target
    parent: Target

    @property
    def message(self):
        c, p = self.child, self.parent
        return _(
            "%(region)s%(year)s年目标%(target)s弱于%(parent_region)s同年目标%(parent_target)s"
            "(%(measure)s)"
        ) % {
            "region": c.indicator.plan.region.name,
            "year": c.year,
            "target": c.raw,
            "parent_region": p.indicator.plan.region.name,
            "parent_target": p.raw,
            "measure": self.canonical.name,
        }


# Rates and scores can be compared between a region and its parent; counts cannot (a city
# naturally has fewer standards than its province).
INTENSIVE_UNITS = {"%", "‰", "分"}


def _weaker(child, parent, direction):
    if child.value is None or parent.value is None:
        return False
    units = {child.indicator.unit, parent.indicator.unit}
    if not units <= INTENSIVE_UNITS or len(units) != 1:
        return False
    if child.comparator in HIGHER_IS_BETTER and parent.comparator in HIGHER_IS_BETTER:
        return child.value < parent.value
    if child.comparator in LOWER_IS_BETTER and parent.comparator in LOWER_IS_BETTER:
        return child.value > parent.value
    if child.comparator == parent.comparator == "eq":
        return (
            (child.value < parent.value) if direction != "lower" else (child.value > parent.value)
        )
    return False


def alignment_flags(canonical_ids=None):
    """Every pair of linked targets where the lower region asks for less than its parent."""
    from .models import CanonicalIndicator

    canonicals = CanonicalIndicator.objects.prefetch_related(
        "members__plan__region__parent__parent__parent", "members__targets"
    )
    if canonical_ids is not None:
        canonicals = canonicals.filter(pk__in=canonical_ids)
    flags = []
    for canonical in canonicals:
        members = list(canonical.members.all())
        for child in members:
            ancestors = {r.pk for r in child.plan.region.ancestors()}
            for parent in members:
                if parent.plan.region_id not in ancestors:
                    continue
                for ct in child.targets.all():
                    for pt in parent.targets.all():
                        if ct.year == pt.year and _weaker(ct, pt, canonical.direction):
                            flags.append(AlignmentFlag(canonical, ct, pt))
    return flags


def plans_in_order():
    """Every plan in the order lists show them: real plans before synthetic ones, then by
    region, period and slug."""
    return Plan.objects.select_related("region").order_by(
        "is_synthetic", "region__code", "period_start", "slug"
    )


def latest_approved_year(plan):
    return (
        Actual.objects.filter(indicator__plan=plan, status=Actual.Status.APPROVED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def evaluation_year(plan, latest_approved):
    """The year a plan is judged at by default: its latest year with approved data, else
    the current year within its period."""
    return latest_approved or min(plan.period_end, timezone.now().year)


def primary_targets(targets, year):
    """Per indicator, the target that speaks for it at `year`: the next milestone due."""
    by_indicator = {}
    for t in sorted(targets, key=lambda t: (t.year, t.pk)):
        chosen = by_indicator.get(t.indicator_id)
        if chosen is None or (chosen.year < year and t.year > chosen.year):
            by_indicator[t.indicator_id] = t
    return set(by_indicator.values())


class _TargetRow(NamedTuple):
    pk: int
    indicator_id: int
    code: str
    name: str
    year: int
    value: object
    comparator: str
    value_max: object
    raw: str
    qualitative_text: str


_REPORT_TARGET_FIELDS = (
    "pk",
    "indicator_id",
    "indicator__code",
    "indicator__name",
    "year",
    "value",
    "comparator",
    "value_max",
    "raw",
    "qualitative_text",
)
_REPORT_RESULT_FIELDS = (
    "target_id",
    "year",
    "status",
    "actual",
    "actual_qualifier",
    "actual_raw",
    "baseline_value",
    "baseline_year",
    "completion",
    "progress",
    "elapsed",
    "projected_value",
    "projected_met",
)


def _result_fields():
    """The stored result's fields, with the number of the rule that decided it where results
    record it (None in results computed before they did)."""
    from .models import AttainmentResult

    stored = {f.name for f in AttainmentResult._meta.concrete_fields}
    return _REPORT_RESULT_FIELDS + (("rule",) if "rule" in stored else ())


def plan_attainment(plan, *, year=None, region=None):
    """The stored result of each target of `plan` at `year` (or the plan's latest year with
    approved data) for `region` (default: the plan's), and the roll-up.

    Read as plain values, and only the judged year's rows: the dashboards of every plan are
    rendered from this after a full recompute.
    """
    from . import attainment
    from .models import AttainmentResult

    at = year or evaluation_year(plan, latest_approved_year(plan))
    region_id = region.pk if region else plan.region_id
    targets = [
        _TargetRow(*t)
        for t in Target.objects.filter(indicator__plan=plan)
        .order_by("indicator__code", "year", "pk")
        .values_list(*_REPORT_TARGET_FIELDS)
    ]
    results = AttainmentResult.objects.filter(plan=plan, region_id=region_id)
    judged = results.filter(
        target_id__in=[t.pk for t in targets], year__in={min(at, t.year) for t in targets}
    )
    found = {(r["target_id"], r["year"]): r for r in judged.values(*_result_fields())}
    primary = primary_targets(targets, at)
    region_code = region.code if region else plan.region.code
    records, for_rollup = [], []
    for t in targets:
        judged_year = min(at, t.year)
        r = found.get((t.pk, judged_year), {})
        status = r.get("status", attainment.Status.NO_DATA)
        records.append(
            {
                "plan": plan.slug,
                "indicator_code": t.code,
                "name": t.name,
                "region": region_code,
                "target_id": t.pk,
                "target_year": t.year,
                "target_value": _number(t.value),
                "target_value_max": _number(t.value_max),
                "target_raw": t.raw,
                "qualitative_text": t.qualitative_text,
                "comparator": t.comparator,
                "primary": t in primary,
                "year": judged_year,
                "actual": _number(r.get("actual")),
                "actual_qualifier": r.get("actual_qualifier", ""),
                "actual_raw": r.get("actual_raw") or None,
                "baseline_value": _number(r.get("baseline_value")),
                "baseline_year": r.get("baseline_year"),
                "completion": r.get("completion"),
                "progress": r.get("progress"),
                "elapsed": r.get("elapsed"),
                "status": str(status),
                "rule": r.get("rule"),
                "projected_value": r.get("projected_value"),
                "projected_met": r.get("projected_met"),
            }
        )
        if t in primary:
            for_rollup.append((status, t.comparator != "qualitative"))
    return {
        "plan": plan.slug,
        "year": at,
        "region": region_code,
        "computed_at": results.aggregate(at=Max("computed_at"))["at"],
        "records": records,
        "rollup": attainment.rollup(for_rollup),
    }


def attainment_report(*, plan_slug=None, year=None, region_code=None):
    """plan_attainment() of every plan (or the one named), in region and slug order."""
    plans = Plan.objects.select_related("region").order_by("region__code", "slug")
    if plan_slug:
        plans = plans.filter(slug=plan_slug)
    region = Region.objects.get(code=region_code) if region_code else None
    return [plan_attainment(plan, year=year, region=region) for plan in plans]
