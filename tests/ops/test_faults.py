"""Faults on the real services: Redis stops, a worker dies in the middle of a recompute."""

import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from indicators.models import Actual, AttainmentResult, AttainmentRun, Indicator, Plan
from indicators.recompute import recompute
from indicators.services.actuals import EntryRow, actual_approve, actual_submit
from indicators.services.runs import attainment_run_queue
from indicators.synthetic import generate
from qualityplan.celery import app

from ..services import (
    RedisServer,
    lock_waiters,
    require_services,
    session_ended,
    use_broker,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis():
    """A Redis of this test's own as broker and cache, so that it can be stopped."""
    require_services()
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def on_redis(own_redis, settings):
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    queue = f"faults-{os.getpid()}"
    use_broker(app, broker_url=own_redis.url, task_always_eager=False, task_default_queue=queue)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url.replace("/0", "/1"),
        }
    }
    yield own_redis, queue
    use_broker(app, **saved)


def p25():
    return Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")


def test_with_redis_stopped_pages_answer_entry_saves_and_recompute_catches_up(
    client, plans, bob, dave, erin, on_redis
):
    redis_server, _ = on_redis
    url = reverse("dashboards:plan", args=["jiaxing-2011"])
    client.force_login(erin)
    assert client.get(url).status_code == 200  # cached in Redis
    before = AttainmentResult.objects.get(indicator=p25(), year=2013)
    assert before.status == "no_data"

    redis_server.stop()
    page = client.get(url)
    assert page.status_code == 200
    assert "数据计算时间" in page.content.decode()  # the last results, with their time
    actual = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(p25(), "93")]
    ).saved[0]
    assert Actual.objects.get(pk=actual.pk).raw == "93"  # data entry still saves
    actual_approve(user=dave, actuals=[actual])
    run = AttainmentRun.objects.latest("pk")
    assert run.state == "not_queued"
    assert AttainmentResult.objects.get(indicator=p25(), year=2013).status == "no_data"

    redis_server.start()  # Redis is back: the command catches up at once
    out = StringIO()
    call_command("recompute_attainment", "--catch-up", stdout=out)
    assert "Caught up 1 run" in out.getvalue()
    run.refresh_from_db()
    assert run.state == "done"
    assert AttainmentResult.objects.get(indicator=p25(), year=2013).status == "achieved"


def test_the_nightly_recompute_covers_runs_that_could_not_be_queued(plans, bob, dave, on_redis):
    from indicators.tasks import recompute_attainment_nightly

    redis_server, _ = on_redis
    redis_server.stop()
    actual = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(p25(), "93")]
    ).saved[0]
    actual_approve(user=dave, actuals=[actual])
    assert AttainmentRun.objects.latest("pk").state == "not_queued"
    redis_server.start()
    recompute_attainment_nightly.apply()  # what beat runs at 02:00
    assert not AttainmentRun.objects.filter(state="not_queued").exists()
    assert AttainmentResult.objects.get(indicator=p25(), year=2013).status == "achieved"


