from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from . import roles
from .scope import department_of


def landing_url(user):
    """Where a user's work is (roles.landing), as a URL."""
    where = roles.landing([g.name for g in user.groups.all()], is_superuser=user.is_superuser)
    if where == roles.DATA_ENTRY:
        url = reverse("admin:indicators_actual_entry")
        department = department_of(user)
        if department is None:
            return url
        # Figures are reported the year after they happen, as on the department page.
        year = timezone.localdate().year - 1
        return f"{url}?{urlencode({'department': department.pk, 'year': year})}"
    if where == roles.REVIEW_QUEUE:
        return f"{reverse('admin:indicators_actual_changelist')}?status__exact=submitted"
    if where == roles.DASHBOARDS:
        return reverse("dashboards:overview")
    return reverse("admin:index")


@login_required
def landing(request):
    """After login: straight to the page where the user's role works."""
    return redirect(landing_url(request.user))


def permission_denied(request, exception=None):
    """A page a role may not open says so, in the reader's language, with the way back."""
    user = request.user
    context = {
        "roles": "、".join(str(roles.label(g.name)) for g in user.groups.all())
        if user.is_authenticated
        else "",
        "back": landing_url(user) if user.is_authenticated else reverse("admin:login"),
    }
    return TemplateResponse(request, "403.html", context, status=403)
