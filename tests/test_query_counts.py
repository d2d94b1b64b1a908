"""What each busy page costs in database queries, exactly (as NetBox pins its views).

A count that changes is a decision: a page that grows an N+1 query fails here, and a page
made cheaper lowers its number. The lists are counted again with more rows on them: the
count must not move. The entry page, the work list and the review queue are counted in
tests/indicators/test_entry_queries.py.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dashboards.payloads import PLANS_PER_PAGE
from indicators.models import CanonicalIndicator, Indicator, Plan
from indicators.services.actuals import EntryRow, actual_save
from indicators.synthetic import generate

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("dashboards:overview")
PLAN = reverse("dashboards:plan", args=["zhejiang-13"])
INDICATOR = reverse("dashboards:indicator", args=["zhejiang-13", "T1-1-01"])
ACTUALS = reverse("admin:indicators_actual_changelist")
RESULTS = reverse("admin:indicators_attainmentresult_changelist")

COMPARISON = reverse("dashboards:comparison", args=["manufacturing-product-quality-pass-rate"])

# The overview builds each plan's card (and caches it apart): this many queries a card (the
# plan's results, its counts, and the statuses of the year before for what changed since), at
# most PLANS_PER_PAGE cards a page; a card at a year asked for skips the plan's latest year.
QUERIES_PER_CARD = 10
# Around its cached payload a page reads the session, the user, the user's roles and permissions
# (one query, accounts.backends) and what names the payload: the overview the span of
# the plans' years (its year picker), their number and the page of plans; a plan or an
# indicator its row, and whether the plan's results are being recomputed (its notice); a
# comparison its canonical indicator, its plans' years and its plans; and, for the menu's
# count (and the overview's list), the user's unread warnings.
CACHED = {OVERVIEW: 7, PLAN: 6, INDICATOR: 6, COMPARISON: 7}


@pytest.fixture(autouse=True)
def cold_content_types():
    """Counted from a cold content-type cache, whatever ran before in this process."""
    ContentType.objects.clear_cache()


def get(client, url, django_assert_num_queries, queries, **params):
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("url", "year", "built"),
    [
        (OVERVIEW, None, CACHED[OVERVIEW] + 6 * QUERIES_PER_CARD),
        # In 2020 two plans run: zhejiang-13 and jiaojiang-13.
        (OVERVIEW, 2020, CACHED[OVERVIEW] + 2 * (QUERIES_PER_CARD - 1)),
        # The one missed target of 2020 brings its 情况说明 along.
        (PLAN, None, 20),
        (PLAN, 2018, 18),
        (INDICATOR, None, 15),
        (INDICATOR, 2018, 14),
        (COMPARISON, None, 19),
        (COMPARISON, 2023, 19),
    ],
    ids=[
        "overview",
        "overview-2020",
        "plan",
        "plan-2018",
        "indicator",
        "indicator-2018",
        "comparison",
        "comparison-2023",
    ],
)
def test_a_dashboard_page_built_then_read_from_the_cache(
    client, erin, django_assert_num_queries, url, year, built
):
    assert Plan.objects.count() == 6
    client.force_login(erin)
    params = {"year": year} if year else {}
    get(client, url, django_assert_num_queries, built, **params)
    get(client, url, django_assert_num_queries, CACHED[url], **params)


def test_the_overview_grows_by_one_card_a_plan(client, erin, django_assert_num_queries):
    generate(regions=3, indicators=4, years=2)  # three more plans, each with results
    assert Plan.objects.count() == 9 <= PLANS_PER_PAGE
    client.force_login(erin)
    get(client, OVERVIEW, django_assert_num_queries, CACHED[OVERVIEW] + 9 * QUERIES_PER_CARD)


# A reviewer's list (alice may review) shows their unread warnings above it: one query.
@pytest.mark.parametrize(("who", "queries"), [("alice", 13), ("bob", 15)])
def test_the_actuals_list(client, request, bob, django_assert_num_queries, who, queries):
    client.force_login(request.getfixturevalue(who))
    get(client, ACTUALS, django_assert_num_queries, queries)
    lines = Indicator.objects.filter(department=bob.profile.department).order_by("code")
    rows = [
        EntryRow(indicator, qualitative_status="achieved", evidence="抽查报告")
        if indicator.is_qualitative
        else EntryRow(indicator, "90")
        for indicator in lines
    ]
    saved = actual_save(user=bob, region=bob.profile.department.region, year=2014, rows=rows)
    assert len(saved.saved) == 8
    get(client, ACTUALS, django_assert_num_queries, queries)  # eight more figures listed


@pytest.mark.parametrize(("who", "queries"), [("alice", 7), ("erin", 8)])
def test_the_results_list(client, request, django_assert_num_queries, who, queries):
    """A full page (the plans have more results than a page holds)."""
    client.force_login(request.getfixturevalue(who))
    page = get(client, RESULTS, django_assert_num_queries, queries)
    assert len(page.context["cl"].result_list) == page.context["cl"].list_per_page


def test_the_catalogue_list_compares_its_page_at_once(client, alice, django_assert_num_queries):
    """上下衔接 flags of every entry on the page from one comparison, not one per entry."""
    client.force_login(alice)
    catalogue = reverse("admin:indicators_canonicalindicator_changelist")
    page = get(client, catalogue, django_assert_num_queries, 13)
    assert "金华市2025年目标94%以上弱于浙江省" in page.content.decode()
    linked = Indicator.objects.filter(plan__slug="zhejiang-14", canonical=None)[:3]
    for n, indicator in enumerate(linked):
        indicator.canonical = CanonicalIndicator.objects.create(
            key=f"extra-{n}", name=f"新增口径{n}", direction="higher"
        )
        indicator.save()
    get(client, catalogue, django_assert_num_queries, 13)  # three more entries listed


def test_a_login(client, bob, django_assert_num_queries):
    """The login POST: the failures against it (one query, accounts/throttling.py), the user,
    the new session (is its key free, insert), django-axes' clean-up of expired attempts, its
    access log and its reset of the user's failures, last_login, the user's roles for the
    page it sends them to (not through /start/), and the session saved (SAVEPOINT and RELEASE
    around each session write: the test's transaction)."""
    with django_assert_num_queries(14):
        response = client.post(
            reverse("admin:login"),
            {"username": "bob", "password": "pw-bob-1", "next": reverse("landing")},
        )
    assert response["Location"] == reverse("admin:indicators_actual_worklist")
