from celery import shared_task

from .services import warning_digests_send


@shared_task
def mail_warning_digests():
    """The day's e-mail digest of early warnings (beat, every morning)."""
    return warning_digests_send()
