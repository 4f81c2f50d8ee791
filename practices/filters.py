"""The one definition of how practices are searched and filtered.

``PracticeFilter`` drives the search page, its exports and its feed alike. Facets are
disjunctive, as in serious faceted search: values OR within a facet, facets AND across,
and each facet's counts are computed with every *other* active filter applied, so ticking
Mexico neither hides Ecuador nor sets its count to zero.
"""

from dataclasses import dataclass, field
from functools import cached_property

import django_filters
from django import forms
from django.db.models import F

from practices import search
from practices.facet_index import FacetIndex
from practices.models import Practice, PracticeScope, PracticeType, facet_key

REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]
MAX_VALUES_PER_FACET = 50
PAGE_SIZES = [10, 25, 50, 100]
DEFAULT_PAGE_SIZE = 25


class SearchForm(forms.Form):
    def clean_q(self):
        try:
            return search.parse(self.cleaned_data.get("q") or "")
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="bad_query") from error


class ValuesField(forms.MultipleChoiceField):
    """Takes any submitted values: unknown ones are reported beside the facet and ignored,
    so one stale value in a shared link does not drop the rest of its filter."""

    def valid_value(self, value):
        return len(value) <= 120

    def validate(self, value):
        if len(value) > MAX_VALUES_PER_FACET:
            raise forms.ValidationError(f"At most {MAX_VALUES_PER_FACET} values per filter.")
        super().validate(value)


class FacetFilter(django_filters.MultipleChoiceFilter):
    field_class = ValuesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)  # the methods filter by id subqueries: no duplicates
        super().__init__(*args, **kwargs)


