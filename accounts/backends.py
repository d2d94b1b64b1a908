"""Django's ModelBackend, reading what every page asks of the user in fewer queries.

Every admin page needs the user, their department (and its region: the user's scope), their
roles (group names) and their permissions. Django's ModelBackend reads them in six queries: the
user, the profile, the department, the user's own permissions, their groups' permissions,
and (accounts.scope.role_names) the groups. Here the user comes with profile, department
and region in one query, and roles and both kinds of permissions in another. Nothing is
kept beyond the request's user object, as ModelBackend keeps its permissions.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Value


def load_roles_and_permissions(user):
    """Read the user's group names and the permissions of their groups and their own in one
    query, and keep them on the user object where accounts.scope.role_names and
    ModelBackend look (`_role_names`, `_group_perm_cache`, `_user_perm_cache`,
    `_perm_cache`). A superuser's permissions are every permission: ModelBackend reads those
    itself, so only the names are kept."""
    groups = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    if user.is_superuser:
        user._role_names = frozenset(name for name, _a, _c in groups)
        return
    own = (
        Permission.objects.filter(user=user)
        .order_by()
        .values_list(Value(None, output_field=CharField()), "content_type__app_label", "codename")
    )
    names, group_perms, user_perms = set(), set(), set()
    for name, app_label, codename in groups.union(own, all=True):
        if name is None:
            user_perms.add(f"{app_label}.{codename}")
            continue
        names.add(name)
        if codename is not None:  # a group with no permission has one row, without
            group_perms.add(f"{app_label}.{codename}")
    user._role_names = frozenset(names)
    user._user_perm_cache = user_perms
    user._group_perm_cache = group_perms
    user._perm_cache = user_perms | group_perms


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("profile__department__region")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            load_roles_and_permissions(user_obj)
        return super().get_all_permissions(user_obj, obj)
