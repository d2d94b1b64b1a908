"""The pages of those who enter and review figures (served inside the admin): a department's
entry page and its spreadsheet template, a clerk's work list, a reviewer's queue."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.scope import (
    department_of,
    departments_for_entry,
    entry_regions,
    region_allowed,
    scope_actuals,
)
from qualityplan.form_renderer import PLAIN_WIDGETS, ListedModelChoiceField
from regions.models import Department, Region

from .entry_rules import due_year
from .forms import EntryFilterForm, EntryFormSet
from .models import Actual, Plan
from .services.actuals import EntryRow, actual_approve, actual_return, actual_save, actual_submit
from .spreadsheets import entry_template_workbook
from .worklists import department_years, entry_lines, review_lines, review_queue, work_list

ROW_FIELDS = ("text", "note", "qualitative_status", "evidence", "explanation", "next_steps")


def entry_url(department, region, year):
    """The entry page of a department, region and year."""
    query = {"department": department.pk, "region": region.pk, "year": year}
    return f"{reverse('admin:indicators_actual_entry')}?{urlencode(query)}"


def _entry_regions(department):
    return entry_regions(department, Region.objects.all())


def _entry_years(department):
    years = department_years(department, today=timezone.localdate())
    return years, due_year(years, today=timezone.localdate())


def _entry_filter(request, data, *, permission):
    """The department / year / region choice of the entry pages, for a user who holds
    `permission`: the departments they may open, their own first chosen; with no choice
    made, their own department's page for the year now due."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    departments = departments_for_entry(request.user, Department.objects.select_related("region"))
    own = department_of(request.user)
    if not data and own is not None:
        data = {"department": own.pk}
    return EntryFilterForm(
        data or None,
        initial={"department": own.pk if own else None},
        departments=departments,
        regions_for=_entry_regions,
        years_for=_entry_years,
    )


def _chosen(request, filter_form):
    """(department, region, year) of a valid choice; the region must be the user's to work in."""
    department = filter_form.cleaned_data["department"]
    region = filter_form.cleaned_data["region"] or department.region
    if not region_allowed(request.user, region):
        raise PermissionDenied
    return department, region, filter_form.cleaned_data["year"]


def _posted_rows(formset, lines):
    """The rows a page posted (EntryRow), the values typed per indicator, and the problems
    the form itself found, per indicator. An indicator the page never offered is refused."""
    by_indicator = {line.indicator.pk: line for line in lines}
    rows, typed, problems = [], {}, {}
    for form in formset.forms:
        try:
            indicator_id = int(form["indicator"].value())
        except (TypeError, ValueError):
            raise PermissionDenied from None
        line = by_indicator.get(indicator_id)
        if line is None:
            raise PermissionDenied
        typed[indicator_id] = {
            "version": form["version"].value(),
            **{name: form[name].value() or "" for name in ROW_FIELDS},
        }
        if not form.is_valid():
            problems[indicator_id] = [m for messages_ in form.errors.values() for m in messages_]
            continue
        data = form.cleaned_data
        rows.append(
            EntryRow(
                indicator=line.indicator,
                version=data["version"],
                **{name: data[name] for name in ROW_FIELDS},
            )
        )
    return rows, typed, problems


def entry_view(request, admin_context):
    """One page per department, region and year: every indicator of the department, one line
    each; only figures neither approved nor locked are fields."""
    filter_form = _entry_filter(request, request.GET, permission="indicators.change_actual")
    context = {**admin_context, "title": _("数据填报"), "filter_form": filter_form}
    if not filter_form.is_valid():
        return TemplateResponse(request, "admin/indicators/actual/entry.html", context)

    department, region, year = _chosen(request, filter_form)
    lines = entry_lines(request.user, department=department, region=region, year=year)
    typed, problems = {}, {}
    if request.method == "POST":
        formset = EntryFormSet(request.POST, prefix="entry")
        rows, typed, problems = _posted_rows(formset, lines)
        if not problems:
            save = actual_submit if "_submit" in request.POST else actual_save
            result = save(user=request.user, region=region, year=year, rows=rows)
            if result.ok:
                messages.success(request, _saved_message(request, len(result.saved)))
                return redirect(entry_url(department, region, year))
            problems = result.errors
        codes = [line.indicator.code for line in lines if line.indicator.pk in problems]
        messages.error(
            request,
            _("有 %(n)d 项未通过检查(%(codes)s),本页所有数值均未保存,请修改后重试。")
            % {"n": len(problems), "codes": pgettext("list separator", "、").join(codes)},
        )
    # The page as it stands now, with what was typed kept: an indicator assigned, approved
    # or locked since the page was read shows as it is now.
    open_lines = [line for line in lines if line.is_open]
    formset = EntryFormSet(
        initial=[{**line.initial, **typed.get(line.indicator.pk, {})} for line in open_lines],
        prefix="entry",
    )
    for line, form in zip(open_lines, formset.forms, strict=True):
        line.form = form
    for line in lines:
        line.errors = problems.get(line.indicator.pk, [])
    query = urlencode({"department": department.pk, "region": region.pk, "year": year})
    context.update(
        department=department,
        region=region,
        year=year,
        lines=lines,
        formset=formset,
        has_open=bool(open_lines),
        base_year_plans=sorted(
            {line.indicator.plan.title for line in lines if year < line.indicator.plan.period_start}
        ),
        template_url=f"{reverse('admin:indicators_actual_entry_template')}?{query}",
    )
    return TemplateResponse(request, "admin/indicators/actual/entry.html", context)


