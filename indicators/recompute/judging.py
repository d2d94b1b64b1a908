"""Every (target, region) series of a scope judged by the attainment engine.

No database access: this runs while a COPY is in progress.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings

from .. import attainment
from ..selectors import reference_baseline
from .reads import Inputs, Series, TargetRow


class JudgedSeries(NamedTuple):
    """One target judged for one region, at every year from the period's start."""

    target: TargetRow
    region_id: int
    years: range
    results: list[attainment.Result]  # one per year
    raws: dict[int, str]  # year -> the approved actual as typed


def thresholds() -> attainment.Thresholds:
    return attainment.Thresholds(
        on_track=Decimal(str(settings.ATTAINMENT_ON_TRACK_SHARE)),
        lagging=Decimal(str(settings.ATTAINMENT_LAGGING_SHARE)),
    )


def judged(targets: list[TargetRow], inputs: Inputs) -> Iterator[JudgedSeries]:
    """Each target for its plan's region and every region with approved actuals of its
    indicator, in target order, then region order."""
    regions_of = defaultdict(set)
    for indicator_id, region_id in inputs.series:
        regions_of[indicator_id].add(region_id)
    limits = thresholds()
    empty = Series([], {}, {})
    for t in targets:
        terms = attainment.TargetTerms(
            year=t.year,
            comparator=t.comparator,
            value=t.value,
            value_max=t.value_max,
            direction=t.direction,
            measure=t.measure,
        )
        plan_baseline = reference_baseline(inputs.baselines.get(t.indicator_id, []), t.year)
        years = range(t.period_start, t.year + 1)
        for region_id in sorted(regions_of[t.indicator_id] | {t.plan_region_id}):
            series = inputs.series.get((t.indicator_id, region_id), empty)
            # The plan's baseline is its own region's; other regions start from their data.
            results = attainment.evaluate_series(
                terms,
                years=years,
                period_start=t.period_start,
                observations=series.observations,
                baseline=plan_baseline if region_id == t.plan_region_id else None,
                qualitative_statuses=series.qualitative,
                thresholds=limits,
            )
            yield JudgedSeries(t, region_id, years, results, series.raws)
