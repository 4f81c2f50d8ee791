"""Practices a visitor picks one by one for a printed brief, kept in a signed cookie.

Not in the session: an anonymous visitor's "add to brief" would otherwise create a session
row that nothing ever removes. The cookie holds slugs only (in the order picked), signed so
it cannot be forged into something else and compressed so thirty long slugs fit, and
templates can tell whether a practice is picked without a query (``context_processors``).
"""

from django.conf import settings
from django.core import signing

COOKIE = "brief_picks"
SALT = "practices.picks"
# A brief prints one practice per page: beyond this it is a book, not a meeting handout.
MAX_PRACTICES = 30
# Picks are kept for a meeting's preparation, not forever.
MAX_AGE = 60 * 60 * 24 * 90


def picked_slugs(request):
    """The slugs in the request's cookie, in the order picked; [] for a missing, expired or
    tampered cookie."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return []
    try:
        slugs = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError):
        return []
    if not isinstance(slugs, list):
        return []
    return [slug for slug in slugs if isinstance(slug, str)][:MAX_PRACTICES]


class Picks:
    """The picks of one request, changed and then written to its response with ``save``."""

    def __init__(self, request):
        self.slugs = picked_slugs(request)

    def add(self, slug):
        """Add ``slug``; False if the brief is full (it is then left as it was)."""
        if slug in self.slugs:
            return True
        if len(self.slugs) >= MAX_PRACTICES:
            return False
        self.slugs.append(slug)
        return True

    def remove(self, slug):
        self.slugs = [picked for picked in self.slugs if picked != slug]

    def clear(self):
        self.slugs = []

    def save(self, response):
        if not self.slugs:
            response.delete_cookie(COOKIE, samesite="Lax")
            return
        response.set_cookie(
            COOKIE,
            signing.dumps(self.slugs, salt=SALT, compress=True),
            max_age=MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
