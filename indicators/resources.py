"""django-import-export resources: the actuals upload (admin and command share it)."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.results import InvalidRow, Result, RowResult

from .imports import (
    COLUMN_LABELS,
    COLUMNS,
    ImportProblem,
    canonical_header,
    file_problems,
    resolve_row,
    sheet_row,
)
from .models import Actual
from .services.actuals import actual_import_row
from .services.baselines import baseline_import_row
from .services.runs import results_touched

# The kind of row an upload stored as a baseline (基期值), counted apart from the actuals.
BASELINE = "baseline"


log = logging.getLogger(__name__)


class ImportResult(Result):
    """The result of an upload, with the file's own headings (to say where a problem is), the
    problems that refused the whole file before any row was read, and the rows stored as
    baselines counted apart (totals["baseline"])."""

    def __init__(self, headings=(), refusals=()):
        super().__init__()
        self.headings, self.refusals = list(headings), list(refusals)
        self.totals[BASELINE] = 0

    def has_errors(self):
        return bool(self.refusals) or super().has_errors()

    @property
    def problems(self):
        return import_errors(self)

    def append_invalid_row(self, number, row, validation_error):
        """Keeps the refused row's cells by column (the library keys them by the headings
        of its preview, which here are words, not the file's columns)."""
        self.invalid_rows.append(
            InvalidRow(number=number, validation_error=validation_error, values=dict(row))
        )

    def refused_rows(self):
        """The file's headings and, per refused row, its spreadsheet row and its cells as
        typed (blank for an empty cell)."""
        columns = [canonical_header(h) for h in self.headings]
        rows = [
            (
                sheet_row(invalid.number),
                ["" if invalid.values.get(c) is None else invalid.values[c] for c in columns],
            )
            for invalid in self.invalid_rows
        ]
        return [str(h) for h in self.headings], rows


class ActualImportResource(resources.ModelResource):
    """Rows of `plan, indicator, region, year, value, note` and optionally `explanation,
    next_steps`; all rows or none are written. A row for a year before the plan period is
    the indicator's baseline (基期值)."""

    plan = Field(attribute="indicator__plan__slug", column_name="plan", readonly=True)
    indicator = Field(attribute="indicator__code", column_name="indicator", readonly=True)
    region = Field(attribute="region__code", column_name="region", readonly=True)
    year = Field(attribute="year", column_name="year", readonly=True)
    value = Field(attribute="raw", column_name="value", readonly=True)
    note = Field(attribute="note", column_name="note", readonly=True)
    explanation = Field(attribute="explanation", column_name="explanation", readonly=True)
    next_steps = Field(attribute="next_steps", column_name="next_steps", readonly=True)
    status = Field(attribute="status", column_name="status", readonly=True)

    class Meta:
        model = Actual
        fields = [*COLUMNS, "status"]
        import_id_fields = []
        use_transactions = True
        clean_model_instances = False
        store_instance = True

    def __init__(self, approve=False, entered_by=None, **kwargs):
        super().__init__(**kwargs)
        self.approve, self.entered_by = approve, entered_by

    def get_user_visible_fields(self):
        return [f for f in super().get_user_visible_fields() if f.column_name != "status"]

    def get_result_class(self):
        return ImportResult

    def get_diff_class(self):
        return ChangeDiff

    def get_diff_headers(self):
        return [_heading(f.column_name) for f in self.get_import_fields()]

    def import_data(self, dataset, **kwargs):
        """A file with a problem of its own (no headings, a column missing) is refused whole,
        before any row; otherwise every row is checked and all or none are written."""
        headings = list(dataset.headers or [])
        refusals = file_problems(headings, len(dataset), max_rows=settings.IMPORT_MAX_ROWS)
        if refusals:
            return ImportResult(headings, refusals)
        result = super().import_data(dataset, **kwargs)
        result.headings = headings
        unexpected = [e for _n, errors in result.row_errors() for e in errors]
        # For the log only: import_errors tells the clerk in plain words.
        for error in [*result.base_errors, *unexpected]:
            log.error("Upload not stored (row %s)", error.number, exc_info=error.error)
        return result

    def before_import(self, dataset, **kwargs):
        dataset.headers = [canonical_header(h) for h in dataset.headers]
        self.user, self._seen, self._resolved = kwargs["user"], {}, None

    def before_import_row(self, row, **kwargs):
        row["_row_number"] = kwargs.get("row_number")
        self._resolved = resolve_row(
            self.user, row, approve=self.approve, seen=self._seen, entered_by=self.entered_by
        )

    def get_or_init_instance(self, instance_loader, row):
        r = self._resolved
        if r.existing is not None:
            return r.existing, False
        return Actual(indicator=r.indicator, region=r.region, year=r.year), True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self._resolved.skip and not import_validation_errors

    def import_instance(self, instance, row, **kwargs):
        r = self._resolved
        if r.errors:
            raise ValidationError({column: messages for column, messages in r.errors.items()})

    def do_instance_save(self, instance, is_create):
        if self._resolved.baseline is not None:
            baseline_import_row(user=self.user, row=self._resolved)
        else:
            actual_import_row(
                user=self.user,
                actual=instance,
                row=self._resolved,
                approve=self.approve,
                entered_by=self.entered_by,
            )

    def after_import_row(self, row, row_result, **kwargs):
        if self._resolved.baseline is not None and row_result.import_type in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        ):
            row_result.import_type = BASELINE

    def after_import(self, dataset, result, **kwargs):
        """Recompute the indicators of the baselines stored and, imported with approval, of
        the figures approved."""
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        touched = {
            row.instance.indicator_id
            for row in result.rows
            if getattr(row, "instance", None) is not None
            and (self.approve or row.import_type == BASELINE)
        }
        if touched:
            results_touched(
                indicator_ids=touched, scope="导入并审核" if self.approve else "导入基期值"
            )