class PracticeFilter(django_filters.FilterSet):
    # Sort orders as (label, fields): "-" for descending, empty values last, id breaks ties.
    SORTS = {
        "relevance": ("Relevance", ["-rank", "title"]),
        "newest": ("Newest first (start year)", ["-start_year", "title"]),
        "oldest": ("Oldest first (start year)", ["start_year", "title"]),
        "title": ("Title A–Z", ["title"]),
        "added": ("Recently added", ["-published_at", "title"]),
    }
    SORT_FIELDS = {key: fields for key, (_, fields) in SORTS.items()}

    q = django_filters.CharFilter(label="Search practices", method="filter_search")
    region = FacetFilter(label="Region", method="filter_facet")
    country = FacetFilter(label="Country", method="filter_facet")
    objective = FacetFilter(label="GCM objective", method="filter_facet")
    principle = FacetFilter(label="Guiding principle", method="filter_facet")
    meeting = FacetFilter(label="Meeting", method="filter_facet")
    source = FacetFilter(label="Source document", method="filter_facet")
    organisation = FacetFilter(label="Organisation", method="filter_facet")
    type = FacetFilter(label="Type", method="filter_facet")
    scope = FacetFilter(label="Scope", method="filter_facet")
    year_from = django_filters.NumberFilter(
        label="Started from", field_name="start_year", lookup_expr="gte", min_value=1800, max_value=2100
    )
    year_to = django_filters.NumberFilter(
        label="Started until", field_name="start_year", lookup_expr="lte", min_value=1800, max_value=2100
    )
    # Presentation, not filters: validated by the same form, applied in filter_queryset().
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=[(k, v[0]) for k, v in SORTS.items()], method="presentation"
    )
    per_page = django_filters.TypedChoiceFilter(
        label="Per page", choices=[(str(n), str(n)) for n in PAGE_SIZES], coerce=int, method="presentation"
    )

    PRESENTATION = {"sort", "per_page"}
    FACETS = (
        "region",
        "country",
        "objective",
        "principle",
        "meeting",
        "source",
        "organisation",
        "type",
        "scope",
    )
    YEARS = ("year_from", "year_to")

    class Meta:
        model = Practice
        fields = []
        form = SearchForm

    # --- filtering ---------------------------------------------------------------

    def filter_search(self, queryset, name, query):
        return queryset.search(query) if query else queryset

    # Region and country are one facet shown as a tree: a practice matches if one of its
    # countries is a ticked country or lies in a ticked region (OR, like any facet).
    GROUPS = {"region": "place", "country": "place"}  # facets filtered as one OR-group

    def filter_facet(self, queryset, name, values):
        if name == "country" and self.cleaned("region"):
            return queryset  # already applied together with the regions
        keys = self.selected.get(self.GROUPS.get(name, name))
        return queryset.filter(facet_keys__any_of=keys) if keys else queryset

    @cached_property
    def selected(self):
        """{facet group: the Practice.facet_keys it asks for}, region and country as "place".

        Values no practice can have (an unknown country code, a stale slug) are left out, as
        the page says beside the facet ("Not found, ignored"); the facet index's labels list
        every value in use.
        """
        known = {name: {str(row[0]) for row in rows} for name, rows in self.index.labels.items()}
        known.update(
            region={region.lower() for region in REGIONS},
            type=set(PracticeType.values),
            scope=set(PracticeScope.values),
        )
        groups = {}
        for name in self.FACETS:
            keys = [facet_key(name, value) for value in self.cleaned(name, [])]
            keys = [key for key in keys if key.partition(":")[2] in known[name]]
            if keys:
                groups.setdefault(self.GROUPS.get(name, name), []).extend(keys)
        return groups

    def presentation(self, queryset, name, value):
        return queryset

    def filtered(self, skip=()):
        """The practices matching every active filter but those named in ``skip`` (unordered)."""
        queryset = self.queryset.all()
        if self.is_bound:
            self.form.is_valid()  # invalid fields are left out of cleaned_data, hence ignored
            for name, value in self.form.cleaned_data.items():
                if name not in skip and name not in self.PRESENTATION:
                    queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self.filtered().order_by(*order_by(self.SORTS[self.sort_key][1]))

    # --- what the page needs to know -------------------------------------------------

    def cleaned(self, name, default=None):
        if not self.is_bound:
            return default
        self.form.is_valid()
        value = self.form.cleaned_data.get(name)
        return default if value in (None, "", []) else value

    @property
    def query(self):
        return self.cleaned("q") or search.SearchQuery(text="")

    @property
    def sort_key(self):
        sort = self.cleaned("sort")
        if sort == "relevance" and not self.query:
            sort = None
        return sort or ("relevance" if self.query else "title")

    @property
    def sort_choice(self):
        """The option the sort menu shows: the sort asked for, else relevance.

        Without words, relevance means title order (``sort_key``); showing it rather than
        "Title A–Z" matters because the menu belongs to the search form, so words typed
        next are sent with it and must come back ranked, not alphabetical.
        """
        return self.cleaned("sort") or "relevance"

    @property
    def page_size(self):
        return self.cleaned("per_page", DEFAULT_PAGE_SIZE)

    def active_filters(self):
        """(name, label, value) of each facet and year filter in use, in the form's order."""
        in_use = [
            (name, self.filters[name].label, self.cleaned(name)) for name in (*self.FACETS, *self.YEARS)
        ]
        return [(name, label, value) for name, label, value in in_use if value not in (None, [])]

    @cached_property
    def active(self):
        """Whether anything narrows the results (a query, a facet value or a year)."""
        return bool(self.query) or bool(self.active_filters())

    # --- total, page, facet counts and decades, from the facet index ------------------

    @cached_property
    def index(self):
        """The facet index of the published practices (practices.facet_index), current."""
        return FacetIndex.current(self.SORT_FIELDS)

    @cached_property
    def tally(self):
        """The total, this page's ids, every facet's counts and the decades.

        The database finds the practices matching the query, unranked: every match counts
        towards the facets, and on PostgreSQL finding them reads only the narrow words
        table. The rest is set arithmetic on the in-memory facet index, over the same facet
        keys the FilterSet's own filters use. The index holds the published practices: what
        the page, exports and feed search.

        Sorted by relevance, the page is this FilterSet's own ordered queryset, sliced: only
        the database holds the ranks, and it ranks the practices passing the filters and
        keeps the best of them in one top-N sort, which costs far less than sending every
        match's rank back to be sorted here (90,000 of them for a broad word at 100,000
        practices). Every other sort reads the page off the index.
        """
        index = self.index
        filters = {group: index.having(keys) for group, keys in self.selected.items()}
        low, high = self.cleaned("year_from"), self.cleaned("year_to")
        if low is not None or high is not None:
            filters["years"] = index.started_between(low, high)
        base = index.everything
        if self.query:
            base = index.matched(self.query.key, lambda: search.matching_ids(self.query))
        matching, counts = index.count(base, filters, groups=self.GROUPS)
        total = matching.bit_count()
        size = self.page_size
        # Past the end (a stale link): the last page, as Paginator.get_page() does.
        number = min(self._page_number(), max(1, -(-total // size)))
        start = (number - 1) * size
        if self.sort_key != "relevance":
            page_ids = index.page(matching, self.sort_key, start, size)
        elif total:
            # Unevaluated: page_practices() sends it as a subquery of the page's query.
            page_ids = self.qs.values_list("pk", flat=True)[start : start + size]
        else:
            page_ids = []
        return Tally(
            total=total,
            page_ids=page_ids,
            counts=counts,
            page_number=number,
        )

    def page_practices(self):
        """This page's practices, in order, each with its ``snippet`` (HTML, or None).

        One query, whatever the sort: the rows carry what a result shows of their
        relations (``Practice.listing``) and, with words, their snippets; by relevance,
        the ranked page's ids are its subquery.
        """
        page = self.queryset.filter(pk__in=self.tally.page_ids)
        if self.query:
            page = search.with_snippets(page.search(self.query), self.query)
        practices = list(page.order_by(*order_by(self.SORTS[self.sort_key][1])))
        for practice in practices:
            practice.snippet = search.marked(practice.headline) if self.query else None
        return practices

    def _page_number(self):
        number = str(self.data.get("page", "1")) if self.is_bound else "1"
        return int(number) if number.isdigit() and 0 < len(number) <= 6 and int(number) > 0 else 1

    @property
    def total(self):
        return self.tally.total

    def facets(self):
        """Every facet with its values, counts (other filters applied) and selection."""
        counts, labels = self.tally.counts, self.index.labels
        return [
            self._place_facet(counts, labels["country"]),
            self._facet("objective", labels["objective"], counts),
            self._facet("principle", labels["principle"], counts),
            self._facet("meeting", labels["meeting"], counts, by_count=True),
            self._facet("source", labels["source"], counts, by_count=True),
            self._facet("organisation", labels["organisation"], counts, by_count=True),
            self._facet("type", PracticeType.choices, counts),
            self._facet("scope", PracticeScope.choices, counts),
        ]

    def decades(self):
        """Practices by decade of their start, other filters applied (the period facet)."""
        return sorted((int(decade), n) for decade, n in self.tally.counts.get("decade", {}).items())

    def _facet(self, name, rows, counts, by_count=False):
        number = counts.get(name, {})
        rows = list(rows)
        if not self.active:  # nothing narrows: the values with a count are all there is to show
            rows = [(key, label) for key, label in rows if key in number]
        if by_count:
            rows.sort(key=lambda row: (-number.get(row[0], 0), row[1].lower()))
        return Facet.build(self.filters[name], name, rows, number, set(self.cleaned(name, [])))

    def _place_facet(self, counts, countries):
        """Regions, each with its countries nested: two facets shown as one tree."""
        selected_regions = {v.lower() for v in self.cleaned("region", [])}
        selected_countries = {v.upper() for v in self.cleaned("country", [])}
        region_counts, country_counts = counts.get("region", {}), counts.get("country", {})
        by_region = {region: [] for region in REGIONS}
        active = self.active
        for iso3, name, region in countries:
            count = country_counts.get(iso3, 0)
            if active or count:
                by_region.setdefault(region, []).append(
                    FacetValue(iso3, name, count, iso3 in selected_countries)
                )
        regions = [
            FacetValue(
                region.lower(),
                region,
                region_counts.get(region.lower(), 0),
                region.lower() in selected_regions,
                children=by_region[region],
            )
            for region in REGIONS
            if by_region.get(region) or region_counts.get(region.lower())
        ]
        known = {r.lower() for r in REGIONS}
        return Facet(
            name="region",
            label="Region and country",
            values=regions,
            unknown=sorted(selected_regions - known)
            + sorted(selected_countries - {c.value for r in regions for c in r.children}),
        )


def order_by(fields):
    """ORM ordering for SORTS fields: empty values last, the id last to break ties."""
    return [
        F(field[1:]).desc(nulls_last=True) if field.startswith("-") else F(field).asc(nulls_last=True)
        for field in fields
    ] + ["pk"]


@dataclass
class Tally:
    total: int
    page_ids: list  # in order; by relevance, a sliced queryset of them
    counts: dict  # {facet: {value: practices}}, and "decade"
    page_number: int


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    children: list = field(default_factory=list)


@dataclass
class Facet:
    name: str
    label: str
    values: list
    unknown: list = field(default_factory=list)

    @classmethod
    def build(cls, filter_, name, rows, counts, selected):
        values = [FacetValue(key, label, counts.get(key, 0), key in selected) for key, label in rows]
        return cls(
            name=name,
            label=filter_.label,
            values=values,
            unknown=sorted(selected - {v.value for v in values}),
        )

    SHOWN = 8

    @property
    def shown(self):
        """The values listed at first: the first few, plus any selected further down."""
        if len(self.values) <= self.SHOWN + 2:
            return self.values
        return self.values[: self.SHOWN] + [v for v in self.values[self.SHOWN :] if v.selected]

    @property
    def more(self):
        """The values behind "show all"."""
        shown = {id(value) for value in self.shown}
        return [value for value in self.values if id(value) not in shown]

    @property
    def selected_values(self):
        return [v for v in self.values if v.selected] + [
            c for v in self.values for c in v.children if c.selected
        ]


def search_practices(data, queryset=None, request=None):
    """Run a search as the page does: ``(filterset, total, corrected_from)``.

    A query that finds nothing is retried with its misspelt words corrected against the
    indexed vocabulary; ``corrected_from`` is then the query as typed.
    """
    if queryset is None:
        queryset = Practice.objects.published()
    filterset = PracticeFilter(data, queryset=queryset, request=request)
    total = filterset.total
    query = filterset.query
    if query and total == 0:
        corrected = search.suggest(query)
        if corrected and corrected != query.text:
            retry_data = data.copy()
            retry_data["q"] = corrected
            retry = PracticeFilter(retry_data, queryset=queryset, request=request)
            retry_total = retry.total
            if retry_total:
                return retry, retry_total, query.text
    return filterset, total, None
