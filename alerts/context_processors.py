from django.utils.functional import SimpleLazyObject

from .services import unread_warnings, warning_sentence


def warnings(request):
    """`unread_warnings`: the user's unopened warnings as (warning, sentence), fetched only if
    a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_warnings": SimpleLazyObject(
            lambda: [(w, warning_sentence(w)) for w in unread_warnings(user)]
        )
    }
