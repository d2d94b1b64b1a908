"""Login throttling (django-axes): the client's address behind proxies, and a ceiling per user name.

Failures count per user name and client address (AXES_LOCKOUT_PARAMETERS) up to
AXES_FAILURE_LIMIT. django-axes applies that one limit to every group of lockout parameters, so a
second group ["username"] would let anyone lock any user out with as few guesses; the handler
below adds the user name's failures from every address instead, against the higher
LOGIN_USERNAME_FAILURE_LIMIT.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """The address a request came from (AXES_CLIENT_IP_CALLABLE).

    With TRUSTED_PROXY_COUNT = 0 it is REMOTE_ADDR. Behind N trusted proxies, each of which
    appends the address it was reached from to X-Forwarded-For, it is the N-th address from the
    right: the one the outermost proxy saw. Addresses further left were written by the client
    and are never believed; a shorter or malformed header falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    if len(chain) < count:
        return remote
    try:
        return str(ipaddress.ip_address(chain[-count]))
    except ValueError:
        return remote


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler, and a user name locked on all addresses once its
    failures from all of them reach LOGIN_USERNAME_FAILURE_LIMIT within the cool-off time."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        if failures >= limit or not username:
            return failures
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        everywhere = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return limit if everywhere >= settings.LOGIN_USERNAME_FAILURE_LIMIT else failures
