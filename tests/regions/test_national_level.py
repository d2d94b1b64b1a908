"""A national level above the provinces: national plans load and 上下衔接 compares with them."""

import json
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from regions.models import Region

from ..plan_copies import fixtures_with_plan

NATIONAL_PLAN = {
    "plan": {
        "slug": "national-test",
        "title": "国家质量规划(测试)",
        "region": "100000",
        "issuer": "国务院",
        "issued_on": None,
        "period_start": 2023,
        "period_end": 2025,
        "seed_file": "",
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
            "baselines": [{"year": 2022, "value": "93", "raw": "93"}],
            "targets": [{"year": 2025, "comparator": "gte", "value": "97", "raw": "97%"}],
        }
    ],
}


@pytest.fixture
def fixtures_with_a_national_plan(tmp_path):
    """fixtures/ plus a national plan file, linked to the provinces' pass-rate indicators."""
    return fixtures_with_plan(
        tmp_path,
        NATIONAL_PLAN,
        canonical_links=[("manufacturing-product-quality-pass-rate", "P-01")],
    )


@pytest.mark.django_db
def test_the_provinces_hang_below_the_national_region(plans):
    nation = Region.objects.get(code="100000")
    with translation.override("zh-hans"):
        assert (nation.level, nation.get_level_display(), nation.parent) == (
            "national",
            "国家",
            None,
        )
    assert set(nation.children.values_list("code", flat=True)) == {"330000", "370000"}
    assert Region.objects.get(code="331002").ancestors()[-1] == nation


@pytest.mark.django_db
def test_a_national_plan_file_loads_and_province_targets_are_compared_with_it(
    plans, fixtures_with_a_national_plan
):
    call_command("load_plans", fixtures=str(fixtures_with_a_national_plan), stdout=StringIO())
    out = StringIO()
    call_command("attainment", "--format", "json", stdout=out)
    against_nation = {
        (a["plan"], a["indicator_code"])
        for a in json.loads(out.getvalue())["alignment"]
        if a["parent_plan"] == "national-test"
    }
    # 97% nationally: 浙江 (96以上), 日照 and 金华 (94%以上) ask for less.
    assert against_nation == {
        ("zhejiang-14", "T2-1-02"),
        ("rizhao-14", "Z2-02"),
        ("jinhua-2023", "P-07"),
    }
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("attainment", "--plan", "zhejiang-14", stdout=out)
    assert "浙江省2025年目标96以上弱于全国同年目标97%" in out.getvalue()


@pytest.mark.django_db
def test_a_region_must_sit_below_a_higher_level(plans, tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    regions = fixtures_dir / "regions.yaml"
    regions.write_text(
        regions.read_text(encoding="utf-8").replace(
            'level: province, parent: "100000"}', 'level: national, parent: "100000"}', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="a national region cannot be under the national"):
        call_command("load_plans", fixtures=str(fixtures_dir))
