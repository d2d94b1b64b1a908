"""Base-year figures through the import: a row for a year before the plan period is the
indicator's baseline (基期值), and the attainment then measures progress from it."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators.models import Actual, Baseline, Indicator
from indicators.services.actuals import actual_approve

from ..plan_copies import fixtures_with_plan
from .test_import_actuals import HEADER, run, write_csv

pytestmark = pytest.mark.django_db

NATIONAL_PLAN = {
    "plan": {
        "slug": "national-test",
        "title": "国家质量规划(测试)",
        "region": "100000",
        "issuer": "国务院",
        "period_start": 2023,
        "period_end": 2025,
    },
    "indicators": [
        {
            "code": "P-01",
            "name": "制造业产品质量合格率",
            "category": "总体目标",
            "unit": "%",
            "direction": "higher",
            "measure": "level",
            "source_ref": "一",
            "source_text": "到2025年,制造业产品质量合格率达到97%",
            "targets": [{"year": 2025, "comparator": "gte", "value": "97", "raw": "97%"}],
        },
        {
            "code": "P-02",
            "name": "中国品牌价值评价企业(累计)",
            "category": "总体目标",
            "unit": "家",
            "direction": "higher",
            "measure": "cumulative",
            "source_ref": "一",
            "source_text": "到2025年,品牌价值评价企业达到1000家",
            "targets": [{"year": 2025, "comparator": "gte", "value": "1000", "raw": "1000家"}],
        },
    ],
}


@pytest.fixture
def national_plan(plans, tmp_path):
    """fixtures/ plus a national plan (base year 2022, period 2023-2025), loaded."""
    copy = fixtures_with_plan(tmp_path, NATIONAL_PLAN)
    call_command("load_plans", fixtures=str(copy), stdout=StringIO())
    return Indicator.objects.get(plan__slug="national-test", code="P-01").plan


def attainment(slug, year):
    out = StringIO()
    call_command("attainment", "--plan", slug, "--year", str(year), "--format", "json", stdout=out)
    return {r["indicator_code"]: r for r in json.loads(out.getvalue())["records"]}


def test_base_year_figures_become_baselines_and_the_attainment_starts_from_them(
    national_plan, grace, alice, tmp_path, django_capture_on_commit_callbacks
):
    rows = [
        ["national-test", "P-01", "", "2022", "93%", ""],
        ["national-test", "中国品牌价值评价企业(累计)", "100000", "2021", "500", "2021年底"],
        ["national-test", "P-02", "100000", "2022", "600", ""],
        ["national-test", "制造业产品质量合格率", "", "2023", "94.5%", ""],
        ["national-test", "P-02", "", "2023", "700", ""],
    ]
    # P-02 lags in 2023 (below): submitted only with the department's reasons.
    header = [*HEADER, "情况说明", "下一步措施"]
    explained = [[*r, "", ""] for r in rows]
    explained[4][6:] = ["两家企业评价推迟", "四季度集中评价"]
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(write_csv(tmp_path, explained, header=header), "grace")
    assert "Imported 5 row(s): 2 new, 0 updated, 3 stored as baselines (基期值)." in out
    baselines = Baseline.objects.filter(indicator__plan=national_plan).order_by("year", "pk")
    assert [(b.indicator.code, b.year, b.raw, b.source_ref) for b in baselines] == [
        ("P-02", 2021, "500", "导入"),
        ("P-01", 2022, "93%", "导入"),
        ("P-02", 2022, "600", "导入"),
    ]
    first = baselines[1].history.first()
    assert (first.history_user, first.history_change_reason) == (grace, "导入基期值")
    assert baselines[0].source_text == "2021年底"
    assert not Actual.objects.filter(indicator__plan=national_plan, year__lt=2023).exists()

    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(
            user=alice, actuals=list(Actual.objects.filter(indicator__plan=national_plan))
        )
    records = attainment("national-test", 2023)
    # (94.5 - 93) / (97 - 93) = 37.5% of the way, a third of the time from 2022: on track.
    assert (records["P-01"]["progress"], records["P-01"]["elapsed"]) == (0.375, 0.3333)
    assert records["P-01"]["status"] == "on_track"
    # 累计: from the latest baseline, 600 in 2022: (700 - 600) / (1000 - 600) = 25%: lagging.
    assert (records["P-02"]["progress"], records["P-02"]["status"]) == (0.25, "lagging")

    # The same figure again changes nothing; another replaces it, and is recomputed.
    out, _ = run(write_csv(tmp_path, rows[:1]), "grace")
    assert "0 new, 0 updated." in out
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(
            write_csv(tmp_path, [["national-test", "P-01", "", "2022", "94", ""]]), "grace"
        )
    assert "1 stored as baselines" in out
    assert Baseline.objects.get(indicator__code="P-01", indicator__plan=national_plan).raw == "94"
    assert attainment("national-test", 2023)["P-01"]["progress"] == 0.1667  # 0.5 / 3


def test_a_base_year_for_another_region_is_refused_and_nothing_is_imported(
    national_plan, grace, tmp_path
):
    rows = [
        ["national-test", "P-01", "", "2023", "94.5", ""],
        ["national-test", "P-01", "330000", "2022", "93", ""],
    ]
    with pytest.raises(CommandError):
        run(write_csv(tmp_path, rows), "grace")
    assert not Actual.objects.filter(indicator__plan=national_plan).exists()
    assert not Baseline.objects.filter(indicator__plan=national_plan).exists()


def test_the_refusals_say_why(national_plan, grace, bob, tmp_path):
    rows = [
        ["national-test", "P-01", "330000", "2022", "93", ""],
        ["national-test", "不存在的指标", "", "2022", "93", ""],
    ]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_actuals", str(write_csv(tmp_path, rows)), "--user", "grace", stderr=err
        )
    assert "基期值只记录规划所在区划(全国)的数值,不能导入“浙江省”的基期值" in err.getvalue()
    assert "没有编码或名称为“不存在的指标”的指标" in err.getvalue()
    err = StringIO()
    jiaxing = [["jiaxing-2011", "P-25", "330400", "2009", "90", ""]]
    with pytest.raises(CommandError):
        call_command(
            "import_actuals", str(write_csv(tmp_path, jiaxing)), "--user", "bob", stderr=err
        )
    assert (
        "2009年在规划期(2011–2015年)的基期年(2010年)之前,将作为基期值导入;您无权导入基期值"
        in err.getvalue()
    )


def test_a_clerks_base_year_row_is_reviewed_and_then_becomes_the_baseline(
    bob, dave, tmp_path, django_capture_on_commit_callbacks
):
    out, _ = run(write_csv(tmp_path, [["jiaxing-2011", "P-25", "330400", "2010", "90", ""]]), "bob")
    assert "1 new" in out
    figure = Actual.objects.get(indicator__code="P-25", indicator__plan__slug="jiaxing-2011")
    assert (figure.year, figure.status) == (2010, "submitted")
    assert not Baseline.objects.filter(indicator=figure.indicator).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=[figure])
    baseline = Baseline.objects.get(indicator=figure.indicator)
    assert (baseline.year, baseline.raw, baseline.source_ref) == (2010, "90", "填报审核")


def test_the_admin_upload_says_how_many_rows_became_baselines(national_plan, client, grace):
    client.force_login(grace)
    csv_text = "plan,indicator,region,year,value,note\nnational-test,P-01,,2022,93,\n"
    upload = SimpleUploadedFile("base.csv", csv_text.encode())
    preview = client.post(
        reverse("admin:indicators_actual_import"),
        {"format": "1", "import_file": upload, "resource": "0"},
    )
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:indicators_actual_process_import"), dict(confirm.initial), follow=True
    )
    assert "其中 1 行的年份在规划期之前,已作为基期值保存。" in done.content.decode()
    assert Baseline.objects.get(indicator__plan=national_plan).raw == "93"


def test_the_baseline_form_finds_the_indicator_by_plan_and_name(national_plan, client, grace):
    client.force_login(grace)
    page = client.get(reverse("admin:indicators_baseline_add")).content.decode()
    assert "admin-autocomplete" in page and "vForeignKeyRawIdAdminField" not in page
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "indicators",
            "model_name": "baseline",
            "field_name": "indicator",
            "term": "national-test 合格率",
        },
    ).json()["results"]
    indicator = Indicator.objects.get(plan=national_plan, code="P-01")
    assert found == [{"id": str(indicator.pk), "text": "national-test · P-01 制造业产品质量合格率"}]
