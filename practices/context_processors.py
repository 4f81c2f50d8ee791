from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from practices.picks import picked_slugs


def picks(request):
    """The slugs picked for the brief, read from their cookie only if a template asks,
    and never a practice query.

    ``pick_url`` is where every "add to brief" button posts: reversed once per page rather
    than once per button (a search page has up to 100).
    """
    slugs = SimpleLazyObject(lambda: frozenset(picked_slugs(request)))
    return {
        "picked_slugs": slugs,
        "pick_count": SimpleLazyObject(lambda: len(slugs)),
        "pick_url": reverse("practices:pick"),
        "pick_next": request.get_full_path(),  # where each button returns to
    }
