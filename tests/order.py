"""The order the test processes take the tests in (registered by conftest.py: a conftest
holds one implementation of a hook, and the markers are added by the other)."""

import os

import pytest

SLOW_MARKERS = ("browser", "worker", "libreoffice")


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(items):
    """Under pytest-xdist, start each process's share with some of the slow tests that wait
    on Chromium, a worker or LibreOffice (15-20 s each), so that they do not all come last
    and leave one process running them alone at the end. pytest-xdist's worksteal gives
    each process an equal run of the list, which this lays out."""
    processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    slow = [i for i in items if any(i.get_closest_marker(m) for m in SLOW_MARKERS)]
    if processes < 2 or not slow:
        return
    chosen = set(slow)
    rest = [i for i in items if i not in chosen]
    ordered, left, taken = [], len(items), 0
    for n in range(processes):
        share = left // (processes - n)  # as pytest-xdist cuts the list
        mine = slow[n::processes]
        fill = max(0, share - len(mine))
        ordered += mine + rest[taken : taken + fill]
        taken, left = taken + fill, left - share
    items[:] = ordered + rest[taken:]
