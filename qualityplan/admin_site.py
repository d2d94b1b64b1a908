"""The admin under the product's name, sending each user to their own work after login."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import RoleAuthenticationForm


class QualityPlanAdminSite(admin.AdminSite):
    site_header = _("质量发展规划目标监测")
    site_title = _("质量发展规划目标监测")
    index_title = _("管理首页")
    login_form = RoleAuthenticationForm

    def login(self, request, extra_context=None):
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            extra_context = {REDIRECT_FIELD_NAME: reverse("landing"), **(extra_context or {})}
        return super().login(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        # 查看站点: the dashboards for those who read them, else the user's own work page.
        if not request.user.has_perm("indicators.view_attainmentresult"):
            context["site_url"] = reverse("landing")
        return context
