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
