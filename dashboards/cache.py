"""Cached dashboard payloads, each tagged with the versions of what it shows.

Every plan has a version that moves on when something its pages show changes (its stored
results, indicators, targets, approved figures); an indicator also has an entries version,
for the figures in progress that only its own page lists; an epoch retires everything. A
payload is stored under one key together with the versions it was built from. When they no
longer match, one request rebuilds it (a `cache.add` lock) while the others are served the
stale payload; only a payload that was never stored is built by whoever asks for it.

The cache is a speed-up, never a dependency: when it cannot be reached (Redis down), pages
are built from the stored results on each request.
"""

import contextlib
import hashlib
import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)
EPOCH_KEY = "dashboards:epoch"
TIMEOUT = 24 * 3600
LOCK_TIMEOUT = 60  # longer than any build; a crashed builder blocks a rebuild this long


def cache_available():
    try:
        cache.get(EPOCH_KEY)
        return True
    except Exception:  # noqa: BLE001 - any cache failure means no cache
        return False


def _plan_key(plan_id):
    return f"dashboards:plan-version:{plan_id}"


def _entries_key(indicator_id):
    return f"dashboards:entries-version:{indicator_id}"


def _version_keys(plans, indicators):
    return [EPOCH_KEY, *map(_plan_key, plans), *map(_entries_key, indicators)]


def _retire(keys):
    try:
        cache.set_many(dict.fromkeys(keys, time.time_ns()), None)
    except Exception:  # noqa: BLE001 - the cache is optional
        log.warning("Cache unreachable; dashboard pages will be built on demand")


def retire(plan_ids=None):
    """What the plans' pages show changed (None: every page of every plan)."""
    _retire([EPOCH_KEY] if plan_ids is None else [_plan_key(p) for p in plan_ids])


def retire_entries(indicator_ids):
    """Figures in progress changed: only the indicators' own pages list them."""
    _retire([_entries_key(i) for i in indicator_ids])


def _versions(keys):
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        # Never set, or evicted: start a version no payload stored before can carry.
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, None)
        found.update(cache.get_many(missing))
    return found


def _tag(versions, keys):
    text = repr([(k, versions.get(k)) for k in keys])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _store(full_key, tag, value):
    try:
        cache.set(full_key, (tag, value), TIMEOUT)
    except Exception:  # noqa: BLE001 - the cache is optional
        log.warning("Cache unreachable; %s not stored", full_key)


def _resolve(full_key, tag, stored, build, refresh):
    if stored is not None and not refresh:
        stored_tag, value = stored
        if stored_tag == tag:
            return value
        try:
            rebuilding_elsewhere = not cache.add(f"{full_key}:lock", 1, LOCK_TIMEOUT)
        except Exception:  # noqa: BLE001 - the cache is optional
            rebuilding_elsewhere = False
        if rebuilding_elsewhere:
            return value
    try:
        value = build()
        _store(full_key, tag, value)
    finally:
        if stored is not None and not refresh:
            with contextlib.suppress(Exception):  # the lock expires by itself
                cache.delete(f"{full_key}:lock")
    return value


def cached_many(entries, *, refresh=False):
    """[(key, build, plan_ids, indicator_ids)] -> their payloads, in two cache round trips
    when all are current; a stale or missing one is built as `cached` would."""
    full_keys = [f"dashboards:page:{key}" for key, *_ in entries]
    version_keys = [_version_keys(plans, indicators) for _, _, plans, indicators in entries]
    try:
        versions = _versions(list(dict.fromkeys(k for keys in version_keys for k in keys)))
        stored = {} if refresh else cache.get_many(full_keys)
    except Exception:  # noqa: BLE001 - the cache is optional
        log.warning("Cache unreachable; building %d dashboard payloads on demand", len(entries))
        return [build() for _, build, *_ in entries]
    return [
        _resolve(full_key, _tag(versions, keys), stored.get(full_key), build, refresh)
        for full_key, keys, (_, build, *_) in zip(full_keys, version_keys, entries, strict=True)
    ]


def cached(key, build, *, plans=(), indicators=(), refresh=False):
    """The payload under `key`, current for the versions of `plans` and `indicators`.

    refresh: build and store it whatever is cached (the render task after a recompute).
    """
    return cached_many([(key, build, plans, indicators)], refresh=refresh)[0]
