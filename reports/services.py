"""Documents made in the background (the auditor's workbook, a plan's implementation report):
request, generate with progress, catch up those the broker could not take, expire old files."""

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.utils import timezone, translation

from indicators.models import Plan

from .builder import build_report
from .document import build_plan_report
from .models import ReportJob
from .selectors import plans_in_scope


def report_dir() -> Path:
    path = Path(settings.REPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_request(
    *, user: AbstractUser, plan_slugs: list[str] | None = None, year: int | None = None
) -> ReportJob:
    """Record a workbook of some plans (default: all) and queue it once the current
    transaction commits; if the broker cannot be reached it stays `not_queued` for
    `reports_catch_up`."""
    from .tasks import generate_report  # the task module imports this one

    job = ReportJob.objects.create(
        requested_by=user,
        plan_slugs=plan_slugs or [],
        year=year,
        total_plans=plans_in_scope(plan_slugs).count(),
    )
    job.queue_on_commit(generate_report)
    return job


def plan_report_request(
    *, user: AbstractUser, plan_slug: str, year: int | None = None, language: str = ""
) -> ReportJob:
    """Record the implementation report (规划实施情况报告) of one plan for a year (default:
    its evaluation year) in `language` (default: the site's), and queue it as a workbook is."""
    from .tasks import generate_report  # the task module imports this one

    job = ReportJob.objects.create(
        requested_by=user,
        kind=ReportJob.Kind.PLAN_REPORT,
        plan_slugs=[plan_slug],
        year=year,
        language=language,
        total_plans=1,
    )
    job.queue_on_commit(generate_report)
    return job


def report_generate(*, job_id: int) -> ReportJob:
    """Generate one job's document, here and now; running it again rewrites the same file."""
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    if not job.start():
        return job
    file_name = f"report-{job.pk}{job.extension}"

    def progress(done, total):
        job.done_plans, job.total_plans = done, total
        ReportJob.objects.filter(pk=job.pk).update(done_plans=done, total_plans=total)

    try:
        if job.kind == ReportJob.Kind.PLAN_REPORT:
            plan = Plan.objects.select_related("region").get(slug=job.plan_slugs[0])
            with translation.override(job.language or settings.LANGUAGE_CODE):
                rows = build_plan_report(
                    report_dir() / file_name, user=job.requested_by, plan=plan, year=job.year
                )
            progress(1, 1)
        else:
            rows = build_report(
                report_dir() / file_name,
                user=job.requested_by,
                plan_slugs=job.plan_slugs or None,
                year=job.year,
                progress=progress,
            )
    except Exception as exc:
        job.fail(exc)
        raise
    keep = timedelta(hours=settings.REPORTS_KEEP_HOURS)
    job.finish(rows=rows, file_name=file_name, expires_at=timezone.now() + keep)
    return job


def reports_catch_up() -> int:
    """Generate, here and now, every document that could not be queued; returns how many."""
    return ReportJob.catch_up(lambda pk: report_generate(job_id=pk))


def reports_remove_expired(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past their time; returns how many were removed."""
    now = now or timezone.now()
    expired = ReportJob.objects.filter(state=ReportJob.State.DONE, expires_at__lte=now)
    count = 0
    for job in expired:
        (report_dir() / job.file_name).unlink(missing_ok=True)
        job.state, job.file_name = ReportJob.EXPIRED, ""
        job.save(update_fields=["state", "file_name"])
        count += 1
    return count
