"""Reviewers approve or return figures and lock years; only administrators unlock."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Actual, Indicator, Plan
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_return,
    actual_save,
    actual_submit,
    year_lock,
    year_unlock,
)

from ..conftest import make_user


def p25():
    return Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")


def enter(user, text, *, year=2013, submit=True, version=None):
    return (actual_submit if submit else actual_save)(
        user=user,
        region=user.profile.department.region,
        year=year,
        rows=[EntryRow(indicator=p25(), text=text, version=version)],
    )


@pytest.mark.django_db
def test_approving_a_submitted_figure(bob, dave):
    actual = enter(bob, "93").saved[0]
    assert actual_approve(user=dave, actuals=[actual]) == 1
    actual.refresh_from_db()
    assert (actual.status, actual.reviewed_by) == ("approved", dave)


@pytest.mark.django_db
def test_a_draft_is_not_approved(bob, dave):
    actual = enter(bob, "93", submit=False).saved[0]
    assert actual_approve(user=dave, actuals=[actual]) == 0
    assert Actual.objects.get(pk=actual.pk).status == "draft"


@pytest.mark.django_db
def test_a_returned_figure_shows_its_reason_to_the_clerk(client, bob, dave):
    actual = enter(bob, "93").saved[0]
    with pytest.raises(ValidationError):
        actual_return(user=dave, actuals=[actual], reason="  ")
    actual_return(user=dave, actuals=[actual], reason="请附统计局口径说明")
    client.force_login(bob)
    page = client.get(
        reverse("admin:indicators_actual_entry"),
        {"department": bob.profile.department.pk, "year": 2013},
    )
    assert "请附统计局口径说明" in page.content.decode()
    actual.refresh_from_db()
    assert enter(bob, "93.2", version=actual.version).ok


@pytest.mark.django_db
def test_an_approved_figure_cannot_be_changed_by_the_clerk(bob, dave):
    actual = enter(bob, "93").saved[0]
    actual_approve(user=dave, actuals=[actual])
    actual.refresh_from_db()
    result = enter(bob, "94", version=actual.version)
    assert "已审核" in result.errors[p25().pk][0]


@pytest.mark.django_db
def test_clerks_cannot_approve(bob):
    actual = enter(bob, "93").saved[0]
    with pytest.raises(PermissionDenied):
        actual_approve(user=bob, actuals=[actual])


@pytest.mark.django_db
def test_a_locked_year_refuses_changes_until_an_administrator_unlocks_it(bob, dave, grace):
    plan = Plan.objects.get(slug="jiaxing-2011")
    actual = enter(bob, "93", submit=False).saved[0]
    year_lock(user=dave, plan=plan, year=2013)
    result = enter(bob, "94", version=actual.version)
    assert "已锁定" in result.errors[p25().pk][0]
    assert Actual.objects.get(pk=actual.pk).raw == "93"
    with pytest.raises(PermissionDenied):
        year_unlock(user=dave, plan=plan, year=2013, reason="更正")
    with pytest.raises(ValidationError):
        year_unlock(user=grace, plan=plan, year=2013, reason="")
    year_unlock(user=grace, plan=plan, year=2013, reason="统计局更正了2013年数据")
    assert enter(bob, "94", version=actual.version).ok
    history = plan.plan_years.get(year=2013).history.order_by("history_date")
    assert [h.history_change_reason for h in history] == ["锁定", "解锁:统计局更正了2013年数据"]


@pytest.mark.django_db
def test_a_year_outside_the_plan_period_is_refused(bob):
    result = enter(bob, "93", year=2016)
    assert "不在规划期" in result.errors[p25().pk][0]


@pytest.mark.django_db
def test_reviewers_act_from_the_admin_list(client, bob, dave):
    first = enter(bob, "93").saved[0]
    client.force_login(dave)
    url = reverse("admin:indicators_actual_changelist")
    client.post(url, {"action": "approve", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "approved"
    client.post(url, {"action": "send_back", "_selected_action": [first.pk], "reason": ""})
    first.refresh_from_db()
    assert first.status == "approved"  # no reason, not returned
    client.post(
        url, {"action": "send_back", "_selected_action": [first.pk], "reason": "数据来源不明"}
    )
    first.refresh_from_db()
    assert (first.status, first.return_reason) == ("returned", "数据来源不明")


@pytest.mark.django_db
def test_reviewers_elsewhere_cannot_review_this_region(bob):
    from regions.models import Department, Region

    jinhua = Region.objects.get(code="330700")
    department = Department.objects.create(region=jinhua, name="金华市市场监管局")
    outsider = make_user("olga", "审核人员", department)
    actual = enter(bob, "93").saved[0]
    with pytest.raises(PermissionDenied):
        actual_approve(user=outsider, actuals=[actual])
    assert Actual.objects.get(pk=actual.pk).value == Decimal("93")
