"""Recompute stored attainment results from approved actuals (the Celery jobs call this).

A recompute reads the targets, baselines and approved actuals in scope, judges every
(target, region) series with `attainment.evaluate_series_rows` (all years in one pass) and
replaces the stored rows of the scope in ONE transaction, so a reader sees either the old
results or the new ones, never a mix.

On PostgreSQL (issue 4, national scale):
- rows are read with plain cursors (no model instances, no per-row ORM work);
- the new rows are streamed as COPY text into a temporary table while they are computed
  (PostgreSQL ingests one batch while Python computes the next); the stored rows are then
  updated in place from it, the missing ones inserted, and the rows of the scope that were
  not produced (their computed_at is not this run's) deleted. Updating rather than deleting
  and re-inserting keeps the ids and spares PostgreSQL four foreign-key checks per row (an
  update that keeps the keys needs none): about half the database time of a re-insert;
- a large recompute of whole plans outside a transaction is shared among worker processes
  (`workers`, one per core up to MAX_WORKERS), each with its own connection: each takes
  chunks of plans while any are left and replaces all the plans it took in one transaction
  of its own. Every plan is still replaced in one transaction, by one worker.
Elsewhere (SQLite in tests) the rows are deleted and bulk-created.
"""

import multiprocessing
import os
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from qualityplan.workers import run_in_workers

from . import attainment
from .models import Actual, AttainmentResult, Baseline, Plan, Target

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
_COPY_COLUMNS = RESULT_COLUMNS[:-1]  # all but computed_at

# A recompute expected to write at least this many rows is split across worker processes.
PARALLEL_MIN_ROWS = 50_000
MAX_WORKERS = 4
_CHUNKS_PER_WORKER = 8  # taken one at a time, so that the workers finish together

_TEMP_TABLE = "attainment_new"
_COPY_BATCH = 2000  # rows per chunk handed to COPY
_WORK_MEM = "64MB"  # for the join of a large recompute (SET LOCAL, in its own transaction)

# COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped.
_NULL = "\\N"
_BOOL_TEXT = {True: "t", False: "f", None: _NULL}
_STATUS_TEXT = {status: status.value for status in attainment.Status}
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
        queryset = queryset.filter(indicator_id__in=indicator_ids)
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
    queryset = _scoped(
        Target.objects.order_by("pk"), plan_ids=plan_ids, indicator_ids=indicator_ids
    )
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
        if escape and ("\\" in raw or not raw.isprintable()):  # tab, newline, CR
            raw = raw.translate(_COPY_ESCAPES)
        found[1][year] = raw
        if qualitative:
            found[2][year] = qualitative
    return series


# ---------------------------------------------------------------------------------------------
# Judging


def _inputs(*, plan_ids=None, indicator_ids=None):
    """Everything a recompute reads besides the targets: (baselines, approved series)."""
    return (
        _baselines(plan_ids=plan_ids, indicator_ids=indicator_ids),
        _approved(plan_ids=plan_ids, indicator_ids=indicator_ids),
    )


def _judged(targets, inputs):
    """For every (target, region): (target dict, region id, years, result tuples, raws).

    No database access: it runs while a COPY is in progress."""
    baselines, series = inputs
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


def compute_rows(targets, now, *, plan_ids=None, indicator_ids=None):
    """Result rows (tuples in RESULT_COLUMNS order) for the given target dicts."""
    inputs = _inputs(plan_ids=plan_ids, indicator_ids=indicator_ids)
    for t, region_id, years, results, raws in _judged(targets, inputs):
        head = (t["indicator__plan_id"], t["indicator_id"], t["id"], region_id)
        for year, r in zip(years, results, strict=True):
            yield (*head, year, str(r[0]), *r[1:4], raws.get(year, ""), *r[4:], now)


