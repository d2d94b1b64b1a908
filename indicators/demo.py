"""Clearly labelled sample actuals, so that a first look at the dashboards is not empty."""

import random
from decimal import Decimal

from django.db import transaction

from .models import Actual, Comparator, Plan
from .selectors import reference_baseline
from .services.actuals import actual_record
from .values import WHOLE_UNITS

DEMO_PLANS = ["zhejiang-14", "rizhao-14", "jinhua-2023"]
LAST_YEAR = 2024
NOTE = "示例数据:演示用,非真实填报"


def _value(rng, start, goal, share, unit):
    value = start + (goal - start) * Decimal(str(share)) * Decimal(str(rng.uniform(0.6, 1.2)))
    if unit == "%":
        value = min(Decimal(100), max(Decimal(0), value))
    if unit in WHOLE_UNITS:
        return value.quantize(Decimal(1))
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def load_demo(seed=2021):
    """Approved sample figures for each year up to LAST_YEAR; returns how many were added."""
    rng = random.Random(seed)
    added = 0
    for plan in Plan.objects.filter(slug__in=DEMO_PLANS).select_related("region"):
        years = range(plan.period_start, min(plan.period_end, LAST_YEAR) + 1)
        for indicator in plan.indicators.prefetch_related("targets", "baselines"):
            targets = [t for t in indicator.targets.all() if t.value is not None]
            qualitative = indicator.is_qualitative
            if not targets and not qualitative:
                continue
            for n, year in enumerate(years, start=1):
                actual = Actual(
                    indicator=indicator, region=plan.region, year=year, is_sample=True, note=NOTE
                )
                if qualitative:
                    actual.qualitative_status = rng.choice(
                        [Actual.QualitativeStatus.IN_PROGRESS] * 3
                        + [Actual.QualitativeStatus.ACHIEVED]
                    )
                    actual.evidence = NOTE
                else:
                    target = targets[-1]
                    baseline = reference_baseline(list(indicator.baselines.all()), target.year)
                    goal = target.value
                    if indicator.measure == "new":
                        span = target.year - plan.period_start + 1
                        value = _value(rng, Decimal(0), goal / span, 1, indicator.unit)
                    elif indicator.measure == "per_year":
                        value = _value(rng, goal * Decimal("0.9"), goal, 1, indicator.unit)
                    else:
                        start = (
                            baseline.value
                            if baseline and baseline.value is not None
                            else (
                                goal * Decimal("0.9")
                                if target.comparator not in (Comparator.LTE, Comparator.LT)
                                else goal * Decimal("1.1")
                            )
                        )
                        share = n / max(
                            target.year - (baseline.year if baseline else plan.period_start - 1), 1
                        )
                        value = _value(rng, start, goal, min(share, 1.2), indicator.unit)
                    actual.value, actual.raw = value, str(value)
                added += actual_record(actual=actual, reason="载入示例数据")
    return added


@transaction.atomic
def remove_demo():
    rows = Actual.objects.filter(is_sample=True)
    count = rows.count()
    for actual in rows:
        actual._change_reason = "删除示例数据"
        actual.delete()
    return count
