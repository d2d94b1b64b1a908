"""Early warnings raised by a real approval and recompute, and the daily e-mail digest."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from alerts.models import EarlyWarning
from alerts.services import warning_digests_send
from indicators.models import AttainmentResult, Indicator
from indicators.services.actuals import EntryRow, actual_approve, actual_submit
from indicators.services.runs import attainment_run_nightly
from regions.models import Department, Region
from tests.conftest import jiaxing_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(bob, dave, erin):
    """Who is told about 嘉兴's P-25 (市质量技监局): dave (its reviewer), erin (a leader of
    no department) and paula (a leader in 浙江); not bob (a clerk), another department's
    reviewer, nor a leader elsewhere."""
    zhejiang = Region.objects.get(code="330000")
    huzhou = Region.objects.create(code="330500", name="湖州市", level="city", parent=zhejiang)
    elsewhere = Department.objects.create(region=huzhou, name="市政府办公室")
    province = Department.objects.create(region=zhejiang, name="省政府办公厅")
    make_user("rita", roles.REVIEWER, jiaxing_department("市发展改革委"))
    make_user("leo", roles.LEADER, elsewhere)
    make_user("paula", roles.LEADER, province)  # 浙江 holds 嘉兴
    return {"bob": bob, "dave": dave, "erin": erin}


def approve(bob, dave, indicator, figures, capture):
    region = bob.profile.department.region
    for year, figure in figures.items():
        # A lagging figure is submitted with the department's reasons.
        row = EntryRow(indicator, figure, explanation="抽检批次调整", next_steps="加强监管")
        saved = actual_submit(user=bob, region=region, year=year, rows=[row]).saved
        with capture(execute=True):
            actual_approve(user=dave, actuals=saved)


def lag_p25(people, capture):
    """P-25 (≥ 92 by 2015): from 90 in 2011 to 90.2 in 2013, well behind the time elapsed."""
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    approve(people["bob"], people["dave"], indicator, {2011: "90", 2012: "91"}, capture)
    assert AttainmentResult.objects.get(indicator=indicator, year=2012).status == "on_track"
    assert AttainmentResult.objects.get(indicator=indicator, year=2013).status == "no_data"
    assert not EarlyWarning.objects.exists()
    approve(people["bob"], people["dave"], indicator, {2013: "90.2"}, capture)
    return indicator


def test_an_approval_that_makes_an_indicator_lag_warns_its_reviewers_and_the_leaders(
    people, django_capture_on_commit_callbacks
):
    indicator = lag_p25(people, django_capture_on_commit_callbacks)
    status = AttainmentResult.objects.get(indicator=indicator, year=2013).status
    assert status in {"lagging", "off_track"}
    warnings = EarlyWarning.objects.filter(indicator=indicator)
    assert sorted(w.recipient.username for w in warnings) == ["dave", "erin", "paula"]
    assert {(w.year, w.old_status, w.new_status) for w in warnings} == {(2013, "no_data", status)}
    assert {w.region.code for w in warnings} == {"330400"}
    assert all(w.read_at is None for w in warnings)


def test_one_digest_a_day_to_each_person_told(people, django_capture_on_commit_callbacks):
    lag_p25(people, django_capture_on_commit_callbacks)
    # Noon, so that five minutes later is the same day wherever the suite runs.
    today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    assert warning_digests_send(today) == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["dave@example.com", "erin@example.com", "paula@example.com"]
    message = by_address["erin@example.com"]
    assert message.subject == "【质量规划预警】1 项指标需要关注"
    assert "P-25" in message.body and "嘉兴" in message.body and "2013年" in message.body
    assert "由 ○ 未填报 转为" in message.body
    assert "on_track" not in message.body and "lagging" not in message.body

    # A warning later the same day waits for tomorrow's digest.
    warning = EarlyWarning.objects.filter(recipient=people["erin"]).first()
    warning.pk, warning.mailed_at = None, None
    warning.save()
    assert warning_digests_send(today + datetime.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 3
    assert warning_digests_send(today + datetime.timedelta(days=1)) == 1
    assert mail.outbox[-1].to == ["erin@example.com"]


def test_the_nightly_recompute_of_every_plan_warns_too(people, django_capture_on_commit_callbacks):
    """Figures approved with no recompute after (a broker down): the nightly run finds the
    turn among the warning statuses alone, and says only what it turned to."""
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    region = people["bob"].profile.department.region
    for year, figure in {2011: "90", 2013: "90.2"}.items():
        row = EntryRow(indicator, figure, explanation="抽检批次调整", next_steps="加强监管")
        saved = actual_submit(user=people["bob"], region=region, year=year, rows=[row]).saved
        with django_capture_on_commit_callbacks(execute=False):
            actual_approve(user=people["dave"], actuals=saved)
    assert not EarlyWarning.objects.exists()
    attainment_run_nightly()
    status = AttainmentResult.objects.get(indicator=indicator, year=2013).status
    warnings = EarlyWarning.objects.filter(indicator=indicator, year=2013)
    assert sorted(w.recipient.username for w in warnings) == ["dave", "erin", "paula"]
    assert {(w.old_status, w.new_status) for w in warnings} == {("", status)}
    attainment_run_nightly()  # nothing turned since
    assert EarlyWarning.objects.count() == 3


def test_a_reviewer_finds_the_warning_above_the_figures_to_review(
    client, people, django_capture_on_commit_callbacks
):
    lag_p25(people, django_capture_on_commit_callbacks)
    client.force_login(people["dave"])
    landing = client.get(reverse("landing"), follow=True).content.decode()
    assert "1 条未读预警" in landing and "P-25" in landing
    listing = client.get(reverse("alerts:list")).content.decode()
    assert "由 ○ 未填报 转为" in listing and "<strong>新</strong>" in listing
    assert not EarlyWarning.objects.filter(recipient=people["dave"], read_at__isnull=True)
    again = client.get(reverse("landing"), follow=True).content.decode()
    assert "未读预警" not in again
