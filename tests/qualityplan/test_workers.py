"""Forked worker processes (qualityplan.workers), on their own and inside Celery's prefork pool."""

import multiprocessing
import os
import signal
import threading
import time

import pytest
from django.db import connection

from qualityplan.workers import run_in_workers

from ..services import REDIS_URL, require_services, use_broker, wait_for


def test_each_job_runs_in_a_process_of_its_own_and_results_come_back_in_order():
    results = run_in_workers([lambda n=n: (n, os.getpid()) for n in range(3)])
    assert [n for n, _ in results] == [0, 1, 2]
    pids = {pid for _, pid in results}
    assert len(pids) == 3 and os.getpid() not in pids


def test_a_job_may_use_what_does_not_pickle_since_it_is_forked_not_sent():
    lock, counter = threading.Lock(), multiprocessing.Value("l", 0)

    def job():  # a local function over a lock and a shared counter: a pool could not send it
        with lock, counter.get_lock():
            counter.value += 1
        return "done"

    assert run_in_workers([job, job]) == ["done", "done"]
    assert counter.value == 2  # shared with the workers through the fork


def test_a_failure_in_a_worker_is_raised_in_the_parent_with_the_workers_traceback():
    def fails():
        raise ValueError("Unknown qualifier 'about' for 2021.")

    with pytest.raises(ValueError, match="Unknown qualifier") as caught:
        run_in_workers([lambda: 1, fails])
    (note,) = caught.value.__notes__
    assert note.startswith("In the worker process:") and "in fails" in note


def test_an_exception_that_does_not_pickle_arrives_as_its_repr():
    class Local(Exception):  # a local class: its instances do not pickle
        pass

    def fails():
        raise Local("odd")

    with pytest.raises(RuntimeError, match="Local\\('odd'\\)"):
        run_in_workers([fails])


def test_a_worker_that_dies_is_reported():
    with pytest.raises(RuntimeError, match="A worker process died"):
        run_in_workers([lambda: os.kill(os.getpid(), signal.SIGKILL)])


def test_an_interrupted_parent_stops_its_workers(tmp_path):
    def slow(n):
        (tmp_path / str(n)).write_text(str(os.getpid()))
        time.sleep(60)

    def interrupt(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            run_in_workers([lambda: slow(0), lambda: slow(1)])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 30
    for n in (0, 1):
        if (tmp_path / str(n)).exists():  # started before the parent was interrupted
            with pytest.raises(ProcessLookupError):  # stopped and reaped
                os.kill(int((tmp_path / str(n)).read_text()), 0)


@pytest.mark.django_db(transaction=True)
def test_each_worker_opens_its_own_database_connection():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL backend pid")

    def backend():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    mine = backend()
    theirs = run_in_workers([backend, backend])
    assert len(set(theirs)) == 2 and mine not in theirs
    assert backend() != mine  # the parent's connection was closed before the fork


def test_a_daemonic_process_can_share_a_job_among_workers():
    # What Celery's prefork pool processes are, and why the standard library's pools will
    # not do: they refuse to start a child from a daemonic process.
    results = multiprocessing.Queue()

    def in_daemon():
        try:
            multiprocessing.Process(target=os.getpid).start()
        except AssertionError as exc:
            results.put(str(exc))
        results.put(run_in_workers([os.getpid, os.getpid]))

    daemon = multiprocessing.Process(target=in_daemon, daemon=True)
    daemon.start()
    refused, pids = results.get(timeout=60), results.get(timeout=60)
    daemon.join(timeout=60)
    assert refused == "daemonic processes are not allowed to have children"
    assert len(set(pids)) == 2 and daemon.pid not in pids


# --- inside a real Celery prefork worker ------------------------------------------------------


@pytest.fixture
def prefork_worker(celery_worker):
    from qualityplan.celery import app

    require_services()
    queue = f"qualityplan-test-prefork-{os.getpid()}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    use_broker(app, broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    yield celery_worker(queue, pool="prefork")
    use_broker(app, **saved)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_national_recompute_is_shared_among_processes_inside_a_prefork_worker(prefork_worker):
    from indicators.models import AttainmentResult, AttainmentRun, Plan
    from indicators.recompute import parallel, reads
    from indicators.services.runs import attainment_run_queue
    from indicators.synthetic import generate

    generate(regions=50, indicators=100, years=10)  # 50,000 result rows: the parallel case
    synthetic = list(Plan.objects.filter(is_synthetic=True).values_list("pk", flat=True))
    if parallel.workers_for(reads.targets()) < 2:
        pytest.skip("one core: a recompute is not shared")
    run = attainment_run_queue(scope="prefork test")

    def finished():
        run.refresh_from_db()
        return run.state in (AttainmentRun.State.DONE, AttainmentRun.State.FAILED)

    assert wait_for(finished, timeout=180), f"the worker did not finish the run: {run.state}"
    assert run.state == AttainmentRun.State.DONE, run.error
    stored = AttainmentResult.objects.filter(plan_id__in=synthetic)
    assert stored.count() == 50 * 100 * 10
    # Each worker process writes its plans in a transaction of its own.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT xmin::text) FROM {AttainmentResult._meta.db_table} "
            "WHERE plan_id = ANY(%s)",
            [synthetic],
        )
        (transactions,) = cursor.fetchone()
    assert transactions >= 2
