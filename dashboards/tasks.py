from celery import shared_task

from .payloads import PLANS_PER_PAGE, overview_payload, render_plan
from .selectors import overview_plans, overview_years


@shared_task
def render_dashboards(plan_ids=None):
    """Build and cache the touched plans' pages and cards (None: every plan), then the
    overview pages that show them, at the default year and at each year (idempotent)."""
    plans = overview_plans()
    if plan_ids is not None:
        plans = plans.filter(pk__in=plan_ids)
    count = 0
    for plan in plans.iterator(chunk_size=500):
        render_plan(plan)
        count += 1
    order = list(overview_plans().values_list("pk", flat=True))
    touched = None if plan_ids is None else set(plan_ids)
    for start in range(0, len(order), PLANS_PER_PAGE):
        if touched is None or touched.intersection(order[start : start + PLANS_PER_PAGE]):
            overview_payload(page=start // PLANS_PER_PAGE + 1, refresh=True)
    # The first overview page at each year the picker offers: a leader's first look at a year
    # should not be twenty cards built while they wait (nor by several leaders at once).
    for year in overview_years():
        first = list(overview_plans(year=year).values_list("pk", flat=True)[:PLANS_PER_PAGE])
        if first and (touched is None or touched.intersection(first)):
            overview_payload(page=1, year=year, refresh=True)
    return count
