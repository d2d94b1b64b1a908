"""A large recompute of whole plans shared among worker processes.

Each worker (qualityplan.workers, one per core up to MAX_WORKERS) has its own connection and
takes chunks of plans while any are left, replacing all the plans it took in one transaction
of its own. Every plan is still replaced in one transaction, by one worker.
"""

import multiprocessing
import os
from collections import defaultdict

from qualityplan.workers import run_in_workers

from . import store

# A recompute expected to write at least this many rows is split across worker processes.
PARALLEL_MIN_ROWS = 50_000
MAX_WORKERS = 4
_CHUNKS_PER_WORKER = 8  # taken one at a time, so that the workers finish together


def default_workers():
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def workers_for(targets):
    """How many processes a recompute of these targets is worth: one per core (at most
    MAX_WORKERS) from PARALLEL_MIN_ROWS expected rows on, else one."""
    expected = sum(t.result_rows for t in targets)
    return default_workers() if expected >= PARALLEL_MIN_ROWS else 1


def plan_chunks(targets, plan_ids, count):
    """The plans in about `count` chunks of consecutive plans with about the same number of
    result rows: [(targets, plan_ids)]. A plan is never split."""
    by_plan = defaultdict(list)
    for t in targets:
        by_plan[t.plan_id].append(t)
    weight = {plan_id: sum(t.result_rows for t in mine) for plan_id, mine in by_plan.items()}
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


def replace_in_workers(targets, plan_ids, now, workers):
    """Replace the stored results of the plans with `workers` processes; returns the row
    count, or None when the plans make fewer than two chunks (one process will do)."""
    chunks = plan_chunks(targets, plan_ids, workers * _CHUNKS_PER_WORKER)
    if len(chunks) < 2:
        return None
    counter = multiprocessing.Value("l", 0)

    def job():
        return store.replace(_take(chunks, counter), now)

    return sum(run_in_workers([job] * min(workers, len(chunks))))
