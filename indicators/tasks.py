import datetime

from celery import shared_task
from django.utils import timezone

from .reminders import send_deadline_reminders


@shared_task
def remind_departments_of_deadlines(today: str | None = None):
    """Daily (celery beat): remind departments a week before a due date and on it."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return send_deadline_reminders(day)
