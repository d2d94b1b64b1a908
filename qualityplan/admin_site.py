"""The admin under the product's name, sending each user to their own work after login."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import RoleAuthenticationForm


class LabelledAutocomplete(AutocompleteJsonView):
    """The admin's autocomplete, each choice labelled as its admin says (`autocomplete_label`,
    e.g. an indicator with its plan), else by its name."""

    def serialize_result(self, obj, to_field_name):
        label = getattr(self.model_admin, "autocomplete_label", str)
        return {**super().serialize_result(obj, to_field_name), "text": label(obj)}


class QualityPlanAdminSite(admin.AdminSite):
    site_header = _("质量发展规划目标监测")
    site_title = _("质量发展规划目标监测")
    index_title = _("管理首页")
    login_form = RoleAuthenticationForm

    def login(self, request, extra_context=None):
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            extra_context = {REDIRECT_FIELD_NAME: reverse("landing"), **(extra_context or {})}
        return super().login(request, extra_context)

    def autocomplete_view(self, request):
        return LabelledAutocomplete.as_view(admin_site=self)(request)

    def each_context(self, request):
        context = super().each_context(request)
        # 查看站点: the dashboards for those who read them, else the user's own work page.
        if not request.user.has_perm("indicators.view_attainmentresult"):
            context["site_url"] = reverse("landing")
        return context
