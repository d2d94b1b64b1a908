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


@pytest.fixture
def fixtures_copy(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, copy)
    return copy


def _edit_plan(fixtures_dir, slug, change):
    """Apply change(indicator) to the first indicator of a copied plan file for which it
    returns True; returns that indicator's code."""
    path = fixtures_dir / "plans" / f"{slug}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    code = next(ind["code"] for ind in data["indicators"] if change(ind))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return code


def _refused(fixtures_dir):
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command("load_plans", fixtures=str(fixtures_dir))
    assert _counts() == before
    message = str(error.value)
    assert "Traceback" not in message and "nothing was loaded" in message
    return message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "1e309", "123456789012345678901234567890", "0.1234567"]
)
def test_a_target_value_the_database_cannot_hold_names_file_and_record(plans, fixtures_copy, value):
    def change(indicator):
        indicator["targets"][0]["value"] = value
        return True

    code = _edit_plan(fixtures_copy, "jinhua-2023", change)
    message = _refused(fixtures_copy)
    assert f"jinhua-2023.yaml: indicator {code} targets[1]: 'value'" in message


@pytest.mark.django_db
def test_a_range_whose_maximum_is_not_a_number_names_the_record(plans, fixtures_copy):
    def change(indicator):
        indicator["targets"][0].update(comparator="range", value_max="NaN")
        return True

    code = _edit_plan(fixtures_copy, "jinhua-2023", change)
    assert f"indicator {code} targets[1]: 'value_max'" in _refused(fixtures_copy)


@pytest.mark.django_db
def test_an_over_long_baseline_names_the_record(plans, fixtures_copy):
    def change(indicator):
        if indicator["baselines"]:
            indicator["baselines"][0]["value"] = "1" * 30
        return bool(indicator["baselines"])

    code = _edit_plan(fixtures_copy, "jiaojiang-13", change)
    message = _refused(fixtures_copy)
    assert f"jiaojiang-13.yaml: indicator {code} baselines[1]: 'value'" in message


@pytest.mark.django_db
def test_an_over_long_recorded_actual_names_the_record(db, fixtures_copy):
    def change(indicator):
        if indicator["actuals"]:
            indicator["actuals"][0]["raw"] = "9" * 30
        return bool(indicator["actuals"])

    Plan.objects.filter(slug="zhejiang-13").delete()  # its recorded actuals are loaded anew
    code = _edit_plan(fixtures_copy, "zhejiang-13", change)
    message = _refused(fixtures_copy)
    assert f"zhejiang-13.yaml: indicator {code} actual" in message
    assert "整数部分最多 14 位" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plans/zz-gbk.yaml", "plan:\n  slug: zz\n  title: 某市质量发展规划\n".encode("gbk")),
        ("plans/zz-binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("plans/zz-nul.yaml", b"plan:\n  slug: zz\x00\n"),
        ("regions.yaml", "regions:\n  - code: '330000'\n    name: 浙江省\n".encode("gbk")),
        ("plans/zz-date.yaml", b"plan:\n  slug: zz\n  issued_on: 2023-02-30\n"),
    ],
    ids=["gbk", "binary", "nul", "gbk regions", "impossible date"],
)
def test_a_file_that_is_not_utf8_yaml_is_named(plans, fixtures_copy, name, content):
    (fixtures_copy / name).write_bytes(content)
    message = _refused(fixtures_copy)
    assert message.startswith(f"{name.rsplit('/', 1)[-1]}: file: ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "record", "key"),
    [
        (lambda data: data["plan"].update(title="规" * 201), "plan", "title"),
        (lambda data: data["indicators"][0].update(code="P" * 31), "indicators[1]", "code"),
        (
            lambda data: data["indicators"][0]["targets"][0].update(raw="9\x002"),
            "targets[1]",
            "raw",
        ),
    ],
    ids=["long title", "long code", "NUL"],
)
def test_text_the_database_cannot_hold_names_file_and_record(
    plans, fixtures_copy, change, record, key
):
    path = fixtures_copy / "plans" / "jinhua-2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    message = _refused(fixtures_copy)
    assert message.startswith("jinhua-2023.yaml: ") and record in message and f"'{key}'" in message
