"""Approval → Redis → a real Celery worker → PostgreSQL: the stored status changes."""

import os

import pytest

from indicators.models import AttainmentResult, AttainmentRun, Indicator
from indicators.services.actuals import EntryRow, actual_approve, actual_submit
from qualityplan.celery import app

from ..services import REDIS_URL, require_services, use_broker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker):
    require_services()
    queue = f"qualityplan-test-{os.getpid()}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    use_broker(app, broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    yield celery_worker(queue)
    use_broker(app, **saved)


def test_an_approval_is_recomputed_by_the_worker(plans, bob, dave, worker):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    other = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-29")
    before = AttainmentResult.objects.get(indicator=other, year=2013).computed_at
    actual = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(indicator, "93")]
    ).saved[0]
    actual_approve(user=dave, actuals=[actual])
    run = AttainmentRun.objects.latest("pk")

    def done():
        run.refresh_from_db()
        return run.state == AttainmentRun.State.DONE

    assert wait_for(done), f"the worker did not finish the run: {run.state} {run.error}"
    result = AttainmentResult.objects.get(indicator=indicator, year=2013)
    assert (result.status, result.actual_raw) == ("achieved", "93")
    # Only the touched indicator was recomputed.
    assert AttainmentResult.objects.get(indicator=other, year=2013).computed_at == before
