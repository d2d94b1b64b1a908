from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .forms import PlanReportForm, ReportRequestForm
from .models import ReportJob
from .services import plan_report_request, report_dir, report_request

auditors_only = permission_required("reports.export_report", raise_exception=True)


def _own_job(request, pk):
    jobs = ReportJob.objects.all()
    if not request.user.is_superuser:
        jobs = jobs.filter(requested_by=request.user)
    return get_object_or_404(jobs, pk=pk)


@login_required
@auditors_only
def report_list(request):
    asked = request.POST.get("kind", ReportJob.Kind.WORKBOOK) if request.method == "POST" else None
    form = ReportRequestForm(request.POST if asked == ReportJob.Kind.WORKBOOK else None)
    plan_form = PlanReportForm(request.POST if asked == ReportJob.Kind.PLAN_REPORT else None)
    if asked == ReportJob.Kind.WORKBOOK and form.is_valid():
        slugs = [p.slug for p in form.cleaned_data["plans"]]
        report_request(user=request.user, plan_slugs=slugs, year=form.cleaned_data["year"])
        messages.success(request, _("报表已开始生成,完成后可在下方下载。"))
        return redirect("reports:list")
    if asked == ReportJob.Kind.PLAN_REPORT and plan_form.is_valid():
        plan_report_request(
            user=request.user,
            plan_slug=plan_form.cleaned_data["plan"].slug,
            year=plan_form.cleaned_data["year"],
            language=get_language() or "",
        )
        messages.success(request, _("报告已开始生成,完成后可在下方下载。"))
        return redirect("reports:list")
    jobs = ReportJob.objects.filter(requested_by=request.user)[:20]
    running = any(j.state in (ReportJob.State.QUEUED, ReportJob.State.RUNNING) for j in jobs)
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "plan_form": plan_form,
            "jobs": jobs,
            "running": running,
            "kinds": ReportJob.Kind,
        },
    )


@login_required
@auditors_only
def report_status(request, pk):
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "percent": job.percent,
            "rows": job.rows,
            "done": job.done_plans,
            "total": job.total_plans,
        }
    )


@login_required
@auditors_only
def report_download(request, pk):
    job = _own_job(request, pk)
    path = report_dir() / job.file_name if job.file_name else None
    if job.state != ReportJob.State.DONE or path is None or not path.exists():
        raise Http404(_("报表不存在或已过期。"))
    if job.kind == ReportJob.Kind.PLAN_REPORT:
        name = _("规划实施情况报告") + f"-{job.plan_slugs[0]}-{job.pk}.docx"
    else:
        name = f"质量规划审计报表-{job.pk}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