def import_errors(result):
    """Every problem of an import result, as ImportProblems in the order of the file. What
    failed unexpectedly (logged with its traceback) is said in general words, never with an
    exception's or the database's message."""
    positions = {}
    for position, heading in enumerate(result.headings, 1):
        positions.setdefault(canonical_header(heading), (position, str(heading)))
    problems = list(result.refusals)
    if result.base_errors:
        problems.append(ImportProblem(_("导入失败,未导入任何数据;请稍后重试或联系系统管理员。")))
    for number, _errors in result.row_errors():
        problems.append(
            ImportProblem(
                _("该行无法保存,请检查各单元格的内容;本文件未导入任何数据。"),
                row=sheet_row(number),
            )
        )
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            position, heading = positions.get(column, (None, ""))
            problems += [
                ImportProblem(m, row=sheet_row(invalid.number), column=position, heading=heading)
                for m in messages
            ]
    return sorted(problems, key=lambda p: (p.row or 0, p.column or 0))


def _heading(column):
    """A column of the preview as a person reads it: the template's heading, in their
    language."""
    if column == "status":
        return _("状态")
    return _(COLUMN_LABELS.get(column, column))


class ChangeDiff(resources.Diff):
    """An upload's preview: each field as it will be, and "old → new" where a row changes a
    stored figure; blank stays blank, a status is said by its name."""

    def __init__(self, resource, instance, new):
        self.left = self._fields_said(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self._fields_said(resource, instance)

    @staticmethod
    def _fields_said(resource, instance):
        values = []
        for f in resource.get_import_fields():
            value = f.export(instance) if instance is not None else ""
            if f.attribute == "status" and value:
                value = Actual.Status(value).label
            values.append("" if value is None else str(value))
        return values

    def as_html(self):
        cells = []
        for old, new in zip(self.left, self.right, strict=True):
            if self.new or old == new:
                cells.append(new)
            else:
                cells.append(
                    format_html(
                        '<span class="old">{}</span> → <span class="new">{}</span>',
                        old or "—",
                        new or "—",
                    )
                )
        return cells
