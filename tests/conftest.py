import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import roles
from accounts.models import Profile
from regions.models import Department


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the six plans once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock(), open(os.devnull, "w") as devnull:
        call_command("load_plans", stdout=devnull)


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; the tests need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached dashboard pages must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def plans(db):
    """The six plans of fixtures/, as `load_plans` loads them.

    Loaded once per session; a transactional test (which empties the database after it
    runs) loads them again for itself.
    """
    from indicators.models import Plan

    if not Plan.objects.filter(slug="zhejiang-13").exists():
        with open(os.devnull, "w") as devnull:
            call_command("load_plans", stdout=devnull)


def make_user(username, role=None, department=None, **extra):
    if role and not Group.objects.filter(name=role).exists():
        # A transactional test before this one emptied the tables, groups included.
        from django.apps import apps

        roles.sync_role_groups(apps)
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
def alice(db):
    """A superuser."""
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
