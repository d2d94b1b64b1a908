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
import operator
from functools import reduce

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum


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
        """The failures that count against this login: django-axes' own (the most of any group
        of lockout parameters), or the limit once a ceiling is reached. All read in one query,
        a sum per group and per ceiling over the attempts within the cool-off time."""
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        groups = [
            Q(**parameters)
            for parameters in get_client_parameters(
                username, address, request.axes_user_agent, request, credentials
            )
        ]
        sums = {f"group_{i}": _sum(q) for i, q in enumerate(groups)}
        if username:
            sums["username"] = _sum(Q(username=username))
        ceiling = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if address and ceiling:
            sums["address"] = _sum(Q(ip_address=address))
        recent = AccessAttempt.objects.filter(
            reduce(operator.or_, (Q(username=username), Q(ip_address=address), *groups))
        )
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        totals = {name: n or 0 for name, n in recent.aggregate(**sums).items()}
        failures = max((totals[f"group_{i}"] for i in range(len(groups))), default=0)
        if failures >= limit:
            return failures
        if totals.get("username", 0) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            return limit
        if totals.get("address", 0) >= ceiling > 0:
            return limit
        return failures


def _sum(where) -> Sum:
    return Sum("failures_since_start", filter=where)
