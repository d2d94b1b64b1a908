import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the six plans once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock(), open(os.devnull, "w") as devnull:
        call_command("load_plans", stdout=devnull)


@pytest.fixture
def plans(db):
    """The six plans of fixtures/, as `load_plans` loads them (done once per session)."""


@pytest.fixture
def alice(db):
    """A superuser (系统管理员)."""
    return get_user_model().objects.create_superuser("alice", "alice@example.com", "pw-alice-1")
