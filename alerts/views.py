from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from .services import warning_sentence, warnings_open


@login_required
def warning_list(request):
    """A user's warnings, newest first; the ones not opened before are marked, and now read."""
    rows = [(w, warning_sentence(w)) for w in warnings_open(request.user)]
    return TemplateResponse(request, "alerts/warnings.html", {"rows": rows})
