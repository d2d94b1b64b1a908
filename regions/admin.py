from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.history import HistoryAccess
from indicators.models import PlanYear
from indicators.selectors import missing_entries
from qualityplan.admin_prefill import CheckedPrefill

from .models import Department, Region


@admin.register(Region)
class RegionAdmin(HistoryAccess, CheckedPrefill, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level", "is_synthetic"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(HistoryAccess, CheckedPrefill, admin.ModelAdmin):
    list_display = ["name", "region", "email"]
    list_filter = ["region", "is_sample"]
    search_fields = ["name", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    readonly_fields = ["outstanding"]

    @admin.display(description=_("未提交的指标(未锁定年度)"))
    def outstanding(self, obj):
        if obj.pk is None:
            return "—"
        rows = []
        for plan_year in (
            PlanYear.objects.filter(is_locked=False, plan__indicators__department=obj)
            .select_related("plan__region")
            .distinct()
        ):
            missing = missing_entries(plan_year.plan, plan_year.year).get(obj, [])
            due = plan_year.due_date or "—"
            names = "、".join(f"{i.code} {i.name}" for i in missing) or "无"
            rows.append((plan_year.plan.slug, plan_year.year, due, len(missing), names))
        if not rows:
            return "—"
        return format_html_join("", "<div>{} {}年(截止 {}):{} 项 — {}</div>", rows)
