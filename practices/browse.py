"""What the browse pages show: the published practices of one vocabulary value (a country,
a region, an objective…), counted and listed, and the same set as a search, an export and a
brief.

Counts come from the search's facet index (``practices.search.facets``): the practices
of ``country:MEX`` are the bitset the search page filters ``?country=MEX`` with, so a
browse page's count is the number the search shows, and counting costs no query. A page
of practices is one query; the index's version token another.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.urls import reverse

from practices.filters import REGIONS, PracticeFilter
from practices.models import Practice, SearchIndexVersion
from practices.search import indexing
from practices.search.facets import FacetIndex

PER_PAGE = 50
# What a listed practice shows: title, summary, period, type, countries (``listing``).
LISTED_FIELDS = [
    "slug",
    "title",
    "summary_html",
    "start_year",
    "end_year",
    "ongoing",
    "practice_type",
    "scope",
    "listing",
]
REGION_SLUGS = {region.lower(): region for region in REGIONS}


def facet_index():
    """The process's facet index, current with the database (one query: the token)."""
    indexing.flush()  # this transaction's own writes, if any, first
    return FacetIndex.current(SearchIndexVersion.current_token(), PracticeFilter.SORT_FIELDS)


def search_links(querystring):
    """The search page, exports and brief of a search, as {name: URL}."""
    suffix = f"?{querystring}" if querystring else ""
    return {
        name: reverse(view) + suffix
        for name, view in [
            ("search", "practices:list"),
            ("csv", "practices:export-csv"),
            ("json", "practices:export-json"),
            ("brief", "practices:brief"),
        ]
    }


@dataclass
class Selection:
    """The published practices having every one of ``criteria`` ((facet, value) pairs,
    values as the facet index keys them: "MEX", "africa", "6")."""

    criteria: list
    index: FacetIndex

    @classmethod
    def of(cls, facet, value, index=None):
        return cls([(facet, str(value))], index or facet_index())

    @cached_property
    def bits(self):
        bits = self.index.everything
        for facet, value in self.criteria:
            bits &= self.index.keys.get(facet, {}).get(value, 0)
        return bits

    @property
    def total(self):
        return self.bits.bit_count()

    @property
    def querystring(self):
        data = QueryDict(mutable=True)
        for facet, value in self.criteria:
            data.appendlist(facet, value)
        return data.urlencode()

    @property
    def links(self):
        return search_links(self.querystring)

    def count_by(self, facet):
        """{value: practices of this selection having it} of every value of ``facet``."""
        return {
            value: n
            for value, bits in self.index.keys.get(facet, {}).items()
            if (n := (bits & self.bits).bit_count())
        }

    def page(self, number, per_page=None):
        """A ``Page`` of the practices, by title: invalid or past-the-end numbers give the
        first or last page, as ``Paginator.get_page()`` does."""
        per_page = per_page or PER_PAGE
        paginator = Paginator(Practice.objects.none(), per_page)
        paginator.count = self.total  # counted by the index; spares a query
        number = paginator.get_page(number).number if self.total else 1
        ids = self.index.page(self.bits, "title", (number - 1) * per_page, per_page)
        rows = {}
        if ids:
            rows = {p.pk: p for p in Practice.objects.published().filter(pk__in=ids).only(*LISTED_FIELDS)}
        return Page([rows[pk] for pk in ids if pk in rows], number, paginator)


def without_country(index):
    """The bitset of the published practices that have no country."""
    with_country = 0
    for bits in index.keys.get("country", {}).values():
        with_country |= bits
    return index.everything & ~with_country
