from django.contrib.admin.apps import AdminConfig


class QualityPlanAdminConfig(AdminConfig):
    """django.contrib.admin with the product's own site (qualityplan/admin_site.py)."""

    default_site = "qualityplan.admin_site.QualityPlanAdminSite"
