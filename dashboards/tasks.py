from celery import shared_task

from .payloads import overview_payload, plan_payload


@shared_task
def render_dashboards(plan_ids=None):
    """Build and cache the overview and the touched plans' pages (idempotent)."""
    from indicators.models import Plan

    overview_payload()
    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=plan_ids)
    count = 0
    for plan in plans.filter(is_synthetic=False) if plan_ids is None else plans:
        plan_payload(plan)
        count += 1
    return count
