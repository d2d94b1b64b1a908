"""Writes to users: their role, their department and the staff status that follows the role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles
from .models import Profile


def sync_staff_status(user_ids):
    """Give staff status to exactly the users with a role (or superuser status)."""
    for user in get_user_model().objects.filter(pk__in=user_ids).prefetch_related("groups"):
        staff = roles.may_open_admin(
            [g.name for g in user.groups.all()], is_superuser=user.is_superuser
        )
        if user.is_staff != staff:
            get_user_model().objects.filter(pk=user.pk).update(is_staff=staff)


def give_role(user, *, role, department, is_sample=False):
    """Make a saved user a member of one role, working for `department` (or none)."""
    user.groups.remove(*Group.objects.filter(name__in=roles.ROLE_PERMISSIONS))
    user.groups.add(Group.objects.get(name=role))  # staff status follows (signals.py)
    Profile.objects.update_or_create(
        user=user, defaults={"department": department, "is_sample": is_sample}
    )
