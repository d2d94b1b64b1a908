"""Background report generation: queue, run with progress, expire old files."""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .builder import build_report
from .models import ReportJob
from .selectors import plans_in_scope

log = logging.getLogger(__name__)


def report_dir():
    path = Path(settings.REPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_report(user, *, plan_slugs=None, year=None):
    from .tasks import generate_report

    job = ReportJob.objects.create(
        requested_by=user,
        plan_slugs=plan_slugs or [],
        year=year,
        total_plans=plans_in_scope(plan_slugs).count(),
    )
    generate_report.delay(job.pk)
    return job


def run_report(job_id):
    """Generate one job's workbook; running it again rewrites the same file."""
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.state == ReportJob.State.DONE:
        return job
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.RUNNING, error="")
    file_name = f"report-{job.pk}.xlsx"

    def progress(done, total):
        ReportJob.objects.filter(pk=job.pk).update(done_plans=done, total_plans=total)

    try:
        rows = build_report(
            report_dir() / file_name,
            user=job.requested_by,
            plan_slugs=job.plan_slugs or None,
            year=job.year,
            progress=progress,
        )
    except Exception as exc:
        ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.FAILED, error=repr(exc))
        raise
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(
        state=ReportJob.State.DONE,
        rows=rows,
        file_name=file_name,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.REPORTS_KEEP_HOURS),
    )
    job.refresh_from_db()
    return job


def remove_expired(now=None):
    """Delete the files of jobs past their time; returns how many were removed."""
    now = now or timezone.now()
    expired = ReportJob.objects.filter(state=ReportJob.State.DONE, expires_at__lte=now)
    count = 0
    for job in expired:
        (report_dir() / job.file_name).unlink(missing_ok=True)
        job.state, job.file_name = ReportJob.State.EXPIRED, ""
        job.save(update_fields=["state", "file_name"])
        count += 1
    return count
