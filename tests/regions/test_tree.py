"""The region tree: GB/T 2260 codes and levels, ancestors, descendants, and what may not be
deleted or duplicated."""

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.db.models import ProtectedError

from indicators.plan_files import PlanFileError, read_regions
from regions.models import Department, Region

pytestmark = pytest.mark.django_db

LEVEL_BELOW = {
    None: Region.Level.NATIONAL,
    "national": Region.Level.PROVINCE,
    "province": Region.Level.CITY,
    "city": Region.Level.DISTRICT,
}


def region(code):
    return Region.objects.get(code=code)


def codes(ids):
    return set(Region.objects.filter(pk__in=ids).values_list("code", flat=True))


def test_the_loaded_regions_follow_gb_t_2260_codes_and_levels(plans):
    regions = Region.objects.filter(is_synthetic=False).select_related("parent")
    assert regions.count() == len(read_regions(settings.PLAN_FIXTURES_DIR / "regions.yaml"))
    for r in regions:
        assert len(r.code) == 6 and r.code.isdigit(), r
        assert r.level == LEVEL_BELOW[r.parent.level if r.parent else None], r
        if r.level == Region.Level.NATIONAL:
            assert r.code == "100000", r
        elif r.level == Region.Level.PROVINCE:
            assert r.code.endswith("0000"), r
        elif r.level == Region.Level.CITY:
            assert r.code.endswith("00") and r.code[:2] == r.parent.code[:2], r
        else:
            assert not r.code.endswith("00") and r.code[:4] == r.parent.code[:4], r


def test_ancestors_run_from_the_nearest_parent_to_the_country(plans):
    country = region("100000")
    assert region("331002").ancestors() == [region("331000"), region("330000"), country]
    assert region("330400").ancestors() == [region("330000"), country]
    assert region("330000").ancestors() == [country]
    assert country.ancestors() == []


def test_descendants_are_the_region_itself_and_every_level_below_it(plans):
    assert codes(region("330000").descendant_ids()) == {
        "330000",
        "330400",
        "330700",
        "331000",
        "331002",
    }
    assert codes(region("331000").descendant_ids()) == {"331000", "331002"}
    assert codes(region("331002").descendant_ids()) == {"331002"}
    assert region("371100").pk not in region("330000").descendant_ids()  # another province
    for code in ("330000", "331000", "331002"):
        rows = region(code).descendants()
        assert [r.pk for r in rows] == region(code).descendant_ids()


def test_a_region_with_regions_or_departments_below_it_cannot_be_deleted(plans):
    huzhou = Region.objects.create(
        code="330500", name="湖州市", level="city", parent=region("330000")
    )
    wuxing = Region.objects.create(code="330502", name="吴兴区", level="district", parent=huzhou)
    with pytest.raises(ProtectedError):
        huzhou.delete()
    wuxing.delete()
    department = Department.objects.create(name="市市场监管局", region=huzhou)
    with pytest.raises(ProtectedError):
        huzhou.delete()
    department.delete()
    huzhou.delete()
    assert not Region.objects.filter(code__in=["330500", "330502"]).exists()


def test_a_department_name_is_unique_within_its_region_only(plans):
    jiaxing, jinhua = region("330400"), region("330700")
    name = jiaxing.departments.first().name
    Department.objects.create(name=name, region=jinhua)  # the same name elsewhere: fine
    with pytest.raises(IntegrityError):
        Department.objects.create(name=name, region=jiaxing)


def test_names_show_the_code_and_the_region(plans):
    assert str(region("330400")) == "嘉兴市(330400)"
    department = Department.objects.get(region__code="330400", name="市质量技监局")
    assert str(department) == "嘉兴市 市质量技监局"


def test_a_parent_listed_after_its_child_is_refused_with_both_codes(tmp_path):
    path = tmp_path / "regions.yaml"
    path.write_text(
        "regions:\n"
        '  - {code: "330400", name: 嘉兴市, level: city, parent: "330000"}\n'
        '  - {code: "330000", name: 浙江省, level: province, parent: null}\n',
        encoding="utf-8",
    )
    with pytest.raises(PlanFileError, match=r"parent 330000 must be listed before 330400"):
        read_regions(path)
