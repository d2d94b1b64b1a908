import logging
from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from accounts.history import HistoryAccess
from accounts.scope import scope_actuals
from qualityplan.admin_prefill import CheckedPrefill
from regions.models import Department
from reports.resources import (
    ActualExportResource,
    IndicatorExportResource,
    PlanExportResource,
    TargetExportResource,
)

from .changes import mark_change
from .forms import CheckedImportForm, IndicatorChangeForm, ReasonActionForm
from .imports import UNREADABLE
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
from .views import entry_template_view, entry_view, review_view, worklist_view

log = logging.getLogger(__name__)


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

    def export_action(self, request):
        # The export takes the list's filters from the query string; a malformed one (as
        # ?year=abc) is the visitor's mistake, not a failure.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("筛选条件有误,请回到列表重新筛选后再导出。"))


@admin.register(Plan)
class PlanAdmin(RecomputesResults, HistoryAccess, AuditorExport, ExportMixin, admin.ModelAdmin):
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
class IndicatorAdmin(
    RecomputesResults, HistoryAccess, CheckedPrefill, AuditorExport, ExportMixin, SimpleHistoryAdmin
):
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


class StatementAdmin(RecomputesResults, HistoryAccess, SimpleHistoryAdmin):
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
class SourceConflictAdmin(RecomputesResults, HistoryAccess, admin.ModelAdmin):
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
class ActualAdmin(
    HistoryAccess, AuditorExport, TemporaryUploads, ImportExportMixin, SimpleHistoryAdmin
):
    """Actuals are entered on the department page or uploaded; here they are reviewed."""

    list_display = [
        "indicator",
        "region",
        "year",
        "figure",
        "status_seen",
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
    import_template_name = "admin/indicators/actual/import.html"

    def get_export_resource_classes(self, request):
        return [ActualExportResource]  # import-export 4 exports resource_classes otherwise

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        # A file that passed its preview can still be refused when confirmed (the year was
        # locked, a figure approved meanwhile): say so, not "imported".
        if result.has_errors() or result.has_validation_errors():
            problems = " ".join(str(p) for p in result.problems)
            self.message_user(
                request, _("文件未导入:%(problems)s") % {"problems": problems}, messages.ERROR
            )
            return redirect("admin:indicators_actual_import")
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form, e):
        log.warning("An upload could not be parsed", exc_info=e)
        form.add_error("import_file", UNREADABLE)

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

    @admin.display(description=_("填报原文"), ordering="raw")
    def figure(self, obj):
        """The text as typed, and the number read where it differs: "3.5万 → 35000"."""
        if obj.read_as:
            return format_html("{} → <strong>{}</strong>", obj.raw, obj.read_as)
        return obj.raw or obj.get_qualitative_status_display()

    @admin.display(description=_("异常"))
    def flagged(self, obj):
        """A mark on the flagged rows only, with the reason on hover."""
        if not obj.suspicion:
            return ""
        return format_html('<span class="flagged" title="{}">⚠ {}</span>', obj.suspicion, _("异常"))

    @admin.display(description=_("状态"), ordering="status")
    def status_seen(self, obj):
        """The status, and the version the reviewer sees, posted with an approval or a return."""
        return format_html(
            '{}<input type="hidden" name="version-{}" value="{}">',
            obj.get_status_display(),
            obj.pk,
            obj.version,
        )

    def _as_seen(self, request, queryset):
        """The figures ticked, each as the version the list showed (unseen: refused as
        changed since)."""
        seen = list(queryset)
        for actual in seen:
            posted = request.POST.get(f"version-{actual.pk}", "")
            actual.version = int(posted) if posted.isdigit() else 0
        return seen

    def _review(self, request, review, done_message, **kwargs):
        try:
            n = review(user=request.user, **kwargs)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        except PermissionDenied as exc:
            self.message_user(request, str(exc) or _("您无权审核所选数值。"), messages.ERROR)
            return
        self.message_user(request, done_message % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("审核通过所选数值"), permissions=["review"])
    def approve(self, request, queryset):
        self._review(
            request,
            actual_approve,
            _("已审核通过 %(n)d 项。"),
            actuals=self._as_seen(request, queryset),
        )

    @admin.action(description=_("退回所选数值(需填写原因)"), permissions=["review"])
    def send_back(self, request, queryset):
        self._review(
            request,
            actual_return,
            _("已退回 %(n)d 项。"),
            actuals=self._as_seen(request, queryset),
            reason=request.POST.get("reason", ""),
        )

    def get_urls(self):
        return [
            path("entry/", self._page(entry_view), name="indicators_actual_entry"),
            path(
                "entry/template/",
                self.admin_site.admin_view(entry_template_view),
                name="indicators_actual_entry_template",
            ),
            path("worklist/", self._page(worklist_view), name="indicators_actual_worklist"),
            path("review/", self._page(review_view), name="indicators_actual_review"),
            *super().get_urls(),
        ]

    def _page(self, view):
        """An admin page of ours: behind the admin's login, given its header and navigation."""
        site = self.admin_site
        return site.admin_view(lambda request: view(request, site.each_context(request)))


