"""The six plans as loaded from fixtures/, checked against the seed documents."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Actual, Baseline, Indicator, Plan, SourceConflict, Target
from indicators.plan_files import plan_fixture_paths, read_plan_file

SLUGS = ["jiaojiang-13", "jiaxing-2011", "rizhao-14", "zhejiang-13", "zhejiang-14", "jinhua-2023"]


def _squash(text):
    return re.sub(r"\s+", "", text.replace(" | ", ""))


def _target(slug, name, year):
    return Target.objects.get(indicator__plan__slug=slug, indicator__name=name, year=year)


def test_every_plan_slug_has_a_fixture():
    slugs = {read_plan_file(p).slug for p in plan_fixture_paths(settings.PLAN_FIXTURES_DIR)}
    assert slugs == set(SLUGS)


@pytest.mark.parametrize(
    "path", plan_fixture_paths(settings.PLAN_FIXTURES_DIR), ids=lambda p: p.stem
)
def test_names_and_quotes_occur_verbatim_in_the_seed(path):
    spec = read_plan_file(path)
    seed = _squash((Path(settings.SEEDS_DIR) / spec.seed_file).read_text(encoding="utf-8"))
    missing = []
    for ind in spec.indicators:
        quotes = [ind.name, ind.source_text]
        for statement in ind.baselines + ind.targets + ind.actuals:
            quotes.append(statement.source_text)
        missing += [f"{ind.code}: {q}" for q in quotes if _squash(q) not in seed]
    assert missing == []


@pytest.mark.django_db
def test_loaded_counts_match_the_fixture_files(plans):
    for path in plan_fixture_paths(settings.PLAN_FIXTURES_DIR):
        spec = read_plan_file(path)
        plan = Plan.objects.get(slug=spec.slug)
        assert plan.indicators.count() == len(spec.indicators)
        assert Target.objects.filter(indicator__plan=plan).count() == sum(
            len(i.targets) for i in spec.indicators
        )
        assert Baseline.objects.filter(indicator__plan=plan).count() == sum(
            len(i.baselines) for i in spec.indicators
        )


@pytest.mark.django_db
def test_zhejiang_14_table_2_1_values(plans):
    target = _target("zhejiang-14", "制造业产品质量合格率", 2025)
    assert (target.comparator, target.value, target.raw) == ("gte", Decimal("96"), "96以上")
    assert target.indicator.baselines.get(year=2020).value == Decimal("95")
    awards = _target("zhejiang-14", "中国质量奖、省政府质量奖获奖组织(累计)", 2025)
    assert (awards.value, awards.indicator.measure) == (Decimal("150"), "cumulative")
    air = _target("zhejiang-14", "设区城市空气质量优良天数比率", 2025)
    assert (air.comparator, air.value) == ("gte", Decimal("93"))
    assert air.indicator.baselines.get(year=2020).value == Decimal("93.3")


@pytest.mark.django_db
def test_zhejiang_13_keeps_planned_and_recorded_2020_values(plans):
    farm = _target("zhejiang-13", "农产品质量安全监测合格率", 2020)
    assert farm.value == Decimal("98")
    assert farm.indicator.baselines.get(year=2015).value == Decimal("96")
    actual = Actual.objects.get(indicator=farm.indicator, year=2020)
    assert (actual.raw, actual.value, actual.qualifier, actual.status) == (
        "98以上",
        Decimal("98"),
        "gte",
        "approved",
    )
    standards = _target("zhejiang-13", "制定“浙江制造”标准(新增)", 2020)
    assert (standards.value, standards.indicator.measure) == (Decimal("500"), "new")
    assert Actual.objects.get(indicator=standards.indicator).value == Decimal("1935")
    new_products = _target("zhejiang-13", "规模以上工业新产品产值率", 2020)
    assert new_products.value == Decimal("35")
    assert Actual.objects.get(indicator=new_products.indicator).value == Decimal("37")


@pytest.mark.django_db
def test_jiaojiang_13_table_values(plans):
    assert _target("jiaojiang-13", "制造业产品质量合格率", 2020).value == Decimal("95")
    assert _target("jiaojiang-13", "规上工业新产品产值率", 2020).value == Decimal("35")
    air = _target("jiaojiang-13", "环境空气AQI优良率", 2020)
    assert air.value == Decimal("90")


@pytest.mark.django_db
def test_jiaojiang_13_conflicts_keep_both_statements(plans):
    water = Target.objects.filter(
        indicator__plan__slug="jiaojiang-13",
        indicator__name__startswith="地表水县控以上断面水质",
        year=2020,
    ).exclude(conflict=None)
    assert sorted(t.value for t in water) == [Decimal("22"), Decimal("70")]
    assert len({t.conflict_id for t in water}) == 1
    brands = Target.objects.filter(
        indicator__plan__slug="jiaojiang-13", indicator__name="浙江名牌产品", year=2020
    ).exclude(conflict=None)
    assert sorted(t.value for t in brands) == [Decimal("10"), Decimal("12")]
    assert SourceConflict.objects.filter(plan__slug="jiaojiang-13").count() >= 2


@pytest.mark.django_db
def test_jinhua_2023_has_milestones_for_2025_and_2027(plans):
    index = Indicator.objects.get(plan__slug="jinhua-2023", name="制造业质量竞争力指数")
    assert [(t.year, t.value) for t in index.targets.order_by("year")] == [
        (2025, Decimal("92")),
        (2027, Decimal("92.5")),
    ]
    assert _target("jinhua-2023", "制造业产品质量合格率", 2025).value == Decimal("94")
    hitech = Indicator.objects.get(plan__slug="jinhua-2023", name="国家高新技术企业")
    assert hitech.measure == "per_year"
    assert hitech.targets.get().value == Decimal("400")


@pytest.mark.django_db
def test_plans_have_their_regions_and_periods(plans):
    got = {p.slug: (p.region.code, p.period_start, p.period_end) for p in Plan.objects.all()}
    assert got == {
        "jiaojiang-13": ("331002", 2016, 2020),
        "jiaxing-2011": ("330400", 2011, 2015),
        "rizhao-14": ("371100", 2021, 2025),
        "zhejiang-13": ("330000", 2016, 2020),
        "zhejiang-14": ("330000", 2021, 2025),
        "jinhua-2023": ("330700", 2023, 2027),
    }


@pytest.mark.django_db
def test_jiaxing_2011_prose_targets(plans):
    checks = _target("jiaxing-2011", "省级监督抽查批次合格率", 2015)
    assert (checks.comparator, checks.value, checks.raw) == ("gte", Decimal("92"), "达到92%以上")
    standards = _target("jiaxing-2011", "规模以上企业采用国际标准与国外先进标准比率", 2015)
    assert standards.value == Decimal("85")
    lead = Indicator.objects.filter(plan__slug="jiaxing-2011").exclude(department=None)
    assert {i.department.name for i in lead} == {
        "市质量技监局",
        "市建委",
        "市发展改革委",
        "市环保局",
    }


@pytest.mark.django_db
def test_rizhao_14_box_targets_with_2020_baselines(plans):
    provincial = _target("rizhao-14", "省地方标准", 2025)
    assert (provincial.comparator, provincial.value, provincial.raw) == (
        "gt",
        Decimal("130"),
        "多于130项",
    )
    assert provincial.indicator.baselines.get(year=2020).value == Decimal("96")
    assert _target("rizhao-14", "国际、国家、行业标准制修订数量", 2025).value == Decimal("240")
    meters = _target("rizhao-14", "强制检定计量器具", 2025)
    assert (meters.comparator, meters.value, meters.indicator.unit) == (
        "gte",
        Decimal("12"),
        "万台(件)",
    )
    hold = _target("rizhao-14", "特种设备登记率", 2025)
    assert (hold.comparator, hold.value) == ("eq", Decimal("100"))
