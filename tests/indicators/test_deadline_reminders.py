import datetime

import pytest
from django.core import mail
from django.urls import reverse

from indicators.models import Indicator, Plan, PlanYear
from indicators.services.actuals import EntryRow, actual_approve, actual_return, actual_submit
from indicators.tasks import remind_departments_of_deadlines

DUE = datetime.date(2014, 3, 31)


@pytest.fixture
def plan_year(plans):
    return PlanYear.objects.create(
        plan=Plan.objects.get(slug="jiaxing-2011"), year=2013, due_date=DUE
    )


def submit(user, code, text):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code=code)
    return actual_submit(
        user=user,
        region=user.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator, text)],
    ).saved[0]


@pytest.mark.django_db
def test_reminders_go_a_week_before_and_on_the_due_date(plan_year, bob, carol):
    # bob's and carol's departments have someone to write to; the other two have nobody.
    for day, expected in [
        (DUE - datetime.timedelta(days=7), 2),
        (DUE, 2),
        (DUE - datetime.timedelta(days=3), 0),
    ]:
        mail.outbox.clear()
        assert remind_departments_of_deadlines.delay(day.isoformat()).get() == expected
        assert len(mail.outbox) == expected


@pytest.mark.django_db
def test_a_reminder_lists_what_is_missing_or_returned(plan_year, bob, dave):
    submitted = submit(bob, "P-25", "93")
    actual_approve(user=dave, actuals=[submitted])
    returned = submit(bob, "P-26", "94")
    actual_return(user=dave, actuals=[returned], reason="请核实")
    remind_departments_of_deadlines(DUE.isoformat())
    message = next(m for m in mail.outbox if "bob@example.com" in m.to)
    assert "P-26" in message.body and "P-25" not in message.body
    assert "7 项指标" in message.body


@pytest.mark.django_db
def test_the_department_page_shows_what_is_missing(client, alice, plan_year, bob):
    submit(bob, "P-25", "93")
    client.force_login(alice)
    page = client.get(reverse("admin:regions_department_change", args=[bob.profile.department.pk]))
    html = page.content.decode()
    assert (
        "jiaxing-2011 2013年" in html
        and "7 项" in html
        and "P-25" not in html.split("7 项")[1][:400]
    )
