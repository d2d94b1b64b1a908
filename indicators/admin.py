from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from accounts.scope import scope_actuals
from regions.models import Department
from reports.resources import (
    ActualExportResource,
    IndicatorExportResource,
    PlanExportResource,
    TargetExportResource,
)

from .changes import mark_change
from .forms import CheckedImportForm, IndicatorChangeForm, ReasonActionForm
from .models import (
    Actual,
    AttainmentResult,
    AttainmentRun,
    Baseline,
    CanonicalIndicator,
    Indicator,
    Plan,
    PlanYear,
    SourceConflict,
    Target,
)
from .resources import BASELINE, ActualImportResource
from .selectors import alignment_flags
from .services.actuals import actual_approve, actual_return, year_lock, year_unlock
from .services.runs import attainment_run_queue, results_touched
from .uploads import TemporaryUploads
from .views import entry_template_view, entry_view


class RecomputesResults:
    """An admin whose saves and deletes can change stored results: each queues, once, the
    recompute of what it touched (`services.runs.results_touched`), after the form and its
    inlines are saved or the rows are deleted.

    `result_fields`: the form fields results rest on (None: all); a save that changes none
    of them and no inline row leaves the results as they are.
    """

    result_fields = None

    def touched(self, obj, initial):
        """What the object bears on, before and after a change (`initial`: the form's values
        as it was read): {"indicator_ids": …, "plan_ids": …}."""
        raise NotImplementedError

    def _results_touched(self, verb, touched):
        results_touched(scope=f"{verb}{self.model._meta.verbose_name}(管理后台)", **touched)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        fields = set(form.changed_data)
        if self.result_fields is not None:
            fields &= self.result_fields
        if not change or fields or any(formset.has_changed() for formset in formsets):
            self._results_touched(
                "修改" if change else "新增", self.touched(form.instance, form.initial)
            )

    def delete_model(self, request, obj):
        touched = self.touched(obj, {})  # read before the row goes
        super().delete_model(request, obj)
        self._results_touched("删除", touched)

    def delete_queryset(self, request, queryset):
        touched = {"indicator_ids": set(), "plan_ids": set()}
        for obj in queryset:
            for key, ids in self.touched(obj, {}).items():
                touched[key].update(ids)
        super().delete_queryset(request, queryset)
        self._results_touched("删除", touched)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "name", "category", "unit", "measure", "department"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class AuditorExport:
    """Raw-table export (XLSX, CSV) for those who may export reports: auditors, admins."""

    export_formats = [base_formats.XLSX, base_formats.CSV]

    def has_export_permission(self, request):
        return request.user.has_perm("reports.export_report")


