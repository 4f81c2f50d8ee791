"""Former addresses of practices: a permanent link survives a change of title and slug.

When a practice's slug changes, the address it leaves is kept as a ``FormerSlug`` and
``/practices/<former slug>/`` (and its citation downloads) redirect permanently to the
current address. The admin calls ``record_slug_change`` after every save of a practice;
there is no signal and ``Practice.save()`` stays a one-row affair (see STYLE.md).
"""

from practices.models import FormerSlug


def record_slug_change(practice, previous_slug):
    """Remember ``previous_slug`` as a former address of ``practice`` (already saved).

    The current slug is never a former one: when a practice takes back an old address (a
    revert in the admin, say) that row goes, and the address it leaves takes its place.
    """
    FormerSlug.objects.filter(slug=practice.slug).delete()
    if previous_slug and previous_slug != practice.slug:
        FormerSlug.objects.update_or_create(slug=previous_slug, defaults={"practice": practice})


def current_slugs(slugs):
    """Map each of ``slugs`` that is a former address to its practice's current slug (one query)."""
    return dict(FormerSlug.objects.filter(slug__in=slugs).values_list("slug", "practice__slug"))
