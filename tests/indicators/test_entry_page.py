"""The entry page never blocks a correction: approved and locked figures are read-only, a
returned figure is corrected and resubmitted beside approved ones, the year is chosen among
those open, the number read is shown, and a lagging figure comes with its reasons."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Actual, AttainmentResult, Baseline, Indicator, Plan, PlanYear
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_return,
    actual_submit,
    year_lock,
)
from regions.models import Department

from .test_data_entry import ENTRY, actual, open_page, post_page

pytestmark = pytest.mark.django_db
ONE_WEEK = timedelta(days=7)


def submit(user, **figures):
    """Submit {code: text} for 2013 as `user`, with reasons; the stored figures by code."""
    return submit_year(user, 2013, figures)


def submit_year(user, year, figures):
    rows = [
        EntryRow(
            Indicator.objects.get(plan__slug="jiaxing-2011", code=code),
            text,
            explanation="说明情况",
            next_steps="改进措施",
        )
        for code, text in figures.items()
    ]
    result = actual_submit(user=user, region=user.profile.department.region, year=year, rows=rows)
    assert result.ok, result.errors
    return {a.indicator.code: a for a in result.saved}


def lines_by_code(page):
    return {line.indicator.code: line for line in page.context["lines"]}


def test_approved_figures_are_read_only_with_who_approved_them_and_when(client, bob, dave):
    figures = submit(bob, **{"P-25": "93", "P-26": "94"})
    actual_approve(user=dave, actuals=[figures["P-25"]])
    page = open_page(client, bob)
    lines = lines_by_code(page)
    assert lines["P-25"].form is None and lines["P-26"].form is not None
    html = page.content.decode()
    approved = html.split('id="line-P-25"')[1].split("</tbody>")[0]
    assert "已审核" in approved and "dave" in approved and "<input" not in approved
    assert len(page.context["formset"].forms) == 7  # the eight lines but the approved one


def test_a_returned_figure_is_corrected_and_resubmitted_while_the_others_stay_approved(
    client, bob, dave
):
    figures = submit(bob, **{"P-25": "93", "P-26": "94", "P-29": "86"})
    actual_approve(user=dave, actuals=[figures["P-25"], figures["P-29"]])
    actual_return(user=dave, actuals=[figures["P-26"]], reason="请核对抽检批次")
    page = open_page(client, bob)
    assert "请核对抽检批次" in page.content.decode()
    response = post_page(client, bob, {"P-26": "94.5"}, submit=True, page=page)
    assert response.status_code == 302
    assert (actual("P-26").raw, actual("P-26").status) == ("94.5", "submitted")
    assert {actual(c).status for c in ("P-25", "P-29")} == {"approved"}
    assert actual("P-25").version == figures["P-25"].version  # untouched


def test_a_page_read_before_an_approval_still_saves_its_other_rows(client, bob, dave):
    figures = submit(bob, **{"P-25": "93", "P-26": "94"})
    stale_page = open_page(client, bob)  # both figures are fields here
    actual_approve(user=dave, actuals=[figures["P-25"]])
    response = post_page(client, bob, {"P-26": "94.2"}, page=stale_page)
    assert response.status_code == 302
    assert actual("P-26").raw == "94.2" and actual("P-25").status == "approved"
    response = post_page(client, bob, {"P-25": "95"}, page=stale_page)  # a change: refused
    assert response.status_code == 200
    assert "已审核" in response.content.decode() and actual("P-25").raw == "93"


def test_a_locked_year_shows_its_figures_read_only_and_the_year_is_not_offered(client, bob, dave):
    submit(bob, **{"P-25": "93"})
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2014)
    page = open_page(client, bob, year=2013)
    offered = [value for value, _ in page.context["filter_form"].fields["year"].widget.choices]
    assert offered == [2015, 2013, 2012, 2011, 2010]
    labels = dict(page.context["filter_form"].fields["year"].widget.choices)
    assert labels[2010] == "2010年(基期)"
    PlanYear.objects.filter(year=2014).update(is_locked=False)
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2013)
    client.force_login(bob)
    page = client.get(ENTRY, {"department": bob.profile.department.pk})  # the year now due
    assert page.context["year"] == 2015
    page = client.get(ENTRY, {"department": bob.profile.department.pk, "year": 2013})
    assert page.context["year"] == 2015  # a locked year is not opened


def test_the_page_opens_on_the_clerks_department_and_the_year_now_due(client, bob):
    client.force_login(bob)
    page = client.get(ENTRY)
    assert (page.context["department"], page.context["year"]) == (bob.profile.department, 2015)
    PlanYear.objects.create(
        plan=Plan.objects.get(slug="jiaxing-2011"), year=2014, due_date=date.today() + ONE_WEEK
    )
    assert client.get(ENTRY).context["year"] == 2014  # the next deadline


def test_a_base_year_figure_becomes_the_baseline_once_approved(
    client, bob, dave, django_capture_on_commit_callbacks
):
    # P-25 (省级监督抽查批次合格率, 92% by 2015): the document gives no baseline.
    assert "基期年" in open_page(client, bob, year=2010).content.decode()
    response = post_page(client, bob, {"P-25": "90.2"}, year=2010, submit=True)
    assert response.status_code == 302
    base = actual("P-25", year=2010)
    assert base.status == "submitted"
    assert not Baseline.objects.filter(indicator__code="P-25").exists()

    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=[base])
    baseline = Baseline.objects.get(indicator__code="P-25", indicator__plan__slug="jiaxing-2011")
    assert (baseline.year, baseline.value, baseline.raw, baseline.source_ref) == (
        2010,
        Decimal("90.2"),
        "90.2",
        "填报审核",
    )
    change = baseline.history.first()
    assert (change.history_user, change.history_change_reason) == (dave, "审核通过基期年数值")

    # The next year is judged from it: (91.1 - 90.2) / (92 - 90.2) = 50% of the way after a
    # fifth of the time.
    figures = {"P-25": "91.1"}
    with django_capture_on_commit_callbacks(execute=True):
        actual_approve(user=dave, actuals=list(submit_year(bob, 2011, figures).values()))
    result = AttainmentResult.objects.get(
        target__indicator__code="P-25", target__indicator__plan__slug="jiaxing-2011", year=2011
    )
    assert (result.progress, result.status) == (Decimal("0.5000"), "on_track")

    # Returned, the figure is no baseline any more: 2011's own figure is the starting point,
    # and the result goes back to 数据不足.
    base.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actual_return(user=dave, actuals=[base], reason="请核对基期数")
    assert not Baseline.objects.filter(indicator__code="P-25").exists()
    result.refresh_from_db()
    assert result.status == "insufficient_data"


def test_the_number_read_is_shown_after_saving(client, carol):
    response = post_page(client, carol, {"P-37": "1.2万"}, notes={"P-37": "含新纳入统计企业"})
    assert response.status_code == 302
    page = open_page(client, carol)
    line = lines_by_code(page)["P-37"]
    assert line.actual.read_as == "12000"
    assert "读作 <strong>12000</strong>" in page.content.decode()


def test_a_figure_ten_times_off_its_scale_needs_a_note(client, carol):
    response = post_page(client, carol, {"P-37": "3.5万"})
    html = response.content.decode()
    assert response.status_code == 200 and "10 倍" in html
    assert not Actual.objects.filter(indicator__code="P-37").exists()


def test_a_lagging_figure_is_submitted_only_with_its_reasons(client, carol):
    # P-37 推进500家 by 2015 (新增): 120 by 2013 is well behind three fifths of the way.
    response = post_page(client, carol, {"P-37": "120"}, submit=True)
    assert response.status_code == 200
    assert "将判为“严重滞后”" in response.content.decode()
    assert not Actual.objects.filter(indicator__code="P-37").exists()
    assert post_page(client, carol, {"P-37": "120"}).status_code == 302  # a draft may lag
    page = open_page(client, carol)
    assert "按此数值将判为:✖ 严重滞后" in page.content.decode()  # a shape with the word
    response = post_page(
        client,
        carol,
        {},
        submit=True,
        reasons={"P-37": ("两家龙头企业推迟认证", "下半年集中辅导")},
    )
    assert response.status_code == 302
    saved = actual("P-37")
    assert (saved.status, saved.explanation, saved.next_steps) == (
        "submitted",
        "两家龙头企业推迟认证",
        "下半年集中辅导",
    )
    assert saved.history.first().explanation == "两家龙头企业推迟认证"  # kept in the history


def test_an_indicator_assigned_while_the_page_was_open_then_a_bad_value_gives_a_message(
    client, bob
):
    """Issue 17: the page's forms no longer match its lines (zip(strict=True) raised)."""
    page = open_page(client, bob)
    moved = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37")
    moved.department = bob.profile.department
    moved.save()
    response = post_page(client, bob, {"P-25": "abc"}, page=page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不是有效的数值" in html and "abc" in html
    assert "P-37" in html  # the new line is on the page, ready to fill
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


def test_a_form_error_keeps_what_was_typed(client, bob):
    response = post_page(client, bob, {"P-25": "9" * 120})  # longer than the field takes
    assert response.status_code == 200
    assert "9" * 120 in response.content.decode()
    assert not Actual.objects.filter(indicator__code="P-25").exists()


def test_the_template_and_the_upload_are_linked_from_the_page(client, bob):
    html = open_page(client, bob).content.decode()
    assert reverse("admin:indicators_actual_entry_template") in html
    assert reverse("admin:indicators_actual_import") in html
    assert reverse("admin:indicators_actual_worklist") in html


def test_the_entry_page_is_linked_from_the_actuals_list_and_the_admin_index(client, bob):
    client.force_login(bob)
    for url in (reverse("admin:indicators_actual_changelist"), reverse("admin:index")):
        html = client.get(url).content.decode()
        assert reverse("admin:indicators_actual_entry") in html
        assert reverse("admin:indicators_actual_worklist") in html


def test_a_reviewer_or_administrator_may_open_another_departments_page(client, alice, bob):
    client.force_login(alice)
    other = Department.objects.get(region__code="330400", name="市发展改革委")
    page = client.get(ENTRY, {"department": other.pk, "year": 2013})
    assert [line.indicator.code for line in page.context["lines"]][:1] == ["P-36"]


def test_the_actuals_list_links_the_entry_page_under_its_title(client, bob, dave):
    """The upload's buttons hide the list's own tools from those who may not add a figure."""
    for user, url in (
        (bob, "admin:indicators_actual_entry"),
        (dave, "admin:indicators_actual_review"),
    ):
        client.force_login(user)
        html = client.get(reverse("admin:indicators_actual_changelist")).content.decode()
        links = html.split('class="actual-links"')[1].split("</p>")[0]
        assert reverse(url) in links
