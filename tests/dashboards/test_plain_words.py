"""Every dashboard page, for every plan of the fixtures with the demo data loaded, in Chinese
and in English: the text a person reads (the page and its charts) holds no code word.

Every overview, plan, comparison and department page is read, each plan at each of its years;
of the indicator pages, one for each way a result is said (measure, comparator, status) in
each plan: the several hundred others say the same things of other figures."""

import html
import json
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from dashboards.comparisons import comparison_years
from indicators.models import CanonicalIndicator, Plan
from indicators.selectors import plan_attainment
from regions.models import Department

# Codes of comparators, statuses and rules, raw ratios (0.9611) and four-place figures
# (3001.0000), and plan slugs: none belongs to a page.
CODE_WORDS = re.compile(
    r"(?<![A-Za-z_])("
    r"gte|gt|lte|lt|eq|range|qualitative|per_year|rule \d+"
    r"|no_data|on_track|off_track|not_achieved|insufficient_data|in_progress"
    r")(?![A-Za-z_])"
    r"|(?<![\d.])[01]\.\d{4}(?!\d)|(?<![\d.])\d+\.0000(?!\d)"
)
SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.S)
FIGURE = re.compile(r'<script type="application/json" id="figure-[^"]*">(.*?)</script>', re.S)


def chart_words(figure):
    """The strings plotly draws: titles, trace names, labels on and beside the marks."""
    words = [figure["layout"].get("title", {}).get("text", "")]
    for axis in ("xaxis", "yaxis"):
        words.append(figure["layout"].get(axis, {}).get("title", {}).get("text", ""))
    words += [a.get("text", "") for a in figure["layout"].get("annotations", [])]
    for trace in figure["data"]:
        words.append(trace.get("name", ""))
        for key in ("text", "hovertext", "x", "y"):
            values = trace.get(key)
            if isinstance(values, list):
                words += [v for v in values if isinstance(v, str)]
    return words


def readable_text(page):
    """The page's visible text and its charts' words."""
    text = page.content.decode()
    figures = [json.loads(f) for f in FIGURE.findall(text)]
    text = SCRIPT.sub(" ", text)
    text = re.sub(r"<title>.*?</title>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return [html.unescape(text)] + [w for f in figures for w in chart_words(f)]


def indicators_of_each_kind(plan):
    """One indicator of the plan for each way its result is said: measure (新增, 累计, 每年 …),
    comparator of the target that speaks for it, and status."""
    measures = dict(plan.indicators.values_list("code", "measure"))
    kinds = {}
    for r in plan_attainment(plan)["records"]:
        if r["primary"]:
            key = (measures[r["indicator_code"]], r["comparator"], r["status"])
            kinds.setdefault(key, r["indicator_code"])
    return sorted(kinds.values())


def dashboard_urls():
    yield reverse("dashboards:overview")
    for year in (2015, 2020, 2024):
        yield reverse("dashboards:overview") + f"?year={year}"
    for plan in Plan.objects.order_by("slug"):
        yield reverse("dashboards:plan", args=[plan.slug])
        for year in plan.years:
            yield reverse("dashboards:plan", args=[plan.slug]) + f"?year={year}"
    for plan in Plan.objects.order_by("slug"):
        for code in indicators_of_each_kind(plan):
            yield reverse("dashboards:indicator", args=[plan.slug, code])
    yield reverse("dashboards:comparison_index")
    for canonical in CanonicalIndicator.objects.order_by("key"):
        url = reverse("dashboards:comparison", args=[canonical.key])
        yield url
        yield url + f"?year={comparison_years(canonical)[-1]}"
    yield reverse("dashboards:department_index")
    for pk in (
        Department.objects.filter(indicators__isnull=False).distinct().values_list("pk", flat=True)
    ):
        yield reverse("dashboards:department", args=[pk])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_shows_a_code_word_or_a_slug(
    language, client, erin, plans, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the demo figures, judged
        call_command("load_demo", "--force", stdout=StringIO())
    client.force_login(erin)
    slugs = re.compile("|".join(re.escape(s) for s in Plan.objects.values_list("slug", flat=True)))
    urls = list(dashboard_urls())
    found = []
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    try:
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            for text in readable_text(page):
                for match in (*CODE_WORDS.finditer(text), *slugs.finditer(text)):
                    found.append((url, text[max(0, match.start() - 30) : match.end() + 30]))
        text = " ".join(readable_text(client.get(reverse("dashboards:plan", args=["rizhao-14"]))))
    finally:
        translation.deactivate()
    assert found == []
    if language == "en":  # in English: the words of the page, the reasons, the charts
        assert "Attainment rate" in text and "Needs attention" in text
        assert re.search(r"Progress \d+\.\d%, below \S+ of the time elapsed", text)
        assert "判为" not in text and "序时进度" not in text
    else:
        assert "达标率" in text and "判为" in text
