"""Practices a visitor picks one by one for a printed brief, kept in their session.

The session holds slugs only (in the order picked), so templates can tell whether a
practice is picked without a query (see ``context_processors.picks``).
"""

SESSION_KEY = "brief_picks"
# A brief prints one practice per page: beyond this it is a book, not a meeting handout.
MAX_PRACTICES = 30


def picked_slugs(session):
    value = session.get(SESSION_KEY, [])
    if not isinstance(value, list):
        return []
    return [slug for slug in value if isinstance(slug, str)]


def add(session, slug):
    """Add ``slug``; False if the brief is full (it is then left as it was)."""
    slugs = picked_slugs(session)
    if slug in slugs:
        return True
    if len(slugs) >= MAX_PRACTICES:
        return False
    session[SESSION_KEY] = [*slugs, slug]
    return True


def remove(session, slug):
    session[SESSION_KEY] = [picked for picked in picked_slugs(session) if picked != slug]


def clear(session):
    session.pop(SESSION_KEY, None)
