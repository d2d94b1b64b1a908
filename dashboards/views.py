import re

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import CanonicalIndicator, Indicator, Plan
from regions.models import Department

from . import charts, comparisons, departments, payloads, selectors
from .status_style import ATTENTION_ORDER, badge

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def leaders_only(view):
    """Dashboards are for 领导, 审计人员 and administrators: others get 403."""
    return login_required(
        permission_required("indicators.view_attainmentresult", raise_exception=True)(view)
    )


def _whole_number(request, name):
    """A whole-number query parameter (None when absent); anything else is a bad request."""
    text = request.GET.get(name, "")
    if text == "":
        return None
    if not _WHOLE_NUMBER.fullmatch(text):
        raise BadRequest(_("参数 %(name)s 应为整数。") % {"name": name})
    return int(text)


def _year(request, years):
    """The year asked for (None: the page's default), one of `years`."""
    year = _whole_number(request, "year")
    if year is not None and year not in years:
        raise BadRequest(_("没有 %(year)d 年的数据可看。") % {"year": year})
    return year


def _with_year(url, year):
    return f"{url}?year={year}" if year else url


@leaders_only
def overview(request):
    years = selectors.overview_years()
    year = _year(request, years)
    data = payloads.overview_payload(
        page=_whole_number(request, "page") or 1,
        region=request.GET.get("region", ""),
        year=year,
    )
    return render(request, "dashboards/overview.html", {"data": data, "years": years, "year": year})


@leaders_only
def plan_detail(request, slug):
    plan = get_object_or_404(Plan.objects.select_related("region"), slug=slug)
    year = _year(request, plan.years)
    filters = {
        "status": request.GET.get("status", ""),
        "category": request.GET.get("category", ""),
        "department": _whole_number(request, "department"),
    }
    data = payloads.plan_payload(plan, year, **filters)
    return render(
        request,
        "dashboards/plan.html",
        {
            "plan": plan,
            "data": data,
            "year": year,
            "filters": filters,
            "keep": list(filters.items()),  # the filters, kept when the year changes
            "statuses": [badge(s) for s in ATTENTION_ORDER],
        },
    )


@leaders_only
def indicator_detail(request, slug, code):
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan__region", "department", "canonical"),
        plan__slug=slug,
        code=code,
    )
    year = _year(request, indicator.plan.years)
    data = payloads.indicator_payload(indicator, year)
    return render(
        request,
        "dashboards/indicator.html",
        {
            "indicator": indicator,
            "plan": indicator.plan,
            "data": data,
            "year": year,
            "plan_url": _with_year(reverse("dashboards:plan", args=[slug]), year),
        },
    )


@leaders_only
def comparison_index(request):
    return render(
        request, "dashboards/comparison_index.html", {"groups": comparisons.canonical_groups()}
    )


@leaders_only
def comparison(request, key):
    canonical = get_object_or_404(CanonicalIndicator, key=key)
    years = comparisons.comparison_years(canonical)
    year = _year(request, years)
    data = payloads.comparison_payload(canonical, year)
    return render(
        request,
        "dashboards/comparison.html",
        {"canonical": canonical, "data": data, "years": years, "year": year},
    )


@leaders_only
def department_index(request):
    return render(
        request,
        "dashboards/department_index.html",
        {"regions": departments.departments_by_region()},
    )


@leaders_only
def department(request, pk):
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    years = departments.department_years(department)
    year = _year(request, years) or departments.department_default_year(department, years)
    rows, missing = departments.department_status(department, year) if year else ([], [])
    in_period = [r for r in rows if r["in_period"]]
    return render(
        request,
        "dashboards/department.html",
        {
            "department": department,
            "year": year,
            "years": years,
            "rows": in_period,
            "missing": missing,
            "reported": len(in_period) - len(missing),
            "reporters": departments.department_reporters(department) if missing else [],
            "figure": charts.department_figure(rows) if any(r["actual"] for r in rows) else None,
            "latest_entry": max(
                (r["actual"].updated_at for r in rows if r["actual"]), default=None
            ),
            "rendered_at": timezone.now(),
        },
    )