@admin.register(Plan)
class PlanAdmin(RecomputesResults, AuditorExport, ExportMixin, admin.ModelAdmin):
    list_display = ["slug", "title", "region", "period_start", "period_end", "issued_on"]
    list_filter = ["region", "is_synthetic"]
    search_fields = ["slug", "title", "issuer"]
    list_select_related = ["region"]
    inlines = [IndicatorInline]
    resource_classes = [PlanExportResource]
    actions = ["recompute"]
    result_fields = {"region", "period_start", "period_end"}

    def touched(self, obj, initial):
        return {"plan_ids": [obj.pk]}

    def has_recompute_permission(self, request):
        return request.user.has_perm("indicators.change_plan")

    @admin.action(description=_("重新计算所选规划的目标完成情况"), permissions=["recompute"])
    def recompute(self, request, queryset):
        for plan in queryset:
            attainment_run_queue(plan=plan, scope=f"plan {plan.slug} (manual)")
        self.message_user(request, _("已安排 %(n)d 个规划重新计算。") % {"n": len(queryset)})


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
class IndicatorAdmin(RecomputesResults, AuditorExport, ExportMixin, SimpleHistoryAdmin):
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
    form = IndicatorChangeForm
    list_filter = ["plan", "measure", "direction", "category", "department"]
    # "zhejiang-14 合格率" finds the plan's indicators of that name (and the autocomplete of a
    # baseline's or target's indicator, which shows the plan too: autocomplete_label).
    search_fields = ["code", "name", "source_text", "plan__slug", "plan__title"]
    list_select_related = ["plan", "department__region"]
    autocomplete_fields = ["department"]
    inlines = [BaselineInline, TargetInline]
    resource_classes = [IndicatorExportResource]
    actions = ["assign_department"]
    # The canonical link drives 上下衔接; any change of a target or baseline counts too.
    result_fields = {"plan", "unit", "direction", "measure", "canonical"}

    def touched(self, obj, initial):
        return {"indicator_ids": [obj.pk]}

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("plan"), duplicates

    @staticmethod
    def autocomplete_label(obj):
        return f"{obj.plan.slug} · {obj.code} {obj.name}"

    def save_model(self, request, obj, form, change):
        mark_change(obj, user=request.user, reason=form.cleaned_data.get("change_reason", ""))
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Targets and baselines edited here carry the same reason into their history."""
        reason = form.cleaned_data.get("change_reason", "")
        for inline_form in formset.forms:  # changed, added and deleted rows alike
            if inline_form.has_changed() or inline_form in formset.deleted_forms:
                mark_change(inline_form.instance, user=request.user, reason=reason)
        super().save_formset(request, form, formset, change)

    def has_assign_permission(self, request):
        return request.user.has_perm("indicators.assign_indicator")

    @admin.action(description=_("为所选指标指定责任单位"), permissions=["assign"])
    def assign_department(self, request, queryset):
        form = AssignDepartmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            department = form.cleaned_data["department"]
            for indicator in queryset:
                indicator.department = department
                mark_change(indicator, user=request.user, reason=_("批量指定责任单位"))
                indicator.save()
            self.message_user(
                request,
                _("已将 %(n)d 项指标指定给 %(d)s。") % {"n": len(queryset), "d": department},
            )
            return None
        return render(
            request,
            "admin/indicators/indicator/assign_department.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "indicators": queryset,
                "title": _("指定责任单位"),
            },
        )


class AssignDepartmentForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.select_related("region"), label=_("责任单位")
    )


class StatementAdmin(RecomputesResults, SimpleHistoryAdmin):
    list_select_related = ["indicator__plan", "conflict"]
    search_fields = ["indicator__name", "indicator__code", "source_text"]
    list_filter = ["indicator__plan", "year", "indicator__category"]
    autocomplete_fields = ["indicator"]  # by plan and name, e.g. "zhejiang-14 合格率"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "indicator":
            field.label_from_instance = IndicatorAdmin.autocomplete_label
        return field

    def touched(self, obj, initial):
        # A statement moved to another indicator touches both.
        return {"indicator_ids": {obj.indicator_id, initial.get("indicator")} - {None}}

    @admin.display(description=_("规划"), ordering="indicator__plan__slug")
    def plan(self, obj):
        return obj.indicator.plan.slug

    @admin.display(description=_("有冲突"), boolean=True)
    def has_conflict(self, obj):
        return obj.conflict_id is not None


@admin.register(Target)
class TargetAdmin(AuditorExport, ExportMixin, StatementAdmin):
    resource_classes = [TargetExportResource]
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
class SourceConflictAdmin(RecomputesResults, admin.ModelAdmin):
    list_display = ["key", "plan", "description", "resolved_at", "resolved_by"]
    list_filter = ["plan"]
    search_fields = ["key", "description"]
    list_select_related = ["plan", "resolved_by"]
    readonly_fields = ["plan", "key", "description", "resolved_by", "resolved_at"]
    fields = ["plan", "key", "description", "resolution", "resolved_by", "resolved_at"]
    inlines = [ConflictTargetInline, ConflictBaselineInline]
    result_fields = {"resolution"}

    def touched(self, obj, initial):
        statements = [*obj.targets.all(), *obj.baselines.all()]
        return {"indicator_ids": {s.indicator_id for s in statements}}

    def save_model(self, request, obj, form, change):
        if "resolution" in form.changed_data and obj.resolution:
            obj.resolved_by, obj.resolved_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Actual)
class ActualAdmin(AuditorExport, TemporaryUploads, ImportExportMixin, SimpleHistoryAdmin):
    """Actuals are entered on the department page or uploaded; here they are reviewed."""

    list_display = [
        "indicator",
        "region",
        "year",
        "raw",
        "qualifier",
        "status",
        "flagged",
        "entered_by",
        "reviewed_by",
        "updated_at",
    ]
    list_filter = [
        "status",
        "year",
        "indicator__plan",
        "indicator__department",
        ("suspicion", admin.EmptyFieldListFilter),
    ]
    search_fields = ["indicator__name", "indicator__code", "raw", "note"]
    list_select_related = ["indicator__plan", "region", "entered_by", "reviewed_by"]
    readonly_fields = [f.name for f in Actual._meta.fields]
    action_form = ReasonActionForm
    actions = ["approve", "send_back"]
    change_list_template = "admin/indicators/actual/change_list.html"
    resource_classes = [ActualImportResource]
    import_formats = [base_formats.XLSX, base_formats.CSV]
    import_form_class = CheckedImportForm

    def get_export_resource_classes(self, request):
        return [ActualExportResource]  # import-export 4 exports resource_classes otherwise

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_success_message(self, result, request):
        super().add_success_message(result, request)
        if result.totals[BASELINE]:
            self.message_user(
                request,
                _("其中 %(n)d 行的年份在规划期之前,已作为基期值保存。")
                % {"n": result.totals[BASELINE]},
                messages.SUCCESS,
            )

    def get_queryset(self, request):
        return scope_actuals(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm("indicators.review_actual")

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # django-simple-history falls back to the historical rows of an object the user's
        # queryset hides; the history of another department's figure stays hidden too.
        if obj is not None and not self.get_queryset(request).filter(pk=obj.pk).exists():
            return False
        return super().has_view_history_or_change_history_permission(request, obj)

    @admin.display(description=_("异常"), boolean=True)
    def flagged(self, obj):
        return bool(obj.suspicion)

    @admin.action(description=_("审核通过所选数值"), permissions=["review"])
    def approve(self, request, queryset):
        n = actual_approve(user=request.user, actuals=list(queryset))
        self.message_user(request, _("已审核通过 %(n)d 项。") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("退回所选数值(需填写原因)"), permissions=["review"])
    def send_back(self, request, queryset):
        try:
            n = actual_return(
                user=request.user, actuals=list(queryset), reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, _("已退回 %(n)d 项。") % {"n": n}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "entry/",
                self.admin_site.admin_view(
                    lambda request: entry_view(request, self.admin_site.each_context(request))
                ),
                name="indicators_actual_entry",
            ),
            path(
                "entry/template/",
                self.admin_site.admin_view(entry_template_view),
                name="indicators_actual_entry_template",
            ),
            *super().get_urls(),
        ]


@admin.register(PlanYear)
class PlanYearAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "year", "due_date", "is_locked", "locked_by", "locked_at"]
    list_filter = ["is_locked", "plan", "year"]
    list_editable = ["due_date"]
    list_select_related = ["plan", "locked_by"]
    readonly_fields = ["is_locked", "locked_by", "locked_at", "unlock_reason"]
    action_form = ReasonActionForm
    actions = ["lock", "unlock"]

    def has_lock_permission(self, request):
        return request.user.has_perm("indicators.lock_planyear")

    def has_unlock_permission(self, request):
        return request.user.has_perm("indicators.unlock_planyear")

    @admin.action(description=_("锁定所选年度"), permissions=["lock"])
    def lock(self, request, queryset):
        for plan_year in queryset:
            year_lock(user=request.user, plan=plan_year.plan, year=plan_year.year)
        self.message_user(request, _("已锁定 %(n)d 个年度。") % {"n": len(queryset)})

    @admin.action(description=_("解锁所选年度(需填写原因)"), permissions=["unlock"])
    def unlock(self, request, queryset):
        try:
            for plan_year in queryset:
                year_unlock(
                    user=request.user,
                    plan=plan_year.plan,
                    year=plan_year.year,
                    reason=request.POST.get("reason", ""),
                )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, _("已解锁 %(n)d 个年度。") % {"n": len(queryset)})


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system computes: people read them, never edit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AttainmentResult)
class AttainmentResultAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "region",
        "year",
        "target_year",
        "status",
        "actual_raw",
        "completion",
        "progress",
        "elapsed",
        "projected_value",
        "computed_at",
    ]
    list_filter = ["plan", "status", "year", "region"]
    search_fields = ["indicator__name", "indicator__code"]
    list_select_related = ["indicator", "region", "target"]
    show_full_result_count = False

    @admin.display(description=_("目标年份"), ordering="target__year")
    def target_year(self, obj):
        return obj.target.year


@admin.register(AttainmentRun)
class AttainmentRunAdmin(ReadOnlyAdmin):
    list_display = ["scope", "state", "results", "created_at", "started_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["plan"]


class CanonicalMemberInline(admin.TabularInline):
    model = Indicator
    fk_name = "canonical"
    fields = ["plan", "code", "name", "unit", "measure", "canonical_note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CanonicalIndicator)
class CanonicalIndicatorAdmin(RecomputesResults, admin.ModelAdmin):
    list_display = ["key", "name", "unit", "direction", "member_count", "alignment"]
    search_fields = ["key", "name"]
    readonly_fields = ["alignment"]
    inlines = [CanonicalMemberInline]

    def touched(self, obj, initial):
        # Its members: 上下衔接 compares them under the entry's unit and direction.
        return {"indicator_ids": set(obj.members.values_list("pk", flat=True))}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("成员指标数"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description=_("上下衔接提示"))
    def alignment(self, obj):
        flags = alignment_flags([obj.pk]) if obj.pk else []
        if not flags:
            return "—"
        return format_html_join("", "<div>⚠ {}</div>", ((f.message,) for f in flags))
