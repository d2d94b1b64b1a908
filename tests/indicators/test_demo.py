"""load_demo: sample figures, departments and one user per role, all marked 示例, all removable."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import roles
from indicators.demo import DEMO_PLANS, sample_password
from indicators.models import Actual, Indicator
from indicators.services.actuals import EntryRow, actual_save
from regions.models import Department
from tests.conftest import jiaxing_department


def load_demo(*args):
    out = StringIO()
    call_command("load_demo", "--force", *args, stdout=out)
    return out.getvalue()


def _categories():
    return set(
        Indicator.objects.filter(plan__slug__in=DEMO_PLANS).values_list(
            "plan__region__code", "category"
        )
    )


@pytest.mark.django_db
def test_the_demo_gives_every_category_a_sample_department_and_every_role_a_user(plans):
    out = load_demo()
    sample = Department.objects.filter(is_sample=True)
    assert {(d.region.code, d.name.removeprefix("示例单位·")) for d in sample} == _categories()
    assert not Indicator.objects.filter(plan__slug__in=DEMO_PLANS, department=None).exists()
    product = Indicator.objects.get(plan__slug="zhejiang-14", code="T2-1-02")
    assert product.department.name == "示例单位·质量建设"
    assert product.history.first().history_change_reason == "载入示例数据"

    users = User.objects.filter(profile__is_sample=True).order_by("username")
    assert {u.groups.get().name for u in users} == set(roles.ROLE_PERMISSIONS)
    for user in users:
        assert user.is_staff and user.first_name.startswith("示例")
        line = next(line for line in out.splitlines() if f" {user.username} " in line)
        assert f"password {sample_password(user.username)}" in line
        assert user.check_password(sample_password(user.username))
    clerk = users.get(username="demo-clerk")
    assert clerk.profile.department == product.department
    assert users.get(username="demo-reviewer").profile.department == product.department
    assert (
        "demo-clerk     password demo-clerk-pw" in out
        and "填报人员  浙江省 示例单位·质量建设" in out
    )


@pytest.mark.django_db
def test_running_the_demo_again_adds_nothing_and_prints_the_same_logins(plans):
    first = load_demo()
    counts = (Department.objects.count(), User.objects.count(), Actual.objects.count())
    again = load_demo()
    assert (Department.objects.count(), User.objects.count(), Actual.objects.count()) == counts
    assert "0 actual(s) added, 0 department(s) created" in again
    assert first.splitlines()[1:] == again.splitlines()[1:]


@pytest.mark.django_db
def test_a_department_an_administrator_assigned_is_kept(plans):
    real = Department.objects.create(
        region=jiaxing_department("市质量技监局").region, name="省市场监管局"
    )
    Indicator.objects.filter(plan__slug="zhejiang-14", code="T2-1-02").update(department=real)
    load_demo()
    assert Indicator.objects.get(plan__slug="zhejiang-14", code="T2-1-02").department == real
    load_demo("--remove")
    assert Indicator.objects.get(plan__slug="zhejiang-14", code="T2-1-02").department == real


@pytest.mark.django_db
def test_remove_takes_away_sample_figures_users_departments_and_what_the_clerk_entered(plans):
    load_demo()
    clerk = User.objects.get(username="demo-clerk")
    indicator = Indicator.objects.get(plan__slug="zhejiang-14", code="T2-1-02")
    actual_save(
        user=clerk, region=indicator.plan.region, year=2025, rows=[EntryRow(indicator, "96.5")]
    )
    out = load_demo("--remove")
    assert "1 sample user" not in out and "5 sample user(s)" in out
    assert not Actual.objects.filter(indicator__plan__slug__in=DEMO_PLANS, year=2025).exists()
    assert not Actual.objects.filter(is_sample=True).exists()
    assert not User.objects.filter(username__startswith="demo-").exists()
    assert not Department.objects.filter(is_sample=True).exists()
    assert not Indicator.objects.filter(plan__slug__in=DEMO_PLANS, department__isnull=False)


@pytest.mark.django_db
def test_a_sample_user_something_still_refers_to_is_deactivated_and_listed(plans, bob):
    load_demo()
    reviewer = User.objects.get(username="demo-reviewer")
    Actual.objects.filter(entered_by=None).exclude(is_sample=True).update(reviewed_by=reviewer)
    out = load_demo("--remove")
    assert "kept: user demo-reviewer (still referred to; deactivated)" in out
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    assert "kept: department 浙江省 示例单位·质量建设 (a user still works for it)" in out


@pytest.mark.django_db
def test_a_real_user_with_a_sample_name_stops_the_demo(plans):
    User.objects.create_user("demo-leader", password="x")
    with pytest.raises(CommandError, match="demo-leader exists and is not a sample user"):
        load_demo()
    assert not Department.objects.filter(is_sample=True).exists()


@pytest.mark.django_db
def test_the_demo_is_refused_in_production_unless_forced(plans, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=StringIO())
