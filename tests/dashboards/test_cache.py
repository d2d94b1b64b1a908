"""What a change retires from the dashboard cache and what it leaves, on the real Redis;
stale pages while one request rebuilds; what the pages cost in queries."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dashboards.cache import cached, retire
from dashboards.tasks import render_dashboards
from indicators.models import Indicator, Plan
from indicators.services.actuals import EntryRow, actual_approve, actual_save, actual_submit

from ..services import REDIS_URL, require_services

pytestmark = pytest.mark.renders_dashboards  # as in production: a recompute renders at once

OVERVIEW = reverse("dashboards:overview")
JIAXING = reverse("dashboards:plan", args=["jiaxing-2011"])
ZHEJIANG = reverse("dashboards:plan", args=["zhejiang-13"])
P25 = reverse("dashboards:indicator", args=["jiaxing-2011", "P-25"])


@pytest.fixture
def redis_cache(settings):
    require_services()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    yield
    cache.clear()


def rendered_at(client, url):
    return client.get(url).context["data"]["rendered_at"]


def p25():
    return Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")


def card(client, slug):
    cards = client.get(OVERVIEW).context["data"]["cards"]
    return next(c for c in cards if c["slug"] == slug)


@pytest.mark.django_db
def test_a_draft_keeps_the_plan_pages_and_shows_at_once_on_its_indicator_page(
    client, erin, bob, redis_cache, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    before = {url: rendered_at(client, url) for url in (OVERVIEW, JIAXING, P25)}
    with django_capture_on_commit_callbacks(execute=True):
        actual_save(
            user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(p25(), "93")]
        )
    assert rendered_at(client, OVERVIEW) == before[OVERVIEW]
    assert rendered_at(client, JIAXING) == before[JIAXING]
    page = client.get(P25)
    assert page.context["data"]["rendered_at"] > before[P25]
    assert [(a.raw, a.status) for a in page.context["data"]["actuals"]] == [("93", "draft")]


@pytest.mark.django_db
def test_an_approval_shows_on_the_plan_page_its_card_and_the_indicator_page(
    client, erin, bob, dave, redis_cache, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    reported = card(client, "jiaxing-2011")["reported"]
    assert rendered_at(client, JIAXING) and rendered_at(client, P25)
    with django_capture_on_commit_callbacks(execute=True):
        saved = actual_submit(
            user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(p25(), "93")]
        ).saved
    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=saved)  # recomputes, then renders the plan again
    rows = client.get(JIAXING).context["data"]["rows"]
    assert next(r for r in rows if r["indicator_code"] == "P-25")["actual_raw"] == "93"
    assert card(client, "jiaxing-2011")["reported"] == reported + 1
    actuals = client.get(P25).context["data"]["actuals"]
    assert [(a.raw, a.status) for a in actuals] == [("93", "approved")]


@pytest.mark.django_db
def test_a_change_to_one_plan_retires_its_pages_only(
    client, erin, redis_cache, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    before = {url: rendered_at(client, url) for url in (JIAXING, ZHEJIANG)}
    indicator = Indicator.objects.get(plan__slug="zhejiang-13", code="T1-1-01")
    with django_capture_on_commit_callbacks(execute=True):
        indicator.name = "改名后的指标"
        indicator.save()
    assert rendered_at(client, JIAXING) == before[JIAXING]
    page = client.get(ZHEJIANG)
    assert page.context["data"]["rendered_at"] > before[ZHEJIANG]
    assert "改名后的指标" in page.content.decode()


@pytest.mark.django_db
def test_a_new_plan_shows_on_the_overview_at_once(
    client, erin, redis_cache, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    assert "新增的规划" not in client.get(OVERVIEW).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.create(
            slug="new-plan",
            title="新增的规划",
            region=Plan.objects.get(slug="jiaxing-2011").region,
            period_start=2026,
            period_end=2030,
        )
    assert "新增的规划" in client.get(OVERVIEW).content.decode()


@pytest.mark.django_db
def test_a_stale_payload_is_served_while_one_request_rebuilds_it(plans, redis_cache):
    plan_id = Plan.objects.get(slug="jiaxing-2011").pk
    assert cached("probe", lambda: "first", plans=[plan_id]) == "first"
    retire([plan_id])
    seen_meanwhile = []

    def rebuild():
        # Another request arrives while this one rebuilds: it gets the stale payload.
        seen_meanwhile.append(cached("probe", lambda: "built twice", plans=[plan_id]))
        return "second"

    assert cached("probe", rebuild, plans=[plan_id]) == "second"
    assert seen_meanwhile == ["first"]
    assert cached("probe", lambda: "built again", plans=[plan_id]) == "second"


@pytest.mark.django_db
def test_a_payload_never_stored_is_built_by_whoever_asks(plans, redis_cache):
    plan_id = Plan.objects.get(slug="jiaxing-2011").pk
    seen_meanwhile = []

    def build():
        seen_meanwhile.append(cached("fresh", lambda: "also built", plans=[plan_id]))
        return "built"

    assert cached("fresh", build, plans=[plan_id]) == "built"
    assert seen_meanwhile == ["also built"]


@pytest.mark.django_db
def test_after_the_render_task_every_plan_page_and_the_overview_are_cached(
    client, erin, redis_cache, django_assert_max_num_queries
):
    render_dashboards()
    client.force_login(erin)
    client.get(OVERVIEW)  # the session and the user, loaded once
    for plan in Plan.objects.all():
        with django_assert_max_num_queries(7):  # with the recompute notice and unread warnings
            page = client.get(reverse("dashboards:plan", args=[plan.slug]))
        assert "数据计算时间" in page.content.decode()
    with django_assert_max_num_queries(8):
        page = client.get(OVERVIEW)
    assert "数据计算时间" in page.content.decode()
    # The overview at another year is rendered too: read from the cache, not built.
    for year in (2012, 2024):
        with django_assert_max_num_queries(8):
            page = client.get(f"{OVERVIEW}?year={year}")
        assert page.status_code == 200


@pytest.mark.django_db
def test_each_year_is_cached_apart(client, erin):
    client.force_login(erin)
    default = client.get(JIAXING).context["data"]
    other = client.get(JIAXING + "?year=2012").context["data"]
    assert (default["year"], other["year"]) == (2015, 2012)
    assert client.get(JIAXING + "?year=2012").context["data"]["rendered_at"] == other["rendered_at"]
    assert client.get(JIAXING).context["data"]["rendered_at"] == default["rendered_at"]
