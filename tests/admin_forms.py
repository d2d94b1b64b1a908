"""Submit an admin add or change form as a person does: every field as the page shows it,
inlines and their management forms included, with the changes the person makes."""


def _value(bound):
    value = bound.value()
    if value is None or value is False:
        return None  # an empty field or an unticked box sends nothing
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def form_data(page):
    """The POST data of the admin form on `page` (a response to GET) left as it is."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = _value(bound)
            if value is not None:
                data[bound.html_name] = value
    return data


def inline_prefix(page, model):
    """The prefix of the inline of `model` on the page (e.g. "targets")."""
    return next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is model
    )


def submit(client, url, changes):
    """GET the form at `url`, change the fields named in `changes` (None: clear one), POST
    it; returns the response, which must be the redirect of a saved form."""
    data = form_data(client.get(url))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url, data)
    errors = getattr(response, "context", None) and response.context.get("errors")
    assert response.status_code == 302, f"the form was refused: {errors}"
    return response
