"""The published practices' facets, held in memory as bitsets, so that counting them is cheap.

Counting is what a faceted search page pays for at scale: every request needs, for each of
several hundred facet values, how many matching practices have it, with the *other* facets'
filters applied. In SQL that means unnesting and grouping a dozen keys per matching
practice, about half a second at 100,000 practices. Here each facet value holds a bitset, a
Python int whose bit *n* is set when the practice with id *n* has that value, so a count is
one AND and one popcount of two ints (microseconds), and filters are ORs and ANDs of them.
Search engines count facets the same way (Lucene's and Solr's filter bitsets). Bits are
numbered by id so that the database's answers (the ids matching some words) become a bitset
without a lookup per id.

Every sort order but relevance is kept as a list of ids, so a page of results is read off
the bits without asking the database. Facet labels (country names, organisation names…)
are kept here too.

Each process builds its index on first use and rebuilds it when the database's
``SearchIndexVersion`` token changes: every write that changes what the index holds changes
the token, once per transaction (``practices.search.indexing``), and each search reads it,
in one small query (``practices.search.page``).
"""

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from practices.models import (
    Country,
    FacetKeysText,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    Theme,
)
from practices.search.bits import bitset, is_member
from practices.search.per_process import PerProcess
from sources.models import SourceDocument


