"""Recompute stored attainment results from approved actuals (the Celery jobs call this).

A recompute reads the targets, baselines and approved actuals in scope, judges every
(target, region) series with `attainment.evaluate_series_rows` (all years in one pass) and
replaces the stored rows of the scope in ONE transaction, so a reader sees either the old
results or the new ones, never a mix.

On PostgreSQL (issue 4, national scale):
- rows are read with plain cursors (no model instances, no per-row ORM work);
- the new rows are streamed as COPY text into a temporary table while they are computed
  (PostgreSQL ingests one batch while Python computes the next), then the stored rows are
  updated in place from it, the missing ones inserted and those no longer produced deleted.
  Updating rather than deleting and re-inserting keeps the ids and spares PostgreSQL the
  four foreign-key checks per inserted row (an update that keeps the keys needs none);
- a large recompute outside a transaction is split by plan across worker processes
  (`workers`, one per core up to MAX_WORKERS), each with its own connection and its own
  transaction: every plan is still replaced in one transaction, by one worker.
Elsewhere (SQLite in tests) the rows are deleted and bulk-created.
"""

import os
import pickle
import traceback
from collections import defaultdict
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import connection, connections, transaction
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
_KEY_COLUMNS = ("target_id", "region_id", "year")

# A recompute expected to write at least this many rows is split across worker processes.
PARALLEL_MIN_ROWS = 50_000
MAX_WORKERS = 4

_TEMP_TABLE = "attainment_new"
_COPY_BATCH = 2000  # rows per chunk handed to COPY
_ANALYZE_MIN_ROWS = 10_000  # below this the planner's guess for the temp table is good enough

# COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped.
_NULL = "\\N"
_BOOL_TEXT = {True: "t", False: "f", None: _NULL}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def thresholds():
    return attainment.Thresholds(
        on_track=Decimal(str(settings.ATTAINMENT_ON_TRACK_SHARE)),
        lagging=Decimal(str(settings.ATTAINMENT_LAGGING_SHARE)),
    )


# ---------------------------------------------------------------------------------------------
# Reading


