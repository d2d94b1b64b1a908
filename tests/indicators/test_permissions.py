"""Who may do what, on their own department's data and on another's."""

import pytest
from django.urls import reverse

from indicators.models import Actual, Indicator, Plan
from indicators.services.actuals import EntryRow, actual_save, actual_submit

ROLES = ["bob", "dave", "erin", "frank", "grace"]  # clerk, reviewer, leader, auditor, admin


@pytest.fixture
def users(bob, carol, dave, erin, frank, grace):
    return {u.username: u for u in (bob, carol, dave, erin, frank, grace)}


@pytest.fixture
def figures(users):
    """One submitted figure of bob's department and one of carol's."""
    own = actual_submit(
        user=users["bob"],
        region=users["bob"].profile.department.region,
        year=2013,
        rows=[EntryRow(Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25"), "93")],
    ).saved[0]
    other = actual_submit(
        user=users["carol"],
        region=users["carol"].profile.department.region,
        year=2013,
        rows=[EntryRow(Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37"), "120")],
    ).saved[0]
    return own, other


EXPECTED = {
    # role: (list, view own, view other's, entry page, approve, import page, change a plan)
    "bob": (200, 200, 302, 200, False, 200, 403),
    "dave": (200, 200, 200, 403, True, 403, 403),
    "erin": (200, 200, 200, 403, False, 403, 403),
    "frank": (200, 200, 200, 403, False, 403, 403),
    "grace": (200, 200, 200, 200, True, 200, 302),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, users, figures, role):
    own, other = figures
    expected = EXPECTED[role]
    client.force_login(users[role])
    changelist = reverse("admin:indicators_actual_changelist")
    listing = client.get(changelist)
    view_own = client.get(reverse("admin:indicators_actual_change", args=[own.pk]))
    view_other = client.get(reverse("admin:indicators_actual_change", args=[other.pk]))
    entry = client.get(reverse("admin:indicators_actual_entry"))
    client.post(changelist, {"action": "approve", "_selected_action": [own.pk]})
    approved = Actual.objects.get(pk=own.pk).status == "approved"
    import_page = client.get(reverse("admin:indicators_actual_import"))
    plan = Plan.objects.get(slug="jiaxing-2011")
    change_plan = client.post(
        reverse("admin:indicators_plan_change", args=[plan.pk]),
        {
            "slug": plan.slug,
            "title": "改名",
            "region": plan.region_id,
            "period_start": 2011,
            "period_end": 2015,
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
        },
    )
    got = (
        listing.status_code,
        view_own.status_code,
        view_other.status_code,
        entry.status_code,
        approved,
        import_page.status_code,
        change_plan.status_code,
    )
    assert got == expected
    if role == "bob":
        assert list(listing.context["cl"].result_list) == [own]
    if expected[6] != 302:
        assert Plan.objects.get(pk=plan.pk).title != "改名"


@pytest.mark.django_db
def test_a_clerk_cannot_open_another_departments_entry_page(client, users, figures):
    client.force_login(users["bob"])
    page = client.get(
        reverse("admin:indicators_actual_entry"),
        {"department": users["carol"].profile.department.pk, "year": 2013},
    )
    assert page.status_code == 200
    assert page.context.get("lines") is None
    assert "120" not in page.content.decode().split("entry-filter")[-1].split("</form>")[0]


@pytest.mark.django_db
def test_a_clerk_cannot_post_another_departments_indicator(client, users, figures):
    _, other = figures
    bob = users["bob"]
    client.force_login(bob)
    url = (
        reverse("admin:indicators_actual_entry")
        + f"?department={bob.profile.department.pk}&year=2013"
    )
    response = client.post(
        url,
        {
            "entry-TOTAL_FORMS": "1",
            "entry-INITIAL_FORMS": "1",
            "entry-0-indicator": other.indicator_id,
            "entry-0-version": other.version,
            "entry-0-text": "1",
        },
    )
    assert response.status_code == 403
    assert Actual.objects.get(pk=other.pk).raw == "120"


@pytest.mark.django_db
def test_leaders_and_auditors_change_nothing(users, figures):
    from django.core.exceptions import PermissionDenied

    for name in ("erin", "frank"):
        with pytest.raises(PermissionDenied):
            actual_save(
                user=users[name], region=users["bob"].profile.department.region, year=2013, rows=[]
            )


@pytest.mark.django_db
def test_administrators_assign_indicators_to_a_department_in_bulk(client, users):
    from regions.models import Department

    client.force_login(users["grace"])
    department = Department.objects.get(region__code="330400", name="市建委")
    targets = Indicator.objects.filter(plan__slug="jiaxing-2011", code__in=["P-01", "P-02"])
    url = reverse("admin:indicators_indicator_changelist")
    ids = [i.pk for i in targets]
    form = client.post(url, {"action": "assign_department", "_selected_action": ids})
    assert "指定责任单位" in form.content.decode()
    client.post(
        url,
        {
            "action": "assign_department",
            "_selected_action": ids,
            "apply": "1",
            "department": department.pk,
        },
    )
    assert {i.department for i in Indicator.objects.filter(pk__in=ids)} == {department}
    client.force_login(users["bob"])
    client.post(
        url,
        {
            "action": "assign_department",
            "_selected_action": ids,
            "apply": "1",
            "department": users["bob"].profile.department.pk,
        },
    )
    assert {i.department for i in Indicator.objects.filter(pk__in=ids)} == {department}
