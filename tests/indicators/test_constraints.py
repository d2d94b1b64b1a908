from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Actual, Indicator, Plan, Target
from regions.models import Region


@pytest.fixture
def indicator(plans):
    return Indicator.objects.get(plan__slug="zhejiang-14", name="制造业产品质量合格率")


@pytest.mark.django_db
def test_one_actual_per_indicator_region_and_year(indicator):
    region = indicator.plan.region
    Actual.objects.create(indicator=indicator, region=region, year=2022, value=Decimal("95.5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(indicator=indicator, region=region, year=2022, value=Decimal("96"))
    other = Region.objects.get(code="330700")
    Actual.objects.create(indicator=indicator, region=other, year=2022, value=Decimal("94"))


@pytest.mark.django_db
def test_a_qualitative_target_has_no_value(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            indicator=indicator,
            year=2024,
            comparator="qualitative",
            value=Decimal("1"),
            source_ref="x",
            source_text="x",
        )


@pytest.mark.django_db
def test_a_numeric_target_needs_a_value(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            indicator=indicator, year=2024, comparator="gte", source_ref="x", source_text="x"
        )


@pytest.mark.django_db
def test_a_range_needs_ordered_bounds(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            indicator=indicator,
            year=2024,
            comparator="range",
            value=Decimal("3"),
            value_max=Decimal("1"),
            source_ref="x",
            source_text="x",
        )


@pytest.mark.django_db
def test_indicator_codes_are_unique_within_a_plan(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            plan=indicator.plan,
            code=indicator.code,
            name="x",
            direction="higher",
            measure="level",
            source_ref="x",
            source_text="x",
        )


@pytest.mark.django_db
def test_a_plan_cannot_end_before_it_starts(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            slug="bad", title="x", region=indicator.plan.region, period_start=2025, period_end=2021
        )
