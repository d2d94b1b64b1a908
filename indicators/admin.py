from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Actual, Baseline, Indicator, Plan, SourceConflict, Target


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "name", "category", "unit", "measure", "department"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "region", "period_start", "period_end", "issued_on"]
    list_filter = ["region", "is_synthetic"]
    search_fields = ["slug", "title", "issuer"]
    list_select_related = ["region"]
    inlines = [IndicatorInline]


class BaselineInline(admin.TabularInline):
    model = Baseline
    fields = ["year", "value", "raw", "source_ref", "source_text", "conflict"]
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    fields = [
        "year",
        "year_implied",
        "comparator",
        "value",
        "value_max",
        "qualitative_text",
        "raw",
        "source_ref",
        "source_text",
        "conflict",
    ]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "plan",
        "category",
        "unit",
        "measure",
        "department",
        "source_ref",
    ]
    list_filter = ["plan", "measure", "direction", "category", "department"]
    search_fields = ["code", "name", "source_text"]
    list_select_related = ["plan", "department__region"]
    autocomplete_fields = ["department"]
    inlines = [BaselineInline, TargetInline]


class StatementAdmin(SimpleHistoryAdmin):
    list_select_related = ["indicator__plan", "conflict"]
    search_fields = ["indicator__name", "indicator__code", "source_text"]
    list_filter = ["indicator__plan", "year", "indicator__category"]
    raw_id_fields = ["indicator"]

    @admin.display(description=_("规划"), ordering="indicator__plan__slug")
    def plan(self, obj):
        return obj.indicator.plan.slug

    @admin.display(description=_("有冲突"), boolean=True)
    def has_conflict(self, obj):
        return obj.conflict_id is not None


@admin.register(Target)
class TargetAdmin(StatementAdmin):
    list_display = [
        "indicator",
        "plan",
        "year",
        "comparator",
        "value",
        "value_max",
        "raw",
        "source_ref",
        "source_text",
        "has_conflict",
    ]
    list_filter = [*StatementAdmin.list_filter, "comparator"]


@admin.register(Baseline)
class BaselineAdmin(StatementAdmin):
    list_display = [
        "indicator",
        "plan",
        "year",
        "value",
        "raw",
        "source_ref",
        "source_text",
        "has_conflict",
    ]


class ConflictTargetInline(admin.TabularInline):
    model = Target
    fields = ["indicator", "year", "raw", "source_ref", "source_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConflictBaselineInline(ConflictTargetInline):
    model = Baseline


@admin.register(SourceConflict)
class SourceConflictAdmin(admin.ModelAdmin):
    list_display = ["key", "plan", "description", "resolved_at", "resolved_by"]
    list_filter = ["plan"]
    search_fields = ["key", "description"]
    list_select_related = ["plan", "resolved_by"]
    readonly_fields = ["plan", "key", "description", "resolved_by", "resolved_at"]
    fields = ["plan", "key", "description", "resolution", "resolved_by", "resolved_at"]
    inlines = [ConflictTargetInline, ConflictBaselineInline]

    def save_model(self, request, obj, form, change):
        if "resolution" in form.changed_data and obj.resolution:
            obj.resolved_by, obj.resolved_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Actual)
class ActualAdmin(SimpleHistoryAdmin):
    list_display = [
        "indicator",
        "region",
        "year",
        "raw",
        "value",
        "qualifier",
        "status",
        "entered_by",
        "updated_at",
    ]
    list_filter = ["indicator__plan", "status", "year", "indicator__department"]
    search_fields = ["indicator__name", "indicator__code", "raw", "note"]
    list_select_related = ["indicator__plan", "region", "entered_by"]
    raw_id_fields = ["indicator"]
