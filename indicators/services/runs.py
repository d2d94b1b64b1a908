"""Attainment recomputes as AttainmentRun rows the user can see: queue, do, catch up."""

from collections.abc import Iterable

from alerts.services import warning_standings, warnings_raise

from ..models import AttainmentRun, Indicator, Plan
from ..recompute import recompute
from ..signals import attainment_recomputed


def attainment_run_queue(
    *, scope: str, plan: Plan | None = None, indicator_ids: Iterable[int] | None = None
) -> AttainmentRun:
    """Record a recompute of one plan, some indicators or (neither given) every plan, and
    queue it once the current transaction commits.

    If the broker cannot be reached the run stays `not_queued`; `attainment_runs_catch_up`
    (or the next nightly full recompute) does it later.
    """
    from ..tasks import run_attainment  # the task module imports this one

    run = AttainmentRun.objects.create(
        scope=scope, plan=plan, indicator_ids=sorted(indicator_ids or [])
    )
    run.queue_on_commit(run_attainment)
    return run


def attainment_run_execute(*, run_id: int) -> AttainmentRun:
    """Do one run, here and now; safe to repeat (results are replaced, not added)."""
    run = AttainmentRun.objects.get(pk=run_id)
    if not run.start():
        return run
    # Warnings compare the statuses before and after: all of a plan's or some indicators',
    # only the warning ones when every plan is recomputed.
    scope = {"plan_id": run.plan_id, "indicator_ids": run.indicator_ids}
    before = warning_standings(**scope)
    try:
        if run.plan_id is not None:
            count = recompute(plan_ids=[run.plan_id])
        elif run.indicator_ids:
            count = recompute(indicator_ids=run.indicator_ids)
        else:
            count = recompute()
    except Exception as exc:
        run.fail(exc)
        raise
    run.finish(results=count)
    warnings_raise(
        before,
        warning_standings(**scope),
        before_complete=run.plan_id is not None or bool(run.indicator_ids),
    )
    plan_ids = [run.plan_id] if run.plan_id else None
    if run.indicator_ids:
        plan_ids = sorted(
            set(
                Indicator.objects.filter(pk__in=run.indicator_ids).values_list("plan_id", flat=True)
            )
        )
    attainment_recomputed.send(sender=AttainmentRun, plan_ids=plan_ids)
    return run


def attainment_run_now(*, scope: str, plan: Plan | None = None) -> AttainmentRun:
    """Record a recompute of one plan (or every plan) and do it here, in this process."""
    run = AttainmentRun.objects.create(scope=scope, plan=plan)
    return attainment_run_execute(run_id=run.pk)


def attainment_run_nightly() -> AttainmentRun:
    """Every plan in one run, so that at national scale it is shared among worker processes
    (recompute()). It covers the runs that were behind (not queued, or stuck) when it
    started: their changes were committed before it read the figures. A run that falls
    behind while it runs is left for the catch-up."""
    behind = list(AttainmentRun.behind().values_list("pk", flat=True))
    run = attainment_run_now(scope="all plans (nightly)")
    AttainmentRun.objects.filter(pk__in=behind).exclude(state=AttainmentRun.State.DONE).update(
        state=AttainmentRun.State.DONE,
        finished_at=run.finished_at,
        error=f"covered by the nightly recompute (run {run.pk})",
    )
    return run


def attainment_runs_catch_up() -> int:
    """Do, here and now, every run that is behind (not queued, or stuck past
    RUN_STUCK_AFTER_MINUTES); returns how many."""
    return AttainmentRun.catch_up(lambda pk: attainment_run_execute(run_id=pk))
