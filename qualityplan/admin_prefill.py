"""Admin add pages take their first values from the query string (?department=3, as Django's
"add another" links do). A value its form field cannot hold answers 400, instead of failing
while the page draws the field's choices."""

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _


class CheckedPrefill:
    """Mixed into a ModelAdmin before Django's class."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        for name, value in initial.items():
            field = fields.get(name)
            if field is None or value in ("", []):
                continue
            try:
                field.to_python(value)  # a choice of rows looks the value up
            except ValidationError as exc:
                raise BadRequest(_("网址中“%(name)s”的值无效。") % {"name": name}) from exc
        return initial
