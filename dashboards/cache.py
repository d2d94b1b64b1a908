"""Cached dashboard payloads, keyed on a version that each recompute moves on."""

import time

from django.core.cache import cache

VERSION_KEY = "dashboards:version"
TIMEOUT = 24 * 3600


def version():
    return cache.get_or_set(VERSION_KEY, 0, None)


def bump():
    """Results changed: every cached payload of an older version is out of date."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def cached(key, build):
    """The payload under `key` for the current results, built (and stored) when missing."""
    full_key = f"dashboards:{version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, TIMEOUT)
    return value
