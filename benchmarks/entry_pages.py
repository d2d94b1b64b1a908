"""One request at a time: the clerk's work list, the entry page and the reviewer's queue.

    .venv/bin/python benchmarks/entry_pages.py [--n 30] [--clerk load-clerk-01] [--year 2025]

Against the load test's database (`qualityplan_load`, built by benchmarks/load_test.py: plan
`load-test`, clerks `load-clerk-NN`, reviewers `load-reviewer-NN`), with the load test's
settings (benchmarks.load_settings: DEBUG off, so templates are cached as in production;
Redis cache on db 12, not the load test's). The Django test client logs in (force_login, no
password check) as a clerk and a reviewer and reads, N times each after 3 unmeasured warm-up
reads:

- the clerk's work list (`/admin/indicators/actual/worklist/`);
- the entry page of the clerk's department (`/admin/indicators/actual/entry/?department=…&year=…`);
- the review queue, first page (`/admin/indicators/actual/review/`).

For each page it prints the median and p95 wall time, the median CPU time of this process
(time.process_time: Django and the template rendering; PostgreSQL's own time is not in it),
the number of queries and the size of the page. Nothing is written but the sessions of the
two logins and their users' last_login.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualityplan_load")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.load_settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/12")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("STATIC_ROOT", "/tmp/qualityplan_load_static")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

WORKLIST = "/admin/indicators/actual/worklist/"
ENTRY = "/admin/indicators/actual/entry/"
REVIEW = "/admin/indicators/actual/review/"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, url, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return {
        "median": statistics.median(walls) * 1000,
        "p95": percentile(walls, 0.95) * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="measured reads of each page")
    parser.add_argument("--clerk", default="load-clerk-01")
    parser.add_argument("--reviewer", default="load-reviewer-01")
    parser.add_argument("--year", type=int, default=2025, help="the entry page's year")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.scope import department_of

    users = get_user_model().objects
    clerk_user, reviewer_user = users.get(username=args.clerk), users.get(username=args.reviewer)
    clerk, reviewer = Client(), Client()
    clerk.force_login(clerk_user)
    reviewer.force_login(reviewer_user)
    department = department_of(clerk_user)
    pages = [
        ("work list", clerk, WORKLIST),
        ("entry page", clerk, f"{ENTRY}?department={department.pk}&year={args.year}"),
        ("review queue", reviewer, REVIEW),
    ]
    print(f"{'page':<14}{'median ms':>10}{'p95 ms':>9}{'CPU ms':>9}{'queries':>9}{'KB':>7}")
    for name, client, url in pages:
        m = measure(client, url, args.n)
        print(
            f"{name:<14}{m['median']:>10.1f}{m['p95']:>9.1f}{m['cpu']:>9.1f}"
            f"{m['queries']:>9}{m['kb']:>7.1f}"
        )


if __name__ == "__main__":
    main()
