"""Page payloads (data, chart JSON and the HTML of the long parts), cached for the versions
of the plans they show. Rendering a plan's table or a page of cards cost more than the rest
of a request, so it is rendered once with the payload."""

import functools

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from indicators.models import Indicator
from indicators.selectors import plan_attainment

from . import charts, selectors
from .cache import cached, cached_many

PLANS_PER_PAGE = 20


def _key(*parts):
    return ":".join(str(p) for p in (*parts, get_language()))


def _card_entry(plan):
    def build():
        return selectors.plan_summary(plan, plan_attainment(plan))

    return (_key("card", plan.pk), build, [plan.pk], [])


def overview_payload(page=1, region="", *, refresh=False):
    paginator = Paginator(selectors.overview_plans(region), PLANS_PER_PAGE)
    plans = paginator.get_page(page)

    def build():
        # One card per plan, each cached for its own plan: a page is composed of the cards.
        cards = cached_many([_card_entry(p) for p in plans])
        return {
            "cards": cards,
            "cards_html": render_to_string("dashboards/_cards.html", {"cards": cards}),
            "figure": charts.overview_figure(cards) if cards else None,
            "computed_at": max((c["computed_at"] for c in cards if c["computed_at"]), default=None),
            "rendered_at": timezone.now(),
        }

    data = cached(
        _key("overview", plans.number, region),
        build,
        plans=[p.pk for p in plans],
        refresh=refresh,
    )
    return {**data, "page": plans.number, "pages": paginator.num_pages, "plans": paginator.count}


def _plan_page(plan, report, *, status="", category="", department=""):
    all_rows = selectors.plan_rows(plan, report)
    rows = selectors.filter_rows(
        all_rows,
        status=status or None,
        category=category or None,
        department=department or None,
    )
    elapsed = next((r["elapsed"] for r in rows if r["elapsed"] is not None), None)
    groups = {}
    for row in rows:
        groups.setdefault(row["category"], []).append(row)
    return {
        "summary": selectors.plan_summary(plan, report),
        "year": report["year"],
        "rows": rows,
        "table": render_to_string(
            "dashboards/_plan_table.html", {"plan": plan, "groups": list(groups.items())}
        ),
        "categories": sorted({r["category"] for r in all_rows}),
        "departments": sorted(
            {r["department"] for r in all_rows if r["department"]}, key=lambda d: d.name
        ),
        "figure": charts.plan_figure(rows, elapsed) if rows else None,
        "rendered_at": timezone.now(),
    }


def plan_payload(plan, status="", category="", department=""):
    def build():
        report = plan_attainment(plan)
        return _plan_page(plan, report, status=status, category=category, department=department)

    key = _key("plan", plan.pk, status, category, department)
    return cached(key, build, plans=[plan.pk])


def render_plan(plan):
    """Build and store the plan's page and its overview card from one read of its results."""
    page = functools.cache(lambda: _plan_page(plan, plan_attainment(plan)))
    cached_many(
        [
            (_key("plan", plan.pk, "", "", ""), page, [plan.pk], []),
            (_key("card", plan.pk), lambda: page()["summary"], [plan.pk], []),
        ],
        refresh=True,
    )


def indicator_payload(indicator):
    def build():
        detail = selectors.indicator_detail(indicator)
        return {
            **detail,
            "figure": charts.indicator_figure(indicator, detail),
            "rendered_at": timezone.now(),
        }

    return cached(
        _key("indicator", indicator.pk),
        build,
        plans=[indicator.plan_id],
        indicators=[indicator.pk],
    )


def comparison_payload(canonical):
    def build():
        bars, flags = selectors.comparison(canonical)
        return {
            "bars": bars,
            "flags": flags,
            "figure": charts.comparison_figure(canonical, bars),
            "rendered_at": timezone.now(),
        }

    members = Indicator.objects.filter(canonical=canonical).values_list("plan_id", flat=True)
    return cached(_key("compare", canonical.pk), build, plans=sorted(set(members)))
