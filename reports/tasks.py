from celery import shared_task

from .services import report_generate, reports_catch_up, reports_remove_expired


@shared_task(acks_late=True)
def generate_report(job_id):
    """Write one requested document (idempotent: a rerun rewrites the same file)."""
    return report_generate(job_id=job_id).rows


@shared_task
def remove_expired_reports():
    """Hourly (celery beat): delete workbooks kept past REPORTS_KEEP_HOURS."""
    return reports_remove_expired()


@shared_task
def catch_up_reports():
    """Hourly (celery beat): generate the workbooks requested while the broker was down."""
    return reports_catch_up()
