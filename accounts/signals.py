from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .scope import forget_role_names
from .services import sync_staff_status


@receiver(m2m_changed, sender=get_user_model().groups.through)
def staff_status_follows_role(sender, instance, action, reverse, pk_set, **kwargs):
    """However a user gains or loses a role, their staff status follows."""
    if reverse:  # group.user_set changed: the users are in pk_set (or were in the group)
        if action == "pre_clear":
            instance._cleared_user_ids = list(instance.user_set.values_list("pk", flat=True))
        elif action in ("post_add", "post_remove"):
            sync_staff_status(pk_set)
        elif action == "post_clear":
            sync_staff_status(instance.__dict__.pop("_cleared_user_ids", []))
    elif action in ("post_add", "post_remove", "post_clear"):
        forget_role_names(instance)
        sync_staff_status([instance.pk])
        instance.refresh_from_db(fields=["is_staff"])
