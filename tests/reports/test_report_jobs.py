"""Report jobs live as attainment runs do: queued on commit, `not_queued` while the broker
is down, then caught up by `export_report --catch-up` (or the hourly beat task)."""

import inspect
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import ReportJob
from reports.services import (
    report_generate,
    report_request,
    reports_catch_up,
    reports_remove_expired,
)
from reports.tasks import catch_up_reports

from ..services import broker_down


@pytest.mark.django_db
def test_a_report_is_queued_when_the_request_commits(
    frank, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORTS_DIR = tmp_path
    with django_capture_on_commit_callbacks() as callbacks:
        job = report_request(user=frank, plan_slugs=["zhejiang-13"])
    assert ReportJob.objects.get(pk=job.pk).state == "queued"
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: without a broker the task runs here (eager)
    job.refresh_from_db()
    assert (job.state, job.done_plans, job.total_plans) == ("done", 1, 1)
    assert job.started_at <= job.finished_at < job.expires_at
    assert (tmp_path / job.file_name).exists()


@pytest.fixture
def unsent_report(frank, settings, tmp_path, django_capture_on_commit_callbacks):
    """A workbook requested while the broker was down."""
    settings.REPORTS_DIR = tmp_path
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        job = report_request(user=frank, plan_slugs=["zhejiang-13"])
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_with_the_broker_down_a_report_waits_for_the_catch_up_command(unsent_report, tmp_path):
    job = unsent_report
    assert (job.state, job.get_state_display()) == ("not_queued", "未能排队(待补做)")
    out = StringIO()
    call_command("export_report", "--catch-up", stdout=out)
    assert out.getvalue().strip() == "Caught up 1 report(s)."
    job.refresh_from_db()
    assert job.state == "done" and (tmp_path / job.file_name).exists()
    assert reports_catch_up() == 0  # nothing left


@pytest.mark.django_db
def test_the_hourly_task_catches_up_reports_too(unsent_report):
    assert catch_up_reports.apply().get() == 1
    unsent_report.refresh_from_db()
    assert unsent_report.state == "done"


def test_export_report_needs_a_file_or_the_catch_up():
    with pytest.raises(CommandError, match="--out is required"):
        call_command("export_report")


@pytest.mark.parametrize("function", [report_request, report_generate, reports_remove_expired])
def test_report_services_take_keywords_only(function):
    parameters = inspect.signature(function).parameters.values()
    assert all(p.kind == p.KEYWORD_ONLY for p in parameters)