@admin.register(PlanYear)
class PlanYearAdmin(HistoryAccess, SimpleHistoryAdmin):
    list_display = ["plan", "year", "due_date", "is_locked", "locked_by", "locked_at"]
    list_filter = ["is_locked", "plan", "year"]
    list_editable = ["due_date"]
    list_select_related = ["plan__region", "locked_by"]
    readonly_fields = ["is_locked", "locked_by", "locked_at", "unlock_reason"]
    action_form = ReasonActionForm
    actions = ["lock", "unlock"]

    def has_lock_permission(self, request):
        return request.user.has_perm("indicators.lock_planyear")

    def has_unlock_permission(self, request):
        return request.user.has_perm("indicators.unlock_planyear")

    @admin.action(description=_("锁定所选年度"), permissions=["lock"])
    def lock(self, request, queryset):
        try:
            with transaction.atomic():
                for plan_year in queryset:
                    year_lock(user=request.user, plan=plan_year.plan, year=plan_year.year)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
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


class ReadOnlyAdmin(HistoryAccess, admin.ModelAdmin):
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


class StuckRunFilter(admin.SimpleListFilter):
    """Runs running or queued past RUN_STUCK_AFTER_MINUTES (BackgroundRun.stuck_condition)."""

    title = _("是否卡住")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("卡住(超过时限仍在运行或排队)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(queryset.model.stuck_condition())
        return queryset


@admin.register(AttainmentRun)
class AttainmentRunAdmin(ReadOnlyAdmin):
    list_display = ["scope", "state_shown", "results", "created_at", "started_at", "finished_at"]
    list_filter = ["state", StuckRunFilter]
    list_select_related = ["plan"]

    def get_queryset(self, request):
        stuck = ExpressionWrapper(AttainmentRun.stuck_condition(), output_field=BooleanField())
        return super().get_queryset(request).annotate(is_stuck=stuck)

    @admin.display(description=_("状态"), ordering="state")
    def state_shown(self, obj):
        if obj.is_stuck:
            return _("⚠ %(state)s,已超过 %(minutes)d 分钟未完成(可能已中断)") % {
                "state": obj.get_state_display(),
                "minutes": settings.RUN_STUCK_AFTER_MINUTES,
            }
        return obj.get_state_display()


class CanonicalMemberInline(admin.TabularInline):
    model = Indicator
    fk_name = "canonical"
    fields = ["plan", "code", "name", "unit", "measure", "canonical_note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CanonicalChangeList(ChangeList):
    """The list's entries with their 上下衔接 flags, compared for the whole page at once."""

    def get_results(self, request):
        super().get_results(request)
        flags = defaultdict(list)
        for flag in alignment_flags([c.pk for c in self.result_list]):
            flags[flag.canonical.pk].append(flag)
        for canonical in self.result_list:
            canonical.alignment = flags[canonical.pk]


@admin.register(CanonicalIndicator)
class CanonicalIndicatorAdmin(RecomputesResults, HistoryAccess, admin.ModelAdmin):
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

    def get_changelist(self, request, **kwargs):
        return CanonicalChangeList

    @admin.display(description=_("上下衔接提示"))
    def alignment(self, obj):
        flags = getattr(obj, "alignment", None)
        if flags is None:
            flags = alignment_flags([obj.pk]) if obj.pk else []
        if not flags:
            return "—"
        return format_html_join("", "<div>⚠ {}</div>", ((f.message,) for f in flags))
