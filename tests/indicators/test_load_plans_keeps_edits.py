"""load_plans run again after administrators changed things in the admin: what they changed
is kept and listed; `--reset --yes` puts the files' values back and lists what it undid."""

import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators.models import CanonicalIndicator, Indicator, Target
from regions.models import Department, Region

from ..admin_forms import inline_prefix, submit

pytestmark = pytest.mark.django_db


def load(*args, fixtures=None):
    out = StringIO()
    call_command(
        "load_plans", *args, fixtures=str(fixtures or settings.PLAN_FIXTURES_DIR), stdout=out
    )
    return out.getvalue()


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def indicator(slug, code):
    return Indicator.objects.get(plan__slug=slug, code=code)


@pytest.fixture
def edited(client, alice):
    """An administrator's work in the admin, one edit of each kind, through its forms."""
    client.force_login(alice)
    # A region of their own, made the parent of 山东省.
    submit(
        client,
        add_url(Region),
        {"code": "990000", "name": "华东地区", "level": "national"},
    )
    east = Region.objects.get(code="990000")
    submit(client, change_url(Region.objects.get(code="370000")), {"parent": str(east.pk)})
    # A catalogue entry of their own, with an indicator linked to it; another link removed.
    submit(
        client,
        add_url(CanonicalIndicator),
        {"key": "admin-entry", "name": "管理员新增的通用指标", "direction": "higher"},
    )
    entry = CanonicalIndicator.objects.get(key="admin-entry")
    submit(
        client,
        change_url(indicator("zhejiang-14", "P-01")),
        {"canonical": str(entry.pk), "change_reason": "与国家规划对照"},
    )
    submit(
        client,
        change_url(indicator("zhejiang-14", "T2-1-03")),
        {"canonical": None, "change_reason": "口径不同,不作衔接比较"},
    )
    # P-23 given to another department of 嘉兴.
    other = Department.objects.get(region__code="330400", name="市建委")
    submit(
        client,
        change_url(indicator("jiaxing-2011", "P-23")),
        {"department": str(other.pk), "change_reason": "职责调整"},
    )
    # A target value corrected, with the reason.
    url = change_url(indicator("zhejiang-14", "T2-1-02"))
    targets = inline_prefix(client.get(url), Target)
    submit(client, url, {f"{targets}-0-value": "96.5", "change_reason": "按省政府文件更正"})
    return east, entry, other


def test_a_rerun_keeps_every_edit_and_lists_it(edited):
    east, entry, other = edited
    out = load()
    assert Region.objects.get(code="370000").parent == east
    assert CanonicalIndicator.objects.filter(key="admin-entry").exists()
    assert indicator("zhejiang-14", "P-01").canonical == entry
    assert indicator("zhejiang-14", "T2-1-03").canonical is None
    assert indicator("jiaxing-2011", "P-23").department == other
    assert str(indicator("zhejiang-14", "T2-1-02").targets.get().value.normalize()) == "96.5"
    lines = out.splitlines()
    assert any(
        line.startswith("kept: region 370000 parent (changed by alice on ") for line in lines
    )
    assert any(line.startswith("kept: canonical admin-entry (created by alice") for line in lines)
    assert any(line.startswith("kept: indicator zhejiang-14 P-01 canonical (") for line in lines)
    assert any(line.startswith("kept: indicator zhejiang-14 T2-1-03 canonical (") for line in lines)
    assert any(
        line.startswith("kept: indicator jiaxing-2011 P-23 department (changed by alice")
        for line in lines
    )
    assert any(
        line.startswith("kept: target zhejiang-14 T2-1-02 2025 表2-1 value (changed by alice")
        and line.endswith(": 按省政府文件更正)")
        for line in lines
    )
    assert "Nothing else changed" in out
    assert load() == out  # and again: the same


def test_reset_asks_for_yes_then_restores_the_files_values(edited):
    with pytest.raises(CommandError, match="--yes"):
        load("--reset")
    assert Region.objects.get(code="370000").parent.code == "990000"  # nothing changed yet
    out = load("--reset", "--yes")
    assert "overwrote: region 370000 parent (changed by alice" in out
    assert "overwrote: canonical admin-entry deleted (created by alice" in out
    assert Region.objects.get(code="370000").parent.code == "100000"
    assert not CanonicalIndicator.objects.filter(key="admin-entry").exists()
    assert indicator("zhejiang-14", "P-01").canonical is None
    assert indicator("zhejiang-14", "T2-1-03").canonical is not None
    assert indicator("jiaxing-2011", "P-23").department.name == "市质量技监局"
    assert str(indicator("zhejiang-14", "T2-1-02").targets.get().value.normalize()) == "96"
    assert Region.objects.filter(code="990000").exists()  # made in the admin: never deleted
    assert "Nothing changed" in load()  # what the reset restored is the files' again


def test_a_row_a_person_deleted_stays_deleted_and_a_file_change_still_applies(
    client, alice, tmp_path
):
    client.force_login(alice)
    baseline = indicator("zhejiang-14", "T2-1-02").baselines.get()
    url = reverse("admin:indicators_baseline_delete", args=[baseline.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    target = indicator("zhejiang-14", "T2-1-03").targets.get()
    submit(client, change_url(target), {"value": "98.5"})
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    path = fixtures_dir / "plans" / "zhejiang-14.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = next(i for i in data["indicators"] if i["code"] == "T2-1-03")
    spec["targets"][0]["value"] = "99"  # both changed the value: the person's stays
    spec["targets"][0]["raw"] = "99以上"  # only the file changed the text: the file's applies
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = load(fixtures=fixtures_dir)
    assert "kept: baseline zhejiang-14 T2-1-02 2020 表2-1 (deleted by alice" in out
    assert not indicator("zhejiang-14", "T2-1-02").baselines.exists()
    target.refresh_from_db()
    assert (str(target.value.normalize()), target.raw) == ("98.5", "99以上")
    assert "target updated: 1" in out
    load("--reset", "--yes", fixtures=fixtures_dir)
    assert indicator("zhejiang-14", "T2-1-02").baselines.get().raw == "95"
    target.refresh_from_db()
    assert str(target.value.normalize()) == "99"


def test_an_indicator_the_files_drop_and_bring_back_comes_back_whole(plans, tmp_path):
    fixtures_dir = tmp_path / "fixtures"
    shutil.copytree(settings.PLAN_FIXTURES_DIR, fixtures_dir)
    path = fixtures_dir / "plans" / "zhejiang-14.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"] = [i for i in data["indicators"] if i["code"] != "P-04"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "indicator deleted: 1" in load(fixtures=fixtures_dir)
    out = load()
    assert "kept:" not in out  # the load deleted it, not a person
    assert indicator("zhejiang-14", "P-04").targets.get().raw == "500家以上"
