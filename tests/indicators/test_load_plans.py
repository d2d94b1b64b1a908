import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Indicator, Plan, Target


def _counts():
    return (
        Plan.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        Target.history.count(),
    )


@pytest.mark.django_db
def test_running_load_plans_twice_changes_nothing(plans):
    before = _counts()
    out = StringIO()
    call_command("load_plans", stdout=out)
    assert _counts() == before
    assert "Nothing changed" in out.getvalue()


@pytest.fixture
def broken_fixtures(tmp_path):
    """A copy of fixtures/ whose last plan file has a bad target value."""
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, copy)
    last = sorted((copy / "plans").glob("*.yaml"))[-1]
    data = yaml.safe_load(last.read_text(encoding="utf-8"))
    code = data["indicators"][-1]["code"]
    data["indicators"][-1]["targets"][0].update(comparator="gte", value="九十")
    last.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copy, last.name, code


@pytest.mark.django_db
def test_a_malformed_fixture_names_file_and_record_and_loads_nothing(broken_fixtures):
    Plan.objects.all().delete()
    fixtures_dir, filename, code = broken_fixtures
    with pytest.raises(CommandError) as error:
        call_command("load_plans", fixtures=str(fixtures_dir))
    assert filename in str(error.value)
    assert f"indicator {code}" in str(error.value)
    assert (Plan.objects.count(), Indicator.objects.count(), Target.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_a_malformed_fixture_leaves_loaded_plans_as_they_were(plans, broken_fixtures):
    before = _counts()
    Plan.objects.filter(slug="zhejiang-14").update(title="改过的标题")
    with pytest.raises(CommandError):
        call_command("load_plans", fixtures=str(broken_fixtures[0]))
    assert _counts() == before
    assert Plan.objects.get(slug="zhejiang-14").title == "改过的标题"


@pytest.mark.django_db
def test_unreadable_yaml_is_reported(tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    (fixtures_dir / "plans" / "zz-bad.yaml").write_text("plan: [unclosed", encoding="utf-8")
    before = _counts()
    with pytest.raises(CommandError, match=r"zz-bad\.yaml"):
        call_command("load_plans", fixtures=str(fixtures_dir))
    assert _counts() == before


@pytest.mark.django_db
def test_a_changed_target_is_updated_with_history(plans, tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    path = fixtures_dir / "plans" / "zhejiang-14.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = next(i for i in data["indicators"] if i["targets"][0]["comparator"] == "gte")
    first["targets"][0]["value"] = "151"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    call_command("load_plans", fixtures=str(fixtures_dir), stdout=StringIO())
    target = Target.objects.get(
        indicator__plan__slug="zhejiang-14",
        indicator__code=first["code"],
        year=first["targets"][0]["year"],
        source_ref=first["targets"][0].get("source_ref") or first["source_ref"],
    )
    assert str(target.value.normalize()) == "151"
    assert target.history.first().history_change_reason == "载入规划文件"
