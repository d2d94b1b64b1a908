"""Retire the cached pages that a change makes out of date, and only those.

Retiring waits for the commit: a page rebuilt before it would store the old data under the
new versions.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from indicators.models import Actual, Baseline, Indicator, Plan, SourceConflict, Target
from indicators.signals import attainment_recomputed

from . import cache

log = logging.getLogger(__name__)


def _queue_render(plan_ids):
    from .tasks import render_dashboards

    try:
        render_dashboards.delay(plan_ids)
    except Exception:
        log.exception("Could not queue the dashboard render; pages will build on demand")


@receiver(attainment_recomputed)
def rerender_after_recompute(sender, plan_ids=None, **kwargs):
    """New results: retire the touched plans' pages and render them again."""
    plan_ids = None if plan_ids is None else list(plan_ids)
    transaction.on_commit(partial(cache.retire, plan_ids))
    transaction.on_commit(partial(_queue_render, plan_ids))


def _plan_id(instance):
    if isinstance(instance, Plan):
        return instance.pk
    if isinstance(instance, Indicator | SourceConflict):
        return instance.plan_id
    # Targets, baselines and actuals belong to a plan through their indicator, which a
    # cascading delete may already have removed (its own signal retires the plan then).
    if type(instance).indicator.is_cached(instance):
        return instance.indicator.plan_id
    return (
        Indicator.objects.filter(pk=instance.indicator_id).values_list("plan_id", flat=True).first()
    )


@receiver([post_save, post_delete], sender=Plan)
@receiver([post_save, post_delete], sender=Indicator)
@receiver([post_save, post_delete], sender=Target)
@receiver([post_save, post_delete], sender=Baseline)
@receiver([post_save, post_delete], sender=SourceConflict)
def retire_plan_pages(sender, instance, **kwargs):
    """What the plan's pages show changed: build them again on the next request."""
    plan_id = _plan_id(instance)
    if plan_id is not None:
        transaction.on_commit(partial(cache.retire, [plan_id]))


# The overview and plan pages count approved figures and mark sample data; a draft or a
# submitted figure shows on its indicator's page only (its results change after approval,
# which recomputes and retires the plan).
IN_PROGRESS = {Actual.Status.DRAFT, Actual.Status.SUBMITTED}


@receiver([post_save, post_delete], sender=Actual)
def retire_after_entry(sender, instance, **kwargs):
    transaction.on_commit(partial(cache.retire_entries, [instance.indicator_id]))
    if instance.status not in IN_PROGRESS or instance.is_sample:
        plan_id = _plan_id(instance)
        if plan_id is not None:
            transaction.on_commit(partial(cache.retire, [plan_id]))
