"""Load test of the dashboards (issue 5) and of data entry under mixed load (issue 7).

    .venv/bin/python benchmarks/load_test.py                      # full size, both scenarios
    .venv/bin/python benchmarks/load_test.py --regions 300 --duration 15   # a quick try

Everything runs on this machine, over loopback only, and stops by itself:

1. Database `qualityplan_load` (created when missing; --database-url for another): migrate,
   the six real plans (`load_plans`), the synthetic national data (--regions × --indicators ×
   --years approved actuals, generated once and reused while the size matches), a
   load-test plan (slug `load-test`, region 880000) with --departments departments of
   --department-indicators indicators each and no actuals, one 领导, one 填报人员 per
   department and --reviewers-b 审核人员 (each in one of the load-test departments, so that
   their queue is every figure submitted in region 880000), then attainment for every plan
   (indicators.recompute.recompute).
2. For each --gunicorn WxT (default 4x2 and 2x4): gunicorn `qualityplan.wsgi:application`
   with DJANGO_SETTINGS_MODULE=benchmarks.load_settings (the production settings, DEBUG off,
   plain HTTP, MD5 password hasher), CACHE_URL and CELERY_BROKER_URL on Redis, and one
   Celery worker; the dashboards are pre-rendered by the worker (dashboards.tasks.
   render_dashboards, as after a full recompute: every plan's page and card, every overview
   page, the first overview page at each year) before each scenario, and the scenario starts
   when the worker has finished that task. Before that, --warmup seconds of the same load,
   not measured, so that the freshly started workers have loaded their code and templates
   (for B, the load-test plan's actuals are deleted before it).
3. Scenario A (issue 5): --leaders-a leaders read the overview and plan pages (real and
   synthetic) for --duration-a seconds. Goal: p95 < 200 ms per page.
4. Scenario B (issues 7 and 18): --users-b users for --duration-b seconds: --clerks-b
   clerks, who land on their work list after login and in each round open it, then their
   department's entry page, and save ONE empty cell as a draft ("_save") or, one time in
   four, send the page for review ("_submit"); --reviewers-b reviewers, who land on the
   review queue and read it, now and then filtered by plan and year; the others leaders as
   in A. Goals: no 5xx; p95 < 300 ms for all reads and for each of the work list, the entry
   page and the review queue; p95 < 500 ms for saves (drafts and submits); actuals the
   load-test plan gained during the measured run == successful saves (its actuals are
   deleted before the warm-up, so the queue starts with the warm-up's submitted figures).

The load comes from locust (benchmarks/locustfile.py, headless, one process, gevent):
users log in through the admin login form and each waits --think seconds (uniform) between
two actions, opening the login form and sending it included (--login-think to set that pause
alone; 0,0 sends the form at once, as a script would). Every user starts in the first second
(all open the login page at once) unless --spawn-rate says how many start per second. Prints
a table and PASS/MISS per goal; the exit status is 0 whatever the figures (it is a benchmark,
not a test). --profile A|B samples the gunicorn workers with py-spy during that scenario and
prints the hottest functions.
"""

import argparse
import collections
import contextlib
import csv
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import ensure_database  # noqa: E402 - after the path is set

VENV_BIN = ROOT / ".venv" / "bin"
LOAD_SLUG = "load-test"
LOAD_REGION = "880000"
PASSWORD = "load-test-pass-1"
LEADER = "load-leader"
YEARS = (2021, 2030)
GOALS = {"A": 200, "B-read": 300, "B-save": 500}
SAVES = ("entry POST _save", "entry POST _submit")
ALL_SAVES = "all saves"
# Issue 18: each of these pages p95 < GOALS["B-read"] in scenario B.
WORK_PAGES = ("work list GET", "entry GET", "review queue GET")


class Deadline(Exception):
    pass


T0 = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - T0:6.0f} s] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Setup (in this process, Django with benchmarks.load_settings and eager Celery)


