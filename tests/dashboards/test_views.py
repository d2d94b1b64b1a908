"""Each dashboard page for each role, an empty plan, and the figures against the command."""

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.comparisons import canonical_group
from dashboards.selectors import changes, progress_bar
from indicators.models import Actual, AttainmentResult, AttainmentRun, Indicator, Plan
from indicators.services.actuals import EntryRow, actual_approve, actual_save, actual_submit
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
    # The chart: one stacked bar per year of the period judged so far, each with every indicator.
    figure = json.loads(page.context["data"]["figure"])
    assert figure["data"][0]["x"] == ["2016", "2017", "2018", "2019", "2020"]
    assert sum(trace["y"][-1] for trace in figure["data"]) == 20


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
    with django_assert_max_num_queries(7):
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


BAD_NUMBERS = [
    (reverse("dashboards:overview"), "year=abc"),
    (reverse("dashboards:overview"), "year=1e3"),
    (reverse("dashboards:overview"), "page=abc"),
    (reverse("dashboards:overview"), "year=1999"),  # no plan runs then
    (reverse("dashboards:plan", args=["zhejiang-13"]), "year=abc"),
    (reverse("dashboards:plan", args=["zhejiang-13"]), "year=2024"),  # outside 2016-2020
    (reverse("dashboards:plan", args=["zhejiang-13"]), "department=x"),
    (reverse("dashboards:indicator", args=["zhejiang-13", "T1-1-01"]), "year=1e3"),
    (reverse("dashboards:comparison", args=["manufacturing-product-quality-pass-rate"]), "year=-1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "query"), BAD_NUMBERS)
def test_a_malformed_or_foreign_number_in_the_query_is_a_bad_request(client, erin, url, query):
    client.force_login(erin)
    page = client.get(f"{url}?{query}")
    assert page.status_code == 400 and "请求有误" in page.content.decode()


@pytest.mark.django_db
def test_a_department_page_with_a_malformed_year_is_a_bad_request(client, erin, bob):
    client.force_login(erin)
    url = reverse("dashboards:department", args=[bob.profile.department.pk])
    assert client.get(url + "?year=二〇一三").status_code == 400


@pytest.mark.django_db
def test_any_year_of_the_period_is_read_from_its_own_results(client, erin):
    client.force_login(erin)
    url = reverse("dashboards:plan", args=["zhejiang-13"])
    page = client.get(url, {"year": 2018})
    assert page.context["data"]["year"] == 2018
    # 表1-1 records 2020 actuals only: in 2018 nothing was reported yet.
    assert {r["status"] for r in page.context["data"]["rows"]} == {"no_data"}
    html = page.content.decode()
    assert '<option value="2018" selected>' in html and '<option value="2016"' in html
    assert f"{reverse('dashboards:indicator', args=['zhejiang-13', 'T1-1-01'])}?year=2018" in html
    indicator = client.get(reverse("dashboards:indicator", args=["zhejiang-13", "T1-1-01"]))
    assert indicator.context["data"]["year"] == 2020
    said = indicator.context["data"]["results"][0]["said"]
    assert (said.target, said.actual, said.status) == ("不低于 98%", "98%以上", "已达标")
    assert said.reason == "实际 98%以上,达到目标 不低于 98%,判为已达标"


@pytest.mark.django_db
def test_the_rate_is_defined_on_the_page_and_agrees_with_the_counts_beside_it(client, erin):
    client.force_login(erin)
    page = client.get(reverse("dashboards:overview"))
    assert "达标率 = 已达标的数值型指标 ÷ 应评价的数值型指标" in page.content.decode()
    for card in page.context["data"]["cards"]:
        counts = {c["code"]: c["count"] for c in card["counts"]}
        assert card["achieved"] == counts.get("achieved", 0), card["slug"]
        assert card["assessed"] == sum(n for code, n in counts.items() if code != "no_data")
    zhejiang = next(c for c in page.context["data"]["cards"] if c["slug"] == "zhejiang-13")
    assert (zhejiang["rate"], zhejiang["achieved"], zhejiang["assessed"]) == ("95.0%", 19, 20)


@pytest.mark.django_db
def test_with_fewer_than_half_reported_the_rate_reads_insufficient_data(
    client, erin, bob, dave, django_capture_on_commit_callbacks
):
    rows = [EntryRow(Indicator.objects.get(plan__slug="jiaxing-2011", code=c), "95") for c in
            ("P-25", "P-29")]  # fmt: skip
    saved = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=rows
    ).saved
    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=saved)
    client.force_login(erin)
    page = client.get(reverse("dashboards:overview"))
    card = next(c for c in page.context["data"]["cards"] if c["slug"] == "jiaxing-2011")
    assert (card["reported"], card["indicators"], card["enough_data"]) == (2, 46, False)
    html = page.content.decode()
    assert re.search(r"数据不足</strong>\s*<span class=\"meta\">\(2/46 已填报\)", html)


def test_a_card_says_which_indicators_slipped_and_which_recovered():
    said = changes(
        {"A": "on_track", "B": "lagging", "C": "off_track", "D": "no_data"},
        {"A": "lagging", "B": "achieved", "C": "off_track", "D": "off_track"},
    )
    assert [(c["code"], c["codes"]) for c in said["worse"]] == [("lagging", ["A"])]
    assert said["recovered"] == ["B"]  # D had no verdict before: neither slipped nor recovered