def _copy_text(targets, inputs):
    """compute_rows() as COPY text, without computed_at (_COPY_COLUMNS): per (target,
    region) series, (its lines, their count). str() rather than f-string formatting for the
    Decimals (the same text, several times faster); the baseline and elapsed texts, which
    repeat, are made once."""
    null, bools, statuses, elapsed_texts = _NULL, _BOOL_TEXT, _STATUS_TEXT, {None: _NULL}
    for t, region_id, years, results, raws in _judged(targets, inputs):
        head = f"{t['indicator__plan_id']}\t{t['indicator_id']}\t{t['id']}\t{region_id}\t"
        lines = []
        last_b, baseline_text = lines, ""  # (any object that is no baseline)
        for year, (status, met, a, q, b, y0, c, p, e, pv, pm, note) in zip(
            years, results, strict=True
        ):
            if b is not last_b:  # b and y0 change together
                last_b = b
                baseline_text = f"{null if b is None else str(b)}\t{null if y0 is None else y0}"
            e_text = elapsed_texts.get(e)
            if e_text is None:
                e_text = elapsed_texts[e] = str(e)
            if "\\" in note or not note.isprintable():  # tab, newline, CR are not printable
                note = note.translate(_COPY_ESCAPES)
            lines.append(
                f"{head}{year}\t{statuses[status]}\t{bools[met]}\t"
                f"{null if a is None else str(a)}\t{q}\t{raws.get(year, '')}\t{baseline_text}\t"
                f"{null if c is None else str(c)}\t{null if p is None else str(p)}\t{e_text}\t"
                f"{null if pv is None else str(pv)}\t{bools[pm]}\t{note}\n"
            )
        yield "".join(lines), len(lines)


# ---------------------------------------------------------------------------------------------
# Writing


class _CopySource:
    """A file for COPY FROM STDIN that computes its text as PostgreSQL asks for it.

    An exception while computing ends the data early and is kept in `error`, for the caller
    to raise as it is (psycopg2 would turn it into a database error).
    """

    def __init__(self, pieces):
        self._pieces = iter(pieces)  # (text, row count)
        self.count = 0
        self.error = None

    def read(self, size=-1):
        texts, rows = [], 0
        try:
            for text, count in self._pieces:
                texts.append(text)
                rows += count
                if rows >= _COPY_BATCH:
                    break
        except Exception as exc:  # noqa: BLE001 - kept and re-raised as it is by the caller
            self.error = exc
            return ""
        self.count += rows
        return "".join(texts)

    readline = read


def _scope_sql(*, plan_ids=None, indicator_ids=None, alias=""):
    clauses, params = ["TRUE"], []
    if plan_ids is not None:
        clauses.append(f"{alias}plan_id = ANY(%s)")
        params.append(list(plan_ids))
    if indicator_ids is not None:
        clauses.append(f"{alias}indicator_id = ANY(%s)")
        params.append(list(indicator_ids))
    return " AND ".join(clauses), params


def _replace_postgresql(batches, now, *, indicator_ids=None, own_transaction=False):
    """Replace the results of the batches' scope with COPY + UPDATE/INSERT, then DELETE the
    stored rows of the scope that no batch produced; returns the count."""
    table = AttainmentResult._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)  # computed_at, the same for all, is a parameter
    keys = " AND ".join(f"r.{k} = n.{k}" for k in _KEY_COLUMNS)
    changes = ", ".join(f"{c} = n.{c}" for c in _COPY_COLUMNS if c not in _KEY_COLUMNS)
    count, covered, every_plan = 0, [], False
    with connection.cursor() as cursor:
        if own_transaction:  # SET LOCAL lasts until the end of the transaction: ours alone
            cursor.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_TEMP_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {_TEMP_TABLE} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        for targets, plan_ids in batches:
            if plan_ids is None:
                every_plan = True
            else:
                covered.extend(plan_ids)
            inputs = _inputs(plan_ids=plan_ids, indicator_ids=indicator_ids)
            source = _CopySource(_copy_text(targets, inputs))
            cursor.cursor.copy_expert(f"COPY {_TEMP_TABLE} ({columns}) FROM STDIN", source)
            if source.error is not None:
                raise source.error
            # The scope again on the stored side, so that only its part of the table is read.
            where, params = _scope_sql(plan_ids=plan_ids, indicator_ids=indicator_ids, alias="r.")
            cursor.execute(
                f"UPDATE {table} r SET {changes}, computed_at = %s "
                f"FROM {_TEMP_TABLE} n WHERE {keys} AND {where}",
                [now, *params],
            )
            if cursor.rowcount == 0:
                # Nothing of the batch is stored yet (a first recompute): nothing to look
                # for. The check below would be planned on the table's statistics, which
                # say empty while this transaction fills it, and walk every row it added.
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, computed_at) "
                    f"SELECT {columns}, %s FROM {_TEMP_TABLE}",
                    [now],
                )
            elif cursor.rowcount < source.count:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, computed_at) "
                    f"SELECT {columns}, %s FROM {_TEMP_TABLE} n "
                    f"WHERE NOT EXISTS (SELECT FROM {table} r WHERE {keys})",
                    [now],
                )
            cursor.execute(f"TRUNCATE {_TEMP_TABLE}")
            count += source.count
        if every_plan or covered:
            # Every row of the scope that is still produced now carries this run's time.
            where, params = _scope_sql(
                plan_ids=None if every_plan else covered, indicator_ids=indicator_ids
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE {where} AND computed_at <> %s", [*params, now]
            )
        cursor.execute(f"DROP TABLE {_TEMP_TABLE}")
    return count


