"""Reads of plans and targets shaped for commands, pages and reports."""

from dataclasses import dataclass

from accounts.scope import scope_indicators

from .models import Actual, Indicator, Target
from .values import plain_decimal

TARGET_FIELDS = [
    "plan",
    "indicator_code",
    "name",
    "category",
    "unit",
    "direction",
    "measure",
    "comparator",
    "target_year",
    "target_value",
    "target_value_max",
    "qualitative_text",
    "baseline_year",
    "baseline_value",
    "source",
    "raw",
    "conflict",
]


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
