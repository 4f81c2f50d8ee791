"""The one definition of how practices are searched and filtered.

``PracticeFilter`` drives the search page, its exports and its feed alike. Facets are
disjunctive, as in serious faceted search: values OR within a facet, facets AND across,
and each facet's counts are computed with every *other* active filter applied, so ticking
Mexico neither hides Ecuador nor sets its count to zero.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q

from practices import search
from practices.models import (
    Citation,
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
    PracticeScope,
    PracticeType,
)
from sources.models import SourceDocument

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


def practice_ids(links):
    return links.values("practice_id")


class PracticeFilter(django_filters.FilterSet):
    SORTS = {
        "relevance": ("Relevance", ["-rank", "title"]),
        "newest": ("Newest first (start year)", [F("start_year").desc(nulls_last=True), "title"]),
        "oldest": ("Oldest first (start year)", [F("start_year").asc(nulls_last=True), "title"]),
        "title": ("Title A–Z", ["title"]),
        "added": ("Recently added", ["-published_at", "title"]),
    }

    q = django_filters.CharFilter(label="Search practices", method="filter_search")
    region = FacetFilter(label="Region", method="filter_region")
    country = FacetFilter(label="Country", method="filter_country")
    objective = FacetFilter(label="GCM objective", method="filter_objective")
    principle = FacetFilter(label="Guiding principle", method="filter_principle")
    meeting = FacetFilter(label="Meeting", method="filter_meeting")
    source = FacetFilter(label="Source document", method="filter_source")
    organisation = FacetFilter(label="Organisation", method="filter_organisation")
    type = FacetFilter(label="Type", field_name="practice_type", method="filter_values")
    scope = FacetFilter(label="Scope", field_name="scope", method="filter_values")
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
    PLACE = {"region", "country"}

    def filter_region(self, queryset, name, values):
        return self.filter_place(queryset, regions=values, countries=self.cleaned("country", []))

    def filter_country(self, queryset, name, values):
        if self.cleaned("region"):
            return queryset  # already applied together with the regions
        return self.filter_place(queryset, regions=[], countries=values)

    def filter_place(self, queryset, regions, countries):
        wanted_regions = [r for r in REGIONS if r.lower() in {v.lower() for v in regions}]
        links = PracticeCountry.objects.filter(
            Q(country__region__in=wanted_regions) | Q(country__iso3__in=[c.upper() for c in countries])
        )
        return queryset.filter(pk__in=practice_ids(links))

    def filter_objective(self, queryset, name, values):
        numbers = [int(v) for v in values if v.isdigit() and len(v) <= 3]
        links = PracticeObjective.objects.filter(objective__number__in=numbers)
        return queryset.filter(pk__in=practice_ids(links))

    def filter_principle(self, queryset, name, values):
        links = Practice.principles.through.objects.filter(guidingprinciple__slug__in=values)
        return queryset.filter(pk__in=practice_ids(links))

    def filter_meeting(self, queryset, name, values):
        links = Practice.meetings.through.objects.filter(meeting__slug__in=values)
        return queryset.filter(pk__in=practice_ids(links))

    def filter_organisation(self, queryset, name, values):
        links = Practice.organisations.through.objects.filter(organisation__slug__in=values)
        return queryset.filter(pk__in=practice_ids(links))

    def filter_source(self, queryset, name, values):
        return queryset.filter(pk__in=practice_ids(Citation.objects.filter(source__slug__in=values)))

    def filter_values(self, queryset, name, values):
        return queryset.filter(**{f"{name}__in": values})

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
        return self.filtered().order_by(*self.SORTS[self.sort_key][1])

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
    def page_size(self):
        return self.cleaned("per_page", DEFAULT_PAGE_SIZE)

    def active_filters(self):
        """(name, label, value) of each facet and year filter in use, in the form's order."""
        in_use = [
            (name, self.filters[name].label, self.cleaned(name)) for name in (*self.FACETS, *self.YEARS)
        ]
        return [(name, label, value) for name, label, value in in_use if value not in (None, [])]

    @property
    def active(self):
        """Whether anything narrows the results (a query, a facet value or a year)."""
        return bool(self.query) or bool(self.active_filters())

    def facets(self):
        """Every facet with its values, counts (other filters applied) and selection."""
        published = Practice.objects.published()
        facets = [
            self._region_country_facet(),
            self._reference_facet(
                "objective",
                GcmObjective.objects.all(),
                key=lambda o: str(o.number),
                label=lambda o: f"{o.number}. {o.short_label}",
                counts=PracticeObjective.objects.values_list("objective__number"),
                count_key=str,
            ),
            self._reference_facet(
                "principle",
                GuidingPrinciple.objects.all(),
                key=lambda p: p.slug,
                label=str,
                counts=Practice.principles.through.objects.values_list("guidingprinciple__slug"),
            ),
            self._reference_facet(
                "meeting",
                Meeting.objects.filter(Exists(published.filter(meetings=OuterRef("pk")))),
                key=lambda m: m.slug,
                label=lambda m: m.name,
                counts=Practice.meetings.through.objects.values_list("meeting__slug"),
                by_count=True,
            ),
            self._reference_facet(
                "source",
                SourceDocument.objects.defer("text").filter(
                    Exists(Citation.objects.filter(source=OuterRef("pk"), practice__in=published))
                ),
                key=lambda s: s.slug,
                label=lambda s: s.title,
                counts=Citation.objects.values_list("source__slug"),
                by_count=True,
            ),
            self._reference_facet(
                "organisation",
                Organisation.objects.filter(Exists(published.filter(organisations=OuterRef("pk")))),
                key=lambda o: o.slug,
                label=lambda o: f"{o.name} ({o.acronym})" if o.acronym else o.name,
                counts=Practice.organisations.through.objects.values_list("organisation__slug"),
                by_count=True,
            ),
            self._choice_facet("type", PracticeType),
            self._choice_facet("scope", PracticeScope),
        ]
        return facets

    def decades(self):
        """Practices by decade of their start, other filters applied (the period facet)."""
        base = self.filtered(skip={"year_from", "year_to"}).filter(start_year__isnull=False)
        rows = base.annotate(decade=F("start_year") / 10 * 10).values("decade").annotate(n=Count("pk"))
        return [(row["decade"], row["n"]) for row in rows.order_by("decade")]

    def _selected(self, name):
        return self.cleaned(name, [])

    def _reference_facet(self, name, values, key, label, counts, count_key=lambda k: k, by_count=False):
        selected = set(self._selected(name))
        base = self.filtered(skip={name})
        number = dict(
            counts.order_by()
            .filter(practice__in=base.values("pk"))
            .annotate(n=Count("practice_id", distinct=True))
            .values_list(counts.query.values_select[0], "n")
        )
        number = {count_key(k): n for k, n in number.items()}
        if self.active:
            rows = [(key(v), label(v)) for v in values]
        else:  # nothing narrows: the values with a count are all there is to show
            rows = [(key(v), label(v)) for v in values if key(v) in number]
        if by_count:
            rows.sort(key=lambda row: (-number.get(row[0], 0), row[1].lower()))
        return Facet.build(self.filters[name], name, rows, number, selected)

    def _choice_facet(self, name, choices):
        selected = set(self._selected(name))
        base = self.filtered(skip={name})
        column = self.filters[name].field_name
        number = dict(base.order_by().values_list(column).annotate(n=Count("pk")))
        return Facet.build(self.filters[name], name, list(choices.choices), number, selected)

    def _region_country_facet(self):
        """Regions, each with its countries nested: two facets shown as one tree."""
        selected_regions = {v.lower() for v in self._selected("region")}
        selected_countries = {v.upper() for v in self._selected("country")}
        region_base = country_base = self.filtered(skip=self.PLACE)
        region_counts = dict(
            PracticeCountry.objects.order_by()
            .filter(practice__in=region_base.values("pk"))
            .values_list("country__region")
            .annotate(n=Count("practice_id", distinct=True))
        )
        country_counts = dict(
            PracticeCountry.objects.order_by()
            .filter(practice__in=country_base.values("pk"))
            .values_list("country__iso3")
            .annotate(n=Count("practice_id", distinct=True))
        )
        countries = Country.objects.filter(
            Exists(
                PracticeCountry.objects.filter(
                    country=OuterRef("pk"), practice__status=Practice.Status.PUBLISHED
                )
            )
        ).only("iso3", "name", "region")
        by_region = {region: [] for region in REGIONS}
        for country in countries:
            count = country_counts.get(country.iso3, 0)
            if self.active or count:
                by_region.setdefault(country.region, []).append(
                    FacetValue(country.iso3, country.name, count, country.iso3 in selected_countries)
                )
        regions = [
            FacetValue(
                region.lower(),
                region,
                region_counts.get(region, 0),
                region.lower() in selected_regions,
                children=by_region[region],
            )
            for region in REGIONS
            if by_region.get(region) or region_counts.get(region)
        ]
        known = {r.lower() for r in REGIONS}
        facet = Facet(
            name="region",
            label="Region and country",
            values=regions,
            unknown=sorted(selected_regions - known)
            + sorted(selected_countries - {c.value for r in regions for c in r.children}),
        )
        return facet


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
        shown = self.shown
        return [v for v in self.values if v not in shown]

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
    total = filterset.qs.count()
    query = filterset.query
    if query and total == 0:
        corrected = search.suggest(query)
        if corrected and corrected != query.text:
            retry_data = data.copy()
            retry_data["q"] = corrected
            retry = PracticeFilter(retry_data, queryset=queryset, request=request)
            retry_total = retry.qs.count()
            if retry_total:
                return retry, retry_total, query.text
    return filterset, total, None