def test_a_worker_killed_mid_recompute_leaves_old_or_new_results_and_the_task_runs_again(
    on_redis, celery_worker, client, settings
):
    redis_server, queue = on_redis
    generate(regions=1, indicators=20, years=10)
    plan = Plan.objects.get(slug="synthetic-1")
    recompute(plan_ids=[plan.pk])
    results = AttainmentResult.objects.filter(plan=plan)
    count = results.count()
    assert count == 20 * 10
    # A result the next recompute no longer produces: it deletes it after it has replaced
    # every other result of the plan.
    stale = results.order_by("pk").first()
    stale.pk, stale.year = None, 2099
    stale.save()
    old = set(results.values_list("computed_at", flat=True))
    assert len(old) == 1
    Actual.objects.filter(indicator__plan=plan, year=plan.period_end).update(
        value=Decimal(0), raw="0"
    )

    def stamps():
        return set(results.values_list("computed_at", flat=True))

    # A short visibility timeout, so that the unacknowledged task comes back soon.
    transport = {"visibility_timeout": 5}
    use_broker(app, broker_transport_options=transport)
    worker_env = {
        "broker": redis_server.url,
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
    }
    # Another session holds the stale row: the worker's recompute writes the new results in
    # its transaction, then waits for the row, uncommitted.
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute(
                f"SELECT FROM {AttainmentResult._meta.db_table} WHERE id = %s FOR UPDATE",
                [stale.pk],
            )
        worker = celery_worker(queue, **worker_env)
        run = attainment_run_queue(plan=plan, scope="fault test")
        assert wait_for(lock_waiters, timeout=60, interval=0.05), "no recompute waited"
        (recomputing,) = lock_waiters()
        run.refresh_from_db()
        assert run.state == "running"
        worker.kill()
        assert stamps() == old  # the old results, whole: nothing of the new ones
        # Left running: past the limit (here at once) an administrator is told.
        settings.RUN_STUCK_AFTER_MINUTES = 0
        health = client.get("/healthz/")
        assert health.status_code == 503
        named = {(s["kind"], s["id"], s["state"]) for s in health.json()["stuck"]}
        assert ("attainment", run.pk, "running") in named
        holder.rollback()  # the killed worker's session goes on, finds its client gone
        assert wait_for(lambda: session_ended(recomputing), timeout=30, interval=0.05)
        assert stamps() == old and results.count() == count + 1  # and rolls back

        celery_worker(queue, **worker_env)

        def state():
            run.refresh_from_db()
            return run.state

        assert wait_for(lambda: state() == "done", timeout=180), run.error
        new = stamps()
        assert len(new) == 1 and new != old  # the new results, whole
        assert results.count() == count and not results.filter(year=2099).exists()
        assert client.get("/healthz/").status_code == 200
    finally:
        holder.close()
        use_broker(app, broker_transport_options={"visibility_timeout": 3600})


def test_an_approval_made_while_the_nightly_recompute_runs_is_caught_up_not_covered(
    plans, bob, dave
):
    """The probe's outage: the broker is down, the nightly recompute has read the figures
    and is writing its results when a reviewer approves one. That approval's run could not
    be queued; the recompute started before it, so it does not cover it."""
    import threading

    from django.db import connections

    from indicators.tasks import recompute_attainment_nightly

    from ..services import broker_down

    require_services()
    actual = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(p25(), "93")]
    ).saved[0]
    # Another session holds the results table against writes (reads still pass): the
    # nightly recompute reads every figure, then waits to write.
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.cursor().execute("LOCK TABLE indicators_attainmentresult IN SHARE MODE")
    failures = []

    def nightly():
        try:
            recompute_attainment_nightly.apply().get()
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=nightly)
    thread.start()
    try:
        assert wait_for(lock_waiters, timeout=60), "the nightly recompute never waited"
        with broker_down():
            actual_approve(user=dave, actuals=[actual])
        approval_run = AttainmentRun.objects.exclude(scope__contains="nightly").latest("pk")
        assert approval_run.state == "not_queued"
    finally:
        blocker.rollback()  # the nightly recompute writes now, from what it read before
        blocker.close()
        thread.join(timeout=120)
    assert not failures and not thread.is_alive()
    nightly_run = AttainmentRun.objects.filter(scope__contains="nightly").latest("pk")
    assert nightly_run.state == "done"
    approval_run.refresh_from_db()
    assert approval_run.state == "not_queued"  # behind: the nightly run started before it
    assert AttainmentResult.objects.get(indicator=p25(), year=2013).status == "no_data"

    out = StringIO()
    call_command("recompute_attainment", "--catch-up", stdout=out)
    assert "Caught up 1 run(s)" in out.getvalue()
    approval_run.refresh_from_db()
    assert approval_run.state == "done"
    assert AttainmentResult.objects.get(indicator=p25(), year=2013).status == "achieved"
