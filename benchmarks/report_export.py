"""The auditor's workbook at scale: 100,000 indicator rows, time and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qualityplan_bench \
        .venv/bin/python benchmarks/report_export.py [--plans 2000]

Uses the synthetic data of benchmarks/attainment_recompute.py (run that first). In one run
it measures, each in a fresh process so that peak memory is its own: (1) a bare baseline,
reading the same target rows with one SQL query and writing them to a write-only workbook,
(2) the real workbook for the first N synthetic plans (N × 50 indicator rows).

The real workbook may fork worker processes; its peak memory is the largest sum of the
resident sizes of the process and its workers, sampled every 20 ms (pages the workers share
with the parent are counted in each, so this overstates rather than understates). The
largest sum of their proportional set sizes (shared pages divided among the sharers) is
printed beside it. "cpu" is the processor time of the process and its workers (user +
system), which other work on a shared machine changes less than the wall time; PostgreSQL's
own time is not in it.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualityplan_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def _setup():
    import django

    django.setup()


def bare(plans, out):
    _setup()
    from django.db import connection
    from openpyxl import Workbook

    from indicators.models import Plan

    ids = list(
        Plan.objects.filter(is_synthetic=True).order_by("pk").values_list("pk", flat=True)[:plans]
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.code, i.name, i.unit, t.year, t.comparator, t.value, r.status, "
            "r.completion, r.progress, r.elapsed, i.source_text "
            "FROM indicators_target t JOIN indicators_indicator i ON i.id = t.indicator_id "
            "LEFT JOIN indicators_attainmentresult r ON r.target_id = t.id AND r.year = t.year "
            "WHERE i.plan_id = ANY(%s)",
            [ids],
        )
        rows = 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                ws.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
                rows += 1
    wb.save(out)
    return rows


def full(plans, out):
    _setup()
    from django.contrib.auth import get_user_model

    from indicators.models import Plan
    from reports.builder import build_report

    slugs = list(
        Plan.objects.filter(is_synthetic=True).order_by("pk").values_list("slug", flat=True)[:plans]
    )
    user = get_user_model().objects.filter(is_superuser=True).first() or (
        get_user_model().objects.create_superuser("bench", "", "bench-only-pw")
    )
    return build_report(out, user=user, plan_slugs=slugs)


def _memory_with_children_mb(pid):
    """(RSS, PSS) of `pid` and all its descendants, in MB (Linux /proc)."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(c) for c in children.read().split()]
        except OSError:
            continue  # ended meanwhile
    return rss / 1024, pss / 1024


def child(kind, plans, out):
    peak = [0.0, 0.0]  # RSS, PSS
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            rss, pss = _memory_with_children_mb(os.getpid())
            peak[:] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    rows = {"bare": bare, "full": full}[kind](plans, out)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    peak_mb = max(own.ru_maxrss / 1024, peak[0])
    print(
        f"{kind}\t{rows}\t{elapsed:.2f}\t{peak_mb:.0f}\t{peak[1]:.0f}"
        f"\t{os.path.getsize(out) / 1e6:.1f}\t{cpu:.1f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=2000)
    parser.add_argument("--child", choices=["bare", "full"])
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.plans, args.out)
        return
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for kind in ("bare", "full"):
            out = os.path.join(tmp, f"{kind}.xlsx")
            line = (
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        kind,
                        "--plans",
                        str(args.plans),
                        "--out",
                        out,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            results[kind] = line.split("\t")
    for kind, (_, rows, seconds, peak, pss, size, cpu) in results.items():
        print(
            f"{kind:5} {rows:>7} rows  {seconds:>7} s  cpu {cpu:>6} s  peak RSS {peak:>5} MB"
            f" (PSS {pss:>5} MB)  file {size} MB"
        )
    ratio = float(results["full"][2]) / float(results["bare"][2])
    print(f"full / bare time: {ratio:.1f}x")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
