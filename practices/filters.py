"""The filters of the search page, its exports and its feed, declared once.

``PracticeFilter`` says what a request asks for (words, facet values, years, sort, page
size) and filters a queryset by it. Facets are disjunctive, as in serious faceted search:
values OR within a facet, facets AND across. Assembling the page from that (the tally,
facet counts, relaxed and widened matching, the ranked page) is ``practices.search.page``.
"""

import copy
from functools import cache, cached_property

import django_filters
from django import forms
from django.db.models import F

from practices.models import Practice, PracticeScope, PracticeType, facet_key
from practices.search.query import QueryError, SearchQuery, parse

REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]
MAX_VALUES_PER_FACET = 50
PAGE_SIZES = [10, 25, 50, 100]
DEFAULT_PAGE_SIZE = 25


class SearchForm(forms.Form):
    def clean_q(self):
        try:
            return parse(self.cleaned_data.get("q") or "")
        except QueryError as error:
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
    theme = FacetFilter(label="Theme", method="filter_facet")
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
        "theme",
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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, known=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # {facet: values in use} (the search page passes the facet index's): values no
        # practice can have (an unknown country code, a stale slug) are then left out, as
        # the page says beside the facet ("Not found, ignored"). Without it, all are kept.
        self.known = known

    @cached_property
    def _known_values(self):
        return dict(
            self.known or {},
            region={region.lower() for region in REGIONS},
            type=set(PracticeType.values),
            scope=set(PracticeScope.values),
        )

    def _is_known(self, key):
        name, _, value = key.partition(":")
        return self.known is None or value in self._known_values.get(name, ())

    @cached_property
    def selected(self):
        """{facet group: the Practice.facet_keys it asks for}, region and country as "place"."""
        groups = {}
        for name in self.FACETS:
            keys = [facet_key(name, value) for value in self.cleaned(name, [])]
            keys = [key for key in keys if self._is_known(key)]
            if keys:
                groups.setdefault(self.GROUPS.get(name, name), []).extend(keys)
        return groups

    def unknown(self):
        """{facet: the values asked for that no published practice has}: left out by ``selected``."""
        unknown = {}
        for name in self.FACETS:
            values = [v for v in self.cleaned(name, []) if not self._is_known(facet_key(name, v))]
            if values:
                unknown[name] = values
        return unknown

    def get_form_class(self):
        # The filters are declared, never added per request: one form class serves every
        # search (django-filter builds it anew for each FilterSet).
        return type(self)._form_class()

    @classmethod
    @cache
    def _form_class(cls):
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

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
        return self.cleaned("q") or SearchQuery(text="")

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


class _DeclaredFilters(dict):
    """PracticeFilter's declared filters. django-filter deep-copies them for every FilterSet,
    their form fields and widgets included (a third of a millisecond per search page, two
    per corrected search); a FilterSet only sets each one's ``parent`` and ``model``, and
    never changes the shared form field, so a shallow copy of each is enough, with its own
    FilterMethod (which calls the method of the filter's ``parent``)."""

    def __deepcopy__(self, memo):
        filters = {}
        for name, filter_ in self.items():
            filters[name] = copied = copy.copy(filter_)
            if filter_.method is not None:
                copied.method = filter_.method
        return filters


PracticeFilter.base_filters = _DeclaredFilters(PracticeFilter.base_filters)


def order_by(fields):
    """ORM ordering for SORTS fields: empty values last, the id last to break ties."""
    return [
        F(field[1:]).desc(nulls_last=True) if field.startswith("-") else F(field).asc(nulls_last=True)
        for field in fields
    ] + ["pk"]
