"""accounts.backends reads the user, their department, roles and permissions in two queries,
and grants exactly what Django's ModelBackend grants."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.backends import RoleBackend
from accounts.scope import department_of, role_names

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def permission(code):
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_the_user_comes_with_department_and_region_in_one_query(bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = RoleBackend().get_user(bob.pk)
        assert department_of(user).region.code == "330400"


def test_a_user_without_a_profile_has_no_department(plans, django_assert_num_queries):
    user = get_user_model().objects.create_user("nobody", password="pw-nobody-1")
    with django_assert_num_queries(1):
        assert department_of(RoleBackend().get_user(user.pk)) is None


def test_an_inactive_user_is_not_loaded(bob):
    bob.is_active = False
    bob.save()
    assert RoleBackend().get_user(bob.pk) is None


def test_roles_and_permissions_in_one_query_as_model_backend_grants_them(
    bob, django_assert_num_queries
):
    bob.user_permissions.add(permission("reports.export_report"))  # one of their own
    bob.groups.add(Group.objects.create(name="空角色"))  # a group with no permission
    user = fresh(bob)
    with django_assert_num_queries(1):
        assert role_names(user) == {roles.CLERK, "空角色"}
        assert user.has_perm("indicators.change_actual")
        assert user.has_perm("reports.export_report")
        assert not user.has_perm("indicators.review_actual")
        granted = user.get_all_permissions()
    reference = fresh(bob)
    backend = ModelBackend()
    assert granted == backend.get_all_permissions(reference)
    assert user.get_group_permissions() == backend.get_group_permissions(reference)
    assert user.get_user_permissions() == {"reports.export_report"}


def test_permissions_first_then_roles_still_one_query(dave, django_assert_num_queries):
    user = fresh(dave)
    with django_assert_num_queries(1):
        assert user.has_perm("indicators.review_actual")
        assert role_names(user) == {roles.REVIEWER}


def test_a_superuser_has_every_permission(alice):
    user = fresh(alice)
    assert role_names(user) == frozenset()
    assert user.has_perm("indicators.review_actual")
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(fresh(alice))


def test_an_inactive_user_has_no_permission(bob):
    bob.is_active = False
    bob.save()
    assert not fresh(bob).has_perm("indicators.change_actual")


def test_a_role_changed_through_the_user_changes_roles_and_permissions_at_once(bob):
    assert bob.has_perm("indicators.change_actual") and role_names(bob) == {roles.CLERK}
    bob.groups.set([Group.objects.get(name=roles.REVIEWER)])
    assert role_names(bob) == {roles.REVIEWER}
    assert bob.has_perm("indicators.review_actual")
    assert not bob.has_perm("indicators.change_actual")
