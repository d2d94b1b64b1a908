"""Cached dashboard payloads, keyed on a version that each recompute moves on.

The cache is a speed-up, never a dependency: when it cannot be reached (Redis down), pages
are built from the stored results on each request.
"""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)
VERSION_KEY = "dashboards:version"
TIMEOUT = 24 * 3600


def cache_available():
    try:
        cache.get(VERSION_KEY)
        return True
    except Exception:  # noqa: BLE001 - any cache failure means no cache
        return False


def version():
    return cache.get_or_set(VERSION_KEY, 0, None)


def bump():
    """Results changed: every cached payload of an older version is out of date."""
    try:
        cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # noqa: BLE001 - the cache is optional
        log.warning("Cache unreachable; dashboard pages will be built on demand")


def cached(key, build):
    """The payload under `key` for the current results, built (and stored) when missing."""
    try:
        full_key = f"dashboards:{version()}:{key}"
        value = cache.get(full_key)
    except Exception:  # noqa: BLE001 - the cache is optional
        log.warning("Cache unreachable; building %s on demand", key)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(full_key, value, TIMEOUT)
        except Exception:  # noqa: BLE001 - the cache is optional
            log.warning("Cache unreachable; %s not stored", key)
    return value
