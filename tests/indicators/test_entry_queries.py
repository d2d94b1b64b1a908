"""What the clerk's and the reviewer's pages cost in database queries, exactly: the same with
one line as with many (no query per row)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from indicators.models import Indicator
from indicators.services.actuals import EntryRow, actual_approve, actual_return, actual_submit

pytestmark = pytest.mark.django_db

ENTRY = reverse("admin:indicators_actual_entry")
WORKLIST = reverse("admin:indicators_actual_worklist")
QUEUE = reverse("admin:indicators_actual_review")

# The requests' own queries are among these: the session, the user with their profile and
# department, their roles and permissions (accounts.backends).
ENTRY_QUERIES = 15
WORKLIST_QUERIES = 9
QUEUE_QUERIES = 14  # with the unread warnings above the queue


@pytest.fixture(autouse=True)
def cold_content_types():
    """Counted from a cold content-type cache, whatever ran before in this process."""
    ContentType.objects.clear_cache()


def get(client, url, django_assert_num_queries, queries, **params):
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def submit_all(user, year):
    """A figure for every numeric indicator of the user's department, with its reasons."""
    indicators = Indicator.objects.filter(department=user.profile.department).order_by("code")
    rows = [
        EntryRow(i, qualitative_status="in_progress", evidence="方案已印发")
        if i.is_qualitative
        else EntryRow(i, "93", note="核对无误", explanation="说明", next_steps="措施")
        for i in indicators
    ]
    result = actual_submit(user=user, region=user.profile.department.region, year=year, rows=rows)
    assert result.ok, result.errors
    return result.saved


def test_the_entry_page(client, bob, dave, django_assert_num_queries):
    client.force_login(bob)
    params = {"department": bob.profile.department.pk, "year": 2013}
    page = get(client, ENTRY, django_assert_num_queries, ENTRY_QUERIES, **params)
    assert len(page.context["lines"]) == 8 and not any(
        line.actual for line in page.context["lines"]
    )
    figures = submit_all(bob, 2013)
    actual_approve(user=dave, actuals=figures[:3])
    actual_return(user=dave, actuals=figures[3:5], reason="请核对")
    page = get(client, ENTRY, django_assert_num_queries, ENTRY_QUERIES, **params)
    assert all(line.actual for line in page.context["lines"])  # eight figures, three read-only


def test_the_work_list(client, bob, dave, django_assert_num_queries):
    client.force_login(bob)
    page = get(client, WORKLIST, django_assert_num_queries, WORKLIST_QUERIES)
    assert len(page.context["rows"]) == 5 and page.context["returned"] == []
    for year in (2012, 2013, 2014):
        figures = submit_all(bob, year)
        actual_return(user=dave, actuals=figures[:4], reason="请核对")
    page = get(client, WORKLIST, django_assert_num_queries, WORKLIST_QUERIES)
    assert len(page.context["returned"]) == 12


def test_the_review_queue(client, bob, carol, dave, django_assert_num_queries):
    submit_all(bob, 2013)
    client.force_login(dave)
    page = get(client, QUEUE, django_assert_num_queries, QUEUE_QUERIES)
    assert len(page.context["lines"]) == 8
    submit_all(bob, 2014)
    submit_all(carol, 2013)
    page = get(client, QUEUE, django_assert_num_queries, QUEUE_QUERIES)
    assert len(page.context["lines"]) == 20  # two more years, another department and plan
