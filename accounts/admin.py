from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["department"]


admin.site.unregister(User)


@admin.register(User)
class UserWithDepartmentAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [*UserAdmin.list_display, "department"]
    list_select_related = ["profile__department__region"]
    list_filter = [*UserAdmin.list_filter, "profile__department"]

    @admin.display(description=_("所属单位"))
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else None