def _saved_message(request, count):
    if not count:
        return _("没有需要保存的修改。")
    if "_submit" in request.POST:
        return _("已提交 %(n)d 项,等待审核。") % {"n": count}
    return _("已保存 %(n)d 项草稿。") % {"n": count}


def entry_template_view(request):
    """An XLSX to fill in offline: one row per indicator of the department and year."""
    filter_form = _entry_filter(request, request.GET, permission="indicators.import_actual")
    if not filter_form.is_valid():
        return HttpResponseBadRequest(_("请选择责任单位和年份。"))
    department, region, year = _chosen(request, filter_form)
    lines = entry_lines(request.user, department=department, region=region, year=year)
    content = entry_template_workbook(lines, region=region, year=year)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"entry-{department.pk}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------
# The clerk's work list


class WorkListForm(forms.Form):
    default_renderer = PLAIN_WIDGETS
    department = ListedModelChoiceField(queryset=None, label=gettext_lazy("责任单位"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


def worklist_view(request, admin_context):
    """A clerk's work: every plan, region and year of the department open for entry, with
    where its figures stand, the deadline, and the figures sent back first."""
    if not request.user.has_perm("indicators.change_actual"):
        raise PermissionDenied
    departments = departments_for_entry(request.user, Department.objects.select_related("region"))
    own = department_of(request.user)
    form = WorkListForm(
        request.GET or ({"department": own.pk} if own else None), departments=departments
    )
    context = {**admin_context, "title": _("填报工作清单"), "form": form}
    if form.is_valid():
        department = form.cleaned_data["department"]
        rows, returned = work_list(department, today=timezone.localdate())
        context.update(
            department=department,
            rows=[(row, entry_url(department, row.region, row.year)) for row in rows],
            returned=[(a, entry_url(department, a.region, a.year)) for a in returned],
        )
    return TemplateResponse(request, "admin/indicators/actual/worklist.html", context)


# ---------------------------------------------------------------------------------------------
# The reviewer's queue

QUEUE_PAGE_SIZE = 50


class QueueFilterForm(forms.Form):
    default_renderer = PLAIN_WIDGETS
    plan = ListedModelChoiceField(queryset=None, label=gettext_lazy("规划"), required=False)
    department = ListedModelChoiceField(
        queryset=None, label=gettext_lazy("责任单位"), required=False
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("年份"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, submitted, **kwargs):
        """`submitted`: the figures in the reviewer's scope waiting for review."""
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(
            pk__in=submitted.values("indicator__plan")
        ).order_by("region__code", "period_start", "slug")
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=submitted.values("indicator__department")
        ).select_related("region")
        years = submitted.order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [("", "---------"), *((y, y) for y in years)]


def _queue_decision(request):
    """Apply the reviewer's approval or return to the figures ticked, each as the version
    the page showed; says how it went."""
    ids = [int(pk) for pk in request.POST.getlist("pick") if pk.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要审核的数值。"))
        return
    picked = list(scope_actuals(Actual.objects.filter(pk__in=ids), request.user))
    for actual in picked:
        posted = request.POST.get(f"version-{actual.pk}", "")
        actual.version = int(posted) if posted.isdigit() else 0  # unseen: refused as stale
    try:
        if "_return" in request.POST:
            n = actual_return(
                user=request.user, actuals=picked, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已退回 %(n)d 项。") % {"n": n})
        else:
            n = actual_approve(user=request.user, actuals=picked)
            messages.success(request, _("已审核通过 %(n)d 项。") % {"n": n})
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text or _("您无权审核所选数值。"))


def review_view(request, admin_context):
    """Every submitted figure in the reviewer's scope, with what it would do to its
    indicator; approve or return them in bulk."""
    if not request.user.has_perm("indicators.review_actual"):
        raise PermissionDenied
    if request.method == "POST":
        _queue_decision(request)
        return redirect(request.get_full_path())
    submitted = review_queue(request.user)
    filters = QueueFilterForm(request.GET or None, submitted=submitted)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    queue = review_queue(
        request.user,
        plan=chosen.get("plan"),
        department=chosen.get("department"),
        year=chosen.get("year"),
        within=submitted,
    )
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin_context,
        "title": _("审核队列"),
        "filters": filters,
        "page": page,
        "lines": review_lines(request.user, list(page.object_list)),
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/indicators/actual/review.html", context)
