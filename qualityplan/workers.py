"""Share a large job among forked processes, one per core (the attainment recompute, the
auditor's workbook). Each process opens its own database connections; a failure in one is
raised in the parent with the worker's traceback.

Why not the standard library's pools (multiprocessing.Pool, multiprocessing.Process,
concurrent.futures.ProcessPoolExecutor):
- These jobs run inside Celery's prefork pool, whose processes are daemonic, and
  multiprocessing refuses to start a child from a daemonic process ("daemonic processes are
  not allowed to have children": Pool, Process and ProcessPoolExecutor alike, as checked with
  Celery 5.7 / billiard 4.3 on Python 3.11). os.fork() does not ask.
- A pool pickles each job to send it to a process, and these jobs do not pickle: the
  recompute's is a local function over the plan chunks it shares ("Can't pickle local
  object"), and both the recompute's and the workbook's hold a multiprocessing.Value counter
  ("Synchronized objects should only be shared between processes through inheritance").
  A forked process simply has them; only the result travels back, pickled, through a pipe.
"""

import gc
import os
import pickle
import signal
import traceback

from django.db import connections


def _in_worker(write_fd, job):
    """The body of a forked worker: do the job, report through the pipe, never return."""
    code = 1
    # A worker builds rows and exits when done: the cyclic garbage collector would only walk
    # its ever-growing heap, again and again.
    gc.disable()
    # Not the handlers of the parent (a Celery worker's, say): a signal simply ends it, and
    # PostgreSQL rolls its transaction back.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        try:
            payload = ("ok", job())
            code = 0
        except BaseException as exc:  # noqa: BLE001 - any failure is reported to the parent
            detail = traceback.format_exc()
            try:
                payload = ("error", pickle.loads(pickle.dumps(exc)), detail)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = ("error", RuntimeError(repr(exc)), detail)
        data = pickle.dumps(payload)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        connections.close_all()
    finally:
        os._exit(code)


def run_in_workers(jobs):
    """Run each job (a callable returning a picklable value) in its own forked process.

    The parent's connections are closed first, so that each worker opens its own.
    Returns the results in order; re-raises the first worker's exception.
    """
    connections.close_all()
    workers = []  # (pid, the read end of its pipe), while it runs
    reports = []
    try:
        for job in jobs:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_fd)
                _in_worker(write_fd, job)
            os.close(write_fd)
            workers.append((pid, os.fdopen(read_fd, "rb")))
        while workers:
            pid, pipe = workers[0]
            data = pipe.read()
            _, status = os.waitpid(pid, 0)
            pipe.close()
            workers.pop(0)
            reports.append((data, status))
    finally:
        for pid, pipe in workers:  # interrupted: stop the workers (they roll back)
            pipe.close()
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
    results = []
    for data, status in reports:
        if not data:
            raise RuntimeError(f"A worker process died (wait status {status}).")
        report = pickle.loads(data)
        if report[0] == "error":
            _, exc, detail = report
            exc.add_note(f"In the worker process:\n{detail}")
            raise exc
        results.append(report[1])
    return results