def _fetch(queryset):
    """The rows of a values_list queryset; on PostgreSQL through a plain cursor."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _scoped(queryset, *, plan_ids=None, indicator_ids=None, via="indicator__"):
    if plan_ids is not None:
        queryset = queryset.filter(**{f"{via}plan_id__in": plan_ids})
    if indicator_ids is not None:
        queryset = queryset.filter(**{f"{via[:-2]}_id__in" if via else "id__in": indicator_ids})
    return queryset


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


def _targets(*, plan_ids=None, indicator_ids=None):
    """Target dicts (the keys of _TARGET_FIELDS), ordered by id."""
    queryset = _scoped(Target.objects.order_by("pk"), plan_ids=plan_ids, indicator_ids=indicator_ids)
    return [
        dict(zip(_TARGET_FIELDS, row, strict=True))
        for row in _fetch(queryset.values_list(*_TARGET_FIELDS))
    ]


def _baselines(*, plan_ids=None, indicator_ids=None):
    """Per indicator, its numeric baselines as (year, value), in the order stated."""
    queryset = _scoped(
        Baseline.objects.filter(value__isnull=False).order_by("year", "pk"),
        plan_ids=plan_ids,
        indicator_ids=indicator_ids,
    )
    found = defaultdict(list)
    for indicator_id, year, value in _fetch(queryset.values_list("indicator_id", "year", "value")):
        found[indicator_id].append((year, value))
    return found


def _reference_baseline(baselines, target_year):
    earlier = [(y, v) for y, v in baselines if y <= target_year]
    if not earlier:
        return None
    latest = max(y for y, _ in earlier)
    return next((y, v) for y, v in earlier if y == latest)


def _approved(*, plan_ids=None, indicator_ids=None):
    """Per (indicator, region): [(year, value, qualifier)], raw texts by year (escaped for
    COPY text on PostgreSQL) and qualitative statuses by year, of the approved actuals."""
    queryset = _scoped(
        Actual.objects.filter(status=Actual.Status.APPROVED).order_by(),
        plan_ids=plan_ids,
        indicator_ids=indicator_ids,
    ).values_list(
        "indicator_id", "region_id", "year", "value", "qualifier", "raw", "qualitative_status"
    )
    escape = connection.vendor == "postgresql"
    series = {}
    for indicator_id, region_id, year, value, qualifier, raw, qualitative in _fetch(queryset):
        found = series.get((indicator_id, region_id))
        if found is None:
            found = series[(indicator_id, region_id)] = ([], {}, {})
        if value is not None:
            found[0].append((year, value, qualifier))
        if escape and ("\\" in raw or "\t" in raw or "\n" in raw or "\r" in raw):
            raw = raw.translate(_COPY_ESCAPES)
        found[1][year] = raw
        if qualitative:
            found[2][year] = qualitative
    return series


# ---------------------------------------------------------------------------------------------
# Judging


def _judged(targets, *, plan_ids=None, indicator_ids=None):
    """For every (target, region): (target dict, region id, years, result tuples, raws)."""
    baselines = _baselines(plan_ids=plan_ids, indicator_ids=indicator_ids)
    series = _approved(plan_ids=plan_ids, indicator_ids=indicator_ids)
    regions_of = defaultdict(set)
    for indicator_id, region_id in series:
        regions_of[indicator_id].add(region_id)
    limits = thresholds()
    empty = ([], {}, {})
    for t in targets:
        indicator_id, start = t["indicator_id"], t["indicator__plan__period_start"]
        terms = attainment.TargetTerms(
            year=t["year"],
            comparator=t["comparator"],
            value=t["value"],
            value_max=t["value_max"],
            direction=t["indicator__direction"],
            measure=t["indicator__measure"],
        )
        plan_region = t["indicator__plan__region_id"]
        plan_baseline = _reference_baseline(baselines.get(indicator_id, []), t["year"])
        years = range(start, t["year"] + 1)
        for region_id in sorted(regions_of[indicator_id] | {plan_region}):
            observations, raws, qualitative = series.get((indicator_id, region_id), empty)
            # The plan's baseline is its own region's; other regions start from their data.
            results = attainment.evaluate_series_rows(
                terms,
                years=years,
                period_start=start,
                observations=observations,
                baseline=plan_baseline if region_id == plan_region else None,
                qualitative_statuses=qualitative,
                thresholds=limits,
            )
            yield t, region_id, years, results, raws


def compute_rows(targets, now, **scope):
    """Result rows (tuples in RESULT_COLUMNS order) for the given target dicts."""
    for t, region_id, years, results, raws in _judged(targets, **scope):
        head = (t["indicator__plan_id"], t["indicator_id"], t["id"], region_id)
        for year, r in zip(years, results, strict=True):
            yield (*head, year, str(r[0]), *r[1:3], raws.get(year, ""), *r[3:], now)


def _copy_lines(targets, now, **scope):
    """compute_rows() as lines of COPY text."""
    stamp = str(now)
    bools = _BOOL_TEXT
    for t, region_id, years, results, raws in _judged(targets, **scope):
        head = f"{t['indicator__plan_id']}\t{t['indicator_id']}\t{t['id']}\t{region_id}\t"
        for year, (status, met, a, q, b, y0, c, p, e, pv, pm, note) in zip(
            years, results, strict=True
        ):
            if "\\" in note or "\t" in note or "\n" in note or "\r" in note:
                note = note.translate(_COPY_ESCAPES)
            yield (
                f"{head}{year}\t{status}\t{bools[met]}\t{_NULL if a is None else a}\t{q}\t"
                f"{raws.get(year, '')}\t{_NULL if b is None else b}\t"
                f"{_NULL if y0 is None else y0}\t{_NULL if c is None else c}\t"
                f"{_NULL if p is None else p}\t{_NULL if e is None else e}\t"
                f"{_NULL if pv is None else pv}\t{bools[pm]}\t{note}\t{stamp}\n"
            )


# ---------------------------------------------------------------------------------------------
# Writing


class _CopySource:
    """A file for COPY FROM STDIN that computes its lines as PostgreSQL asks for them.

    An exception while computing ends the data early and is kept in `error`, for the caller
    to raise as it is (psycopg2 would turn it into a database error).
    """

    def __init__(self, lines):
        self._lines = iter(lines)
        self.count = 0
        self.error = None

    def read(self, size=-1):
        try:
            batch = list(islice(self._lines, _COPY_BATCH))
        except Exception as exc:
            self.error = exc
            return ""
        self.count += len(batch)
        return "".join(batch)

    readline = read


def _scope_sql(*, plan_ids=None, indicator_ids=None):
    clauses, params = ["TRUE"], []
    if plan_ids is not None:
        clauses.append("plan_id = ANY(%s)")
        params.append(list(plan_ids))
    if indicator_ids is not None:
        clauses.append("indicator_id = ANY(%s)")
        params.append(list(indicator_ids))
    return " AND ".join(clauses), params


def _replace_postgresql(targets, now, *, plan_ids=None, indicator_ids=None):
    """Replace the results of the scope with COPY + UPDATE/INSERT/DELETE; returns the count."""
    table = AttainmentResult._meta.db_table
    columns = ", ".join(RESULT_COLUMNS)
    keys = " AND ".join(f"r.{k} = n.{k}" for k in _KEY_COLUMNS)
    changes = ", ".join(f"{c} = n.{c}" for c in RESULT_COLUMNS if c not in _KEY_COLUMNS)
    source = _CopySource(
        _copy_lines(targets, now, plan_ids=plan_ids, indicator_ids=indicator_ids)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_TEMP_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {_TEMP_TABLE} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(f"COPY {_TEMP_TABLE} ({columns}) FROM STDIN", source)
        if source.error is not None:
            raise source.error
        if source.count >= _ANALYZE_MIN_ROWS:
            cursor.execute(f"ANALYZE {_TEMP_TABLE}")
        cursor.execute(f"UPDATE {table} r SET {changes} FROM {_TEMP_TABLE} n WHERE {keys}")
        if cursor.rowcount < source.count:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_TEMP_TABLE} n "
                f"WHERE NOT EXISTS (SELECT FROM {table} r WHERE {keys})"
            )
        # Every row of the scope that is still produced now carries this run's time.
        where, params = _scope_sql(plan_ids=plan_ids, indicator_ids=indicator_ids)
        cursor.execute(f"DELETE FROM {table} WHERE {where} AND computed_at <> %s", [*params, now])
        cursor.execute(f"DROP TABLE {_TEMP_TABLE}")
    return source.count


def _replace(targets, now, *, plan_ids=None, indicator_ids=None):
    """Replace the stored results of the scope in one transaction; returns the row count."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _replace_postgresql(targets, now, plan_ids=plan_ids, indicator_ids=indicator_ids)
        rows = list(compute_rows(targets, now, plan_ids=plan_ids, indicator_ids=indicator_ids))
        stale = _scoped(
            AttainmentResult.objects.all(), plan_ids=plan_ids, indicator_ids=indicator_ids, via=""
        )
        stale._raw_delete(stale.db)
        objects = [AttainmentResult(**dict(zip(RESULT_COLUMNS, row, strict=True))) for row in rows]
        AttainmentResult.objects.bulk_create(objects, batch_size=2000)
        return len(objects)


