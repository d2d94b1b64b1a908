"""Login throttling (django-axes): the client's address behind proxies, and a ceiling per user name.

Failures count per user name and client address (AXES_LOCKOUT_PARAMETERS) up to
AXES_FAILURE_LIMIT. django-axes applies that one limit to every group of lockout parameters, so a
second group ["username"] or ["ip_address"] would let anyone lock any user out with as few
guesses; the handler below adds up failures itself instead, against two higher ceilings: a user
name's from every address (LOGIN_USERNAME_FAILURE_LIMIT: guessing one password from many
addresses) and an address's for every user name (LOGIN_ADDRESS_FAILURE_LIMIT: spraying a few
guesses at many user names from one address).
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
    """django-axes' database handler, and two ceilings within the cool-off time: a user name
    locked on all addresses once its failures from all of them reach
    LOGIN_USERNAME_FAILURE_LIMIT; an address locked for all user names once its failures for
    all of them reach LOGIN_ADDRESS_FAILURE_LIMIT (0: no such ceiling)."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        recent = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        if (
            username
            and _sum(recent.filter(username=username)) >= settings.LOGIN_USERNAME_FAILURE_LIMIT
        ):
            return limit
        address = getattr(request, "axes_ip_address", None)
        ceiling = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if address and ceiling and _sum(recent.filter(ip_address=address)) >= ceiling:
            return limit
        return failures


def _sum(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