def _replace(batches, now, *, indicator_ids=None):
    """Replace, in one transaction, the stored results of the scope: the plans of the batches
    ((targets, plan_ids) pairs, plan_ids None for every plan), within indicator_ids if given.
    Returns the row count."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _replace_postgresql(
                batches, now, indicator_ids=indicator_ids, own_transaction=outermost
            )
        count = 0
        for targets, plan_ids in batches:
            scope = dict(plan_ids=plan_ids, indicator_ids=indicator_ids)
            rows = list(compute_rows(targets, now, **scope))
            stale = _scoped(AttainmentResult.objects.all(), via="", **scope)
            stale._raw_delete(stale.db)
            objects = [
                AttainmentResult(**dict(zip(RESULT_COLUMNS, row, strict=True))) for row in rows
            ]
            AttainmentResult.objects.bulk_create(objects, batch_size=2000)
            count += len(objects)
        return count


# ---------------------------------------------------------------------------------------------
# Worker processes


def _default_workers():
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _plan_chunks(targets, plan_ids, count):
    """The plans in about `count` chunks of consecutive plans with about the same number of
    result rows: [(targets, plan_ids)]. A plan is never split."""
    by_plan = defaultdict(list)
    for t in targets:
        by_plan[t["indicator__plan_id"]].append(t)
    weight = {
        plan_id: sum(max(0, t["year"] - t["indicator__plan__period_start"] + 1) for t in mine)
        for plan_id, mine in by_plan.items()
    }
    share = max(1, sum(weight.values()) // count)
    chunks, chunk, load = [], ([], []), 0
    for plan_id in sorted(set(plan_ids)):
        chunk[0].extend(by_plan.get(plan_id, ()))
        chunk[1].append(plan_id)
        load += weight.get(plan_id, 0)
        if load >= share:
            chunks.append(chunk)
            chunk, load = ([], []), 0
    if chunk[1]:
        chunks.append(chunk)
    return chunks


def _take(chunks, counter):
    """The chunks this worker takes, one at a time, until none is left (the next index is
    shared by the workers)."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(chunks):
            return
        yield chunks[index]


# ---------------------------------------------------------------------------------------------


def recompute(*, plan_ids=None, indicator_ids=None, workers=None):
    """Replace the stored results of the given plans or indicators; returns the row count.

    The old rows are replaced by the new ones in one transaction, so a reader sees either the
    old results or the new ones, never a mix. A recompute of whole plans (no indicator_ids)
    that would write at least PARALLEL_MIN_ROWS rows, on PostgreSQL and outside any
    transaction, is shared by plan among `workers` processes (default: one per core, at most
    MAX_WORKERS): each takes chunks of plans while any are left and replaces all the plans it
    took in one transaction of its own.
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
            every_plan = list(Plan.objects.values_list("pk", flat=True))
        else:
            every_plan = list(plan_ids)
        chunks = _plan_chunks(targets, every_plan, workers * _CHUNKS_PER_WORKER)
        if len(chunks) > 1:
            counter = multiprocessing.Value("l", 0)

            def job():
                return _replace(_take(chunks, counter), now)

            return sum(run_in_workers([job] * min(workers, len(chunks))))
    return _replace([(targets, plan_ids)], now, indicator_ids=indicator_ids)
