"""Recompute stored attainment results from approved actuals (the Celery jobs call this)."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import attainment
from .models import Actual, AttainmentResult, Baseline, Target

RESULT_COLUMNS = [
    "plan_id",
    "indicator_id",
    "target_id",
    "region_id",
    "year",
    "status",
    "met",
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
    "note",
    "computed_at",
]


def thresholds():
    return attainment.Thresholds(
        on_track=Decimal(str(settings.ATTAINMENT_ON_TRACK_SHARE)),
        lagging=Decimal(str(settings.ATTAINMENT_LAGGING_SHARE)),
    )


def _baselines(indicator_ids):
    """Per indicator, its numeric baselines as (year, value), in the order stated."""
    found = defaultdict(list)
    for indicator_id, year, value in (
        Baseline.objects.filter(indicator_id__in=indicator_ids, value__isnull=False)
        .order_by("year", "pk")
        .values_list("indicator_id", "year", "value")
    ):
        found[indicator_id].append((year, value))
    return found


def _reference_baseline(baselines, target_year):
    earlier = [(y, v) for y, v in baselines if y <= target_year]
    if not earlier:
        return None
    latest = max(y for y, _ in earlier)
    return next((y, v) for y, v in earlier if y == latest)


def _approved(indicator_ids):
    """Per (indicator, region): observations, raw texts and qualitative statuses by year."""
    series = defaultdict(lambda: ([], {}, {}))
    for indicator_id, region_id, year, value, qualifier, raw, qualitative in (
        Actual.objects.filter(indicator_id__in=indicator_ids, status=Actual.Status.APPROVED)
        .values_list(
            "indicator_id", "region_id", "year", "value", "qualifier", "raw", "qualitative_status"
        )
        .iterator(chunk_size=20000)
    ):
        observations, raws, qualitative_by_year = series[(indicator_id, region_id)]
        if value is not None:
            observations.append(attainment.Observation(year, value, qualifier))
        raws[year] = raw
        if qualitative:
            qualitative_by_year[year] = qualitative
    return series


def compute_rows(targets, now):
    """Result rows (tuples in RESULT_COLUMNS order) for the given target dicts."""
    indicator_ids = {t["indicator_id"] for t in targets}
    baselines = _baselines(indicator_ids)
    series = _approved(indicator_ids)
    regions_of = defaultdict(set)
    for indicator_id, region_id in series:
        regions_of[indicator_id].add(region_id)
    limits = thresholds()
    for t in targets:
        terms = attainment.TargetTerms(
            year=t["year"],
            comparator=t["comparator"],
            value=t["value"],
            value_max=t["value_max"],
            direction=t["indicator__direction"],
            measure=t["indicator__measure"],
        )
        plan_region = t["indicator__plan__region_id"]
        start = t["indicator__plan__period_start"]
        plan_baseline = _reference_baseline(baselines.get(t["indicator_id"], []), t["year"])
        for region_id in sorted(regions_of[t["indicator_id"]] | {plan_region}):
            observations, raws, qualitative = series.get(
                (t["indicator_id"], region_id), ([], {}, {})
            )
            # The plan's baseline is its own region's; other regions start from their data.
            baseline = plan_baseline if region_id == plan_region else None
            for year in range(start, t["year"] + 1):
                r = attainment.evaluate(
                    terms,
                    year=year,
                    period_start=start,
                    observations=observations,
                    baseline=baseline,
                    qualitative_status=qualitative.get(year),
                    thresholds=limits,
                )
                yield (
                    t["indicator__plan_id"],
                    t["indicator_id"],
                    t["id"],
                    region_id,
                    year,
                    str(r.status),
                    r.met,
                    r.actual,
                    r.actual_qualifier,
                    raws.get(year, ""),
                    r.baseline_value,
                    r.baseline_year,
                    r.completion,
                    r.progress,
                    r.elapsed,
                    r.projected_value,
                    r.projected_met,
                    r.note,
                    now,
                )


def _targets(*, plan_ids=None, indicator_ids=None):
    targets = Target.objects.all()
    if plan_ids is not None:
        targets = targets.filter(indicator__plan_id__in=plan_ids)
    if indicator_ids is not None:
        targets = targets.filter(indicator_id__in=indicator_ids)
    return list(
        targets.values(
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
    )


def _copy_rows(rows):
    """Write rows with PostgreSQL's COPY, the fastest path; returns the count."""
    buffer, count = io.StringIO(), 0
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
        count += 1
    buffer.seek(0)
    table = AttainmentResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
    return count


def _insert_rows(rows):
    if connection.vendor == "postgresql":
        return _copy_rows(rows)
    objects = [AttainmentResult(**dict(zip(RESULT_COLUMNS, row, strict=True))) for row in rows]
    AttainmentResult.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def recompute(*, plan_ids=None, indicator_ids=None):
    """Replace the stored results of the given plans or indicators; returns the row count.

    The old rows are deleted and the new ones written in one transaction, so a reader sees
    either the old results or the new ones, never a mix.
    """
    targets = _targets(plan_ids=plan_ids, indicator_ids=indicator_ids)
    rows = compute_rows(targets, timezone.now())
    with transaction.atomic():
        stale = AttainmentResult.objects.all()
        if plan_ids is not None:
            stale = stale.filter(plan_id__in=plan_ids)
        if indicator_ids is not None:
            stale = stale.filter(indicator_id__in=indicator_ids)
        stale._raw_delete(stale.db)
        return _insert_rows(rows)
