from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from . import roles


def landing_url(user):
    """Where a user's work is (roles.landing), as a URL. Reads the role names alone (not
    scope.role_names, which reads the permissions with them): after a login nothing else of
    the user is read."""
    where = roles.landing(
        user.groups.values_list("name", flat=True), is_superuser=user.is_superuser
    )
    if where == roles.DATA_ENTRY:
        return reverse("admin:indicators_actual_worklist")
    if where == roles.REVIEW_QUEUE:
        return reverse("admin:indicators_actual_review")
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
