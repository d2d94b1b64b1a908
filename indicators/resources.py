"""django-import-export resources: the actuals upload (admin and command share it)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import resources
from import_export.fields import Field
from import_export.results import InvalidRow, Result

from .imports import COLUMN_LABELS, COLUMNS, canonical_header, resolve_row
from .models import Actual
from .services.actuals import actual_import_row


class ActualImportResource(resources.ModelResource):
    """Rows of `plan, indicator, region, year, value, note`; all rows or none are written."""

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

    def get_user_visible_fields(self):
        return [f for f in super().get_user_visible_fields() if f.column_name != "status"]

    def get_result_class(self):
        return UploadResult

    def get_diff_class(self):
        return ChangeDiff

    def get_diff_headers(self):
        return [_heading(f.column_name) for f in self.get_import_fields()]

    def before_import(self, dataset, **kwargs):
        if len(dataset) > settings.IMPORT_MAX_ROWS:
            raise ValueError(
                _("行数(%(n)d)超过上限 %(max)d 行,请分批上传。")
                % {"n": len(dataset), "max": settings.IMPORT_MAX_ROWS}
            )
        dataset.headers = [canonical_header(h) for h in dataset.headers]
        missing = [c for c in ("plan", "indicator", "year", "value") if c not in dataset.headers]
        if missing:
            separator = pgettext("list separator", "、")
            names = separator.join(f"{c}({COLUMN_LABELS[c]})" for c in missing)
            raise ValueError(_("表格缺少必需的列:%(names)s。") % {"names": names})
        self.user, self._seen, self._resolved = kwargs["user"], {}, None

    def before_import_row(self, row, **kwargs):
        row["_row_number"] = sheet_row(kwargs.get("row_number"))
        self._resolved = resolve_row(self.user, row, seen=self._seen)

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
        actual_import_row(user=self.user, actual=instance, row=self._resolved)

    def after_import(self, dataset, result, **kwargs):
        result.columns = list(dataset.headers or [])


def sheet_row(number):
    """The spreadsheet's row of the `number`th data row: its heading is row 1."""
    return None if number is None else number + 1


def _heading(column):
    """A column as a person reads it: the template's heading, in their language."""
    if column == "status":
        return _("状态")
    return _(COLUMN_LABELS.get(column, column))


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an upload, where the clerk finds it in the file."""

    row: int | None  # the spreadsheet's row (the heading is row 1); None: the whole file
    column: int | None  # the column's position in the file, from 1
    heading: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column is None:
            return _("第%(row)d行:%(message)s") % {"row": self.row, "message": self.message}
        return _("第%(row)d行 第%(column)d列(%(heading)s):%(message)s") % {
            "row": self.row,
            "column": self.column,
            "heading": self.heading,
            "message": self.message,
        }


class UploadResult(Result):
    """An import's result that knows the file's columns, to say where each problem is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = []  # the file's headings as column codes, in the file's order

    def append_invalid_row(self, number, row, validation_error):
        """Keeps the refused row's cells by column (the library keys them by the headings
        of its preview, which here are words, not the file's columns)."""
        self.invalid_rows.append(
            InvalidRow(number=number, validation_error=validation_error, values=dict(row))
        )

    def problems(self):
        """Every problem as an ImportProblem, in row and column order."""
        position = {column: n for n, column in enumerate(self.columns, 1)}
        found = [ImportProblem(None, None, "", str(e.error)) for e in self.base_errors]
        for number, errors in self.row_errors():
            found += [ImportProblem(sheet_row(number), None, "", str(e.error)) for e in errors]
        for invalid in self.invalid_rows:
            for column, messages in invalid.error_dict.items():
                where = None if column == NON_FIELD_ERRORS else column
                found += [
                    ImportProblem(
                        sheet_row(invalid.number),
                        position.get(where),
                        _heading(where) if where else "",
                        str(m),
                    )
                    for m in messages
                ]
        return sorted(found, key=lambda p: (p.row or 0, p.column or 0))

    def refused_rows(self):
        """The file's headings and, per refused row, its spreadsheet row and its cells as
        typed (blank for an empty cell)."""
        headings = [_heading(c) for c in self.columns]
        rows = [
            (
                sheet_row(invalid.number),
                ["" if invalid.values.get(c) is None else invalid.values[c] for c in self.columns],
            )
            for invalid in self.invalid_rows
        ]
        return headings, rows


def import_errors(result):
    """Every problem of an import result (ImportProblem), row and column order."""
    return result.problems()


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
