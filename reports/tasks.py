from celery import shared_task

from .jobs import remove_expired, run_report


@shared_task(acks_late=True)
def generate_report(job_id):
    """Write one requested workbook (idempotent: a rerun rewrites the same file)."""
    return run_report(job_id).rows


@shared_task
def remove_expired_reports():
    """Hourly (celery beat): delete workbooks kept past REPORTS_KEEP_HOURS."""
    return remove_expired()
