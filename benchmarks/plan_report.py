"""The implementation report (规划实施情况报告, .docx) of the largest synthetic plan: time and
peak memory, against the bare cost of reading its stored results.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qualityplan_bench \
        .venv/bin/python benchmarks/plan_report.py [--repeat 5]

Uses the synthetic data of benchmarks/attainment_recompute.py (run that first). Each
measurement runs in a fresh process, so that its peak memory is its own: (1) bare: the plan's
rows read through reports.selectors.plan_report, as the document reads them; (2) full: the
document written (reads, words, the status chart drawn by matplotlib, the .docx saved).
Prints the median of --repeat runs of each.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualityplan_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def _largest_plan():
    from django.db.models import Count

    from indicators.models import Plan

    return (
        Plan.objects.filter(is_synthetic=True)
        .select_related("region")
        .annotate(targets=Count("indicators__targets"))
        .order_by("-targets", "pk")
        .first()
    )


def _user():
    from django.contrib.auth import get_user_model

    users = get_user_model()
    return users.objects.filter(is_superuser=True).first() or users.objects.create_superuser(
        "bench", "", "bench-only-pw"
    )


def child(kind, out):
    import django

    django.setup()
    from django.utils import translation

    from reports.document import build_plan_report
    from reports.selectors import plan_report

    plan, user = _largest_plan(), _user()
    started = time.perf_counter()
    with translation.override("zh-hans"):
        if kind == "bare":
            rows = len(plan_report(plan, user=user).rows)
        else:
            rows = build_plan_report(out, user=user, plan=plan)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = os.path.getsize(out) / 1e3 if kind == "full" else 0
    print(f"{plan.slug}\t{rows}\t{elapsed:.3f}\t{peak:.0f}\t{size:.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=["bare", "full"])
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out)
        return
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    results = {"bare": [], "full": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.docx")
        for _ in range(args.repeat):
            for kind in results:
                line = subprocess.run(
                    [sys.executable, __file__, "--child", kind, "--out", out],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.strip()
                results[kind].append(line.splitlines()[-1].split("\t"))
    for kind, runs in results.items():
        slug, rows = runs[0][0], runs[0][1]
        seconds = statistics.median(float(r[2]) for r in runs)
        peak = max(int(r[3]) for r in runs)
        size = f"  file {runs[0][4]} kB" if kind == "full" else ""
        print(
            f"{kind:5} {slug} {rows} indicators  median {seconds:.2f} s of {len(runs)}"
            f"  (each: {', '.join(r[2] for r in runs)})  peak RSS {peak} MB{size}"
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
