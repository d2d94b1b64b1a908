"""Attainment runs: their life (queued, running, done or failed), queued on commit, left
`not_queued` when the broker is down and caught up later."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.models import AttainmentResult, AttainmentRun, Plan
from indicators.services.runs import (
    attainment_run_nightly,
    attainment_run_queue,
    attainment_runs_catch_up,
)

from ..services import broker_down


@pytest.mark.django_db
def test_a_run_starts_finishes_and_fails_with_its_times(plans):
    run = AttainmentRun.objects.create(scope="test")
    assert run.start()
    run.refresh_from_db()
    assert run.state == "running" and run.started_at and not run.finished_at
    run.finish(results=12)
    run.refresh_from_db()
    assert (run.state, run.results) == ("done", 12) and run.finished_at >= run.started_at
    assert not run.start()  # a task delivered twice does nothing the second time
    other = AttainmentRun.objects.create(scope="test")
    other.start()
    other.fail(ValueError("磁盘已满"))
    other.refresh_from_db()
    assert other.state == "failed" and "磁盘已满" in other.error and other.finished_at


@pytest.mark.django_db
def test_a_run_is_queued_when_the_transaction_commits(plans, django_capture_on_commit_callbacks):
    plan = Plan.objects.get(slug="jiaxing-2011")
    with django_capture_on_commit_callbacks() as callbacks:
        run = attainment_run_queue(plan=plan, scope="test")
    assert len(callbacks) == 1
    assert AttainmentRun.objects.get(pk=run.pk).state == "queued"  # nothing sent yet
    callbacks[0]()  # the commit: without a broker the task runs here (eager)
    run.refresh_from_db()
    assert run.state == "done" and run.results == AttainmentResult.objects.filter(plan=plan).count()


@pytest.mark.django_db
def test_with_the_broker_down_a_run_waits_for_the_catch_up(
    plans, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(slug="jiaxing-2011")
    AttainmentResult.objects.filter(plan=plan).delete()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        run = attainment_run_queue(plan=plan, scope="test")
    run.refresh_from_db()
    assert run.state == "not_queued"
    assert attainment_runs_catch_up() == 1
    run.refresh_from_db()
    assert run.state == "done" and AttainmentResult.objects.filter(plan=plan).count() == run.results
    out = StringIO()
    call_command("recompute_attainment", "--catch-up", stdout=out)
    assert "Caught up 0 run(s)." in out.getvalue()


def left(run, state, minutes_ago):
    """The run as a worker killed mid-task (running) or a lost message (queued) leaves it."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    AttainmentRun.objects.filter(pk=run.pk).update(state=state, started_at=then, created_at=then)
    return run


@pytest.mark.django_db
def test_the_catch_up_redoes_runs_stuck_past_the_limit_and_leaves_live_ones(plans, settings):
    settings.RUN_STUCK_AFTER_MINUTES = 30
    plan = Plan.objects.get(slug="jiaxing-2011")
    AttainmentResult.objects.filter(plan=plan).delete()
    stuck = left(AttainmentRun.objects.create(scope="test", plan=plan), "running", 90)
    lost = left(AttainmentRun.objects.create(scope="test", plan=plan), "queued", 90)
    live = left(AttainmentRun.objects.create(scope="test", plan=plan), "running", 5)
    waiting = left(AttainmentRun.objects.create(scope="test", plan=plan), "queued", 5)
    out = StringIO()
    call_command("recompute_attainment", "--catch-up", stdout=out)
    assert "Caught up 2 run(s)." in out.getvalue()
    states = dict(AttainmentRun.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in (stuck, lost, live, waiting)] == [
        "done",
        "done",
        "running",
        "queued",
    ]
    assert AttainmentResult.objects.filter(plan=plan).exists()


@pytest.mark.django_db
def test_the_nightly_recompute_covers_the_runs_behind_when_it_starts(plans, settings):
    settings.RUN_STUCK_AFTER_MINUTES = 30
    plan = Plan.objects.get(slug="jiaxing-2011")
    unsent = left(AttainmentRun.objects.create(scope="test", plan=plan), "not_queued", 1)
    stuck = left(AttainmentRun.objects.create(scope="test", plan=plan), "running", 90)
    live = left(AttainmentRun.objects.create(scope="test", plan=plan), "running", 5)
    nightly = attainment_run_nightly()
    states = dict(AttainmentRun.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in (unsent, stuck, live)] == ["done", "done", "running"]
    assert f"run {nightly.pk}" in AttainmentRun.objects.get(pk=unsent.pk).error
