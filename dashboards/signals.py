import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from indicators.models import Actual, Baseline, Indicator, Plan, SourceConflict, Target
from indicators.signals import attainment_recomputed

from . import cache

log = logging.getLogger(__name__)


@receiver(attainment_recomputed)
def rerender_after_recompute(sender, plan_ids=None, **kwargs):
    """New results: retire the cached pages and render the touched plans' charts again."""
    from .tasks import render_dashboards

    cache.bump()
    try:
        render_dashboards.delay(plan_ids)
    except Exception:
        log.exception("Could not queue the dashboard render; pages will build on demand")


@receiver([post_save, post_delete], sender=Plan)
@receiver([post_save, post_delete], sender=Indicator)
@receiver([post_save, post_delete], sender=Target)
@receiver([post_save, post_delete], sender=Baseline)
@receiver([post_save, post_delete], sender=SourceConflict)
@receiver([post_save, post_delete], sender=Actual)
def retire_cached_pages(sender, **kwargs):
    """What the pages show changed: build them again on the next request."""
    cache.bump()
