import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Target
from indicators.target_fields import TARGET_FIELDS


def _export(*args):
    out = StringIO()
    call_command("export_targets", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_json_has_one_record_per_target_with_the_fields(plans):
    records = json.loads(_export("--format", "json"))
    assert len(records) == Target.objects.count()
    assert all(list(r) == TARGET_FIELDS for r in records)


@pytest.mark.django_db
def test_json_numbers_are_numbers_and_missing_is_null(plans):
    records = json.loads(_export("--plan", "zhejiang-14", "--format", "json"))
    assert {r["plan"] for r in records} == {"zhejiang-14"}
    rate = next(r for r in records if r["name"] == "制造业产品质量合格率")
    assert rate["target_value"] == 96
    assert rate["baseline_value"] == 95 and rate["baseline_year"] == 2020
    assert rate["target_value_max"] is None and rate["conflict"] is None
    qualitative = [r for r in json.loads(_export()) if r["comparator"] == "qualitative"]
    assert qualitative and all(
        r["target_value"] is None and r["qualitative_text"] for r in qualitative
    )


@pytest.mark.django_db
def test_json_marks_conflicting_targets(plans):
    records = json.loads(_export("--plan", "jiaojiang-13"))
    brands = [r for r in records if r["name"] == "浙江名牌产品"]
    assert sorted(r["target_value"] for r in brands) == [10, 12]
    assert all(r["conflict"] and "zhejiang-brand" in r["conflict"] for r in brands)


@pytest.mark.django_db
def test_csv_has_a_header_and_the_same_records(plans):
    rows = list(csv.DictReader(StringIO(_export("--plan", "jinhua-2023", "--format", "csv"))))
    assert list(rows[0]) == TARGET_FIELDS
    assert len(rows) == Target.objects.filter(indicator__plan__slug="jinhua-2023").count()
    index_2027 = next(
        r for r in rows if r["name"] == "制造业质量竞争力指数" and r["target_year"] == "2027"
    )
    assert index_2027["target_value"] == "92.5"


@pytest.mark.django_db
def test_unknown_plan_is_an_error(plans):
    with pytest.raises(CommandError, match="no-such-plan"):
        _export("--plan", "no-such-plan")
