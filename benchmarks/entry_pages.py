"""One request at a time: the login, the clerk's work list, the entry page and the reviewer's queue.

    .venv/bin/python benchmarks/entry_pages.py [--n 30] [--clerk load-clerk-01] [--year 2025]

Against the load test's database (`qualityplan_load`, built by benchmarks/load_test.py: plan
`load-test`, clerks `load-clerk-NN`, reviewers `load-reviewer-NN`, password
load_test.PASSWORD), with the load test's settings (benchmarks.load_settings: DEBUG off, so
templates are cached as in production, MD5 password hasher; Redis cache on db 12, not the load
test's). First the clerk logs in N times through the admin's login form as a browser does
(`next` as the form carries it; without cookies each time, CSRF not checked):

- the login POST (`/admin/login/`), and where it sends the clerk if that is not the work list
  itself (`/start/`, which redirects there);

then the Django test client logs in (force_login, no password check) as a clerk and a
reviewer and reads, N times each after 3 unmeasured warm-up reads:

- the clerk's work list (`/admin/indicators/actual/worklist/`);
- the entry page of the clerk's department (`/admin/indicators/actual/entry/?department=…&year=…`);
- the review queue, first page (`/admin/indicators/actual/review/`).

For each request it prints the median and p95 wall time, the median CPU time of this process
(time.process_time: Django and the template rendering; PostgreSQL's own time is not in it),
the number of queries and the size of the page. Nothing is written but the sessions of the
logins (those of the measured logins are deleted again), the users' last_login and django-axes'
access log (a row per login).
"""

import argparse
import html
import os
import re
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
LOGIN = "/admin/login/"
LANDING = "/start/"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _figures(walls, cpus, queries, response):
    return {
        "median": statistics.median(walls) * 1000,
        "p95": percentile(walls, 0.95) * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


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
    return _figures(walls, cpus, queries, response)


def measure_login(username, password, n):
    """The login POST, and the hop to /start/ where the login sends the user there: each
    measured N times (after 3 unmeasured), each time without cookies. Returns
    [(name, figures)]."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    form = Client().get(LOGIN)
    assert form.status_code == 200, form.status_code
    following = html.unescape(re.search(r'name="next" value="([^"]*)"', form.text).group(1))
    data = {"username": username, "password": password, "next": following}
    sessions = []

    client = Client()  # one, as one server process: a new one loads the middleware again

    def log_in(capture=None):
        client.cookies.clear()  # logged out: a browser that comes for the first time
        wall, cpu = time.perf_counter(), time.process_time()
        if capture is None:
            response = client.post(LOGIN, data)
        else:
            with capture:
                response = client.post(LOGIN, data)
        timed = (time.perf_counter() - wall, time.process_time() - cpu)
        assert response.status_code == 302, (username, response.status_code)
        sessions.append(client.cookies["sessionid"].value)
        return client, response, timed

    hops = {"walls": [], "cpus": []}
    walls, cpus = [], []
    for i in range(n + 3):
        client, response, (wall, cpu) = log_in()
        if i >= 3:
            walls.append(wall)
            cpus.append(cpu)
        if response["Location"] == LANDING:
            wall, cpu = time.perf_counter(), time.process_time()
            hop = client.get(LANDING)
            if i >= 3:
                hops["walls"].append(time.perf_counter() - wall)
                hops["cpus"].append(time.process_time() - cpu)
    capture = CaptureQueriesContext(connection)
    client, response, _ = log_in(capture)
    measured = [("login POST", _figures(walls, cpus, capture, response))]
    if response["Location"] == LANDING:
        with CaptureQueriesContext(connection) as queries:
            hop = client.get(LANDING)
        measured.append(("→ /start/", _figures(hops["walls"], hops["cpus"], queries, hop)))
        landed = hop["Location"]
    else:
        landed = response["Location"]
    assert landed == WORKLIST, landed
    Session.objects.filter(session_key__in=sessions).delete()
    return measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="measured reads of each page")
    parser.add_argument("--clerk", default="load-clerk-01")
    parser.add_argument("--reviewer", default="load-reviewer-01")
    parser.add_argument("--year", type=int, default=2025, help="the entry page's year")
    parser.add_argument("--password", default="load-test-pass-1", help="load_test.PASSWORD")
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

    def show(name, m):
        print(
            f"{name:<14}{m['median']:>10.1f}{m['p95']:>9.1f}{m['cpu']:>9.1f}"
            f"{m['queries']:>9}{m['kb']:>7.1f}"
        )

    for name, m in measure_login(args.clerk, args.password, args.n):
        show(name, m)
    for name, client, url in pages:
        show(name, measure(client, url, args.n))


if __name__ == "__main__":
    main()