def drop_load_plan():
    """Remove the load-test plan, its departments and accounts (before regenerating)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from indicators.models import Plan
    from regions.models import Department, Region

    plan = Plan.objects.filter(slug=LOAD_SLUG).first()
    if plan:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM indicators_attainmentresult WHERE plan_id = %s", [plan.pk])
            for table in (
                "indicators_historicalactual",
                "indicators_actual",
                "indicators_target",
                "indicators_baseline",
            ):
                cursor.execute(
                    f"DELETE FROM {table} WHERE indicator_id IN "
                    "(SELECT id FROM indicators_indicator WHERE plan_id = %s)",
                    [plan.pk],
                )
            cursor.execute("DELETE FROM indicators_indicator WHERE plan_id = %s", [plan.pk])
        plan.delete()
    get_user_model().objects.filter(username__startswith="load-").delete()
    Department.objects.filter(region__code=LOAD_REGION).delete()
    Region.objects.filter(code=LOAD_REGION).delete()


def create_load_plan(departments, per_department):
    """A plan with departments and indicators, targets and baselines but no actuals."""
    from decimal import Decimal

    from indicators.models import Baseline, Indicator, Plan, Target
    from regions.models import Department, Region

    region = Region.objects.create(
        code=LOAD_REGION, name="负载测试市", level="city", is_synthetic=True
    )
    plan = Plan.objects.create(
        slug=LOAD_SLUG,
        title="负载测试质量发展规划",
        region=region,
        issuer="负载测试",
        period_start=YEARS[0],
        period_end=YEARS[1],
        notes="负载测试数据(benchmarks/load_test.py),各单位指标均无实际值。",
        is_synthetic=True,
    )
    for d in range(1, departments + 1):
        dept = Department.objects.create(name=f"负载测试单位{d:02d}", region=region)
        for i in range(1, per_department + 1):
            ind = Indicator.objects.create(
                plan=plan,
                code=f"L-{d:02d}-{i:02d}",
                name=f"负载测试指标{d:02d}-{i:02d}合格率",
                category=f"类别{(i - 1) % 4 + 1}",
                unit="%",
                direction="higher",
                measure="level",
                department=dept,
                source_ref="负载测试",
                source_text="负载测试",
            )
            Baseline.objects.create(
                indicator=ind, year=YEARS[0] - 1, value=Decimal(85), raw="85",
                source_ref="负载测试", source_text="负载测试",
            )  # fmt: skip
            for year in (2025, YEARS[1]):
                Target.objects.create(
                    indicator=ind, year=year, comparator="gte", value=Decimal(95),
                    raw="95%以上", source_ref="负载测试", source_text="负载测试",
                )  # fmt: skip
    return plan


def ensure_users(departments, reviewers):
    """The 领导, one 填报人员 per department and `reviewers` 审核人员, each reviewer in one of
    the load-test departments (a reviewer's scope is its department's region tree: every
    load-test figure). Returns ([(clerk, department id)], [reviewer])."""
    from django.contrib.auth import get_user_model

    from accounts import roles, services

    user_model = get_user_model()

    def account(username, role, department=None):
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(PASSWORD)  # MD5 in benchmarks.load_settings
        user.save()
        services.give_role(user, role=role, department=department)  # staff status follows
        return user

    account(LEADER, roles.LEADER)
    clerks = [
        (account(f"load-clerk-{n:02d}", roles.CLERK, dept).username, dept.pk)
        for n, dept in enumerate(departments, start=1)
    ]
    wanted = [f"load-reviewer-{n:02d}" for n in range(1, reviewers + 1)]
    user_model.objects.filter(username__startswith="load-reviewer-").exclude(
        username__in=wanted
    ).delete()
    return clerks, [
        account(name, roles.REVIEWER, departments[n % len(departments)]).username
        for n, name in enumerate(wanted)
    ]


def setup(args):
    """Bring the database to the wanted shape; returns what the load generator needs."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from indicators.models import Actual, AttainmentResult, Indicator, Plan
    from indicators.recompute import recompute
    from indicators.synthetic import generate, remove
    from regions.models import Department

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_plans", stdout=devnull)  # recomputes the real plans when it loads

    expected = args.regions * args.indicators * args.years
    synthetic = Plan.objects.filter(is_synthetic=True).exclude(slug=LOAD_SLUG)
    have = Actual.objects.filter(indicator__plan__in=synthetic).count()
    regenerated = False
    if have != expected or synthetic.count() != args.regions:
        log(f"synthetic actuals: {have}, want {expected}: generating (once)")
        drop_load_plan()
        remove()
        t = time.perf_counter()
        generate(regions=args.regions, indicators=args.indicators, years=args.years)
        log(f"generated {expected} actuals in {time.perf_counter() - t:.0f} s")
        regenerated = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    plan = Plan.objects.filter(slug=LOAD_SLUG).first()
    shape = (args.departments, args.department_indicators)
    if plan is not None:
        depts = Department.objects.filter(region__code=LOAD_REGION).count()
        per = Indicator.objects.filter(plan=plan).count() // max(depts, 1)
        if (depts, per) != shape:
            drop_load_plan()
            plan = None
    if plan is None:
        plan = create_load_plan(*shape)
        log(f"load-test plan: {shape[0]} departments × {shape[1]} indicators, no actuals")
    departments = list(Department.objects.filter(region__code=LOAD_REGION).order_by("name"))
    clerks, reviewers = ensure_users(departments, args.reviewers_b)

    reset_load_actuals(plan)
    synthetic_ids = list(synthetic.values_list("pk", flat=True))
    if regenerated or not AttainmentResult.objects.filter(plan_id__in=synthetic_ids).exists():
        t = time.perf_counter()
        rows = recompute(plan_ids=synthetic_ids)
        log(f"attainment of the synthetic plans: {rows} results in {time.perf_counter() - t:.0f} s")
    real = Plan.objects.filter(is_synthetic=False)
    if not AttainmentResult.objects.filter(plan__in=real).exists():
        recompute(plan_ids=list(real.values_list("pk", flat=True)))
    recompute(plan_ids=[plan.pk])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE indicators_attainmentresult")

    static = Path(os.environ["STATIC_ROOT"])
    if not (static / "staticfiles.json").exists():
        log("collectstatic (once)")
        with open(os.devnull, "w") as devnull:
            call_command("collectstatic", interactive=False, verbosity=0, stdout=devnull)
    log(f"setup done in {time.perf_counter() - started:.0f} s")
    return {
        "clerks": clerks,
        "reviewers": reviewers,
        "real_plans": list(real.order_by("slug").values_list("slug", flat=True)),
        "synthetic_plans": synthetic.count(),
        "overview_pages": -(-Plan.objects.count() // 20),
        "plan_id": plan.pk,
        "pg_version": connection.pg_version,
    }


def reset_load_actuals(plan):
    """Delete the load-test plan's actuals (and their history) so that every cell is empty."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("indicators_historicalactual", "indicators_actual"):
            cursor.execute(
                f"DELETE FROM {table} WHERE indicator_id IN "
                "(SELECT id FROM indicators_indicator WHERE plan_id = %s)",
                [plan.pk if hasattr(plan, "pk") else plan],
            )
        cursor.execute("VACUUM ANALYZE indicators_actual")
        cursor.execute("VACUUM ANALYZE indicators_historicalactual")


def load_actuals(plan_id):
    from indicators.models import Actual

    return Actual.objects.filter(indicator__plan_id=plan_id).count()


# ---------------------------------------------------------------------------------------------
# Processes


class Services:
    """gunicorn and the Celery worker; everything started here is stopped here."""

    def __init__(self, env, workdir):
        self.env, self.workdir, self.procs = env, workdir, []

    def start(self, name, argv):
        out = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append((name, proc, out))
        return proc

    def stop(self, only=None):
        for name, proc, out in list(self.procs):
            if only is not None and proc is not only:
                continue
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            out.close()
            self.procs.remove((name, proc, out))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, proc, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as r:
            if r.status == 200:
                return json.loads(r.read())
        time.sleep(0.5)
    raise RuntimeError(f"{url} not healthy after {timeout} s")


def redis_client(url, db):
    import redis

    return redis.Redis.from_url(f"{url}/{db}")


def prerender(args, overview_pages, timeout=900):
    """Queue dashboards.tasks.render_dashboards on the worker (as after a full recompute) and
    wait until it is done: it renders every plan's page and card, then the overview pages,
    then the first overview page at each year. Done means the overview pages are cached and no
    worker holds the task any more: the year pages come after the last overview page, and a
    scenario started then would share the CPU with them."""
    from qualityplan.celery import app

    cache = redis_client(args.redis, args.cache_db)
    cache.flushdb()
    task = app.send_task("dashboards.tasks.render_dashboards", args=[None])
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pages = sum(1 for _ in cache.scan_iter(match="*dashboards:page:overview:*", count=1000))
        if pages >= overview_pages and not worker_busy_with(app, task.id):
            return time.monotonic() - started
        time.sleep(1)
    log("warning: dashboards not pre-rendered in time; continuing with a partly cold cache")
    return None


def worker_busy_with(app, task_id):
    """Whether a worker runs or holds the task (asked over the broker's control channel); a
    worker that does not answer counts as busy."""
    inspect = app.control.inspect(timeout=2.0)
    active, reserved = inspect.active(), inspect.reserved()
    if active is None or reserved is None:
        return True
    held = [*active.values(), *reserved.values()]
    return any(t["id"] == task_id for tasks in held for t in tasks)


# ---------------------------------------------------------------------------------------------
# Load


def run_locust(args, host, classes, users, duration, info, out_prefix, env):
    env = {
        **env,
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_LEADER": LEADER,
        "LOAD_CLERKS": ",".join(f"{u}:{d}" for u, d in info["clerks"]),
        "LOAD_REVIEWERS": ",".join(info["reviewers"]),
        "LOAD_LEADERS_N": str(classes.get("LeaderUser", 0)),
        "LOAD_CLERKS_N": str(classes.get("ClerkUser", 0)),
        "LOAD_REVIEWERS_N": str(classes.get("ReviewerUser", 0)),
        "LOAD_SUBMIT_SHARE": str(args.submit_share),
        "LOAD_REAL_PLANS": ",".join(info["real_plans"]),
        "LOAD_SYNTHETIC_PLANS": str(info["synthetic_plans"]),
        "LOAD_OVERVIEW_PAGES": str(info["overview_pages"]),
        "LOAD_YEARS": f"{YEARS[0]}-{YEARS[1]}",
        "LOAD_THINK": args.think,
        "LOAD_LOGIN_THINK": args.login_think or args.think,
    }
    argv = [
        str(VENV_BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless", "--only-summary", "--host", host,
        "-u", str(users), "-r", str(args.spawn_rate or users), "--run-time", f"{duration}s",
        "--stop-timeout", "200", "--csv", str(out_prefix), "--loglevel", "WARNING",
        *[c for c, n in classes.items() if n],
    ]  # fmt: skip
    env["LOAD_SAMPLES"] = f"{out_prefix}_samples.csv"
    before_children, before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_times()
    with open(f"{out_prefix}.log", "wb") as logfile:
        subprocess.run(
            argv, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT,
            timeout=duration + 300, check=False,
        )  # fmt: skip
    after_children, after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN), cpu_times()
    busy = after_cpu[0] - before_cpu[0]
    usage = {
        "machine_busy": busy / max(1, busy + after_cpu[1] - before_cpu[1]),
        "locust_cpu_s": (after_children.ru_utime + after_children.ru_stime)
        - (before_children.ru_utime + before_children.ru_stime),
    }
    return (*read_stats(out_prefix, duration), usage)


def cpu_times():
    """(busy, idle) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle, idle


def percentile(values, q):
    """The q-quantile of sorted values (nearest rank)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, int(-(-q * len(values) // 1)) - 1))]


def summarise(samples, duration):
    values = sorted(ms for ms, _status, _failed in samples)
    return {
        "n": len(samples),
        "fail": sum(failed for _ms, _status, failed in samples),
        "5xx": sum(1 for _ms, status, _failed in samples if status >= 500),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "max": values[-1] if values else 0.0,
        "rps": len(samples) / duration,
    }


def read_stats(prefix, duration):
    """Exact per-request figures from the samples the locustfile wrote, plus the failures."""
    by_name = collections.defaultdict(list)
    with open(f"{prefix}_samples.csv", newline="") as f:
        for row in csv.DictReader(f):
            by_name[row["name"]].append((float(row["ms"]), int(row["status"]), int(row["failed"])))
    stats = {name: summarise(rows, duration) for name, rows in sorted(by_name.items())}
    reads = [
        row for name, rows in by_name.items()
        if not name.startswith("login") and name not in SAVES for row in rows
    ]  # fmt: skip
    if reads:
        stats["all reads"] = summarise(reads, duration)
    saves = [row for name in SAVES for row in by_name.get(name, [])]
    if saves:
        stats[ALL_SAVES] = summarise(saves, duration)
    errors = collections.Counter()
    with contextlib.suppress(FileNotFoundError), open(f"{prefix}_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            errors[(row["Name"], row["Error"])] += int(row["Occurrences"])
    return stats, errors


# ---------------------------------------------------------------------------------------------
# py-spy


def profile_start(pid, seconds, out):
    spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(spy).exists():
        log("py-spy not installed (pip install py-spy); no profile")
        return None
    return subprocess.Popen(
        [spy, "record", "--subprocesses", "--idle", "-p", str(pid), "-d", str(seconds),
         "-r", "50", "--format", "raw", "-o", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


PROJECT_FRAME = re.compile(
    r"^(?P<func>.+) \((?P<file>(accounts|dashboards|indicators|ingestion|ops|qualityplan|"
    r"regions|reports)/[^:]+):\d+\)$"
)


def profile_summary(out, top=25):
    """Inclusive share of busy request-thread samples per project function, for SQL and for
    template rendering, from py-spy's raw (collapsed-stack) output."""
    if not Path(out).exists():
        return []
    inclusive, total = collections.Counter(), 0
    for line in Path(out).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not any("handle_request" in f for f in frames):
            continue  # idle threads, gunicorn's own loops
        n = int(count)
        total += n
        keys = set()
        for frame in frames:
            match = PROJECT_FRAME.match(frame)
            if match:
                keys.add(f"{match['func']} ({match['file']})")
            elif "execute (django/db/backends/utils.py" in frame:
                keys.add("SQL: django.db execute (incl. waiting for PostgreSQL)")
            elif "Template.render (django/template/base.py" in frame:
                keys.add("template rendering (django.template)")
            elif "(plotly/" in frame:
                keys.add("plotly (building chart JSON)")
        for key in keys:
            inclusive[key] += n
    return [(k, v, v / total if total else 0) for k, v in inclusive.most_common(top)]


# ---------------------------------------------------------------------------------------------
# Report


def machine(pg_version, redis_version):
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )  # fmt: skip
    pg = f"{pg_version // 10000}.{pg_version % 10000}"
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.1f} GiB, Linux "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}, "
        f"Redis {redis_version}"
    )


