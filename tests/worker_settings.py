"""Settings of the Celery workers the fault tests kill and start again.

A task whose worker died comes back once the visibility timeout has passed, but kombu only
looks for such tasks every `unacked_restore_interval` seconds, and scans on one look in
`unacked_restore_throttle`: about 100 s by default. Here it looks every second.
"""

from qualityplan.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