@dataclass
class FacetIndex(PerProcess):
    """Kept per process (``PerProcess``): ``FacetIndex.current(token, sorts)``, where
    ``sorts`` maps each sort's name to its fields (``PracticeFilter.SORT_FIELDS``)."""

    ids: list  # the published practices' ids, in title order
    size: int  # bits per bitset: the highest id, plus one
    everything: int  # the bitset of the published practices
    keys: dict  # {facet: {value: bitset}}, from Practice.facet_keys
    years: dict  # {start year: bitset}
    orders: dict  # {sort: ids in that order} for each sort but title (that is ids) and relevance
    labels: dict  # {facet: [(value, label), ...]} of the values in use, in display order
    token: str | None = None
    matches: OrderedDict = field(default_factory=OrderedDict)  # kept answers of matched()
    _matches_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    MATCHES_KEPT = 64  # a bitset each: at 100,000 practices, 12.5 KB

    @classmethod
    def build(cls, sorts):
        published = Practice.objects.published()
        # Title order as the ORM's order_by(["title"]) gives it (collation-aware, the id
        # breaking ties), read from its index; the rest is read unordered, since sorting
        # wide rows costs seconds at scale.
        ids = list(published.order_by("title", "pk").values_list("pk", flat=True))
        size = max(ids, default=0) + 1
        listed = set(ids)
        fields = sorted({f.lstrip("-") for fs in sorts.values() for f in fs} - {"rank", "title"})
        columns = {field: {} for field in fields}  # {field: {id: value}}
        ids_of = {}
        rows = published.order_by().values_list("pk", FacetKeysText("facet_keys"), *fields)
        for pk, keys, *values in rows.iterator(chunk_size=10_000):
            # Published since the first read: the token has changed, so the next use rebuilds.
            if pk not in listed:
                continue
            for key in (keys or "").split():
                ids_of.setdefault(key, []).append(pk)
            for name, value in zip(fields, values, strict=True):
                columns[name][pk] = value
        keys = {}
        for key, practices in ids_of.items():
            facet, _, value = key.partition(":")
            keys.setdefault(facet, {})[value] = bitset(practices, size)
        years = {}
        for pk, year in columns.get("start_year", {}).items():
            if year is not None:
                years.setdefault(year, []).append(pk)
        return cls(
            ids=ids,
            size=size,
            everything=bitset(ids, size),
            keys=keys,
            years={year: bitset(practices, size) for year, practices in years.items()},
            orders={
                sort: cls._order(ids, columns, fields_)
                for sort, fields_ in sorts.items()
                if fields_ != ["title"] and "rank" not in {f.lstrip("-") for f in fields_}
            },
            labels=cls._labels(keys),
        )

    @staticmethod
    def _order(ids, columns, fields):
        """``ids`` (title order) sorted by ``fields`` ("-" descending, empty values last),
        then by title.

        Python's sort is stable, so sorting by each field from the last to the first, starting
        from title order, sorts by all of them.
        """
        order = ids
        for name in reversed([f for f in fields if f.lstrip("-") != "title"]):
            values = columns[name.lstrip("-")]
            present = [pk for pk in order if values.get(pk) is not None]
            present.sort(key=values.__getitem__, reverse=name.startswith("-"))
            order = present + [pk for pk in order if values.get(pk) is None]
        return order

    @staticmethod
    def _labels(keys):
        def used(facet, rows):
            in_use = keys.get(facet, {})
            return [row for row in rows if row[0] in in_use]

        return {
            # (iso3, name, region) of countries with a published practice, by name.
            "country": used("country", Country.objects.values_list("iso3", "name", "region")),
            "objective": [
                (str(number), f"{number}. {label}")
                for number, label in GcmObjective.objects.values_list("number", "short_label")
            ],
            "principle": list(GuidingPrinciple.objects.values_list("slug", "name")),
            "theme": used("theme", Theme.objects.values_list("slug", "name")),
            "meeting": used("meeting", Meeting.objects.values_list("slug", "name")),
            # Every document (a handful), cited or not: those without a count are dimmed.
            "source": list(SourceDocument.objects.values_list("slug", "title")),
            "organisation": [
                (slug, f"{name} ({acronym})" if acronym else name)
                for slug, name, acronym in used(
                    "organisation", Organisation.objects.values_list("slug", "name", "acronym")
                )
            ],
        }

    @cached_property
    def known_values(self):
        """{facet: {value, ...}} of the values in use, as the search filters check them."""
        return {name: {str(row[0]) for row in rows} for name, rows in self.labels.items()}

    # --- sets of practices -----------------------------------------------------------

    def matched(self, key, find):
        """The bitset of the published practices among those of the bitset ``find()`` returns.

        The last MATCHES_KEPT answers are kept with the index by ``key``, since finding the
        words is the costly part of a search and ticking a facet or turning a page asks for
        the same words again.
        """
        return self.matched_many([key], lambda missing: [find()])[0]

    def matched_many(self, keys, find):
        """``matched()`` of several keys at once: ``find(missing)`` gets the positions of
        the keys not kept and returns their bitsets, in that order (looked up together)."""
        with self._matches_lock:
            found = [self.matches.get(key) for key in keys]
            for key, bits in zip(keys, found, strict=True):
                if bits is not None:
                    self.matches.move_to_end(key)
        missing = [n for n, bits in enumerate(found) if bits is None]
        if not missing:
            return found
        for n, bits in zip(missing, find(missing), strict=True):
            # Practices beyond the index (added since it was built) are cut off by the AND.
            found[n] = bits & self.everything
        with self._matches_lock:
            for n in missing:
                self.matches[keys[n]] = found[n]
            while len(self.matches) > self.MATCHES_KEPT:
                self.matches.popitem(last=False)
        return found

    @classmethod
    def forget_matches(cls):
        """Drop this process's kept word matches (the benchmark measures searches cold)."""
        if cls._current is not None:
            with cls._current._matches_lock:
                cls._current.matches.clear()

    def bytes_of(self, bits):
        """A bitset as bytes, for testing many ids against it: ``member(data, pk)``."""
        return bits.to_bytes(self.size // 8 + 1, "little")

    def having(self, keys):
        """The practices with at least one of ``keys`` ("facet:value")."""
        bits = 0
        for key in keys:
            facet, _, value = key.partition(":")
            bits |= self.keys.get(facet, {}).get(value, 0)
        return bits

    def counts(self, facet):
        """{value: how many published practices have it} for one facet."""
        return {value: bits.bit_count() for value, bits in self.keys.get(facet, {}).items()}

    def started_between(self, low, high):
        """The practices whose start year is within [low, high] (either may be None)."""
        bits = 0
        for year, practices in self.years.items():
            if (low is None or year >= low) and (high is None or year <= high):
                bits |= practices
        return bits

    def count(self, base, filters, groups):
        """(matching, counts): the practices of ``base`` passing every filter, and
        ``{facet: {value: count}}`` (with ``"decade"``) where each facet is counted over the
        practices passing every filter but its own.

        ``filters`` maps a filter group to its bitset ("years" for the start-year range);
        ``groups`` maps facets filtered as one group (region, country) to the group's name.
        """

        def passing(but=None):
            bits = base
            for group, practices in filters.items():
                if group != but:
                    bits &= practices
            return bits

        matching = passing()
        pools = {group: passing(but=group) for group in filters}
        counts = {}
        for facet, values in self.keys.items():
            pool = pools.get(groups.get(facet, facet), matching)
            counts[facet] = {value: n for value, bits in values.items() if (n := (bits & pool).bit_count())}
        pool = pools.get("years", matching)
        decades = {}
        for year, bits in self.years.items():
            if n := (bits & pool).bit_count():
                decade = str(year // 10 * 10)
                decades[decade] = decades.get(decade, 0) + n
        counts["decade"] = decades
        return matching, counts

    def page(self, matching, sort, start, size):
        """The ids of practices ``start`` to ``start + size`` of ``matching`` in ``sort`` order
        (any sort but relevance: only the database knows ranks)."""
        member = self.bytes_of(matching)

        def wanted(pk):
            return is_member(member, pk)

        order = self.orders.get(sort, self.ids)
        return list(itertools.islice(filter(wanted, order), start, start + size))
