"""The department data-entry page: values as typed, bad input, drafts and submission."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import Actual, Indicator
from indicators.synthetic import generate
from regions.models import Region

ENTRY = reverse("admin:indicators_actual_entry")


def page_params(user, year=2013):
    return {"department": user.profile.department.pk, "year": year}


def open_page(client, user, year=2013):
    client.force_login(user)
    return client.get(ENTRY, page_params(user, year))


def post_page(client, user, values, *, year=2013, submit=False, notes=None, page=None):
    """Post the page as the clerk would after typing `values` ({code: text})."""
    page = page or open_page(client, user, year)
    formset = page.context["formset"]
    data = {
        "entry-TOTAL_FORMS": str(formset.total_form_count()),
        "entry-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    codes = {i.pk: i.code for i in Indicator.objects.filter(department=user.profile.department)}
    for n, form in enumerate(formset.forms):
        initial = form.initial
        code = codes[initial["indicator"]]
        data[f"entry-{n}-indicator"] = initial["indicator"]
        data[f"entry-{n}-version"] = initial["version"] or ""
        data[f"entry-{n}-text"] = values.get(code, initial["text"])
        data[f"entry-{n}-note"] = (notes or {}).get(code, initial["note"])
        data[f"entry-{n}-qualitative_status"] = initial["qualitative_status"]
        data[f"entry-{n}-evidence"] = initial["evidence"]
    if submit:
        data["_submit"] = "1"
    url = f"{ENTRY}?department={user.profile.department.pk}&year={year}"
    return client.post(url, data)


def actual(code, year=2013):
    return Actual.objects.get(indicator__plan__slug="jiaxing-2011", indicator__code=code, year=year)


@pytest.mark.django_db
def test_the_page_lists_the_departments_indicators_with_their_targets(client, bob):
    page = open_page(client, bob)
    assert page.status_code == 200
    codes = [line.indicator.code for line, _ in page.context["lines"]]
    assert codes == ["P-23", "P-24", "P-25", "P-26", "P-27", "P-28", "P-29", "P-30"]
    assert "达到92%以上" in page.content.decode()


@pytest.mark.django_db
def test_the_page_offers_only_the_regions_of_the_departments_tree(client, bob, alice):
    generate(regions=2, indicators=1, years=1)  # a synthetic tree beside the real one
    jiaxing = Region.objects.get(code="330400")
    expected = set(Region.objects.filter(pk__in=jiaxing.descendant_ids()))
    page = open_page(client, bob)
    assert set(page.context["filter_form"].fields["region"].queryset) == expected
    assert "合成" not in page.content.decode()
    client.force_login(alice)  # an administrator picks any department: its tree only
    page = client.get(ENTRY, page_params(bob))
    assert set(page.context["filter_form"].fields["region"].queryset) == expected
    outside = Region.objects.get(code="330000")
    response = client.get(ENTRY, {**page_params(bob), "region": outside.pk})
    assert "region" in response.context["filter_form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "value", "qualifier"),
    [
        ("98.5", "98.5", ""),
        ("98.5%", "98.5", ""),
        ("９５．５", "95.5", ""),
        ("93以上", "93", "gte"),
    ],
)
def test_values_are_kept_as_typed_beside_the_number(client, bob, typed, value, qualifier):
    response = post_page(client, bob, {"P-25": typed})
    assert response.status_code == 302
    saved = actual("P-25")
    assert (saved.value, saved.qualifier, saved.raw) == (Decimal(value), qualifier, typed)
    assert (saved.status, saved.entered_by) == ("draft", bob)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("九十二", "不是有效的数值"),
        ("120", "比率应在 0 到 100 之间"),
        ("-5", "不能为负数"),
        ("12万元", "不是有效的数值"),
    ],
)
def test_bad_input_is_explained_and_nothing_on_the_page_is_saved(client, bob, typed, message):
    response = post_page(client, bob, {"P-25": "93.5", "P-26": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert typed in html and "93.5" in html  # what the clerk typed is still on the page
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_a_fractional_count_is_refused_for_whole_units(client, carol):
    response = post_page(client, carol, {"P-37": "120.5"})
    assert "应为整数" in response.content.decode()
    assert not Actual.objects.filter(indicator__code="P-37").exists()
    assert post_page(client, carol, {"P-37": "1,200"}).status_code == 302
    assert actual("P-37").value == Decimal("1200")


@pytest.mark.django_db
def test_submitting_sends_the_page_for_review(client, bob):
    post_page(client, bob, {"P-25": "93"})
    response = post_page(client, bob, {}, submit=True)
    assert response.status_code == 302
    saved = actual("P-25")
    assert (saved.status, saved.version) == ("submitted", 2)


@pytest.mark.django_db
def test_qualitative_targets_take_a_status_and_evidence(client, bob):
    page = open_page(client, bob)
    formset = page.context["formset"]
    data = {
        "entry-TOTAL_FORMS": str(formset.total_form_count()),
        "entry-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for n, form in enumerate(formset.forms):
        data[f"entry-{n}-indicator"] = form.initial["indicator"]
    p24 = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-24")
    n = next(i for i, f in enumerate(formset.forms) if f.initial["indicator"] == p24.pk)
    data[f"entry-{n}-qualitative_status"] = "in_progress"
    data[f"entry-{n}-evidence"] = "2013年国家监督抽查合格率全省第3位"
    url = f"{ENTRY}?department={bob.profile.department.pk}&year=2013"
    assert client.post(url, data).status_code == 302
    saved = actual("P-24")
    assert (saved.qualitative_status, saved.value) == ("in_progress", None)
    assert "全省第3位" in saved.evidence


@pytest.mark.django_db
def test_a_suspicious_value_needs_an_explanatory_note(client, bob, dave):
    for year, value in [(2011, "90"), (2012, "91")]:
        Actual.objects.create(
            indicator=Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25"),
            region=bob.profile.department.region,
            year=year,
            value=Decimal(value),
            raw=value,
            status="approved",
        )
    response = post_page(client, bob, {"P-25": "40"})
    assert "数值可能有误" in response.content.decode()
    assert not Actual.objects.filter(year=2013).exists()
    response = post_page(client, bob, {"P-25": "40"}, notes={"P-25": "统计口径调整,含新纳入企业"})
    assert response.status_code == 302
    saved = actual("P-25")
    assert "超出历史数据范围" in saved.suspicion
    client.force_login(dave)
    flagged = client.get(reverse("admin:indicators_actual_changelist"), {"suspicion__isempty": "0"})
    assert saved in flagged.context["cl"].result_list


@pytest.mark.django_db
def test_a_cumulative_count_that_falls_is_suspicious(plans):
    from indicators.outliers import suspicion

    assert "累计" in suspicion(Decimal(90), [Decimal(100)], measure="cumulative", unit="项")
    assert suspicion(Decimal(110), [Decimal(100)], measure="cumulative", unit="项") == ""


@pytest.mark.django_db
def test_the_second_of_two_concurrent_edits_is_refused_and_the_first_kept(client, bob, bert):
    bobs_browser, berts_browser = Client(), Client()
    post_page(bobs_browser, bob, {"P-25": "93"})
    page_for_bob = open_page(bobs_browser, bob)
    page_for_bert = open_page(berts_browser, bert)
    assert post_page(bobs_browser, bob, {"P-25": "94"}, page=page_for_bob).status_code == 302
    response = post_page(berts_browser, bert, {"P-25": "95"}, page=page_for_bert)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被bob" in html and "“94”" in html
    assert actual("P-25").raw == "94"


@pytest.mark.django_db
def test_every_change_is_in_the_history_with_who_and_why(client, bob):
    post_page(client, bob, {"P-25": "93"})
    post_page(client, bob, {"P-25": "93.5"}, submit=True)
    history = list(actual("P-25").history.order_by("history_date"))
    assert [(h.raw, h.status, h.history_change_reason) for h in history] == [
        ("93", "draft", "保存草稿"),
        ("93.5", "submitted", "提交审核"),
    ]
    assert all(h.history_user == bob for h in history)
    client.force_login(bob)
    page = client.get(reverse("admin:indicators_actual_history", args=[actual("P-25").pk]))
    assert page.status_code == 200 and "提交审核" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["123456789012345", "99999999亿", "1" * 40])
def test_a_figure_beyond_what_can_be_stored_is_explained_not_a_server_error(client, carol, typed):
    response = post_page(client, carol, {"P-37": typed})
    assert response.status_code == 200
    assert "整数部分最多 14 位" in response.content.decode()
    assert not Actual.objects.filter(indicator__code="P-37").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2001, 5 * 1024 * 1024])
def test_a_note_longer_than_the_limit_is_refused_with_the_limit(client, bob, size):
    page = open_page(client, bob)
    assert 'maxlength="2000"' in page.content.decode()  # the form states it
    response = post_page(client, bob, {"P-25": "93"}, notes={"P-25": "x" * size}, page=page)
    assert response.status_code == 200
    assert f"最多 2000 字,现有 {size} 字" in response.content.decode()
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


def test_the_text_limit_is_that_of_the_explanation_columns():
    from indicators.entry_rules import TEXT_MAX_LENGTH

    for name in ("explanation", "next_steps"):
        assert Actual._meta.get_field(name).max_length == TEXT_MAX_LENGTH
