"""Reproducible synthetic plans and approved actuals, for scale tests and benchmarks.

Each synthetic region gets its own plan with M indicators over K years and an approved
actual for every indicator and year. Everything is marked `is_synthetic` and removed by
`remove_synthetic`.
"""

import csv
import io
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from regions.models import Region

from .models import Actual, Baseline, Indicator, Plan, Target

ROOT_CODE = "900000"
REGIONS_PER_PROVINCE = 100
FIRST_YEAR = 2021

# (unit, direction, measure, comparator) of the indicator kinds, cycled through.
KINDS = [
    ("%", "higher", "level", "gte"),
    ("%", "lower", "level", "lte"),
    ("项", "higher", "cumulative", "gte"),
    ("项", "higher", "new", "gte"),
    ("家", "higher", "per_year", "gte"),
    ("%", "higher", "level", "range"),
]


def _copy(model, columns, rows):
    """Insert rows fast: COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {model._meta.db_table} ({', '.join(columns)}) "
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


def _series(rng, kind, years):
    """Baseline, target and yearly values for one indicator in one region."""
    _unit, direction, measure, _comparator = kind
    if measure == "new":
        yearly = [Decimal(rng.randint(5, 40)) for _ in years]
        return Decimal(0), Decimal(sum(yearly[:-1]) + rng.randint(-20, 40)), yearly
    if measure == "per_year":
        return None, Decimal(20), [Decimal(rng.randint(12, 28)) for _ in years]
    if measure == "cumulative":
        base = Decimal(rng.randint(50, 200))
        values, level = [], base
        for _ in years:
            level += rng.randint(0, 25)
            values.append(level)
        return base, base + rng.randint(50, 250), values
    base = Decimal(rng.randint(600, 900)) / 10
    step = Decimal(rng.randint(-5, 15)) / 10 * (-1 if direction == "lower" else 1)
    values = [
        min(
            Decimal(100),
            max(Decimal(0), base + step * (i + 1) + Decimal(rng.randint(-10, 10)) / 10),
        )
        for i in range(len(years))
    ]
    goal = base + (Decimal(-5) if direction == "lower" else Decimal(5))
    return base, min(Decimal(100), max(Decimal(0), goal)), values


@transaction.atomic
def generate(*, regions, indicators, years, seed=20261122):
    """Create the synthetic tree, plans, targets, baselines and approved actuals."""
    rng = random.Random(seed)
    root, _ = Region.objects.get_or_create(
        code=ROOT_CODE,
        defaults={"name": "合成数据(全国)", "level": "national", "is_synthetic": True},
    )
    period = list(range(FIRST_YEAR, FIRST_YEAR + years))
    now = timezone.now()
    counts = {"regions": 0, "plans": 0, "indicators": 0, "actuals": 0}
    for n in range(regions):
        province_no, district_no = divmod(n, REGIONS_PER_PROVINCE)
        province, _ = Region.objects.get_or_create(
            code=f"9{province_no + 1:02d}000",
            defaults={
                "name": f"合成省{province_no + 1}",
                "level": "province",
                "parent": root,
                "is_synthetic": True,
            },
        )
        region = Region.objects.create(
            code=f"9{province_no + 1:02d}{district_no + 1:03d}",
            name=f"合成区{n + 1}",
            level="district",
            parent=province,
            is_synthetic=True,
        )
        plan = Plan.objects.create(
            slug=f"synthetic-{n + 1}",
            title=f"合成质量发展规划 {n + 1}",
            region=region,
            issuer="合成数据",
            period_start=period[0],
            period_end=period[-1],
            seed_file="",
            notes="合成数据,仅用于规模测试。",
            is_synthetic=True,
        )
        _copy(
            Indicator,
            [
                "plan_id",
                "code",
                "name",
                "category",
                "unit",
                "direction",
                "measure",
                "source_ref",
                "source_text",
                "notes",
                "canonical_note",
            ],
            (
                [
                    plan.pk,
                    f"S-{i + 1:03d}",
                    f"合成指标{i + 1}",
                    "合成",
                    KINDS[i % len(KINDS)][0],
                    KINDS[i % len(KINDS)][1],
                    KINDS[i % len(KINDS)][2],
                    "合成",
                    "合成数据",
                    "",
                    "",
                ]
                for i in range(indicators)
            ),
        )
        ids = list(plan.indicators.order_by("code").values_list("pk", flat=True))
        target_rows, baseline_rows, actual_rows = [], [], []
        for i, indicator_id in enumerate(ids):
            kind = KINDS[i % len(KINDS)]
            base, goal, values = _series(rng, kind, period)
            comparator = kind[3]
            upper = goal + 2 if comparator == "range" else None
            target_rows.append(
                [
                    indicator_id,
                    period[-1],
                    False,
                    comparator,
                    goal,
                    upper,
                    "",
                    f"{goal}",
                    "合成",
                    "合成数据",
                ]
            )
            if base is not None and kind[2] != "new":
                baseline_rows.append(
                    [indicator_id, period[0] - 1, base, f"{base}", "合成", "合成数据"]
                )
            for year, value in zip(period, values, strict=True):
                actual_rows.append(
                    [
                        indicator_id,
                        region.pk,
                        year,
                        value,
                        "",
                        f"{value}",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "approved",
                        "",
                        "",
                        "",
                        "",
                        1,
                        now,
                        False,
                    ]
                )
        _copy(
            Target,
            [
                "indicator_id",
                "year",
                "year_implied",
                "comparator",
                "value",
                "value_max",
                "qualitative_text",
                "raw",
                "source_ref",
                "source_text",
            ],
            target_rows,
        )
        _copy(
            Baseline,
            ["indicator_id", "year", "value", "raw", "source_ref", "source_text"],
            baseline_rows,
        )
        _copy(
            Actual,
            [
                "indicator_id",
                "region_id",
                "year",
                "value",
                "qualifier",
                "raw",
                "qualitative_status",
                "evidence",
                "note",
                "explanation",
                "next_steps",
                "status",
                "return_reason",
                "suspicion",
                "source_ref",
                "source_text",
                "version",
                "updated_at",
                "is_sample",
            ],
            actual_rows,
        )
        counts["regions"] += 1
        counts["plans"] += 1
        counts["indicators"] += len(ids)
        counts["actuals"] += len(actual_rows)
    return counts


@transaction.atomic
def remove():
    """Delete every synthetic plan (with its indicators, results and actuals) and region."""
    plans = Plan.objects.filter(is_synthetic=True)
    plan_ids = list(plans.values_list("pk", flat=True))
    from .models import AttainmentResult

    for model, lookup in [
        (AttainmentResult, "plan_id__in"),
        (Actual, "indicator__plan_id__in"),
        (Target, "indicator__plan_id__in"),
        (Baseline, "indicator__plan_id__in"),
        (Indicator, "plan_id__in"),
    ]:
        rows = model.objects.filter(**{lookup: plan_ids})
        rows._raw_delete(rows.db)
    deleted = plans.count()
    plans.delete()
    for level in ("district", "city", "province", "national"):
        Region.objects.filter(is_synthetic=True, level=level).delete()
    return deleted
