from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("领导驾驶舱")

    def ready(self):
        from . import signals  # noqa: F401 - connects the re-render after each recompute
