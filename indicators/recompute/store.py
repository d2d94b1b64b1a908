"""Replace the stored results of a scope with newly judged ones, in one transaction.

On PostgreSQL the new rows are streamed as COPY text into a temporary table while they are
computed (PostgreSQL ingests one batch while Python computes the next); the stored rows are
then updated in place from it, the missing ones inserted, and the rows of the scope that were
not produced (their computed_at is not this run's) deleted. Updating rather than deleting and
re-inserting keeps the ids and spares PostgreSQL four foreign-key checks per row (an update
that keeps the keys needs none): about half the database time of a re-insert.
Elsewhere (SQLite) the rows are deleted and bulk-created.
"""

from django.db import connection, transaction

from .. import attainment
from ..models import AttainmentResult
from . import reads
from .judging import judged

_KEY_COLUMNS = ("target_id", "region_id", "year")
# The columns of a COPY line, in the order _copy_text() writes them: the keys, the fields
# of attainment.Result in their order, the actual as typed. computed_at, the same for all,
# is a parameter of the statements that take the rows from the temporary table.
COPY_COLUMNS = (
    "plan_id",
    "indicator_id",
    *_KEY_COLUMNS,
    *attainment.Result._fields,
    "actual_raw",
)

_TEMP_TABLE = "attainment_new"
_COPY_BATCH = 2000  # rows per chunk handed to COPY
_WORK_MEM = "64MB"  # for the join of a large recompute (SET LOCAL, in its own transaction)

# COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped.
_NULL = "\\N"
_BOOL_TEXT = {True: "t", False: "f", None: _NULL}
_STATUS_TEXT = {status: status.value for status in attainment.Status}
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(targets, inputs):
    """The judged rows as COPY text in COPY_COLUMNS order: per (target, region) series,
    (its lines, their count). str() rather than f-string formatting for the Decimals (the
    same text, several times faster); the baseline and elapsed texts, which repeat, are made
    once."""
    null, bools, statuses, elapsed_texts = _NULL, _BOOL_TEXT, _STATUS_TEXT, {None: _NULL}
    for target, region_id, years, results, raws in judged(targets, inputs):
        head = f"{target.plan_id}\t{target.indicator_id}\t{target.id}\t{region_id}\t"
        lines = []
        last_b, baseline_text = lines, ""  # (any object that is no baseline)
        for year, result in zip(years, results, strict=True):
            # The fields of attainment.Result, in its order.
            status, rule, met, a, q, b, y0, c, p, e, pv, pm, note = result
            if b is not last_b:  # b and y0 change together
                last_b = b
                baseline_text = f"{null if b is None else str(b)}\t{null if y0 is None else y0}"
            e_text = elapsed_texts.get(e)
            if e_text is None:
                e_text = elapsed_texts[e] = str(e)
            if "\\" in note or not note.isprintable():  # tab, newline, CR are not printable
                note = note.translate(_COPY_ESCAPES)
            raw = raws.get(year, "")
            if "\\" in raw or not raw.isprintable():
                raw = raw.translate(_COPY_ESCAPES)
            lines.append(
                f"{head}{year}\t{statuses[status]}\t{rule}\t{bools[met]}\t"
                f"{null if a is None else str(a)}\t{q}\t{baseline_text}\t"
                f"{null if c is None else str(c)}\t{null if p is None else str(p)}\t{e_text}\t"
                f"{null if pv is None else str(pv)}\t{bools[pm]}\t{note}\t{raw}\n"
            )
        yield "".join(lines), len(lines)


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
    columns = ", ".join(COPY_COLUMNS)
    keys = " AND ".join(f"r.{k} = n.{k}" for k in _KEY_COLUMNS)
    changes = ", ".join(f"{c} = n.{c}" for c in COPY_COLUMNS if c not in _KEY_COLUMNS)
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
            inputs = reads.inputs(plan_ids=plan_ids, indicator_ids=indicator_ids)
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


def _replace_elsewhere(batches, now, *, indicator_ids=None):
    count = 0
    for targets, plan_ids in batches:
        scope = dict(plan_ids=plan_ids, indicator_ids=indicator_ids)
        stale = reads.scoped(AttainmentResult.objects.all(), via="", **scope)
        stale._raw_delete(stale.db)
        objects = [
            AttainmentResult(
                plan_id=target.plan_id,
                indicator_id=target.indicator_id,
                target_id=target.id,
                region_id=region_id,
                year=year,
                actual_raw=raws.get(year, ""),
                computed_at=now,
                **result._asdict(),
            )
            for target, region_id, years, results, raws in judged(targets, reads.inputs(**scope))
            for year, result in zip(years, results, strict=True)
        ]
        AttainmentResult.objects.bulk_create(objects, batch_size=2000)
        count += len(objects)
    return count


def replace(batches, now, *, indicator_ids=None):
    """Replace, in one transaction, the stored results of the scope: the plans of the batches
    ((targets, plan_ids) pairs, plan_ids None for every plan), within indicator_ids if given.
    Returns the row count."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _replace_postgresql(
                batches, now, indicator_ids=indicator_ids, own_transaction=outermost
            )
        return _replace_elsewhere(batches, now, indicator_ids=indicator_ids)
