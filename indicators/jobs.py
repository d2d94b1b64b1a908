"""Queue attainment recomputes as AttainmentRun rows the user can see."""

import logging

from django.db import transaction
from django.utils import timezone

from .models import AttainmentRun, Indicator
from .recompute import recompute
from .signals import attainment_recomputed

log = logging.getLogger(__name__)


def schedule_recompute(*, indicator_ids=None, plan=None, scope=""):
    """Record a run and queue it once the current transaction commits.

    If the broker cannot be reached the run stays `not_queued`; `catch_up_runs` (and the
    nightly full recompute) does it later.
    """
    from .tasks import run_attainment

    run = AttainmentRun.objects.create(
        scope=scope or (f"plan {plan.slug}" if plan else f"{len(indicator_ids or [])} indicators"),
        plan=plan,
        indicator_ids=sorted(indicator_ids or []),
    )

    def enqueue():
        try:
            run_attainment.delay(run.pk)
        except Exception:
            log.exception("Could not queue attainment run %s; left for catch-up", run.pk)
            AttainmentRun.objects.filter(pk=run.pk, state=AttainmentRun.State.QUEUED).update(
                state=AttainmentRun.State.NOT_QUEUED
            )

    transaction.on_commit(enqueue)
    return run


def execute_run(run_id):
    """Do one run; safe to repeat (results are replaced, not added)."""
    run = AttainmentRun.objects.get(pk=run_id)
    if run.state == AttainmentRun.State.DONE:
        return run
    AttainmentRun.objects.filter(pk=run.pk).update(
        state=AttainmentRun.State.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        if run.plan_id is not None:
            count = recompute(plan_ids=[run.plan_id])
        elif run.indicator_ids:
            count = recompute(indicator_ids=run.indicator_ids)
        else:
            count = recompute()
    except Exception as exc:
        AttainmentRun.objects.filter(pk=run.pk).update(
            state=AttainmentRun.State.FAILED, error=repr(exc), finished_at=timezone.now()
        )
        raise
    AttainmentRun.objects.filter(pk=run.pk).update(
        state=AttainmentRun.State.DONE, results=count, finished_at=timezone.now()
    )
    run.refresh_from_db()
    plan_ids = [run.plan_id] if run.plan_id else None
    if run.indicator_ids:
        plan_ids = sorted(
            set(
                Indicator.objects.filter(pk__in=run.indicator_ids).values_list("plan_id", flat=True)
            )
        )
    attainment_recomputed.send(sender=AttainmentRun, plan_ids=plan_ids)
    return run


def recompute_all_plans():
    """The nightly job: every plan in one run, so that at national scale it is shared among
    worker processes (recompute()); it covers the runs that could not be queued too."""
    run = AttainmentRun.objects.create(scope="all plans (nightly)")
    run = execute_run(run.pk)
    AttainmentRun.objects.filter(state=AttainmentRun.State.NOT_QUEUED).update(
        state=AttainmentRun.State.DONE, error="covered by the nightly recompute"
    )
    return run


def catch_up_runs():
    """Do, here and now, every run that could not be queued; returns how many."""
    pending = list(
        AttainmentRun.objects.filter(state=AttainmentRun.State.NOT_QUEUED).order_by("pk")
    )
    for run in pending:
        execute_run(run.pk)
    return len(pending)
