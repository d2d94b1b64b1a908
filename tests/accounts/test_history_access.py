"""Change history (变更记录) is read by those who hold 查看变更记录, within their part of the
data, and never changed from a history page."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from indicators.models import Actual, Indicator, Target
from indicators.services.actuals import EntryRow, actual_save

MODELS = list(admin.site._registry)


def history_url(obj, version=None):
    opts = obj._meta
    if version is None:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
    return reverse(name, args=[obj.pk, version])


def save(user, code, text, version=None):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code=code)
    region = user.profile.department.region
    row = EntryRow(indicator, text, version=version)
    return actual_save(user=user, region=region, year=2013, rows=[row]).saved[0]


def grant_view_history(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="indicators", codename="view_history")
    )


@pytest.fixture
def rows(bob, carol):
    """One object of every registered model, and bob's and carol's figures."""
    own, other = save(bob, "P-25", "93"), save(carol, "P-37", "120")
    objects = {model: model.objects.order_by("pk").first() for model in MODELS}
    objects[Actual] = own
    return {"objects": objects, "own": own, "other": other}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["bob", "dave", "erin"], ids=["clerk", "reviewer", "leader"])
def test_roles_without_view_history_open_no_history_page(client, rows, role, request):
    client.force_login(request.getfixturevalue(role))
    opened = []
    for model, obj in rows["objects"].items():
        if obj is None:
            continue
        response = client.get(history_url(obj))
        if response.status_code == 200:
            opened.append(model._meta.label)
    assert opened == []


@pytest.mark.django_db
def test_a_clerk_no_longer_reads_the_history_of_their_own_figure(client, bob, rows):
    client.force_login(bob)
    own = rows["own"]
    assert client.get(history_url(own)).status_code == 403
    version = own.history.first().history_id
    assert client.get(history_url(own, version)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["frank", "grace"], ids=["auditor", "administrator"])
def test_auditors_and_administrators_read_every_history(client, rows, role, request):
    client.force_login(request.getfixturevalue(role))
    for obj in (rows["own"], rows["other"], Target.objects.order_by("pk").first()):
        page = client.get(history_url(obj))
        assert page.status_code == 200, obj
    own = rows["own"]
    version = client.get(history_url(own, own.history.first().history_id))
    assert version.status_code == 200 and "93" in version.content.decode()


@pytest.mark.django_db
def test_view_history_reaches_only_the_rows_in_the_users_scope(client, bob, rows):
    grant_view_history(bob)
    client.force_login(bob)
    own, other = rows["own"], rows["other"]
    assert client.get(history_url(own)).status_code == 200
    assert client.get(history_url(other)).status_code in (403, 404)
    version = other.history.first().history_id
    response = client.get(history_url(other, version))
    assert response.status_code in (403, 404) and "120" not in response.content.decode()


@pytest.mark.django_db
def test_the_history_of_a_deleted_row_stays_within_scope(client, bob, frank, rows):
    other = rows["other"]
    version = other.history.first().history_id
    Actual.objects.filter(pk=other.pk).delete()
    grant_view_history(bob)
    client.force_login(bob)
    assert client.get(history_url(other)).status_code in (403, 404)
    assert client.get(history_url(other, version)).status_code in (403, 404)
    client.force_login(frank)
    assert client.get(history_url(other)).status_code == 200


@pytest.mark.django_db
def test_a_history_page_never_changes_the_row(client, bob, frank, grace, rows):
    own = rows["own"]
    first = own.history.earliest("history_date").history_id
    save(bob, "P-25", "94", version=own.version)
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    indicator.name = "改过的名称"
    indicator._change_reason = "test"
    indicator.save()
    old_indicator = indicator.history.order_by("history_date")[0].history_id
    for user in (frank, grace):
        client.force_login(user)
        response = client.post(history_url(own, first), {})
        assert response.status_code == 403
        response = client.post(
            history_url(indicator, old_indicator),
            {"plan": indicator.plan_id, "code": indicator.code, "name": "回退", "unit": "%"},
        )
        assert response.status_code == 403
    assert Actual.objects.get(pk=own.pk).raw == "94"
    assert Indicator.objects.get(pk=indicator.pk).name == "改过的名称"
