from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.scope import department_of, departments_for_entry, entry_regions, region_allowed
from regions.models import Department, Region

from .forms import EntryFilterForm, EntryFormSet
from .selectors import entry_lines
from .services.actuals import EntryRow, actual_save, actual_submit
from .spreadsheets import entry_template_workbook


def _entry_regions(department):
    return entry_regions(department, Region.objects.all())


def _entry_filter(request, data, *, permission):
    """The department / year / region choice of the entry pages, for a user who holds
    `permission`: the departments they may open, their own first chosen."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    departments = departments_for_entry(request.user, Department.objects.select_related("region"))
    own = department_of(request.user)
    return EntryFilterForm(
        data,
        initial={"department": own.pk if own else None},
        departments=departments,
        regions_for=_entry_regions,
    )


def _chosen(request, filter_form):
    """(department, region, year) of a valid choice; the region must be the user's to work in."""
    department = filter_form.cleaned_data["department"]
    region = filter_form.cleaned_data["region"] or department.region
    if not region_allowed(request.user, region):
        raise PermissionDenied
    return department, region, filter_form.cleaned_data["year"]


def entry_view(request, admin_context):
    """One page per department and year: every indicator of the department, one line each."""
    filter_form = _entry_filter(request, request.GET or None, permission="indicators.change_actual")
    context = {**admin_context, "title": _("数据填报"), "filter_form": filter_form}
    if not filter_form.is_valid():
        return TemplateResponse(request, "admin/indicators/actual/entry.html", context)

    department, region, year = _chosen(request, filter_form)
    lines = entry_lines(request.user, department=department, region=region, year=year)
    by_indicator = {line.indicator.pk: line for line in lines}
    formset = EntryFormSet(
        request.POST or None, initial=[line.initial for line in lines], prefix="entry"
    )
    if request.method == "POST" and formset.is_valid():
        rows = []
        for form in formset:
            line = by_indicator.get(form.cleaned_data["indicator"])
            if line is None:
                raise PermissionDenied
            data = form.cleaned_data
            rows.append(
                EntryRow(
                    indicator=line.indicator,
                    text=data["text"],
                    note=data["note"],
                    qualitative_status=data["qualitative_status"],
                    evidence=data["evidence"],
                    version=data["version"],
                )
            )
        save = actual_submit if "_submit" in request.POST else actual_save
        result = save(user=request.user, region=region, year=year, rows=rows)
        if result.ok:
            messages.success(request, _saved_message(request, len(result.saved)))
            return redirect(request.get_full_path())
        for form in formset:
            for message in result.errors.get(form.cleaned_data["indicator"], []):
                form.add_error("text", message)
        messages.error(
            request,
            _("有 %(n)d 项未通过检查,本页所有数值均未保存,请修改后重试。")
            % {"n": len(result.errors)},
        )
    context.update(
        department=department,
        region=region,
        year=year,
        lines=list(zip(lines, formset, strict=True)),
        formset=formset,
    )
    return TemplateResponse(request, "admin/indicators/actual/entry.html", context)


def _saved_message(request, count):
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
