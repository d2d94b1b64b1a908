"""Each dashboard page for each role, an empty plan, and the figures against the command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import AttainmentResult, AttainmentRun, Indicator, Plan
from regions.models import Department, Region

PAGES = [
    ("dashboards:overview", []),
    ("dashboards:plan", ["zhejiang-13"]),
    ("dashboards:indicator", ["zhejiang-13", "T1-1-01"]),
    ("dashboards:comparison_index", []),
    ("dashboards:comparison", ["manufacturing-product-quality-pass-rate"]),
]
ALLOWED = {"alice": True, "erin": True, "frank": True, "grace": True, "bob": False, "dave": False}


@pytest.fixture
def people(alice, bob, dave, erin, frank, grace):
    return {u.username: u for u in (alice, bob, dave, erin, frank, grace)}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", list(ALLOWED))
def test_pages_answer_leaders_auditors_and_administrators_only(client, people, role, name, args):
    client.force_login(people[role])
    response = client.get(reverse(name, args=args))
    assert response.status_code == (200 if ALLOWED[role] else 403)


@pytest.mark.django_db
def test_department_page_answers_leaders_and_not_clerks(client, people):
    department = people["bob"].profile.department
    url = reverse("dashboards:department", args=[department.pk]) + "?year=2013"
    client.force_login(people["erin"])
    page = client.get(url)
    assert page.status_code == 200
    assert "尚缺 8 项" in page.content.decode()
    client.force_login(people["bob"])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_login(client, plans, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_an_empty_plan_has_a_page(client, erin):
    Plan.objects.create(
        slug="empty-plan",
        title="空规划",
        region=Region.objects.get(code="330400"),
        period_start=2026,
        period_end=2030,
    )
    client.force_login(erin)
    page = client.get(reverse("dashboards:plan", args=["empty-plan"]))
    assert page.status_code == 200 and "没有符合条件的指标" in page.content.decode()
    overview = client.get(reverse("dashboards:overview"))
    assert "空规划" in overview.content.decode()


@pytest.mark.django_db
def test_plan_page_numbers_match_the_attainment_command(client, erin):
    out = StringIO()
    call_command("attainment", "--plan", "zhejiang-13", "--format", "json", stdout=out)
    expected = {r["indicator_code"]: r for r in json.loads(out.getvalue())["records"]}
    client.force_login(erin)
    page = client.get(reverse("dashboards:plan", args=["zhejiang-13"]))
    rows = page.context["data"]["rows"]
    assert {r["indicator_code"]: r["status"] for r in rows} == {
        code: r["status"] for code, r in expected.items()
    }
    assert rows[0]["indicator_code"] == "T1-1-03"  # the one missed target comes first
    figure = json.loads(page.context["data"]["figure"])
    assert len(figure["data"][0]["y"]) == 20


@pytest.mark.django_db
def test_plan_filters_by_status_category_and_department(client, erin):
    client.force_login(erin)
    url = reverse("dashboards:plan", args=["zhejiang-13"])
    rows = client.get(url, {"status": "not_achieved"}).context["data"]["rows"]
    assert [r["indicator_code"] for r in rows] == ["T1-1-03"]
    rows = client.get(url, {"category": "标准建设"}).context["data"]["rows"]
    assert rows and {r["category"] for r in rows} == {"标准建设"}
    department = Department.objects.get(region__code="330400", name="市建委")
    rows = client.get(
        reverse("dashboards:plan", args=["jiaxing-2011"]), {"department": department.pk}
    ).context["data"]["rows"]
    assert {r["indicator"].department for r in rows} == {department}


@pytest.mark.django_db
def test_indicator_page_shows_source_quote_milestones_and_conflicts(client, erin):
    client.force_login(erin)
    page = client.get(reverse("dashboards:indicator", args=["jinhua-2023", "P-01"]))
    html = page.content.decode()
    figure = json.loads(page.context["data"]["figure"])
    names = [trace.get("name") for trace in figure["data"]]
    assert "2025年目标" in names and "2027年目标" in names
    assert Indicator.objects.get(plan__slug="jinhua-2023", code="P-01").source_text in html
    water = Indicator.objects.get(plan__slug="jiaojiang-13", code="T1-09")
    html = client.get(reverse("dashboards:indicator", args=["jiaojiang-13", "T1-09"]))
    assert "来源冲突" in html.content.decode()
    assert water.targets.count() == 2


@pytest.mark.django_db
def test_sample_data_is_marked_wherever_it_shows(client, erin):
    call_command("load_demo", "--force", stdout=StringIO())
    client.force_login(erin)
    assert "含示例数据" in client.get(reverse("dashboards:overview")).content.decode()
    page = client.get(reverse("dashboards:plan", args=["zhejiang-14"]))
    assert "示例数据" in page.content.decode()


def attainment_rows():
    """Every stored result with the time it was computed, every run with its state."""
    return (
        set(AttainmentResult.objects.values_list("pk", "computed_at")),
        set(AttainmentRun.objects.values_list("pk", "state")),
    )


@pytest.mark.django_db
def test_pages_read_stored_results_and_never_recompute(client, erin):
    before = attainment_rows()
    client.force_login(erin)
    with CaptureQueriesContext(connection) as queries:
        for name, args in PAGES:
            assert client.get(reverse(name, args=args)).status_code == 200
    tables = (AttainmentResult._meta.db_table, AttainmentRun._meta.db_table)
    writes = [
        q["sql"]
        for q in queries
        if not q["sql"].startswith("SELECT") and any(t in q["sql"] for t in tables)
    ]
    assert writes == []  # nothing recomputed here, nothing queued
    assert attainment_rows() == before


@pytest.mark.django_db
def test_a_cached_plan_page_costs_few_queries(client, erin, django_assert_max_num_queries):
    client.force_login(erin)
    url = reverse("dashboards:plan", args=["zhejiang-14"])
    client.get(url)
    with django_assert_max_num_queries(6):
        client.get(url)


@pytest.mark.django_db
def test_chart_axes_make_room_for_their_labels(client, erin):
    client.force_login(erin)
    for url in [
        reverse("dashboards:overview"),
        reverse("dashboards:plan", args=["zhejiang-13"]),
        reverse("dashboards:indicator", args=["zhejiang-14", "T2-1-02"]),
    ]:
        layout = json.loads(client.get(url).context["data"]["figure"])["layout"]
        # Long names on the plan chart's y axis, "95.6" on the indicator's: never cut off.
        assert layout["xaxis"]["automargin"] and layout["yaxis"]["automargin"], url
