"""Recompute stored attainment results from approved actuals (the Celery jobs call this).

A recompute reads the targets, baselines and approved actuals in scope, judges every
(target, region) series with `attainment.evaluate_series` (all years in one pass) and
replaces the stored rows of the scope in ONE transaction, so a reader sees either the old
results or the new ones, never a mix.

- reads: targets, baselines and approved actuals, as named rows, through plain cursors;
- judging: every (target, region) series of the scope through the engine;
- store: the replace (COPY into a temporary table, then UPDATE / INSERT / DELETE, on
  PostgreSQL; bulk_create elsewhere);
- parallel: a large recompute of whole plans outside a transaction, on PostgreSQL, shared
  among worker processes.
"""

from django.db import connection
from django.utils import timezone

from ..models import Plan
from . import parallel, reads, store

__all__ = ["recompute"]


def recompute(*, plan_ids=None, indicator_ids=None, workers=None):
    """Replace the stored results of the given plans or indicators; returns the row count.

    The old rows are replaced by the new ones in one transaction, so a reader sees either the
    old results or the new ones, never a mix. A recompute of whole plans (no indicator_ids)
    that would write at least parallel.PARALLEL_MIN_ROWS rows, on PostgreSQL and outside any
    transaction, is shared by plan among `workers` processes (default: one per core, at most
    parallel.MAX_WORKERS): each takes chunks of plans while any are left and replaces all the
    plans it took in one transaction of its own.
    """
    targets = reads.targets(plan_ids=plan_ids, indicator_ids=indicator_ids)
    now = timezone.now()
    if workers is None:
        workers = parallel.workers_for(targets)
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
        count = parallel.replace_in_workers(targets, every_plan, now, workers)
        if count is not None:
            return count
    return store.replace([(targets, plan_ids)], now, indicator_ids=indicator_ids)
