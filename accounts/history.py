"""Who reads change history (变更记录): holders of 查看变更记录, within their part of the data.

Every ModelAdmin of the project mixes in HistoryAccess, before Django's or
django-simple-history's admin class.
"""

from django.core.exceptions import PermissionDenied

from .scope import is_department_scoped

VIEW_HISTORY = "indicators.view_history"


class HistoryAccess:
    """History pages (the list of changes and one past version) need VIEW_HISTORY and a row
    the admin's own list shows the user; the history of a deleted row only for users whose
    lists are not narrowed to a department. They are for reading: a past version is never
    saved back from its page (figures change through indicators.services)."""

    def history_view(self, request, object_id, extra_context=None):
        if not request.user.has_perm(VIEW_HISTORY):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # django-simple-history asks this on its pages, with a deleted row's last version.
        if not request.user.has_perm(VIEW_HISTORY):
            return False
        return obj is None or self.history_in_scope(request, obj)

    def history_in_scope(self, request, obj):
        if self.get_queryset(request).filter(pk=obj.pk).exists():
            return True
        deleted = not self.model._default_manager.filter(pk=obj.pk).exists()
        return deleted and not is_department_scoped(request.user)
