"""Admin add pages take their first values from the query string (?department=3, as Django's
"add another" links do). A value the field cannot hold answers 400, instead of failing while
the page draws the field's choices."""

from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _


class CheckedPrefill:
    """Mixed into a ModelAdmin before Django's class."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in initial.items():
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            target = field.target_field if field.is_relation else field
            try:
                for each in value if isinstance(value, list) else [value]:
                    target.to_python(each)
            except ValidationError as exc:
                raise BadRequest(_("网址中“%(name)s”的值无效。") % {"name": name}) from exc
        return initial
