"""The admin under the product's name, sending each user to their own work after login."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import RoleAuthenticationForm
from accounts.views import landing_url


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
        landing = reverse("landing")
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            extra_context = {REDIRECT_FIELD_NAME: landing, **(extra_context or {})}
        response = super().login(request, extra_context)
        # Logged in and sent to /start/: straight to the page /start/ would send them to,
        # without the hop (a request less for every login).
        if (
            request.method == "POST"
            and response.status_code == 302
            and response["Location"] == landing
            and request.user.is_authenticated
        ):
            return redirect(landing_url(request.user))
        return response

    def autocomplete_view(self, request):
        return LabelledAutocomplete.as_view(admin_site=self)(request)

    def each_context(self, request):
        context = super().each_context(request)
        # 查看站点: the dashboards for those who read them, else the user's own work page.
        if not request.user.has_perm("indicators.view_attainmentresult"):
            context["site_url"] = reverse("landing")
        return context
