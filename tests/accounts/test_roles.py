"""The role groups the migrations set up are the roles accounts/roles.py names."""

import importlib
import inspect

import pytest
from django.contrib.auth.models import Group

from accounts import roles

# The newest migration that sets the role groups; a change to roles.py adds a new one.
ROLES_MIGRATION = "accounts.migrations.0002_roles"


def _as_sets(mapping):
    return {name: set(codes) for name, codes in mapping.items()}


def test_roles_py_names_the_roles_the_newest_roles_migration_sets():
    frozen = importlib.import_module(ROLES_MIGRATION).ROLE_PERMISSIONS
    assert _as_sets(roles.ROLE_PERMISSIONS) == _as_sets(frozen), (
        "accounts/roles.py changed: add a migration that sets the role groups again"
    )


def test_the_roles_migration_does_not_read_roles_py():
    source = inspect.getsource(importlib.import_module(ROLES_MIGRATION))
    assert "accounts.roles" not in source and "from accounts" not in source


@pytest.mark.django_db
def test_migrating_creates_each_role_group_with_exactly_its_permissions():
    for name, codes in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(codes), name


def test_a_users_scope_follows_a_change_of_role_on_the_same_object(bob):
    """accounts.scope reads a user's roles once per user object; changing them through the
    user forgets what it read."""
    from accounts import services
    from accounts.scope import is_department_scoped

    assert is_department_scoped(bob)
    services.give_role(bob, role=roles.LEADER, department=None)
    assert not is_department_scoped(bob)
    bob.groups.clear()
    bob.groups.add(Group.objects.get(name=roles.CLERK))
    assert is_department_scoped(bob)
