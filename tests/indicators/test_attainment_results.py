"""Stored attainment results, the `attainment` command and the 上下衔接 check."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from indicators.models import AttainmentResult, AttainmentRun, Indicator
from indicators.services.actuals import EntryRow, actual_approve, actual_return, actual_submit


def attainment_json(*args):
    out = StringIO()
    call_command("attainment", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_zhejiang_13_recorded_2020_actuals_are_judged(plans):
    data = attainment_json("--plan", "zhejiang-13")
    records = {r["indicator_code"]: r for r in data["records"]}
    assert len(records) == 20 and {r["year"] for r in records.values()} == {2020}
    farm = records["T1-1-01"]  # actual "98以上" against a target of 98: a bound that meets it
    assert (farm["actual_raw"], farm["status"]) == ("98以上", "achieved")
    # 表1-1 prints 创建国家产品质量监督检验中心(新增): planned 10, achieved 6 — the one
    # 表1-1 row the document itself shows as missed.
    assert records["T1-1-03"]["status"] == "not_achieved"
    assert records["T1-1-03"]["completion"] == 0.6
    others = [r["status"] for code, r in records.items() if code != "T1-1-03"]
    assert others == ["achieved"] * 19
    rollup = data["rollups"][0]
    assert (rollup["achieved"], rollup["with_data"], rollup["achievement_rate"]) == (19, 20, 0.95)


@pytest.mark.django_db
def test_approving_a_figure_updates_the_stored_status(
    bob, dave, django_capture_on_commit_callbacks
):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")  # ≥ 92, 2015
    actual = actual_submit(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(indicator, "93")]
    ).saved[0]
    assert not AttainmentResult.objects.filter(indicator=indicator, actual__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=[actual])
    result = AttainmentResult.objects.get(indicator=indicator, year=2013)
    assert (result.status, result.actual_raw, result.met) == ("achieved", "93", True)
    run = AttainmentRun.objects.latest("pk")
    assert (run.state, run.indicator_ids) == ("done", [indicator.pk])
    with django_capture_on_commit_callbacks(execute=True):
        actual_return(user=dave, actuals=[actual], reason="口径有误")
    assert AttainmentResult.objects.get(indicator=indicator, year=2013).status == "no_data"


@pytest.mark.django_db
def test_import_with_approve_is_read_back_by_the_command(
    tmp_path, bob, dave, django_capture_on_commit_callbacks
):
    path = tmp_path / "figures.csv"
    path.write_text(
        "plan,indicator,region,year,value,note\n"
        "jiaxing-2011,P-25,330400,2011,90,\n"
        "jiaxing-2011,P-25,330400,2013,91,\n"
        "jiaxing-2011,P-29,330400,2013,86以上,\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_actuals",
            str(path),
            *("--user", "dave", "--approve", "--entered-by", "bob"),
            stdout=StringIO(),
        )
    data = attainment_json("--plan", "jiaxing-2011", "--year", "2013")
    records = {r["indicator_code"]: r for r in data["records"]}
    # P-25: b = 90 (2011, earliest actual), t = 92, a = 91 in 2013; e = 2/4, p = 1/2 → on track
    assert (records["P-25"]["progress"], records["P-25"]["elapsed"]) == (0.5, 0.5)
    assert records["P-25"]["status"] == "on_track"
    assert records["P-29"]["status"] == "achieved"  # "86以上" against ≥ 85
    assert records["P-01"]["status"] == "no_data"


@pytest.mark.django_db
def test_the_year_defaults_to_the_latest_with_approved_data(plans):
    assert attainment_json("--plan", "zhejiang-13")["rollups"][0]["year"] == 2020


@pytest.mark.django_db
def test_a_weaker_city_target_than_the_province_is_flagged(plans):
    alignment = attainment_json("--plan", "jinhua-2023")["alignment"]
    flagged = {
        (a["indicator_code"], a["parent_plan"], a["parent_indicator_code"]) for a in alignment
    }
    assert ("P-07", "zhejiang-14", "T2-1-02") in flagged  # 94 against 96
    out = StringIO()
    call_command("attainment", "--plan", "jinhua-2023", stdout=out)
    assert "上下衔接" in out.getvalue() and "金华市2025年目标94%以上弱于浙江省" in out.getvalue()


@pytest.mark.django_db
def test_counts_are_not_compared_between_levels(plans):
    alignment = attainment_json()["alignment"]
    assert all(a["message"] for a in alignment)
    units = {
        Indicator.objects.get(plan__slug=a["plan"], code=a["indicator_code"]).unit
        for a in alignment
    }
    assert units <= {"%", "‰", "分"}


@pytest.mark.django_db
def test_canonical_links_join_the_same_measure_across_plans(plans):
    members = Indicator.objects.filter(
        canonical__key="manufacturing-product-quality-pass-rate"
    ).values_list("plan__slug", flat=True)
    assert {"jiaojiang-13", "rizhao-14", "zhejiang-14", "jinhua-2023"} <= set(members)
