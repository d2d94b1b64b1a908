"""Two clerks saving the same empty cell at the same moment, each on its own connection."""

import os
import threading

import pytest
from django.db import connection, connections, transaction

from indicators.models import Actual, Indicator
from indicators.services.actuals import EntryRow, actual_save

from ..services import lock_waiters, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_saves_of_the_same_empty_cell_keep_one_and_refuse_the_other_as_stale(plans, bob, bert):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test on PostgreSQL (set DATABASE_URL)")
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    region = bob.profile.department.region
    outcome = {}

    def save(user, text):
        try:
            outcome[user.username] = actual_save(
                user=user, region=region, year=2013, rows=[EntryRow(indicator, text)]
            )
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome[user.username] = exc
        finally:
            connections.close_all()  # this thread's connection

    threads = [
        threading.Thread(target=save, args=(bob, "93")),
        threading.Thread(target=save, args=(bert, "94")),
    ]
    # Hold the indicator's row until both saves have read the cell as empty and wait: they
    # then go at the same moment.
    with transaction.atomic():
        list(Indicator.objects.select_for_update().filter(pk=indicator.pk).values_list("pk"))
        for thread in threads:
            thread.start()
        waiting = wait_for(lambda: len(lock_waiters()) >= 2, timeout=30, interval=0.05)
        assert waiting, "the two saves never waited for the held indicator"
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in outcome.values() if isinstance(r, Exception)], outcome
    saved = [r for r in outcome.values() if r.ok]
    refused = [r for r in outcome.values() if not r.ok]
    assert len(saved) == 1 and len(refused) == 1
    kept = Actual.objects.get(indicator=indicator, region=region, year=2013)
    assert kept.raw == saved[0].saved[0].raw and kept.version == 1
    (message,) = refused[0].errors[indicator.pk]
    assert f"已被{kept.entered_by}" in message and f"“{kept.raw}”" in message