# ---------------------------------------------------------------------------------------------
# Worker processes


def _default_workers():
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _plan_groups(targets, plan_ids, count):
    """Split the plans into `count` groups of about the same number of result rows."""
    weight = defaultdict(int)
    for t in targets:
        weight[t["indicator__plan_id"]] += max(0, t["year"] - t["indicator__plan__period_start"] + 1)
    groups = [[] for _ in range(count)]
    loads = [0] * count
    for plan_id in sorted(plan_ids, key=lambda p: (-weight[p], p)):
        lightest = loads.index(min(loads))
        groups[lightest].append(plan_id)
        loads[lightest] += weight[plan_id]
    return [group for group in groups if group]


def _in_worker(write_fd, job):
    """The body of a forked worker: do the job, report through the pipe, never return."""
    code = 1
    try:
        try:
            payload = ("ok", job())
            code = 0
        except BaseException as exc:
            detail = traceback.format_exc()
            try:
                payload = ("error", pickle.loads(pickle.dumps(exc)), detail)
            except Exception:
                payload = ("error", RuntimeError(repr(exc)), detail)
        data = pickle.dumps(payload)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        connections.close_all()
    finally:
        os._exit(code)


def _run_in_workers(jobs):
    """Run each job (a callable returning a picklable value) in its own forked process.

    The parent's connections are closed first, so that each worker opens its own.
    Returns the results in order; re-raises the first worker's exception.
    """
    connections.close_all()
    workers = []
    try:
        for job in jobs:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_fd)
                _in_worker(write_fd, job)
            os.close(write_fd)
            workers.append((pid, read_fd))
        reports = []
        for pid, read_fd in workers:
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            reports.append((data, status))
        workers = []
    finally:
        for pid, _ in workers:  # interrupted: stop the workers (their transactions roll back)
            try:
                os.kill(pid, 15)
                os.waitpid(pid, 0)
            except OSError:
                pass
    results = []
    for data, status in reports:
        if not data:
            raise RuntimeError(f"An attainment worker died (wait status {status}).")
        report = pickle.loads(data)
        if report[0] == "error":
            _, exc, detail = report
            exc.add_note(f"In the attainment worker:\n{detail}")
            raise exc
        results.append(report[1])
    return results


# ---------------------------------------------------------------------------------------------


def recompute(*, plan_ids=None, indicator_ids=None, workers=None):
    """Replace the stored results of the given plans or indicators; returns the row count.

    The old rows are replaced by the new ones in one transaction, so a reader sees either the
    old results or the new ones, never a mix. A recompute of whole plans (no indicator_ids)
    that would write at least PARALLEL_MIN_ROWS rows, on PostgreSQL and outside any
    transaction, is split by plan across `workers` processes (default: one per core, at most
    MAX_WORKERS), each replacing its plans in one transaction of its own.
    """
    targets = _targets(plan_ids=plan_ids, indicator_ids=indicator_ids)
    now = timezone.now()
    if workers is None:
        expected = sum(max(0, t["year"] - t["indicator__plan__period_start"] + 1) for t in targets)
        workers = _default_workers() if expected >= PARALLEL_MIN_ROWS else 1
    if (
        workers > 1
        and indicator_ids is None
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    ):
        if plan_ids is None:
            from .models import Plan

            every_plan = list(Plan.objects.values_list("pk", flat=True))
        else:
            every_plan = list(plan_ids)
        groups = _plan_groups(targets, every_plan, workers)
        if len(groups) > 1:
            by_plan = defaultdict(list)
            for t in targets:
                by_plan[t["indicator__plan_id"]].append(t)

            def job(group):
                mine = [t for plan_id in group for t in by_plan[plan_id]]
                return lambda: _replace(mine, now, plan_ids=group)

            return sum(_run_in_workers([job(group) for group in groups]))
    return _replace(targets, now, plan_ids=plan_ids, indicator_ids=indicator_ids)
