from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from indicators.attainment import Status
from indicators.models import CanonicalIndicator, Indicator, Plan
from regions.models import Department

from . import charts, payloads, selectors
from .status_style import ATTENTION_ORDER, badge


def leaders_only(view):
    """Dashboards are for 领导, 审计人员 and administrators: others get 403."""
    return login_required(
        permission_required("indicators.view_attainmentresult", raise_exception=True)(view)
    )


@leaders_only
def overview(request):
    data = payloads.overview_payload(
        page=request.GET.get("page", 1), region=request.GET.get("region", "")
    )
    return render(request, "dashboards/overview.html", {"data": data})


@leaders_only
def plan_detail(request, slug):
    plan = get_object_or_404(Plan.objects.select_related("region"), slug=slug)
    filters = {k: request.GET.get(k, "") for k in ("status", "category", "department")}
    data = payloads.plan_payload(plan, **filters)
    return render(
        request,
        "dashboards/plan.html",
        {
            "plan": plan,
            "data": data,
            "filters": filters,
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
    data = payloads.indicator_payload(indicator)
    results = [(t, data["results_by_target"].get(t.pk)) for t in data["targets"]]
    return render(
        request,
        "dashboards/indicator.html",
        {
            "indicator": indicator,
            "plan": indicator.plan,
            "data": data,
            "results": [
                (t, r, badge(r.status) if r else badge(Status.NO_DATA)) for t, r in results
            ],
        },
    )


@leaders_only
def comparison_index(request):
    canonicals = CanonicalIndicator.objects.order_by("key")
    return render(request, "dashboards/comparison_index.html", {"canonicals": canonicals})


@leaders_only
def comparison(request, key):
    canonical = get_object_or_404(CanonicalIndicator, key=key)
    data = payloads.comparison_payload(canonical)
    return render(request, "dashboards/comparison.html", {"canonical": canonical, "data": data})


@leaders_only
def department(request, pk):
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    year = int(request.GET.get("year") or timezone.localdate().year - 1)
    rows, missing = selectors.department_status(department, year)
    return render(
        request,
        "dashboards/department.html",
        {
            "department": department,
            "year": year,
            "rows": rows,
            "missing": missing,
            "figure": charts.department_figure(rows),
            "rendered_at": timezone.now(),
        },
    )
