"""A form renderer that writes the common widgets in Python: the same markup as Django's
widget templates, without a template render per widget (and per option of a select).

A page with many fields (the entry page: ~70 widgets) spent about half its time rendering
them through templates. Forms opt in with `default_renderer = PLAIN_WIDGETS` (a formset with
`formset_factory(..., renderer=PLAIN_WIDGETS)`). Only the templates below are written here,
each as Django 5.2's own template writes it (pinned in tests/qualityplan/test_form_renderer.py);
any other template (forms, fields, other widgets) is rendered by the templates as before.

ListedModelChoiceField: a model choice field whose few choices are read once, with a plain
query, and a value chosen is looked up among them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in ("input", "text", "hidden", "number", "email", "url", "password", "search", "tel")
}


def _value(value):
    """What `{{ value }}` writes."""
    return conditional_escape(localize(value))


def _formatted(value):
    """What `{{ value|stringformat:'s' }}` writes."""
    return str(value) if isinstance(value, SafeData) else escape(value)


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_value(name)}" if value is True else f' {_value(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget):
    value = _value(widget["value"]) if widget["value"] else ""
    name = _value(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option):
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_value(option['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_value(group_name)}">')
        for option in options:
            if option["template_name"] != f"{WIDGETS}select_option.html":
                raise _NotPlain
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _NotPlain(Exception):
    """A widget this renderer does not write itself."""


WRITERS = {
    **dict.fromkeys(INPUTS, _input),
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class PlainWidgets(DjangoTemplates):
    """Django's default form renderer, with the common widgets written in Python."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None and set(context) == {"widget"}:
            try:
                return mark_safe(writer(context["widget"]))
            except _NotPlain:
                pass
        return super().render(template_name, context, request=request)


PLAIN_WIDGETS = PlainWidgets()


class ListedChoiceIterator(ModelChoiceIterator):
    """ModelChoiceIterator over its field's choices read once (ListedModelChoiceField.rows):
    Django's reads the queryset with queryset.iterator(), on PostgreSQL a server-side cursor
    (DECLARE, FETCH, CLOSE) on each render, a waste for the few dozen choices of a filter
    form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for a short list of choices: `rows`, the queryset read once per form
    with one plain query, gives the choices rendered and the one a value names (Django's asks
    the database again with queryset.get() each time a value is cleaned)."""

    iterator = ListedChoiceIterator

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.__dict__.pop("rows", None)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    @cached_property
    def rows(self):
        return list(self.queryset)

    def to_python(self, value):
        """The row the value names, as ModelChoiceField.to_python finds it, among `rows`."""
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        if isinstance(value, model):
            value = key.value_from_object(value)
        try:
            wanted = key.to_python(value)
        except (ValueError, TypeError, ValidationError):
            wanted = None
        if wanted is not None:
            for row in self.rows:
                if key.value_from_object(row) == wanted:
                    return row
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )
