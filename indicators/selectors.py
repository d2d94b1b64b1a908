"""Reads of plans and targets shaped for commands, pages and reports."""

from .models import Target
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
