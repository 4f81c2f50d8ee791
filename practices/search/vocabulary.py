"""The thesaurus and the vocabularies' names, as the query compiler's matchers, per process.

Built from the database (``ThesaurusEntry`` rows; the names of countries and their regions,
GCM objectives, guiding principles, themes, organisations and meetings) and rebuilt when
the search index token changes, which every edit of those rows does
(``practices.search.indexing``): a curator's thesaurus change takes effect on the next
search, in every process.
"""

from practices.data.country_names import CAPITALS, COUNTRY_NAMES
from practices.models import (
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Theme,
    ThesaurusEntry,
)
from practices.search import semantic
from practices.search.compiler import Named, Thesaurus, Vocabulary
from practices.search.per_process import PerProcess

# Regions as researchers name them, beside the UN M49 names (Country.region, sub_region,
# intermediate_region): {name typed: M49 name}.
REGION_NAMES = {
    "african": "Africa",
    "asian": "Asia",
    "european": "Europe",
    "latin america": "Latin America and the Caribbean",
    "latin american": "Latin America and the Caribbean",
    "north america": "Northern America",
    "north africa": "Northern Africa",
    "west africa": "Western Africa",
    "east africa": "Eastern Africa",
    "central africa": "Middle Africa",
    "southeast asia": "South-eastern Asia",
    "south east asia": "South-eastern Asia",
    "south asia": "Southern Asia",
    "east asia": "Eastern Asia",
    "middle east": "Western Asia",
    "pacific islands": "Oceania",
    "pacific": "Oceania",
}
# Groups of countries that no M49 area matches, as researchers name them: (label, ISO 3166
# alpha-3 codes, names typed). Membership as the groups' own treaties or usage define it.
COUNTRY_GROUPS = [
    (
        "the Gulf (GCC)",
        ("ARE", "BHR", "KWT", "OMN", "QAT", "SAU"),
        ["gulf", "the gulf", "gulf states", "gulf countries", "persian gulf", "arabian gulf", "gcc"],
    ),
    ("the Maghreb", ("DZA", "LBY", "MAR", "MRT", "TUN"), ["maghreb", "maghrebi"]),
    ("the Sahel (G5)", ("BFA", "MLI", "MRT", "NER", "TCD"), ["sahel", "sahelian"]),
    ("the Horn of Africa", ("DJI", "ERI", "ETH", "SOM"), ["horn of africa"]),
    ("the Northern Triangle", ("GTM", "HND", "SLV"), ["northern triangle"]),
    ("the Benelux", ("BEL", "LUX", "NLD"), ["benelux"]),
    ("the Western Balkans", ("ALB", "BIH", "MKD", "MNE", "SRB"), ["western balkans", "balkans"]),
    ("the Andean countries", ("BOL", "COL", "ECU", "PER"), ["andean countries", "andean"]),
    ("the Southern Cone", ("ARG", "CHL", "PRY", "URY"), ["southern cone"]),
]


class Matchers(PerProcess):
    """The thesaurus and the names, kept per process (``Matchers.current(token)``), and the
    GCM objectives a query may name by meaning (``semantic.NamedByMeaning``)."""

    def __init__(self, thesaurus, vocabulary, by_meaning=None):
        self.thesaurus = thesaurus
        self.vocabulary = vocabulary
        self.by_meaning = by_meaning or semantic.NamedByMeaning([], [])

    @classmethod
    def build(cls):
        objectives = objective_names()
        by_meaning = semantic.NamedByMeaning(
            [named for _, _, named in objectives], [title for title, _, _ in objectives]
        )
        return cls(Thesaurus(ThesaurusEntry.objects.as_rules()), build_vocabulary(objectives), by_meaning)


def objective_names():
    """(title, short label, Named) of each GCM objective: named by words and by meaning."""
    return [
        (title, label, Named("objective", (str(number),), f"GCM objective {number}: {label}"))
        for number, title, label in GcmObjective.objects.values_list("number", "title", "short_label")
    ]


def build_vocabulary(objectives):
    names, titles = [], []
    countries = list(
        Country.objects.values_list("iso3", "name", "region", "sub_region", "intermediate_region")
    )
    places = {}  # {M49 name: (facet, values)}
    for iso3, name, region, sub_region, intermediate in countries:
        named = Named("country", (iso3,), f"Country: {name}")
        names.append((name, named))
        names += [(other, named) for other in (*COUNTRY_NAMES.get(iso3, ()), *CAPITALS.get(iso3, ()))]
        places.setdefault(region, ("region", {region.lower()}))
        for area in (sub_region, intermediate):
            if area:
                places.setdefault(area, ("country", set()))[1].add(iso3)
    for area, (facet, values) in places.items():
        label = f"Region: {area}" if facet == "region" else f"Countries of {area}"
        places[area] = Named(facet, tuple(sorted(values)), label)
        names.append((area, places[area]))
    names += [(typed, places[area]) for typed, area in REGION_NAMES.items() if area in places]
    known = {iso3 for iso3, *_ in countries}
    for label, members, typed_names in COUNTRY_GROUPS:
        if present := tuple(iso3 for iso3 in members if iso3 in known):
            named = Named("country", present, f"Countries of {label}")
            names += [(typed, named) for typed in typed_names]

    for title, label, named in objectives:
        names += [(label, named), (title, named)]
        titles.append((title, named))
    for slug, name in GuidingPrinciple.objects.values_list("slug", "name"):
        names.append((name, Named("principle", (slug,), f"Guiding principle: {name}")))
    for slug, name in Theme.objects.values_list("slug", "name"):
        names.append((name, Named("theme", (slug,), f"Theme: {name}")))
    for slug, name, acronym in Organisation.objects.values_list("slug", "name", "acronym"):
        named = Named("organisation", (slug,), f"{name} ({acronym})" if acronym else name)
        names.append((name, named))
        if acronym:
            names.append((acronym, named))
    for slug, name in Meeting.objects.values_list("slug", "name"):
        names.append((name, Named("meeting", (slug,), f"Meeting: {name}")))
    return Vocabulary(names=names, titles=titles)
