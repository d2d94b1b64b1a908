"""What a recompute reads: targets, baselines and approved actuals, as named rows.

On PostgreSQL through plain cursors (no model instances, no per-row ORM work): a national
recompute reads 1.5 million actuals.
"""

from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from .. import attainment
from ..models import Actual, Baseline, Target


class TargetRow(NamedTuple):
    """One target with what judging it needs from its indicator and plan."""

    id: int
    indicator_id: int
    year: int
    comparator: str
    value: Decimal | None
    value_max: Decimal | None
    direction: str
    measure: str
    plan_id: int
    period_start: int
    plan_region_id: int

    @property
    def result_rows(self) -> int:
        """The rows the target gets for one region: one per year from the period's start."""
        return max(0, self.year - self.period_start + 1)


class Series(NamedTuple):
    """The approved actuals of an indicator for a region."""

    observations: list[tuple[int, Decimal, str]]  # (year, value, qualifier) when numeric
    raws: dict[int, str]  # year -> the text as typed
    qualitative: dict[int, str]  # year -> the status a person recorded


class Inputs(NamedTuple):
    """Everything a recompute reads besides the targets."""

    baselines: dict[int, list[attainment.Baseline]]  # per indicator, in the order stated
    series: dict[tuple[int, int], Series]  # per (indicator, region)


_TARGET_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "comparator",
    "value",
    "value_max",
    "indicator__direction",
    "indicator__measure",
    "indicator__plan_id",
    "indicator__plan__period_start",
    "indicator__plan__region_id",
)


def fetch(queryset):
    """The rows of a values_list queryset; on PostgreSQL through a plain cursor."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def scoped(queryset, *, plan_ids=None, indicator_ids=None, via="indicator__"):
    if plan_ids is not None:
        queryset = queryset.filter(**{f"{via}plan_id__in": plan_ids})
    if indicator_ids is not None:
        queryset = queryset.filter(indicator_id__in=indicator_ids)
    return queryset


def targets(*, plan_ids=None, indicator_ids=None) -> list[TargetRow]:
    """The targets of the scope, ordered by id."""
    queryset = scoped(Target.objects.order_by("pk"), plan_ids=plan_ids, indicator_ids=indicator_ids)
    return [TargetRow(*row) for row in fetch(queryset.values_list(*_TARGET_FIELDS))]


def _baselines(*, plan_ids=None, indicator_ids=None):
    queryset = scoped(
        Baseline.objects.filter(value__isnull=False).order_by("year", "pk"),
        plan_ids=plan_ids,
        indicator_ids=indicator_ids,
    )
    found = defaultdict(list)
    for indicator_id, year, value in fetch(queryset.values_list("indicator_id", "year", "value")):
        found[indicator_id].append(attainment.Baseline(year, value))
    return found


def _approved(*, plan_ids=None, indicator_ids=None):
    queryset = scoped(
        Actual.objects.filter(status=Actual.Status.APPROVED).order_by(),
        plan_ids=plan_ids,
        indicator_ids=indicator_ids,
    ).values_list(
        "indicator_id", "region_id", "year", "value", "qualifier", "raw", "qualitative_status"
    )
    series = {}
    for indicator_id, region_id, year, value, qualifier, raw, qualitative in fetch(queryset):
        found = series.get((indicator_id, region_id))
        if found is None:
            found = series[(indicator_id, region_id)] = Series([], {}, {})
        observations, raws, statuses = found
        if value is not None:
            observations.append((year, value, qualifier))
        raws[year] = raw
        if qualitative:
            statuses[year] = qualitative
    return series


def inputs(*, plan_ids=None, indicator_ids=None) -> Inputs:
    """The numeric baselines and the approved actuals of the scope."""
    return Inputs(
        _baselines(plan_ids=plan_ids, indicator_ids=indicator_ids),
        _approved(plan_ids=plan_ids, indicator_ids=indicator_ids),
    )
