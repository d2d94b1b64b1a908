"""Every change a result rests on, made in the admin as a person makes it, queues the
recompute of what it touched; once the task has run the stored results say the new thing.

Each test submits the real add, change or delete form, runs the tasks the commit queued
(eager, as without a broker) and reads the stored status back.
"""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from indicators.models import (
    Actual,
    AttainmentResult,
    AttainmentRun,
    Baseline,
    CanonicalIndicator,
    Indicator,
    Plan,
    SourceConflict,
    Target,
)
from indicators.services.actuals import actual_record
from indicators.services.runs import attainment_run_now

from ..admin_forms import inline_prefix, submit

pytestmark = pytest.mark.django_db


def indicator(slug, code):
    return Indicator.objects.select_related("plan__region").get(plan__slug=slug, code=code)


def approved(ind, year, value):
    """An approved figure of the plan's own region, and the plan's results computed."""
    actual_record(
        actual=Actual(
            indicator=ind, region=ind.plan.region, year=year, value=Decimal(value), raw=value
        ),
        reason="测试",
    )
    attainment_run_now(scope="test", plan=ind.plan)


def stored(ind, year, field="status"):
    """The stored result of the indicator's (only) target in `year`, plan region."""
    return getattr(
        AttainmentResult.objects.get(indicator=ind, region=ind.plan.region_id, year=year), field
    )


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """What the request queued on commit, done before the block ends (eager Celery)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def runs_since(run_id):
    return AttainmentRun.objects.filter(pk__gt=run_id).order_by("pk")


def last_run_id():
    return AttainmentRun.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def test_editing_a_target_value(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")  # 合格率 95 (2020) → 96以上 (2025)
    approved(ind, 2023, "95.2")
    assert stored(ind, 2023) == "off_track"
    target = ind.targets.get()
    with run_tasks():
        submit(admin_client, change_url(target), {"value": "95.1", "raw": "95.1%以上"})
    assert stored(ind, 2023) == "achieved"
    run = AttainmentRun.objects.latest("pk")
    assert (run.state, run.plan_id, run.indicator_ids) == ("done", ind.plan_id, [ind.pk])


def test_adding_a_baseline(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "P-04")  # 商标品牌服务指导站 500 (2025), no baseline
    approved(ind, 2023, "300")
    assert stored(ind, 2023) == "insufficient_data"
    with run_tasks():
        submit(
            admin_client,
            reverse("admin:indicators_baseline_add"),
            {
                "indicator": str(ind.pk),
                "year": "2020",
                "value": "100",
                "raw": "100",
                "source_ref": "测试",
                "source_text": "2020年100家",
            },
        )
    assert stored(ind, 2023) == "lagging"  # progress 50%, time elapsed 60%


def test_deleting_a_baseline(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    approved(ind, 2023, "95.2")
    assert stored(ind, 2023) == "off_track"
    baseline = ind.baselines.get()
    url = reverse("admin:indicators_baseline_delete", args=[baseline.pk])
    with run_tasks():
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Baseline.objects.filter(pk=baseline.pk).exists()
    assert stored(ind, 2023) == "insufficient_data"  # no baseline: no path to measure on


def test_deleting_baselines_from_the_list(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    approved(ind, 2023, "95.2")
    baseline = ind.baselines.get()
    with run_tasks():
        response = admin_client.post(
            reverse("admin:indicators_baseline_changelist"),
            {"action": "delete_selected", "_selected_action": [baseline.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert stored(ind, 2023) == "insufficient_data"


def test_changing_an_indicators_measure_and_its_targets_inline(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-18")  # 品字标企业(累计) 1500 (2020) → 2500 (2025)
    approved(ind, 2023, "1700")
    assert stored(ind, 2023) == "off_track"  # 20% of the way at 60% of the time
    with run_tasks():
        submit(
            admin_client,
            change_url(ind),
            {"measure": "new", "change_reason": "按新增口径统计"},
        )
    assert stored(ind, 2023) == "on_track"  # 1700 added of 2500: 68%
    url = change_url(ind)
    prefix = inline_prefix(admin_client.get(url), Target)
    with run_tasks():
        submit(
            admin_client,
            url,
            {f"{prefix}-0-value": "1700", "change_reason": "目标值按文件更正"},
        )
    assert stored(ind, 2023) == "achieved"


def test_changing_an_indicators_direction(admin_client, run_tasks):
    ind = indicator("jinhua-2023", "P-08")  # 一次交验合格率: 保持 100 (eq follows the direction)
    approved(ind, 2024, "98")
    assert stored(ind, 2024, "completion") == Decimal("0.98")  # 98 / 100: higher is better
    with run_tasks():
        submit(admin_client, change_url(ind), {"direction": "lower", "change_reason": "口径"})
    assert stored(ind, 2024, "completion") == Decimal("1.0204")  # 100 / 98: lower is better


def test_changing_an_indicators_unit_recomputes_it(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    approved(ind, 2023, "95.2")
    before, since = stored(ind, 2023, "computed_at"), last_run_id()
    with run_tasks():
        submit(admin_client, change_url(ind), {"unit": "‰", "change_reason": "单位更正"})
    assert [(r.state, r.indicator_ids) for r in runs_since(since)] == [("done", [ind.pk])]
    assert stored(ind, 2023, "computed_at") > before


def test_an_edit_that_no_result_rests_on_recomputes_nothing(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    since = last_run_id()
    with run_tasks():
        submit(admin_client, change_url(ind), {"notes": "补充说明", "change_reason": "说明"})
    assert not runs_since(since).exists()


def test_a_plan_period(admin_client, run_tasks):
    ind = indicator("zhejiang-13", "T1-1-03")  # 检验中心(新增) 10 by 2020; 6 added in 2020
    approved(ind, 2017, "5")
    assert stored(ind, 2020) == "achieved"  # 5 + 6 added since 2016
    with run_tasks():
        submit(admin_client, change_url(ind.plan), {"period_start": "2018"})
    assert stored(ind, 2020) == "not_achieved"  # only 6 added since 2018
    assert not AttainmentResult.objects.filter(plan=ind.plan, year=2017).exists()


def test_a_canonical_link(admin_client, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    approved(ind, 2023, "95.2")
    before, since = stored(ind, 2023, "computed_at"), last_run_id()
    with run_tasks():
        submit(admin_client, change_url(ind), {"canonical": None, "change_reason": "口径不同"})
    assert Indicator.objects.get(pk=ind.pk).canonical is None
    assert [(r.state, r.indicator_ids) for r in runs_since(since)] == [("done", [ind.pk])]
    assert stored(ind, 2023, "computed_at") > before


def test_a_catalogue_entry_recomputes_its_members(admin_client, run_tasks):
    canonical = CanonicalIndicator.objects.get(pk=indicator("zhejiang-14", "T2-1-02").canonical_id)
    members = set(canonical.members.values_list("pk", flat=True))
    since = last_run_id()
    with run_tasks():
        submit(admin_client, change_url(canonical), {"unit": "‰"})
    runs = list(runs_since(since))
    assert {i for r in runs for i in r.indicator_ids} == members
    assert {r.state for r in runs} == {"done"}
    assert len(runs) == len({r.plan_id for r in runs}) > 1  # one run per plan


def test_a_source_conflict_resolution(admin_client, run_tasks):
    conflict = SourceConflict.objects.filter(plan__slug="jiaojiang-13").order_by("pk").first()
    touched = {s.indicator_id for s in [*conflict.targets.all(), *conflict.baselines.all()]}
    since = last_run_id()
    with run_tasks():
        submit(admin_client, change_url(conflict), {"resolution": "以主要指标表为准"})
    conflict.refresh_from_db()
    assert conflict.is_resolved
    runs = list(runs_since(since))
    assert [r.state for r in runs] == ["done"]
    assert set(runs[0].indicator_ids) == touched


def test_the_plan_page_says_while_results_are_being_recomputed(client, erin, alice):
    plan = Plan.objects.get(slug="zhejiang-14")
    client.force_login(erin)
    page = reverse("dashboards:plan", args=[plan.slug])
    notice = "目标完成情况正在重新计算"
    assert notice not in client.get(page).content.decode()
    run = AttainmentRun.objects.create(scope="test", plan=plan)  # queued, not yet done
    assert notice in client.get(page).content.decode()
    other = reverse("dashboards:plan", args=["jiaxing-2011"])
    assert notice not in client.get(other).content.decode()
    run.start()
    run.finish(results=0)
    assert notice not in client.get(page).content.decode()


def test_load_plans_recomputes_what_the_files_changed(plans, tmp_path, run_tasks):
    ind = indicator("zhejiang-14", "T2-1-02")
    approved(ind, 2023, "95.2")
    assert stored(ind, 2023) == "off_track"
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    path = fixtures_dir / "plans" / "zhejiang-14.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = next(i for i in data["indicators"] if i["code"] == "T2-1-02")
    spec["targets"][0].update(value="95.1", raw="95.1以上")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    since = last_run_id()
    with run_tasks():
        call_command("load_plans", fixtures=str(fixtures_dir), stdout=StringIO())
    assert [(r.state, r.indicator_ids) for r in runs_since(since)] == [("done", [ind.pk])]
    assert stored(ind, 2023) == "achieved"
