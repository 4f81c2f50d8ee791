from django.utils.functional import SimpleLazyObject

from practices.picks import picked_slugs


def picks(request):
    """The slugs picked for the brief, read from the session only if a template asks
    (so pages that do not show them never load the session), and never a practice query."""
    slugs = SimpleLazyObject(lambda: frozenset(picked_slugs(request.session)))
    return {"picked_slugs": slugs, "pick_count": SimpleLazyObject(lambda: len(slugs))}