def table(stats, names=None):
    lines = [
        "| request | n | fail | 5xx | p50 ms | p95 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in stats.items():
        if names is not None and name not in names:
            continue
        lines.append(
            f"| {name} | {s['n']} | {s['fail']} | {s['5xx']} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['max']:.0f} | {s['rps']:.1f} |"
        )
    return "\n".join(lines)


def verdict(ok):
    return "PASS" if ok else "MISS"


def judge(scenario, stats, extra):
    """[(goal, figure, PASS/MISS)] for one scenario's stats."""
    pages = {
        n: s for n, s in stats.items()
        if n not in ("all reads", ALL_SAVES) and not n.startswith("login")
    }  # fmt: skip
    out = []
    if scenario == "A":
        for name, s in pages.items():
            ok = verdict(s["p95"] < GOALS["A"])
            out.append((f"p95 < {GOALS['A']} ms: {name}", f"{s['p95']:.0f} ms", ok))
        return out
    reads = {n: s for n, s in pages.items() if n not in SAVES}
    save = stats.get(ALL_SAVES, {"p95": 0, "n": 0, "fail": 0})
    fivexx = sum(s["5xx"] for n, s in stats.items() if n not in ("all reads", ALL_SAVES))
    out.append(("no 5xx", f"{fivexx} responses 5xx", verdict(fivexx == 0)))
    everything = stats.get("all reads", {"p95": 0})
    worst = max(reads.items(), key=lambda kv: kv[1]["p95"]) if reads else ("-", {"p95": 0})
    out.append(
        (f"reads p95 < {GOALS['B-read']} ms", f"all reads {everything['p95']:.0f} ms "
         f"(worst page {worst[0]} {worst[1]['p95']:.0f} ms)",
         verdict(everything["p95"] < GOALS["B-read"]))
    )  # fmt: skip
    for name in WORK_PAGES:  # issue 18
        page = stats.get(name)
        out.append(
            (f"{name} p95 < {GOALS['B-read']} ms",
             f"{page['p95']:.0f} ms (n {page['n']})" if page else "no requests",
             verdict(page is not None and page["p95"] < GOALS["B-read"]))
        )  # fmt: skip
    by_kind = ", ".join(
        f"{n.rsplit(' ', 1)[-1]} {stats[n]['p95']:.0f} ms" for n in SAVES if n in stats
    )
    ok = verdict(save["p95"] < GOALS["B-save"])
    out.append(
        (f"saves p95 < {GOALS['B-save']} ms", f"{save['p95']:.0f} ms ({by_kind})", ok)
    )  # fmt: skip
    ok_saves = save["n"] - save["fail"]
    out.append(
        ("actuals created == successful saves",
         f"{extra['actuals']} actuals / {ok_saves} saves and submits "
         f"(failed: {save['fail']})",
         verdict(extra["actuals"] == ok_saves))
    )  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/qualityplan_load"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--broker-db", type=int, default=12)
    parser.add_argument("--cache-db", type=int, default=13)
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--departments", type=int, default=50)
    parser.add_argument("--department-indicators", type=int, default=10)
    parser.add_argument(
        "--gunicorn",
        action="append",
        metavar="WORKERSxTHREADS",
        help="gunicorn workers x threads; repeat to try several (default 4x2, 2x4)",
    )
    parser.add_argument("--scenario", action="append", choices=["A", "B"])
    parser.add_argument("--duration", type=int, help="seconds for both scenarios (a quick try)")
    parser.add_argument("--duration-a", type=int, default=60)
    parser.add_argument("--duration-b", type=int, default=120)
    parser.add_argument("--leaders-a", type=int, default=20)
    parser.add_argument(
        "--users-b", type=int, default=55, help="users in B: clerks, reviewers, the rest leaders"
    )
    parser.add_argument("--clerks-b", type=int, default=25)
    parser.add_argument("--reviewers-b", type=int, default=5)
    parser.add_argument(
        "--submit-share", type=float, default=0.25,
        help="share of the clerks' figures sent for review (_submit) rather than saved as drafts",
    )  # fmt: skip
    parser.add_argument("--think", default="1,3", help="seconds between two actions: MIN,MAX")
    parser.add_argument(
        "--login-think",
        default=None,
        help="seconds between opening the login form and sending it: MIN,MAX (default: "
        "--think; 0,0: sent at once)",
    )
    parser.add_argument(
        "--spawn-rate", type=float,
        help="users started per second (default: every user in the first second, each "
        "logging in at once)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup", type=int, default=15, help="seconds of unmeasured load before each scenario"
    )
    parser.add_argument("--profile", choices=["A", "B"], help="py-spy the workers in this scenario")
    parser.add_argument("--time-limit", type=int, default=5400, help="seconds for the whole run")
    parser.add_argument(
        "--out", default=None, help="folder for logs and CSVs (default: a temp dir)"
    )
    args = parser.parse_args()  # fmt: skip
    if not (VENV_BIN / "locust").exists():
        sys.exit("locust is not installed in .venv: run scripts/setup --benchmark first.")
    if args.users_b < args.clerks_b + args.reviewers_b:
        parser.error("--users-b counts every user of B: at least --clerks-b + --reviewers-b")
    configs = args.gunicorn or ["4x2", "2x4"]
    scenarios = args.scenario or ["A", "B"]
    if args.duration:
        args.duration_a = args.duration_b = args.duration
    workdir = Path(args.out or tempfile.mkdtemp(prefix="qualityplan-load-"))
    workdir.mkdir(parents=True, exist_ok=True)

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
        "DEBUG": "false",
        "CACHE_URL": f"rediscache://{args.redis.split('://', 1)[1]}/{args.cache_db}",
        "CELERY_BROKER_URL": f"{args.redis}/{args.broker_db}",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "qualityplan_load_static"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    os.environ["QUALITYPLAN_LOAD_EAGER"] = "1"  # this process only: tasks in-process
    # This process only: no cache. What the setup would cache is emptied before each scenario,
    # and the production settings refuse a cache local to one process.
    os.environ["CACHE_URL"] = "dummycache://"

    def on_alarm(signum, frame):
        raise Deadline(f"time limit of {args.time_limit} s reached")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(1))
    signal.alarm(args.time_limit)

    log(f"logs and CSVs in {workdir}")
    if ensure_database(args.database_url):
        log("created database " + args.database_url.rsplit("/", 1)[-1])
    info = setup(args)
    redis_version = redis_client(args.redis, args.broker_db).info()["redis_version"]
    started_at = datetime.datetime.now().astimezone()
    results = []
    services = Services(env, workdir)
    try:
        redis_client(args.redis, args.broker_db).flushdb()
        services.start("celery", [
            str(VENV_BIN / "celery"), "-A", "qualityplan", "worker", "-l", "WARNING",
            "--concurrency", "1", "--without-gossip", "--without-mingle", "-n", "load@%h",
        ])  # fmt: skip
        for config in configs:
            workers, threads = (int(x) for x in config.lower().split("x"))
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            gunicorn = services.start(f"gunicorn-{config}", [
                str(VENV_BIN / "gunicorn"), "qualityplan.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--threads", str(threads), "--timeout", "120", "--log-level", "warning",
                "--worker-tmp-dir", "/dev/shm",
            ])  # fmt: skip
            health = wait_healthy(f"{host}/healthz/", gunicorn)
            log(f"gunicorn {workers} workers x {threads} threads on {host}: {health}")
            for scenario in scenarios:
                if scenario == "A":
                    classes, users, duration = (
                        {"LeaderUser": args.leaders_a},
                        args.leaders_a,
                        args.duration_a,
                    )
                else:
                    leaders = args.users_b - args.clerks_b - args.reviewers_b
                    classes = {
                        "LeaderUser": leaders,
                        "ClerkUser": args.clerks_b,
                        "ReviewerUser": args.reviewers_b,
                    }
                    users, duration = args.users_b, args.duration_b
                prefix = workdir / f"{config}-{scenario}"
                if scenario == "B":
                    # Every cell empty again; what the warm-up submits starts the queue.
                    reset_load_actuals(info["plan_id"])
                if args.warmup:
                    # Freshly started workers load code and templates on their first
                    # requests; a running server has done so long ago. Not measured.
                    run_locust(args, host, classes, users, args.warmup, info,
                               workdir / f"{config}-{scenario}-warmup", env)  # fmt: skip
                warm = prerender(args, info["overview_pages"])
                log(f"[{config} {scenario}] dashboards pre-rendered by the worker in "
                    f"{warm if warm is None else round(warm, 1)} s")  # fmt: skip
                spy = None
                if args.profile == scenario:
                    spy = profile_start(gunicorn.pid, duration, f"{prefix}-pyspy.txt")
                actuals_before = load_actuals(info["plan_id"]) if scenario == "B" else 0
                load_before = os.getloadavg()[0]
                t = time.monotonic()
                log(f"[{config} {scenario}] {users} users for {duration} s ({classes})")
                stats, errors, usage = run_locust(
                    args, host, classes, users, duration, info, prefix, env
                )
                wall = time.monotonic() - t
                if spy is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        spy.wait(timeout=60)
                extra = {
                    "load_before": load_before,
                    "load_after": os.getloadavg()[0],
                    "wall": wall,
                    **usage,
                }
                if scenario == "B":
                    extra["actuals_before"] = actuals_before
                    extra["actuals"] = load_actuals(info["plan_id"]) - actuals_before
                goals = judge(scenario, stats, extra)
                results.append({
                    "config": config, "scenario": scenario, "users": users, "classes": classes,
                    "duration": duration, "stats": stats,
                    "errors": {f"{n}: {e}": c for (n, e), c in errors.items()},
                    "extra": extra, "goals": goals,
                    "profile": profile_summary(f"{prefix}-pyspy.txt") if spy else [],
                })  # fmt: skip
                report_one(results[-1])
            services.stop(only=gunicorn)
    finally:
        signal.alarm(0)
        services.stop()
    summary = {
        "command": " ".join([".venv/bin/python", "benchmarks/load_test.py", *sys.argv[1:]]),
        "date": started_at.isoformat(timespec="minutes"),
        "machine": machine(info["pg_version"], redis_version),
        "data": (f"{args.regions} synthetic plans × {args.indicators} indicators × {args.years} "
                 f"years = {args.regions * args.indicators * args.years} approved actuals, the "
                 f"6 real plans, load-test plan {args.departments} departments × "
                 f"{args.department_indicators} indicators"),
        "think": args.think,
        "login_think": args.login_think or args.think,
        "results": results,
    }  # fmt: skip
    (workdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print()
    print(f"command: {summary['command']}")
    print(f"date: {summary['date']}; machine: {summary['machine']}")
    print(
        f"data: {summary['data']}; think time {args.think} s, "
        f"before sending the login form {summary['login_think']} s"
    )
    print()
    print("| gunicorn | scenario | goal | figure | verdict |")
    print("|---|---|---|---|---|")
    for r in results:
        for goal, figure, ok in r["goals"]:
            print(f"| {r['config']} | {r['scenario']} | {goal} | {figure} | {ok} |")
    print(f"\nsummary: {workdir / 'summary.json'}")
    return 0


def report_one(r):
    print()
    print(f"### gunicorn {r['config']}, scenario {r['scenario']}: {r['users']} users "
          f"{r['classes']}, {r['duration']} s (load average {r['extra']['load_before']:.1f} → "
          f"{r['extra']['load_after']:.1f}; machine CPU busy {r['extra']['machine_busy']:.0%}, "
          f"locust used {r['extra']['locust_cpu_s']:.0f} CPU-s)")  # fmt: skip
    print(table(r["stats"]))
    if r["errors"]:
        print("failures:", json.dumps(r["errors"], ensure_ascii=False))
    for goal, figure, ok in r["goals"]:
        print(f"  {ok}  {goal}: {figure}")
    if r["profile"]:
        print("  py-spy, share of busy worker samples (inclusive):")
        for name, _n, share in r["profile"]:
            print(f"    {share:6.1%}  {name}")
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Deadline as exc:
        log(str(exc))
        sys.exit(0)
