from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from qualityplan.form_renderer import PLAIN_WIDGETS, ListedModelChoiceField

from .entry_rules import TEXT_MAX_LENGTH, TEXT_TOO_LONG
from .imports import UploadError, check_upload, too_big_message, upload_limits
from .models import Actual, Indicator


def length_limit():
    return gettext("最多 %(max)d 字") % {"max": TEXT_MAX_LENGTH}


class EntryFilterForm(forms.Form):
    """The department, year and region of an entry page. The year is chosen among those the
    department's plans are open for; none chosen, or one the department has not, opens the
    year now due."""

    default_renderer = PLAIN_WIDGETS
    department = ListedModelChoiceField(queryset=None, label=_("责任单位"))
    year = forms.IntegerField(label=_("年份"), required=False, widget=forms.Select)
    region = ListedModelChoiceField(queryset=None, label=_("区划"), required=False)

    def __init__(self, *args, departments, regions_for, years_for, **kwargs):
        """regions_for(department): the region choices for the chosen (or initial) one;
        years_for(department): its open years (entry_rules.OpenYear) and the year now due."""
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        chosen = self._chosen_department()
        self.fields["region"].queryset = regions_for(chosen)
        self.open_years, self.due_year = years_for(chosen) if chosen else ([], None)
        self.fields["year"].widget.choices = [
            (
                y.year,
                _("%(year)d年(基期)") % {"year": y.year}
                if y.is_base
                else _("%(year)d年") % {"year": y.year},
            )
            for y in reversed(self.open_years)
        ]
        self.initial["year"] = self.due_year
        if self.is_bound and self.data.get("year") not in {str(y.year) for y in self.open_years}:
            # The select shows the year the page opens on.
            self.data = self.data.copy()
            self.data["year"] = self.due_year or ""

    def _chosen_department(self):
        field = self.fields["department"]
        value = self.data.get("department") if self.is_bound else self.initial.get("department")
        try:
            return field.clean(value)
        except forms.ValidationError:
            return None

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is None:
            raise forms.ValidationError(_("该单位目前没有开放填报的年度。"))
        return year


def _long_text(label, *, cols=None, placeholder=None):
    """An optional text of up to TEXT_MAX_LENGTH characters, typed in a small box."""
    attrs = {"rows": 2}
    if cols:
        attrs["cols"] = cols
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs=attrs),
    )


class ActualEntryForm(forms.Form):
    """One indicator's line on the department's data-entry page."""

    default_renderer = PLAIN_WIDGETS  # ~70 widgets on a page: written without templates

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("本年数值"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 12, "placeholder": _("如 98.5、98以上")}),
    )
    qualitative_status = forms.ChoiceField(
        label=_("完成情况"),
        choices=[("", "—"), *Actual.QualitativeStatus.choices],
        required=False,
    )
    evidence = _long_text(_("佐证材料"), cols=28)
    note = _long_text(_("说明"), cols=28)
    explanation = _long_text(
        _("情况说明"), placeholder=_("如:企业关停、统计口径调整、受疫情影响等")
    )
    next_steps = _long_text(_("下一步措施"), placeholder=_("本单位正在或将要采取的措施"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("evidence", "note"):  # the limit, stated where the clerk types
            self.fields[name].widget.attrs["placeholder"] = length_limit()


EntryFormSet = forms.formset_factory(ActualEntryForm, extra=0, renderer=PLAIN_WIDGETS)


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        label=_("原因(退回、解锁时必填)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["placeholder"] = length_limit()


class CheckedImportForm(ImportForm):
    """The admin's upload form, refusing oversized, foreign or malformed files up front."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_big_message(upload.size, settings.IMPORT_MAX_BYTES))
        data = upload.read()
        upload.seek(0)
        try:
            check_upload(upload.name, data, **upload_limits())
        except UploadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class IndicatorChangeForm(forms.ModelForm):
    """Editing a plan's indicator, targets or baselines needs a reason for the history."""

    change_reason = forms.CharField(
        label=_("修改原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("修改已有指标、目标值或基期值时必填,将记入变更记录。"),
    )

    class Meta:
        model = Indicator
        fields = [
            "plan",
            "code",
            "name",
            "category",
            "unit",
            "direction",
            "measure",
            "department",
            "source_ref",
            "source_text",
            "notes",
            "canonical",
            "canonical_note",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("change_reason", "").strip():
            self.add_error("change_reason", _("请填写修改原因。"))
        return cleaned
