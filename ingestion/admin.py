"""Plan ingestion in the admin: upload a document, review what was read, publish a plan."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.history import HistoryAccess
from indicators.changes import mark_change
from indicators.values import plain_decimal

from . import review
from .forms import (
    DecisionActionForm,
    PlainDecimalField,
    ProposalAddForm,
    ProposalChangelistForm,
    PublishForm,
    UploadForm,
)
from .models import PlanDocument, TargetProposal
from .quotes import highlight


def _number(value):
    return "—" if value is None else plain_decimal(value)


def _value_text(p):
    if p.comparator == "qualitative":
        return p.qualitative_text or p.raw
    if p.comparator == "range":
        return f"{_number(p.target_value)}~{_number(p.target_value_max)}"
    return _number(p.target_value)


class ProposalInline(admin.TabularInline):
    """The proposals of a document, read-only: they are edited and decided on their list."""

    model = TargetProposal
    fields = [
        "locate",
        "name",
        "target_year",
        "target",
        "measure",
        "confidence",
        "decision",
        "quote_text",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    classes = ["proposal-inline"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("定位"))
    def locate(self, obj):
        return format_html(
            '<a id="p-{}" href="#q-{}" title="{}">#{}</a>',
            obj.pk,
            obj.pk,
            _("在原文中定位(第 %(n)d 字)") % {"n": obj.position},
            obj.pk,
        )

    @admin.display(description=_("目标"))
    def target(self, obj):
        if obj.comparator == "qualitative":
            text = _value_text(obj)
            short = text if len(text) <= 24 else text[:23] + "…"
            return format_html('<span title="{}">{}:{}</span>', text, _("定性"), short)
        return f"{obj.get_comparator_display()} {_value_text(obj)} {obj.unit}".strip()

    @admin.display(description=_("原文"))
    def quote_text(self, obj):
        short = obj.quote if len(obj.quote) <= 40 else obj.quote[:38] + "…"
        return format_html(
            '<span class="quote" title="{}">{}</span><br><span class="quote">{}</span>',
            obj.quote,
            short,
            obj.source,
        )


@admin.register(PlanDocument)
class PlanDocumentAdmin(HistoryAccess, SimpleHistoryAdmin):
    list_display = [
        "title",
        "region",
        "period",
        "kind",
        "state",
        "pending_count",
        "accepted_count",
        "rejected_count",
        "uploaded_by",
        "uploaded_at",
        "published_plan",
    ]
    list_filter = ["state", "kind", "region"]
    search_fields = ["title", "original_name"]
    list_select_related = ["region", "uploaded_by", "published_plan"]
    actions = ["publish"]
    change_form_template = "admin/ingestion/plandocument/change_form.html"

    # ------------------------------------------------------------------ pages

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_pending=Count("proposals", filter=Q(proposals__decision="pending")),
                n_accepted=Count("proposals", filter=Q(proposals__decision="accepted")),
                n_rejected=Count("proposals", filter=Q(proposals__decision="rejected")),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "region", "title", "period_start", "period_end"]
        return [
            "title",
            "region",
            "period",
            "source_file",
            "kind",
            "state",
            "uploaded_by",
            "uploaded_at",
            "published_plan",
            "summary",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["period", "source_file", "kind", "state", "uploaded_by", "uploaded_at"]
        fixed += ["published_plan", "summary"]
        return ["title", "region", *fixed] if obj.is_published else fixed

    def get_inlines(self, request, obj):
        return [ProposalInline] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            mark_change(obj, user=request.user, reason=_("修改规划文件信息"))
            super().save_model(request, obj, form, change)
            return
        obj.uploaded_by = request.user
        mark_change(obj, user=request.user, reason=_("上传规划文件"))
        super().save_model(request, obj, form, change)
        found = review.propose(obj, user=request.user)
        if found:
            self.message_user(
                request,
                _("从文件中识别出 %(n)d 条目标,均为待审核:请逐条核对后接受或驳回。")
                % {"n": len(found)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("未从文件中识别出任何目标。可在“识别目标”中按原文手工补录。"),
                messages.WARNING,
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None:
            proposals = list(obj.proposals.all())
            extra["highlighted_text"] = highlight(obj.text, proposals)
            extra["review_url"] = (
                reverse("admin:ingestion_targetproposal_changelist")
                + f"?document__id__exact={obj.pk}"
            )
            extra["pending_url"] = extra["review_url"] + "&decision__exact=pending"
            if self.has_publish_permission(request) and not obj.is_published:
                extra["publish_url"] = reverse(
                    "admin:ingestion_plandocument_publish", args=[obj.pk]
                )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    # ------------------------------------------------------------------ columns

    @admin.display(description=_("规划期"))
    def period(self, obj):
        return f"{obj.period_start}—{obj.period_end}"

    @admin.display(description=_("原文件"))
    def source_file(self, obj):
        if not obj.file:
            return obj.original_name
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.original_name)

    @admin.display(description=_("待审核"), ordering="n_pending")
    def pending_count(self, obj):
        return obj.n_pending

    @admin.display(description=_("已接受"), ordering="n_accepted")
    def accepted_count(self, obj):
        return obj.n_accepted

    @admin.display(description=_("已驳回"), ordering="n_rejected")
    def rejected_count(self, obj):
        return obj.n_rejected

    @admin.display(description=_("审核进度"))
    def summary(self, obj):
        return _("共 %(all)d 条:待审核 %(p)d,已接受 %(a)d,已驳回 %(r)d") % {
            "all": obj.n_pending + obj.n_accepted + obj.n_rejected,
            "p": obj.n_pending,
            "a": obj.n_accepted,
            "r": obj.n_rejected,
        }

    # ------------------------------------------------------------------ publishing

    def has_publish_permission(self, request):
        return request.user.has_perm("ingestion.publish_plandocument")

    @admin.action(description=_("将所选规划文件发布为规划"), permissions=["publish"])
    def publish(self, request, queryset):
        if len(queryset) != 1:
            self.message_user(request, _("请只选择一个规划文件发布。"), messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:ingestion_plandocument_publish", args=[queryset[0].pk])
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="ingestion_plandocument_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        document = get_object_or_404(PlanDocument.objects.select_related("region"), pk=object_id)
        change_url = reverse("admin:ingestion_plandocument_change", args=[document.pk])
        problems = review.publish_problems(document)
        if problems and request.method == "POST":
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = PublishForm(
            request.POST if request.method == "POST" else None,
            initial={"slug": review.default_slug(document)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                plan = review.publish(document, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                _("已发布规划“%(title)s”(%(slug)s),共 %(n)d 项指标。")
                % {"title": plan.title, "slug": plan.slug, "n": plan.indicators.count()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:indicators_plan_change", args=[plan.pk]))
        accepted = document.proposals.filter(decision=TargetProposal.Decision.ACCEPTED)
        return render(
            request,
            "admin/ingestion/plandocument/publish.html",
            {
                **self.admin_site.each_context(request),
                "title": _("发布为规划"),
                "opts": self.model._meta,
                "original": document,
                "document": document,
                "form": form,
                "problems": problems,
                "accepted": accepted,
                "duplicates": review.duplicate_names(document),
                "change_url": change_url,
            },
        )


class ConfidenceFilter(admin.SimpleListFilter):
    title = _("置信度")
    parameter_name = "confidence_band"
    bands = {
        "high": (_("高(≥0.8)"), Q(confidence__gte=0.8)),
        "medium": (_("中(0.5–0.8)"), Q(confidence__gte=0.5, confidence__lt=0.8)),
        "low": (_("低(<0.5)"), Q(confidence__lt=0.5)),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in self.bands.items()]

    def queryset(self, request, queryset):
        band = self.bands.get(self.value())
        return queryset.filter(band[1]) if band else queryset


_WIDGET_SIZES = {"name": 16, "unit": 3, "target_value": 5, "target_value_max": 5, "target_year": 3}
# The columns a reviewer corrects in the list itself.
_EDITABLE = [
    "name",
    "target_year",
    "comparator",
    "target_value",
    "target_value_max",
    "unit",
    "measure",
]


@admin.register(TargetProposal)
class TargetProposalAdmin(HistoryAccess, SimpleHistoryAdmin):
    list_display = ["number", *_EDITABLE, "confidence", "decision", "quote_excerpt"]
    list_display_links = ["number"]
    list_editable = _EDITABLE
    list_filter = [
        "document",
        "decision",
        ConfidenceFilter,
        "comparator",
        "measure",
        "year_implied",
    ]
    search_fields = ["name", "quote", "raw", "source"]
    list_select_related = ["document", "decided_by"]
    list_per_page = 50
    change_list_template = "admin/ingestion/targetproposal/change_list.html"
    action_form = DecisionActionForm
    actions = ["accept", "reject", "reopen"]
    formfield_overrides = {models.DecimalField: {"form_class": PlainDecimalField}}
    readonly_fields = [
        "document",
        "source",
        "raw",
        "quote",
        "position",
        "confidence",
        "decision",
        "decided_by",
        "decided_at",
    ]
    fieldsets = [
        (
            _("原文"),
            {"fields": ["document", "quote", "source", "raw", "position", "confidence"]},
        ),
        (
            _("指标与目标"),
            {
                "fields": [
                    "name",
                    "category",
                    ("unit", "measure", "direction"),
                    ("target_year", "year_implied"),
                    ("comparator", "target_value", "target_value_max"),
                    "qualitative_text",
                    ("baseline_year", "baseline_value"),
                ]
            },
        ),
        (_("审核"), {"fields": ["decision", "decided_by", "decided_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ProposalAddForm.Meta.fields})]
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProposalAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        size = _WIDGET_SIZES.get(db_field.name)
        if field is not None and size:
            field.widget.attrs["size"] = size
            field.widget.attrs["style"] = f"width: {size + 2}em"
        return field

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ProposalChangelistForm, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.document.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A proposal is rejected, never deleted: the decision stays on record.
        return False

    def save_model(self, request, obj, form, change):
        reason = _("审核修改识别结果") if change else _("人工补录识别目标")
        mark_change(obj, user=request.user, reason=reason)
        super().save_model(request, obj, form, change)
        review.start_review(obj.document, request.user)

    # ------------------------------------------------------------------ columns

    @admin.display(description="#", ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("原文"))
    def quote_excerpt(self, obj):
        quote = obj.quote if len(obj.quote) <= 60 else obj.quote[:58] + "…"
        url = reverse("admin:ingestion_plandocument_change", args=[obj.document_id])
        return format_html(
            '<a href="{}#q-{}" title="{}">{}</a><br><small>{} · {}</small>',
            url,
            obj.pk,
            obj.quote,
            quote,
            obj.source,
            obj.document,
        )

    # ------------------------------------------------------------------ decisions

    def has_review_permission(self, request):
        return request.user.has_perm("ingestion.change_targetproposal")

    def _decide(self, request, queryset, decision, done):
        note = request.POST.get("note", "")
        n, refused = review.decide(
            queryset.select_related("document"), decision, user=request.user, note=note
        )
        self.message_user(request, done % {"n": n}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("接受所选识别结果"), permissions=["review"])
    def accept(self, request, queryset):
        self._decide(request, queryset, "accepted", _("已接受 %(n)d 条。"))

    @admin.action(description=_("驳回所选识别结果"), permissions=["review"])
    def reject(self, request, queryset):
        self._decide(request, queryset, "rejected", _("已驳回 %(n)d 条。"))

    @admin.action(description=_("将所选识别结果退回待审核"), permissions=["review"])
    def reopen(self, request, queryset):
        self._decide(request, queryset, "pending", _("已退回待审核 %(n)d 条。"))
