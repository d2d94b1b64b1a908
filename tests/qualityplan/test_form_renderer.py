"""qualityplan.form_renderer writes the common widgets exactly as Django's templates do."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from qualityplan.form_renderer import PLAIN_WIDGETS, ListedModelChoiceField

TEMPLATES = DjangoTemplates()

ODD = ['a "quoted" <b>&amp;</b>', "", "  spaced  ", "多行\n文字", mark_safe("<i>safe</i>")]


class Everything(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(attrs={"size": 12, "placeholder": gettext_lazy("如 98.5")})
    )
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.DecimalField(required=False)
    email = forms.EmailField(required=False, disabled=True)
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 28}), required=False)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "甲 <1>"), ("b", gettext_lazy("乙"))])
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("组 <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")], required=False
    )
    years = forms.TypedChoiceField(choices=[("", "---------"), (2025, 2025), (12345, 12345)])
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], required=False)
    nullable = forms.NullBooleanField(required=False)
    flag = forms.BooleanField(required=False)  # checkbox: left to its template
    when = forms.DateField(required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("r", "R")], required=False)


def rendered(form_class, **kwargs):
    plain = form_class(renderer=PLAIN_WIDGETS, **kwargs)
    templated = form_class(renderer=TEMPLATES, **kwargs)
    return [(str(plain[name]), str(templated[name])) for name in plain.fields]


@pytest.mark.parametrize("odd", ODD)
def test_unbound_widgets_match_the_templates(odd):
    initial = {
        "text": odd,
        "hidden": 7,
        "number": Decimal("1234.50"),
        "email": odd,
        "area": odd,
        "choice": "a",
        "grouped": "y",
        "years": 2025,
        "many": ["1", "2"],
        "nullable": True,
        "when": datetime.date(2026, 12, 2),
    }
    for plain, templated in rendered(Everything, initial=initial, prefix="entry-3"):
        assert plain == templated


@pytest.mark.parametrize("odd", ODD)
def test_bound_widgets_with_errors_match_the_templates(odd):
    data = {"text": odd, "hidden": "x", "number": odd, "area": odd, "choice": odd, "years": odd}
    for plain, templated in rendered(Everything, data=data, auto_id="f_%s"):
        assert plain == templated


def test_empty_values_match_the_templates():
    for plain, templated in rendered(Everything):
        assert plain == templated


def test_the_common_widgets_need_no_template(monkeypatch):
    def no_template(name):
        raise AssertionError(f"template {name} loaded")

    monkeypatch.setattr(PLAIN_WIDGETS, "get_template", no_template)
    form = Everything(renderer=PLAIN_WIDGETS, initial={"grouped": "x", "years": 2025})
    for name in ("text", "hidden", "number", "email", "area", "choice", "grouped", "years", "many"):
        assert str(form[name]).startswith("<")


@pytest.mark.django_db
def test_listed_choices_match_django_choices(django_assert_num_queries):
    from regions.models import Department, Region

    region = Region.objects.create(code="990000", name="测试省", level="province")
    for name in ("乙单位", "甲 <单位>"):
        Department.objects.create(name=name, region=region)
    chosen = Department.objects.order_by("name").first()

    class Listed(forms.Form):
        department = ListedModelChoiceField(
            queryset=Department.objects.select_related("region").order_by("name")
        )

    class Plain(forms.Form):
        department = forms.ModelChoiceField(
            queryset=Department.objects.select_related("region").order_by("name")
        )

    listed = Listed(renderer=PLAIN_WIDGETS, initial={"department": chosen.pk})
    with django_assert_num_queries(1):  # read once, however often rendered
        first, second = str(listed["department"]), str(listed["department"])
    assert first == second == str(Plain(initial={"department": chosen.pk})["department"])


@pytest.mark.django_db
def test_a_listed_choice_is_cleaned_among_the_choices_read_once(django_assert_num_queries):
    from regions.models import Department, Region

    region = Region.objects.create(code="990000", name="测试省", level="province")
    first, second = (
        Department.objects.create(name=name, region=region) for name in ("甲单位", "乙单位")
    )
    outside = Department.objects.create(name="丙单位", region=region)

    class Listed(forms.Form):
        department = ListedModelChoiceField(
            queryset=Department.objects.filter(pk__in=[first.pk, second.pk])
            .select_related("region")
            .order_by("name")
        )

    form = Listed({"department": str(second.pk)}, renderer=PLAIN_WIDGETS)
    with django_assert_num_queries(1):  # cleaned and rendered from one read
        assert form.is_valid() and form.cleaned_data["department"] == second
        assert len(form.fields["department"].choices) == 3  # with the empty choice
        str(form["department"])
    for value in (outside.pk, "x", "0", f"{first.pk}.5"):
        refused = Listed({"department": value})
        assert not refused.is_valid()
        assert refused.errors.as_data()["department"][0].code == "invalid_choice"
    again = Listed({"department": first})  # a row itself, as ModelChoiceField takes it
    assert again.is_valid() and again.cleaned_data["department"] == first
