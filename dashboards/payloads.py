"""Page payloads (data and chart JSON), built once per results version and cached."""

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import get_language

from . import charts, selectors
from .cache import cached

PLANS_PER_PAGE = 20


def _key(*parts):
    return ":".join(str(p) for p in (*parts, get_language()))


def overview_payload(page=1, region=""):
    def build():
        paginator = Paginator(selectors.overview_plans(region), PLANS_PER_PAGE)
        plans = paginator.get_page(page)
        cards = [selectors.plan_summary(p) for p in plans]
        return {
            "cards": cards,
            "figure": charts.overview_figure(cards) if cards else None,
            "page": plans.number,
            "pages": paginator.num_pages,
            "plans": paginator.count,
            "computed_at": max((c["computed_at"] for c in cards if c["computed_at"]), default=None),
            "rendered_at": timezone.now(),
        }

    return cached(_key("overview", page, region), build)


def plan_payload(plan, status="", category="", department=""):
    def build():
        report = selectors.plan_report(plan)
        all_rows = selectors.plan_rows(plan, report)
        rows = selectors.plan_rows(
            plan,
            report,
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
            "groups": list(groups.items()),
            "rows": rows,
            "categories": sorted({r["category"] for r in all_rows}),
            "departments": sorted(
                {r["department"] for r in all_rows if r["department"]}, key=lambda d: d.name
            ),
            "figure": charts.plan_figure(rows, elapsed) if rows else None,
            "rendered_at": timezone.now(),
        }

    return cached(_key("plan", plan.pk, status, category, department), build)


def indicator_payload(indicator):
    def build():
        detail = selectors.indicator_detail(indicator)
        return {
            **detail,
            "figure": charts.indicator_figure(indicator, detail),
            "rendered_at": timezone.now(),
        }

    return cached(_key("indicator", indicator.pk), build)


def comparison_payload(canonical):
    def build():
        bars, flags = selectors.comparison(canonical)
        return {
            "bars": bars,
            "flags": flags,
            "figure": charts.comparison_figure(canonical, bars),
            "rendered_at": timezone.now(),
        }

    return cached(_key("compare", canonical.pk), build)
