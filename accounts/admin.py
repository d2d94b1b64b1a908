from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from qualityplan.admin_prefill import CheckedPrefill

from . import roles
from .forms import UserWithNameChangeForm, UserWithRoleCreationForm
from .models import Profile
from .services import sync_staff_status


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["department"]
    readonly_fields = ["is_sample"]


admin.site.unregister(User)


@admin.register(User)
class UserWithRoleAdmin(CheckedPrefill, UserAdmin):
    """Users are added with their role and department on one form; staff status follows the
    role, so a user with a role can log in and one without cannot."""

    add_form = UserWithRoleCreationForm
    form = UserWithNameChangeForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "password1",
                    "password2",
                    "role",
                    "department",
                ),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "email")}),
        (
            _("角色与权限"),
            {
                "fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions"),
                "description": _(
                    "用户的角色即其所在的组;有角色的用户即可登录,工作人员状态随之设置。"
                ),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "role", "department", "is_active", "last_login"]
    list_select_related = ["profile__department__region"]
    list_filter = ["groups", "profile__department", "is_active", "is_superuser"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_inline_instances(self, request, obj=None):
        # A new user's department is chosen on the add form itself.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fields = ["is_staff"]  # follows the role
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_staff_status([form.instance.pk])

    @admin.display(description=_("角色"))
    def role(self, obj):
        return "、".join(str(roles.label(g.name)) for g in obj.groups.all()) or "—"

    @admin.display(description=_("所属单位"))
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else None
