import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key

from accounts import roles
from accounts.models import Profile
from regions.models import Department

from . import database, order
from .services import Worker

TABLES_EMPTIED = pytest.StashKey[bool]()

# A test that asks for one of these fixtures needs the resource the marker names, and carries
# the marker: `scripts/test --fast` leaves out the workers, the browser and LibreOffice.
MARKER_OF_FIXTURE = {
    "celery_worker": "worker",
    "browser": "browser",
    "live_server": "browser",
    "soffice": "libreoffice",
}

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_OUTPUT = Path(__file__).resolve().parent.parent / "test-output" / "browser"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        for fixture in item.fixturenames:
            if fixture in MARKER_OF_FIXTURE:
                item.add_marker(MARKER_OF_FIXTURE[fixture])


def _database_use(item):
    """ "transaction", "rollback" or None: how the test uses the database (as pytest-django
    decides it when it orders the tests)."""
    marker = item.get_closest_marker("django_db")
    fixtures = item.fixturenames
    if {"transactional_db", "live_server"} & set(fixtures) or (
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    ):
        return "transaction"
    return "rollback" if marker or "db" in fixtures else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield
    if _database_use(item) == "transaction":
        item.config.stash[TABLES_EMPTIED] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """pytest-django runs the transactional tests last, but pytest-xdist may hand a process
    one before others (worksteal): the next test that rolls back gets the session's
    database back here, before its transaction opens, instead of loading the plans inside
    it for itself and every test after it."""
    if (
        item.config.stash.get(TABLES_EMPTIED, False)
        and _database_use(item) == "rollback"
        and database.available()
    ):
        with item.config.stash[blocking_manager_key].unblock():
            database.restore()
        item.config.stash[TABLES_EMPTIED] = False


def pytest_configure(config):
    from django.conf import settings

    config.pluginmanager.register(order, "qualityplan-order")

    # Password hashing is deliberately slow; the tests need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_plans():
    with open(os.devnull, "w") as devnull:
        call_command("load_plans", stdout=devnull)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the six plans once and keep the database so as a template (on PostgreSQL); each
    test runs in a transaction rolled back after it."""
    from dashboards.signals import rerender_after_recompute
    from indicators.signals import attainment_recomputed

    with django_db_blocker.unblock():
        # Judged, not rendered: every test starts with an empty cache.
        attainment_recomputed.disconnect(rerender_after_recompute)
        try:
            load_plans()
        finally:
            attainment_recomputed.connect(rerender_after_recompute)
        if database.available():
            database.save()
    yield
    if database.available():
        with django_db_blocker.unblock():
            database.drop()


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached dashboard pages must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def dashboards_built_on_demand(request, monkeypatch):
    """After a recompute the pages are built when first asked for, not rendered at once (the
    product does both; about 0.3 s a recompute). The render is kept where it is tested
    (marker renders_dashboards) and in the end-to-end tests."""
    if any(
        request.node.get_closest_marker(name)
        for name in ("renders_dashboards", *order.SLOW_MARKERS)
    ):
        return
    monkeypatch.setattr("dashboards.signals._queue_render", lambda plan_ids: None)


@pytest.fixture
def plans(db):
    """The six plans of fixtures/, as `load_plans` loads them.

    Loaded once per session. A transactional test empties the tables when it ends: the next
    one that needs the plans gets the session's database back, cloned from its template
    (loaded again on SQLite).
    """
    from django.apps import apps
    from django.db import connection

    from indicators.models import Plan

    if Plan.objects.filter(slug="zhejiang-13").exists():
        return
    if database.available() and not connection.in_atomic_block:
        database.restore()
    else:
        from django.test import TestCase

        roles.sync_role_groups(apps)
        # Inside the test's transaction the load's recompute would wait for a commit that
        # never comes, its runs left pending: run it now, as the session's load did.
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_plans()


@pytest.fixture
def celery_worker():
    """Start real `celery worker` processes: `celery_worker(queue, broker=…, **env)`; the
    test's workers are stopped after it."""
    started = []

    def start(queue, **kwargs):
        started.append(Worker(queue, **kwargs).start())
        return started[-1]

    Worker.allowed = True
    try:
        yield start
    finally:
        Worker.allowed = False
        for worker in started:
            worker.stop()


@pytest.fixture
def browser():
    """Debian's headless Chromium, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests: Debian's chromium is not installed")
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here
    # are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    BROWSER_OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
        # With that loop "running", Django kept the test's connections apart from the ones
        # it closes when the test database goes: close them while they can be reached.
        connections.close_all()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def soffice():
    """The LibreOffice program."""
    program = shutil.which("libreoffice") or shutil.which("soffice")
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test: libreoffice is not installed")
        pytest.skip("libreoffice is not installed (scripts/test installs it)")
    return program


def make_user(username, role=None, department=None, **extra):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", f"pw-{username}-1", is_staff=True, **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, department=department)
    return user


def jiaxing_department(name):
    return Department.objects.get(region__code="330400", name=name)


@pytest.fixture
def alice(plans):
    """A superuser (made after the plans: a transactional test may get them back first)."""
    return get_user_model().objects.create_superuser("alice", "alice@example.com", "pw-alice-1")


@pytest.fixture
def bob(plans):
    """填报人员 of 嘉兴 市质量技监局 (product-quality indicators P-23…P-30)."""
    return make_user("bob", roles.CLERK, jiaxing_department("市质量技监局"))


@pytest.fixture
def bert(plans):
    """A second 填报人员 of the same department as bob."""
    return make_user("bert", roles.CLERK, jiaxing_department("市质量技监局"))


@pytest.fixture
def carol(plans):
    """填报人员 of 嘉兴 市发展改革委 (service-quality indicators P-36…P-39)."""
    return make_user("carol", roles.CLERK, jiaxing_department("市发展改革委"))


@pytest.fixture
def dave(plans):
    """审核人员 in 嘉兴."""
    return make_user("dave", roles.REVIEWER, jiaxing_department("市质量技监局"))


@pytest.fixture
def erin(plans):
    """领导."""
    return make_user("erin", roles.LEADER)


@pytest.fixture
def frank(plans):
    """审计人员."""
    return make_user("frank", roles.AUDITOR)


@pytest.fixture
def grace(plans):
    """系统管理员 (not a superuser)."""
    return make_user("grace", roles.ADMINISTRATOR)
