from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from regions.models import Department

from . import roles
from .models import Profile
from .services import give_role

NAME_LABEL = _("姓名")


class UserWithRoleCreationForm(UserCreationForm):
    """One form for a new user: name, password, role and department; they can log in at once."""

    role = forms.ChoiceField(label=_("角色"), choices=list(roles.ROLE_LABELS.items()))
    department = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=Department.objects.select_related("region"),
        required=False,
        widget=AutocompleteSelect(Profile._meta.get_field("department"), admin.site),
        help_text=_("填报人员和审核人员必选:他们只处理本单位(及下级区划)的数据。"),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "first_name")
        labels = {"first_name": NAME_LABEL}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") in roles.DEPARTMENT_ROLES and not cleaned.get("department"):
            self.add_error(
                "department",
                _("%(role)s须选择所属单位。") % {"role": roles.label(cleaned["role"])},
            )
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        give_role(
            self.instance,
            role=self.cleaned_data["role"],
            department=self.cleaned_data["department"],
        )


class UserWithNameChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        labels = {"first_name": NAME_LABEL}


class RoleAuthenticationForm(AdminAuthenticationForm):
    """The admin's login, saying plainly when an account has no role yet."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_role": _("账号 %(username)s 还没有角色,不能登录。请系统管理员在“用户”中为它选择角色。"),
    }

    def confirm_login_allowed(self, user):
        if user.is_active and not user.is_staff:
            raise ValidationError(
                self.error_messages["no_role"],
                code="no_role",
                params={"username": user.get_username()},
            )
        super().confirm_login_allowed(user)
