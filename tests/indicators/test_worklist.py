"""The clerk's work list: every plan, region and year open for entry, where its figures stand,
the deadline, the figures sent back first, one click to the entry page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Plan, PlanYear
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_return,
    actual_save,
    actual_submit,
    year_lock,
)
from indicators.views import entry_url

from ..dashboards.test_plain_words import readable_text

pytestmark = pytest.mark.django_db

WORKLIST = reverse("admin:indicators_actual_worklist")


def rows(user, year, *, submit=True, **figures):
    save = actual_submit if submit else actual_save
    result = save(
        user=user,
        region=user.profile.department.region,
        year=year,
        rows=[
            EntryRow(Indicator.objects.get(plan__slug="jiaxing-2011", code=code), text)
            for code, text in figures.items()
        ],
    )
    assert result.ok, result.errors
    return result.saved


@pytest.fixture
def progress(bob, dave):
    """2013: P-25 approved, P-26 returned; 2014: P-29 a draft, due in ten days."""
    p25, p26 = rows(bob, 2013, **{"P-25": "93", "P-26": "94"})
    actual_approve(user=dave, actuals=[p25])
    actual_return(user=dave, actuals=[p26], reason="请附抽检报告")
    rows(bob, 2014, submit=False, **{"P-29": "86"})
    PlanYear.objects.create(
        plan=Plan.objects.get(slug="jiaxing-2011"),
        year=2014,
        due_date=timezone.localdate() + timedelta(days=10),
    )


def test_the_work_list_counts_each_open_year_with_returned_figures_first(client, bob, progress):
    client.force_login(bob)
    page = client.get(WORKLIST)
    assert page.status_code == 200
    listed = [(row.year, row.region.code) for row, _ in page.context["rows"]]
    assert listed == [(2013, "330400"), (2014, "330400"), (2015, "330400"), (2012, "330400"),
                      (2011, "330400")]  # fmt: skip
    first, second = page.context["rows"][0][0], page.context["rows"][1][0]
    assert (first.missing, first.drafts, first.submitted, first.returned, first.approved) == (
        6, 0, 0, 1, 1,
    )  # fmt: skip
    assert (second.missing, second.drafts, second.days_left) == (7, 1, 10)
    html = page.content.decode()
    assert "请附抽检报告" in html and "还剩 10 天" in html
    department = bob.profile.department
    assert entry_url(department, department.region, 2013).replace("&", "&amp;") in html


def test_returned_figures_come_first_with_the_reason_and_a_link_to_correct_them(
    client, bob, progress
):
    client.force_login(bob)
    page = client.get(WORKLIST)
    [(returned, url)] = page.context["returned"]
    assert (returned.indicator.code, returned.return_reason) == ("P-26", "请附抽检报告")
    corrected = client.get(url)
    assert corrected.context["year"] == 2013
    assert "P-26" in [line.indicator.code for line in corrected.context["lines"] if line.form]


def test_locked_years_leave_the_list_and_overdue_ones_say_so(client, bob, dave, progress):
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2012)
    PlanYear.objects.filter(year=2014).update(due_date=timezone.localdate() - timedelta(days=3))
    client.force_login(bob)
    page = client.get(WORKLIST)
    assert 2012 not in [row.year for row, _ in page.context["rows"]]
    assert "已逾期 3 天" in page.content.decode()


def test_the_work_list_is_linked_from_every_admin_page_for_a_clerk(client, bob):
    client.force_login(bob)
    assert WORKLIST in client.get(reverse("admin:index")).content.decode()
    assert WORKLIST in client.get(reverse("admin:indicators_plan_changelist")).content.decode()


def test_only_clerks_have_a_work_list(client, erin):
    client.force_login(erin)
    assert client.get(WORKLIST).status_code == 403


def test_the_work_list_the_entry_page_and_the_queue_read_in_english(client, bob, dave, progress):
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        client.force_login(bob)
        html = client.get(WORKLIST).content.decode()
        assert "Figure sent back to correct (1)" in html and "Plan years open for entry" in html
        assert "10 days left" in html and "填报工作清单" not in html
        html = client.get(reverse("admin:indicators_actual_entry")).content.decode()
        assert "Target and reference" in html and "2010 (base year)" in html
        client.force_login(dave)
        html = client.get(reverse("admin:indicators_actual_review")).content.decode()
        assert "Review queue" in html and "No figures are waiting for review." in html
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the requests left English active


def test_the_clerks_and_reviewers_pages_name_plans_by_title_not_by_code(
    client, bob, dave, progress
):
    rows(bob, 2014, **{"P-30": "90"})  # one figure waiting in the queue
    slugs = list(Plan.objects.values_list("slug", flat=True))
    client.force_login(bob)
    department = bob.profile.department
    pages = [WORKLIST, entry_url(department, department.region, 2013)]
    read = [readable_text(client.get(url))[0] for url in pages]
    client.force_login(dave)
    read.append(readable_text(client.get(reverse("admin:indicators_actual_review")))[0])
    for text in read:
        assert "嘉兴市" in text and not [s for s in slugs if s in text]
