import datetime

from celery import shared_task
from django.utils import timezone

from .reminders import send_deadline_reminders
from .services.runs import attainment_run_execute, attainment_run_nightly
from .uploads import remove_expired_uploads as remove_expired_upload_files


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_attainment(run_id):
    """Recompute the attainment results of one AttainmentRun."""
    return attainment_run_execute(run_id=run_id).results


@shared_task
def recompute_attainment_nightly():
    """Nightly (celery beat): every plan, and whatever could not be queued during the day."""
    return attainment_run_nightly().results


@shared_task
def remind_departments_of_deadlines(today: str | None = None):
    """Daily (celery beat): remind departments a week before a due date and on it."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return send_deadline_reminders(day)


@shared_task
def remove_expired_uploads():
    """Hourly (celery beat): remove uploads nobody confirmed in IMPORT_UPLOAD_KEEP_MINUTES."""
    return remove_expired_upload_files()
