"""Every admin page answers a superuser and turns an anonymous visitor to the login page."""

import pytest
from django.contrib import admin
from django.urls import reverse

from indicators.models import Actual

MODELS = list(admin.site._registry)


def _object_for(model):
    return model.objects.order_by("pk").first()


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_answer_a_superuser(client, alice, plans, model):
    client.force_login(alice)
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    assert client.get(reverse(f"{base}_changelist"), {"q": "质量"}).status_code == 200
    assert client.get(reverse(f"{base}_add")).status_code in (200, 403)
    obj = _object_for(model)
    if obj is not None:
        assert client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200
        if hasattr(model, "history"):
            assert client.get(reverse(f"{base}_history", args=[obj.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_anonymous_visitors_are_sent_to_login(client, model):
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_indicator_page_shows_targets_with_their_source_quote(client, alice, plans):
    client.force_login(alice)
    actual = Actual.objects.select_related("indicator").first()
    page = client.get(reverse("admin:indicators_indicator_change", args=[actual.indicator_id]))
    target = actual.indicator.targets.first()
    assert target.source_text in page.content.decode()


@pytest.mark.django_db
def test_editing_a_target_in_the_admin_needs_and_records_a_reason(client, alice, plans):
    from indicators.models import Indicator

    client.force_login(alice)
    indicator = Indicator.objects.get(plan__slug="zhejiang-14", code="T2-1-02")
    target = indicator.targets.get()
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    page = client.get(url)
    data = {}
    for form in [
        page.context["adminform"].form,
        *[
            f
            for fs in page.context["inline_admin_formsets"]
            for f in [fs.formset.management_form, *fs.formset.forms]
        ],
    ]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None:
                data[form.add_prefix(name)] = getattr(value, "pk", value)
    prefix = next(
        fs.formset.prefix
        for fs in page.context["inline_admin_formsets"]
        if fs.formset.model.__name__ == "Target"
    )
    data[f"{prefix}-0-value"] = "96.5"
    assert client.post(url, data).status_code == 200  # refused: no reason given
    target.refresh_from_db()
    assert str(target.value.normalize()) == "96"
    data["change_reason"] = "省政府调整目标"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    target.refresh_from_db()
    assert str(target.value.normalize()) == "96.5"
    latest = target.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("省政府调整目标", alice)