@pytest.mark.django_db
def test_the_plan_page_shows_what_needs_attention_first_and_folds_the_rest(client, erin):
    client.force_login(erin)
    page = client.get(reverse("dashboards:plan", args=["zhejiang-13"]))
    html = page.content.decode()
    assert page.context["data"]["attention"] == 1
    assert html.index("需关注") < html.index("T1-1-03") < html.index('<details class="rest">')
    assert "其余 19 项指标" in html


def test_an_achieved_target_is_never_drawn_negative():
    record = {"status": "achieved", "progress": Decimal("-0.5"), "elapsed": Decimal("0.8"),
              "comparator": "gte"}  # fmt: skip
    assert progress_bar(record, "level") == {
        "width": 100, "mark": 80.0, "over": False, "negative": False
    }  # fmt: skip
    assert progress_bar({**record, "status": "on_track"}, "level")["negative"]
    assert progress_bar(record, "per_year") is None  # each year judged on its own


@pytest.mark.django_db
def test_a_yearly_target_says_the_year_it_was_judged(
    client, erin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", stdout=StringIO())
    client.force_login(erin)
    rows = client.get(reverse("dashboards:plan", args=["jinhua-2023"])).context["data"]["rows"]
    row = next(r for r in rows if r["indicator_code"] == "P-14")  # 每年新增…400家以上
    assert row["said"].actual.startswith("2024年当年 ")
    assert row["said"].reason.startswith("每年目标逐年评价:2024年当年 ")
    assert row["bar"] is None


@pytest.mark.django_db
def test_department_pages_are_linked_and_open_on_the_latest_year_with_data(client, erin, bob):
    department = bob.profile.department
    url = reverse("dashboards:department", args=[department.pk])
    client.force_login(erin)
    assert url in client.get(reverse("dashboards:department_index")).content.decode()
    plan = client.get(reverse("dashboards:plan", args=["jiaxing-2011"])).content.decode()
    assert url in plan
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    page = client.get(url).content.decode()
    assert "2015年" in page and "bob" in page  # no data yet: the last year, and who reports
    actual_save(user=bob, region=department.region, year=2013, rows=[EntryRow(indicator, "93")])
    page = client.get(url)
    assert page.context["year"] == 2013
    assert "尚缺 8 项" in page.content.decode()  # a draft is not yet submitted


@pytest.mark.django_db
def test_the_comparison_index_is_grouped_by_subject_with_a_search_box(client, erin):
    assert canonical_group("社会公用计量标准(存量)") == 5  # infrastructure, not a standard
    assert canonical_group("制定“浙江制造”标准") == 2  # a standard, not a brand
    assert canonical_group("集中式饮用水水源地水质达标率") == 1
    assert canonical_group("制造业产品质量合格率") == 0
    assert canonical_group("“浙江制造”品牌认证企业") == 3
    client.force_login(erin)
    page = client.get(reverse("dashboards:comparison_index"))
    groups = page.context["groups"]
    assert len(groups) == 6 and sum(len(items) for _, items in groups) == 41
    assert 'id="canonical-search"' in page.content.decode()


@pytest.mark.django_db
def test_the_comparison_header_tells_when_the_figures_were_approved(client, erin):
    client.force_login(erin)
    html = client.get(
        reverse("dashboards:comparison", args=["manufacturing-product-quality-pass-rate"])
    ).content.decode()
    assert "尚未计算" not in html and "页面生成时间" in html


@pytest.mark.django_db
def test_each_indicator_shows_the_history_of_its_status(client, erin):
    client.force_login(erin)
    page = client.get(reverse("dashboards:indicator", args=["zhejiang-13", "T1-1-03"]))
    history = [(year, b["code"]) for year, b in page.context["data"]["history"]]
    assert history == [(2016, "no_data"), (2017, "no_data"), (2018, "no_data"),
                       (2019, "no_data"), (2020, "not_achieved")]  # fmt: skip
    rows = client.get(reverse("dashboards:plan", args=["zhejiang-13"])).context["data"]["rows"]
    row = next(r for r in rows if r["indicator_code"] == "T1-1-03")
    assert [(year, b["code"]) for year, b in row["history"]] == history


@pytest.mark.django_db
def test_beside_what_needs_attention_stands_why_and_what_comes_next(
    client, erin, django_capture_on_commit_callbacks
):
    client.force_login(erin)
    url = reverse("dashboards:plan", args=["zhejiang-13"])
    assert "责任单位尚未填写情况说明" in client.get(url).content.decode()
    missed = Actual.objects.get(indicator__plan__slug="zhejiang-13", indicator__code="T1-1-03")
    missed.explanation, missed.next_steps = "两个中心仍在筹建", "2021年完成验收"
    with django_capture_on_commit_callbacks(execute=True):  # retires the plan's pages
        missed.save()
    html = client.get(url).content.decode()
    assert "两个中心仍在筹建" in html and "2021年完成验收" in html
    indicator = reverse("dashboards:indicator", args=["zhejiang-13", "T1-1-03"])
    assert "2021年完成验收" in client.get(indicator).content.decode()
