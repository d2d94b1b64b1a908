from django.contrib import admin
from django.urls import include, path

from accounts.views import landing
from ops.views import healthz, healthz_live

handler403 = "accounts.views.permission_denied"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("healthz/live/", healthz_live, name="healthz_live"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("start/", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("warnings/", include("alerts.urls")),
    path("", include("dashboards.urls")),
]
