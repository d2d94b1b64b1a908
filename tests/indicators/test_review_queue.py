"""The reviewer's queue and the rules every review keeps: nobody approves a figure they entered
or changed, an approval names the version seen, locking stays within the reviewer's regions,
a locked year says so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Actual, Indicator, Plan
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_save,
    actual_submit,
    year_lock,
)
from regions.models import Department, Region

from ..conftest import make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:indicators_actual_review")
ACTUALS = reverse("admin:indicators_actual_changelist")


def indicator(code):
    return Indicator.objects.get(plan__slug="jiaxing-2011", code=code)


def submit(user, code, text, *, year=2013, version=None, **extra):
    result = actual_submit(
        user=user,
        region=user.profile.department.region,
        year=year,
        rows=[EntryRow(indicator(code), text, version=version, **extra)],
    )
    assert result.ok, result.errors
    return result.saved[0]


def test_the_queue_shows_what_a_reviewer_needs_beside_each_figure(client, bob, carol, dave):
    submit(bob, "P-25", "91", year=2012)
    actual_approve(user=dave, actuals=Actual.objects.filter(year=2012))
    submit(bob, "P-25", "93")
    lagging = submit(carol, "P-37", "120", explanation="龙头企业推迟认证", next_steps="集中辅导")
    client.force_login(dave)
    page = client.get(QUEUE)
    lines = {line.actual.indicator.code: line for line in page.context["lines"]}
    assert set(lines) == {"P-25", "P-37"}
    assert lines["P-25"].last_year.raw == "91"
    assert lines["P-25"].target.raw == "达到92%以上"
    assert lines["P-37"].judged_label == "✖ 严重滞后"
    html = page.content.decode()
    row = html.split(f'id="queue-{lagging.pk}"')[1].split("</tr>")[0]
    assert "120" in row and "推进500家" in row and "严重滞后" in row
    assert "龙头企业推迟认证" in row and "集中辅导" in row
    assert f'name="version-{lagging.pk}" value="{lagging.version}"' in row


def test_the_number_read_and_the_flag_are_shown_only_where_they_apply(client, bob, carol, dave):
    flagged = submit(carol, "P-37", "3.5万", note="含全市分支机构", explanation="x", next_steps="y")
    plain = submit(bob, "P-26", "94")
    client.force_login(dave)
    html = client.get(QUEUE).content.decode()
    flagged_row = html.split(f'id="queue-{flagged.pk}"')[1].split("</tr>")[0]
    plain_row = html.split(f'id="queue-{plain.pk}"')[1].split("</tr>")[0]
    assert "35000" in flagged_row and "⚠" in flagged_row and "10 倍" in flagged_row
    assert "⚠" not in plain_row
    actuals = client.get(ACTUALS).content.decode()  # the 异常 column of the actuals list
    assert actuals.count("⚠ 异常") == 1
    assert "icon-no" not in actuals and "icon-yes" not in actuals


def test_the_queue_filters_by_plan_department_and_year(client, bob, carol, dave):
    submit(bob, "P-25", "93")
    submit(carol, "P-36", "", year=2014, qualitative_status="in_progress", evidence="方案已印发")
    client.force_login(dave)
    department = carol.profile.department
    page = client.get(QUEUE, {"department": department.pk})
    assert [line.actual.indicator.code for line in page.context["lines"]] == ["P-36"]
    page = client.get(QUEUE, {"year": 2013})
    assert [line.actual.indicator.code for line in page.context["lines"]] == ["P-25"]
    page = client.get(QUEUE, {"plan": Plan.objects.get(slug="jiaxing-2011").pk})
    assert page.context["page"].paginator.count == 2
    offered = page.context["filters"].fields["plan"].queryset
    assert [p.slug for p in offered] == ["jiaxing-2011"]  # the plans with figures waiting


def test_approving_and_returning_in_bulk_from_the_queue(client, bob, dave):
    first = submit(bob, "P-25", "93")
    second = submit(bob, "P-26", "94")
    client.force_login(dave)
    seen = {f"version-{a.pk}": a.version for a in (first, second)}
    client.post(QUEUE, {"pick": [first.pk], "_approve": "1", **seen})
    response = client.post(QUEUE, {"pick": [second.pk], "_return": "1", "reason": "", **seen})
    assert "退回时必须填写原因" in client.get(response.url).content.decode()
    client.post(QUEUE, {"pick": [second.pk], "_return": "1", "reason": "批次不符", **seen})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.return_reason) == (
        "approved",
        "returned",
        "批次不符",
    )


# --- issue 17: separation of duties ---------------------------------------------------------


def test_nobody_approves_a_figure_they_entered_administrators_and_superusers_included(grace, alice):
    for code, user in (("P-25", grace), ("P-26", alice)):
        own = actual_submit(
            user=user,
            region=Region.objects.get(code="330400"),
            year=2013,
            rows=[EntryRow(indicator(code), "93")],
        ).saved[0]
        with pytest.raises(PermissionDenied, match="由您填报或修改过"):
            actual_approve(user=user, actuals=[own])
        assert Actual.objects.get(pk=own.pk).status == "submitted"


def test_nobody_approves_a_figure_they_changed_before_someone_else_submitted_it(bob, grace):
    draft = actual_save(
        user=grace,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator("P-25"), "93")],
    ).saved[0]
    later = submit(bob, "P-25", "93.5", version=draft.version)
    with pytest.raises(PermissionDenied, match="由您填报或修改过"):
        actual_approve(user=grace, actuals=[later])
    assert Actual.objects.get(pk=later.pk).status == "submitted"


def test_a_user_both_clerk_and_reviewer_cannot_approve_their_own_upload(bob, dave):
    from django.contrib.auth.models import Group

    dave.groups.add(Group.objects.get(name="填报人员"))
    own = submit(dave, "P-25", "93")
    with pytest.raises(PermissionDenied):
        actual_approve(user=dave, actuals=[own])


def test_the_queue_offers_no_box_for_ones_own_figures(client, grace, dave, bob):
    own = actual_submit(
        user=grace,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator("P-25"), "93")],
    ).saved[0]
    client.force_login(grace)
    html = client.get(QUEUE).content.decode()
    row = html.split(f'id="queue-{own.pk}"')[1].split("</tr>")[0]
    assert 'name="pick"' not in row and "须由他人审核" in row
    response = client.post(QUEUE, {"pick": [own.pk], "_approve": "1", f"version-{own.pk}": 1})
    assert "须由其他审核人员审核" in client.get(response.url).content.decode()
    assert Actual.objects.get(pk=own.pk).status == "submitted"


# --- issue 17: an approval names the version seen -------------------------------------------


def test_an_approval_of_a_figure_changed_since_it_was_seen_is_refused(client, bob, dave):
    seen = submit(bob, "P-25", "93")
    submit(bob, "P-25", "95", version=seen.version)
    with pytest.raises(ValidationError, match="在您查看之后已被修改"):
        actual_approve(user=dave, actuals=[seen])
    client.force_login(dave)
    for url, data in (
        (QUEUE, {"pick": [seen.pk], "_approve": "1"}),
        (ACTUALS, {"action": "approve", "_selected_action": [seen.pk]}),
    ):
        response = client.post(url, {**data, f"version-{seen.pk}": seen.version}, follow=True)
        assert "在您查看之后已被修改" in response.content.decode()
    stored = Actual.objects.get(pk=seen.pk)
    assert (stored.raw, stored.status) == ("95", "submitted")


def test_an_approval_without_the_version_seen_is_refused(client, bob, dave):
    figure = submit(bob, "P-25", "93")
    client.force_login(dave)
    client.post(ACTUALS, {"action": "approve", "_selected_action": [figure.pk]})
    assert Actual.objects.get(pk=figure.pk).status == "submitted"


# --- issue 17: locking within one's regions; a locked year says so -------------------------


def test_a_reviewer_locks_only_the_plans_of_their_regions(client, dave):
    zhejiang = Department.objects.create(region=Region.objects.get(code="330000"), name="省局")
    olga = make_user("olga", "审核人员", zhejiang)
    rizhao = Plan.objects.get(slug="rizhao-14")
    with pytest.raises(PermissionDenied, match="本辖区"):
        year_lock(user=olga, plan=rizhao, year=2024)
    with pytest.raises(PermissionDenied):
        year_lock(user=dave, plan=Plan.objects.get(slug="zhejiang-14"), year=2024)
    assert year_lock(user=olga, plan=Plan.objects.get(slug="jiaxing-2011"), year=2013).is_locked
    client.force_login(olga)
    plan_year = rizhao.plan_years.create(year=2024)
    response = client.post(
        reverse("admin:indicators_planyear_changelist"),
        {"action": "lock", "_selected_action": [plan_year.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "本辖区" in response.content.decode()
    plan_year.refresh_from_db()
    assert not plan_year.is_locked


def test_approving_in_a_locked_year_says_so(client, bob, dave):
    figure = submit(bob, "P-25", "93")
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2013)
    client.force_login(dave)
    seen = {f"version-{figure.pk}": figure.version}
    response = client.post(
        ACTUALS, {"action": "approve", "_selected_action": [figure.pk], **seen}, follow=True
    )
    assert response.status_code == 200
    assert "2013年已锁定,不能审核" in response.content.decode()
    response = client.post(QUEUE, {"pick": [figure.pk], "_approve": "1", **seen}, follow=True)
    assert "2013年已锁定,不能审核" in response.content.decode()
    assert Actual.objects.get(pk=figure.pk).status == "submitted"
