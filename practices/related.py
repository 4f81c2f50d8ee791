"""Related practices: the published practices sharing most with one, and what they share.

Scored over the per-process facet index (``practices.search.facets``), which already holds,
for every objective, theme, organisation and country, the bitset of the published
practices that have it: the practice's own few values are unpacked and added up per
practice, then the best few are read from the database in one query. What each shares is
a bit test against those same bitsets, named from the practice's own prefetched links.

Countries count for less and at most three: a regional agreement shares countries with
every national practice of the region without being about the same thing.
"""

import numpy as np

from practices.filters import PracticeFilter
from practices.models import Practice, SearchIndexVersion, facet_key
from practices.search.bits import is_member
from practices.search.facets import FacetIndex

WEIGHTS = {"objective": 2, "theme": 2, "organisation": 2, "country": 1}
MAX_COUNTRY_POINTS = 3
REASONS = {
    "objective": "GCM objectives",
    "theme": "themes",
    "organisation": "organisations",
    "country": "countries",
}


def _members(index, bits):
    """A 0/1 array over practice ids: which are in the bitset ``bits``."""
    packed = np.frombuffer(index.bytes_of(bits), dtype=np.uint8)
    return np.unpackbits(packed, bitorder="little")[: index.size].astype(np.int32)


def related_practices(practice, limit=4):
    """Up to ``limit`` published practices most like ``practice``, each with ``.reasons``:
    [(what, [names])], e.g. [("GCM objectives", ["5. Regular pathways"])].

    Reads the practice's own links from its prefetched relations (country_links,
    objective_links, themes, organisations).
    """
    objectives = sorted((link.objective for link in practice.objective_links.all()), key=lambda o: o.number)
    own = {
        "objective": {facet_key("objective", o.number): str(o) for o in objectives},
        "theme": {facet_key("theme", t.slug): t.name for t in practice.themes.all()},
        "organisation": {facet_key("organisation", o.slug): str(o) for o in practice.organisations.all()},
        "country": {
            facet_key("country", link.country.iso3): link.country.name
            for link in practice.country_links.all()
        },
    }
    index = FacetIndex.current(SearchIndexVersion.current_token(), PracticeFilter.SORT_FIELDS)
    if not index.size:
        return []
    score = np.zeros(index.size, dtype=np.int32)
    for facet, values in own.items():
        shared = sum((_members(index, index.having([key])) for key in values), np.zeros(index.size, np.int32))
        if facet == "country":
            shared = np.minimum(shared, MAX_COUNTRY_POINTS)
        score += WEIGHTS[facet] * shared
    if practice.pk < index.size:
        score[practice.pk] = 0
    candidates = np.flatnonzero(score)
    if not len(candidates):
        return []
    title_order = np.zeros(index.size, dtype=np.int64)
    title_order[index.ids] = np.arange(len(index.ids))
    best = candidates[np.lexsort((title_order[candidates], -score[candidates]))][:limit].tolist()

    by_id = Practice.objects.only("slug", "title").in_bulk(best)
    related = [by_id[pk] for pk in best if pk in by_id]
    members = {key: index.bytes_of(index.having([key])) for values in own.values() for key in values}
    for other in related:
        reasons = []
        for facet, values in own.items():
            names = [name for key, name in values.items() if is_member(members[key], other.pk)]
            if names:
                reasons.append((REASONS[facet], sorted(names) if facet == "country" else names))
        other.reasons = reasons
    return related
