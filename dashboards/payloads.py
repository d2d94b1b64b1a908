"""Page payloads (data, chart JSON and the HTML of the long parts), cached for the versions
of the plans they show, one per year shown. Rendering a plan's table or a page of cards cost
more than the rest of a request, so it is rendered once with the payload.

A year of None is a page's default year (each plan's evaluation year): those pages are the
ones the render task builds after a recompute."""

import functools

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from indicators.models import Indicator
from indicators.selectors import plan_attainment

from . import charts, comparisons, selectors
from .cache import cached, cached_many
from .status_style import badge

PLANS_PER_PAGE = 20


def _key(*parts):
    return ":".join("" if p is None else str(p) for p in (*parts, get_language()))


def _summary(plan, report, history=None):
    """The plan's card, with what changed since the year before (read here unless given)."""
    year = report["year"]
    if history is None and year > plan.period_start:
        history = selectors.indicator_statuses_by_year(plan, [year - 1])
    previous = (history or {}).get(year - 1)
    return selectors.plan_summary(plan, report, previous)


def _card_entry(plan, year):
    def build():
        return _summary(plan, plan_attainment(plan, year=year))

    return (_key("card", plan.pk, year), build, [plan.pk], [])


def overview_payload(page=1, region="", year=None, *, refresh=False):
    paginator = Paginator(selectors.overview_plans(region, year), PLANS_PER_PAGE)
    plans = paginator.get_page(page)

    def build():
        # One card per plan, each cached for its own plan: a page is composed of the cards.
        cards = cached_many([_card_entry(p, year) for p in plans])
        return {
            "cards": cards,
            "cards_html": render_to_string(
                "dashboards/_cards.html", {"cards": cards, "year": year}
            ),
            "figure": charts.overview_figure(cards) if cards else None,
            "computed_at": max((c["computed_at"] for c in cards if c["computed_at"]), default=None),
            "rendered_at": timezone.now(),
        }

    data = cached(
        _key("overview", plans.number, region, year),
        build,
        plans=[p.pk for p in plans],
        refresh=refresh,
    )
    return {**data, "page": plans.number, "pages": paginator.num_pages, "plans": paginator.count}


def _plan_page(plan, report, *, year=None, status="", category="", department=None):
    """The plan page at the report's year; `year` is the one asked for (None: the default),
    carried on the links to the indicator pages."""
    all_rows = selectors.plan_rows(plan, report)
    rows = selectors.filter_rows(
        all_rows, status=status or None, category=category or None, department=department
    )
    at = report["year"]
    history = selectors.indicator_statuses_by_year(plan, [y for y in plan.years if y <= at] or [at])
    summary = _summary(plan, report, history)
    for row in all_rows:
        code = row["indicator_code"]
        row["history"] = [
            (y, badge(statuses.get(code, "no_data"))) for y, statuses in history.items()
        ]
    names = {r["indicator_code"]: r["name"] for r in all_rows}
    if summary["changes"]:
        for change in summary["changes"]["worse"]:
            change["names"] = [(c, names[c]) for c in change["codes"]]
        summary["changes"]["recovered_names"] = [
            (c, names[c]) for c in summary["changes"]["recovered"]
        ]
    attention = [r for r in rows if r["attention"]]
    rest = [r for r in rows if not r["attention"]]
    context = {"plan": plan, "year": year, "filtered": bool(status or category or department)}
    return {
        "summary": summary,
        "year": at,
        "rows": rows,
        "attention": len(attention),
        "table": render_to_string(
            "dashboards/_plan_table.html",
            {
                **context,
                "attention_groups": selectors.by_category(attention),
                "rest_groups": selectors.by_category(rest),
                "rest": len(rest),
            },
        ),
        "categories": sorted({r["category"] for r in all_rows}),
        "departments": sorted(
            {r["department"] for r in all_rows if r["department"]}, key=lambda d: d.name
        ),
        "figure": charts.plan_figure(history) if all_rows else None,
        "rendered_at": timezone.now(),
    }


def plan_payload(plan, year=None, status="", category="", department=None):
    def build():
        report = plan_attainment(plan, year=year)
        return _plan_page(
            plan, report, year=year, status=status, category=category, department=department
        )

    key = _key("plan", plan.pk, year, status, category, department)
    return cached(key, build, plans=[plan.pk])


def render_plan(plan):
    """Build and store the plan's page and its overview card from one read of its results."""
    page = functools.cache(lambda: _plan_page(plan, plan_attainment(plan)))
    cached_many(
        [
            (_key("plan", plan.pk, None, "", "", None), page, [plan.pk], []),
            (_key("card", plan.pk, None), lambda: page()["summary"], [plan.pk], []),
        ],
        refresh=True,
    )


def indicator_payload(indicator, year=None):
    def build():
        detail = selectors.indicator_detail(indicator, year)
        return {
            **detail,
            "figure": charts.indicator_figure(indicator, detail),
            "rendered_at": timezone.now(),
        }

    return cached(
        _key("indicator", indicator.pk, year),
        build,
        plans=[indicator.plan_id],
        indicators=[indicator.pk],
    )


def comparison_payload(canonical, year=None):
    def build():
        bars, flags, reviewed_at = comparisons.comparison(canonical, year)
        return {
            "bars": bars,
            "flags": flags,
            "reviewed_at": reviewed_at,
            "figure": charts.comparison_figure(canonical, bars),
            "rendered_at": timezone.now(),
        }

    members = Indicator.objects.filter(canonical=canonical).values_list("plan_id", flat=True)
    return cached(_key("compare", canonical.pk, year), build, plans=sorted(set(members)))
