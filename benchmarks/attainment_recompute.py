"""Full and incremental attainment recompute at national scale, against the bare SQL cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qualityplan_bench \
        .venv/bin/python benchmarks/attainment_recompute.py \
        [--regions 3000 --indicators 50 --years 10] [--repeat 3]

Creates the database if needed, loads synthetic data once (reused on later runs), then in
one run measures: (1) the bare cost of reading the approved actuals and writing as many
result rows with plain SQL (COPY), (2) a full recompute of every synthetic plan, (3) an
incremental recompute after approving one value. Prints the figures and the ratio.

Before measuring, the results table is vacuumed: the benchmark server runs with autovacuum
off, and without it every run leaves a full set of dead rows behind, so each run would be
slower than the last. When the synthetic plans have no stored results yet (fresh data), a
first recompute fills the table (every row an INSERT) and is timed and printed on its own;
the full recompute measured is then the nightly case, replacing stored results.
With --repeat N, (1) and (2) are measured N times and the medians are printed as well.
Beside the time of (2), its CPU time in Python (this process and its worker processes) is
printed: on a shared machine it moves less with the load than the time does.
"""

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import ensure_database  # noqa: E402 - after the path is set

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualityplan_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def bare_cost(plan_ids):
    """Read the approved actuals and COPY the same number of rows into a scratch table."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.indicator_id, a.region_id, a.year, a.value, a.qualifier, a.raw "
            "FROM indicators_actual a JOIN indicators_indicator i ON i.id = a.indicator_id "
            "WHERE i.plan_id = ANY(%s) AND a.status = 'approved'",
            [plan_ids],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "CREATE TEMP TABLE bench_results (LIKE indicators_attainmentresult "
            "INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        buffer = io.StringIO()
        for n, (indicator_id, region_id, year, value, _q, raw) in enumerate(rows):
            buffer.write(
                f"{n}\t{indicator_id}\t{indicator_id}\t{indicator_id}\t{region_id}\t{year}\t"
                f"achieved\tt\t{value}\t\t{raw}\t\\N\t\\N\t1\t1\t1\t\\N\t\\N\t\t2026-01-01\n"
            )
        buffer.seek(0)
        cursor.cursor.copy_expert(
            "COPY bench_results (id, plan_id, indicator_id, target_id, region_id, year, status,"
            " met, actual, actual_qualifier, actual_raw, baseline_value, baseline_year,"
            " completion, progress, elapsed, projected_value, projected_met, note, computed_at)"
            " FROM STDIN",
            buffer,
        )
    return len(rows), time.perf_counter() - started


def _cpu_seconds():
    """User and system time of this process and of its workers that have ended."""
    user, system, children_user, children_system, _ = os.times()
    return user + system + children_user + children_system


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from indicators.models import Actual, AttainmentResult, Plan
    from indicators.recompute import recompute
    from indicators.synthetic import generate, remove

    call_command("migrate", verbosity=0)
    expected = args.regions * args.indicators * args.years
    synthetic = Plan.objects.filter(is_synthetic=True)
    actuals = Actual.objects.filter(indicator__plan__in=synthetic)
    if actuals.count() != expected:
        remove()
        started = time.perf_counter()
        generate(regions=args.regions, indicators=args.indicators, years=args.years)
        print(f"generated {expected} actuals in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    plan_ids = list(synthetic.values_list("pk", flat=True))
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    if not AttainmentResult.objects.filter(plan_id__in=plan_ids).exists():
        started = time.perf_counter()
        first = recompute(plan_ids=plan_ids)
        print(f"first recompute into an empty table ({first} rows, every one an INSERT): "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    bares, fulls, cpus = [], [], []
    for _ in range(args.repeat):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {AttainmentResult._meta.db_table}")
        n_rows, bare = bare_cost(plan_ids)
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        results = recompute(plan_ids=plan_ids)
        full = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        bares.append(bare)
        fulls.append(full)
        cpus.append(cpu)
        if args.repeat > 1:
            print(f"  bare {bare:.1f} s, full {full:.1f} s ({full / bare:.1f}x), CPU {cpu:.1f} s")

    one = actuals.filter(year=args.years + 2020 - 1).first()
    Actual.objects.filter(pk=one.pk).update(value=one.value + 1, raw=str(one.value + 1))
    started = time.perf_counter()
    recompute(indicator_ids=[one.indicator_id])
    incremental = time.perf_counter() - started
    assert AttainmentResult.objects.filter(plan_id__in=plan_ids).count() == results

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    print(
        f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version}"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"actuals read: {n_rows}, result rows written: {results}")
    bare, full = statistics.median(bares), statistics.median(fulls)
    label = f" (median of {args.repeat})" if args.repeat > 1 else ""
    print(f"bare SQL read + write: {bare:.1f} s{label}")
    print(f"full recompute:        {full:.1f} s  ({full / bare:.1f}x the bare cost){label}")
    print(
        f"full recompute CPU (this process and its workers, PostgreSQL not counted): "
        f"{statistics.median(cpus):.1f} s{label}"
    )
    print(f"incremental recompute after one approval: {incremental * 1000:.0f} ms")


if __name__ == "__main__":
    main()
