"""Saves that the change history records with who made them and why."""


def mark_change(obj, *, user, reason):
    """Tell django-simple-history who changes `obj` and why, for its next save or delete."""
    obj._history_user = user
    obj._change_reason = str(reason)
    return obj
