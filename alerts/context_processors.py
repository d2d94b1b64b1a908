from functools import cache

from .services import unread_warnings, warning_sentence

# The landing pages list this many of the newest unread warnings; the rest are a click away.
SHOWN_UNREAD = 5


def warnings(request):
    """`unread_warning_count` (the navigation's badge) and `unread_warnings`: the newest
    unopened warnings as (warning, sentence). Templates call these; each is one query, made
    once and only if a page shows it: a leader may have hundreds unread, and every page
    carries the badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_warning_count": cache(lambda: unread_warnings(user).count()),
        "unread_warnings": cache(
            lambda: [(w, warning_sentence(w)) for w in unread_warnings(user)[:SHOWN_UNREAD]]
        ),
    }
