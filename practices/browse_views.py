"""Browse pages: the home page and its map, the browse index, one page per country, region,
GCM objective, guiding principle, theme, meeting and organisation, and coverage.

Each vocabulary page is an entry point: its count of published practices, the practices
(title, summary, countries, period), and the same set as a search, CSV and JSON exports
and a brief (``practices.browse``). Counts come from the search's facet index, so every
page costs a small constant number of queries, and the numbers agree with the search's.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from practices.browse import REGION_SLUGS, Selection, facet_index, without_country
from practices.filters import REGIONS
from practices.maps import Choropleth
from practices.models import (
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
    Theme,
)
from sources.models import SourceDocument


def region_url(region):
    return reverse("practices:region", kwargs={"slug": region.lower()})


def country_rows():
    """(iso3, name, region) of every country: one query."""
    return list(Country.objects.values_list("iso3", "name", "region"))


def with_query(url, request):
    query = request.META.get("QUERY_STRING")
    return f"{url}?{query}" if query else url


class CanonicalAddressMixin:
    """A vocabulary page found whatever the case of its code or slug (``/countries/mex/``),
    answered at one address: any other spelling redirects permanently to it."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        value = self.kwargs[self.slug_url_kwarg]
        found = queryset.filter(**{self.slug_field: value}).first()
        if found is None and isinstance(value, str):
            found = queryset.filter(**{f"{self.slug_field}__iexact": value}).first()
        if found is None:
            raise Http404(f"No {queryset.model._meta.verbose_name} here.")
        return found

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            return redirect(with_query(canonical, request), permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))


class BrowseMixin:
    """A page of one vocabulary value's published practices (``browse_facet`` and
    ``browse_value()`` name it as the search does: ``country=MEX``)."""

    browse_facet = None

    def browse_value(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        self.selection = Selection.of(self.browse_facet, self.browse_value())
        page = self.selection.page(self.request.GET.get("page"))
        return super().get_context_data(
            selection=self.selection,
            total=self.selection.total,
            links=self.selection.links,
            page_obj=page,
            practices=page.object_list,
            **kwargs,
        )

    def objective_breakdown(self):
        """[(objective number, short label, count, search URL)] of this selection's practices."""
        counts = self.selection.count_by("objective")
        base = self.selection.querystring
        search = reverse("practices:list")
        return [
            (number, label, counts[str(number)], f"{search}?{base}&objective={number}")
            for number, label in GcmObjective.objects.values_list("number", "short_label")
            if str(number) in counts
        ]

    def region_breakdown(self):
        counts = self.selection.count_by("region")
        base = self.selection.querystring
        search = reverse("practices:list")
        return [
            (region, counts[region.lower()], f"{search}?region={region.lower()}&{base}")
            for region in REGIONS
            if region.lower() in counts
        ]


class HomeView(TemplateView):
    template_name = "practices/home.html"

    def get_context_data(self, **kwargs):
        index = facet_index()
        counts = index.counts("country")
        regions = index.counts("region")
        objective_counts = index.counts("objective")
        return super().get_context_data(
            practice_count=index.everything.bit_count(),
            world_map=Choropleth(country_rows(), counts),
            without_country=without_country(index).bit_count(),
            regions=[(region, region_url(region), regions.get(region.lower(), 0)) for region in REGIONS],
            objectives=[
                (objective, objective_counts.get(str(objective.number), 0))
                for objective in GcmObjective.objects.all()
            ],
            latest_practices=Practice.objects.published().order_by("-published_at", "title")[:6],
            sources=SourceDocument.objects.defer("text"),
            **kwargs,
        )


class BrowseIndexView(TemplateView):
    """Every way into the knowledge base, each with its count: countries by region,
    objectives, principles, themes, meetings, organisations and source documents."""

    template_name = "practices/browse.html"

    def get_context_data(self, **kwargs):
        index = facet_index()
        keys, labels = index.keys, index.labels

        def count(facet, value):
            return keys.get(facet, {}).get(str(value), 0).bit_count()

        countries = {}
        for iso3, name, region in labels["country"]:
            countries.setdefault(region, []).append(
                (name, reverse("practices:country", args=[iso3]), count("country", iso3))
            )
        regions = [
            (region, region_url(region), count("region", region.lower()), countries.get(region, []))
            for region in REGIONS
        ]

        def entries(facet, view):
            return [
                (label, reverse(view, args=[value]), count(facet, value)) for value, label in labels[facet]
            ]

        return super().get_context_data(
            practice_count=index.everything.bit_count(),
            without_country=without_country(index).bit_count(),
            regions=regions,
            objectives=entries("objective", "practices:objective"),
            principles=entries("principle", "practices:principle"),
            themes=entries("theme", "practices:theme"),
            meetings=entries("meeting", "practices:meeting"),
            organisations=entries("organisation", "practices:organisation"),
            sources=entries("source", "sources:detail"),
            **kwargs,
        )


class CountryDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/country_detail.html"
    slug_field = "iso3"
    slug_url_kwarg = "iso3"
    queryset = Country.objects.all()
    browse_facet = "country"

    def browse_value(self):
        return self.object.iso3

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Its role in each practice: one row per (practice, role).
        roles_of = {}
        for practice_id, role in PracticeCountry.objects.filter(
            country=self.object, practice__status=Practice.Status.PUBLISHED
        ).values_list("practice_id", "role"):
            roles_of.setdefault(practice_id, []).append(role)
        labels = dict(PracticeCountry.Role.choices)
        role_counts = {}
        for roles in roles_of.values():
            for role in set(roles):
                role_counts[role] = role_counts.get(role, 0) + 1
        for practice in context["practices"]:
            mine = roles_of.get(practice.pk, [])
            practice.roles = [label.lower() for role, label in labels.items() if role in mine]
        context.update(
            roles=[
                (label, role_counts[role])
                for role, label in PracticeCountry.Role.choices
                if role in role_counts
            ],
            objectives=self.objective_breakdown(),
            region_url=region_url(self.object.region),
        )
        return context


class RegionDetailView(TemplateView):
    """A UN M49 region: its map, its countries with their counts, its practices."""

    template_name = "practices/region_detail.html"

    def get(self, request, *args, slug, **kwargs):
        if slug.lower() not in REGION_SLUGS:
            raise Http404("No such region.")
        if slug != slug.lower():
            return redirect(with_query(region_url(slug), request), permanent=True)
        return super().get(request, *args, slug=slug, **kwargs)

    def get_context_data(self, slug, **kwargs):
        region = REGION_SLUGS[slug]
        selection = Selection.of("region", slug)
        page = selection.page(self.request.GET.get("page"))
        counts = selection.index.counts("country")
        objectives = selection.count_by("objective")
        search = reverse("practices:list")
        return super().get_context_data(
            region=region,
            selection=selection,
            total=selection.total,
            links=selection.links,
            page_obj=page,
            practices=page.object_list,
            region_map=Choropleth(country_rows(), counts, region=region),
            objectives=[
                (number, label, objectives[str(number)], f"{search}?region={slug}&objective={number}")
                for number, label in GcmObjective.objects.values_list("number", "short_label")
                if str(number) in objectives
            ],
            **kwargs,
        )


class ObjectiveDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/objective_detail.html"
    slug_field = "number"
    slug_url_kwarg = "number"
    queryset = GcmObjective.objects.all()
    browse_facet = "objective"

    def browse_value(self):
        return self.object.number

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        primary = dict(
            PracticeObjective.objects.filter(
                objective=self.object, practice__status=Practice.Status.PUBLISHED
            ).values_list("practice_id", "is_primary")
        )
        for practice in context["practices"]:
            practice.is_primary = primary.get(practice.pk, False)
        context.update(primary_count=sum(primary.values()), regions=self.region_breakdown())
        return context


class PrincipleDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/principle_detail.html"
    queryset = GuidingPrinciple.objects.all()
    context_object_name = "principle"
    browse_facet = "principle"

    def browse_value(self):
        return self.object.slug


class ThemeDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/theme_detail.html"
    queryset = Theme.objects.all()
    context_object_name = "theme"
    browse_facet = "theme"

    def browse_value(self):
        return self.object.slug


class MeetingDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/meeting_detail.html"
    queryset = Meeting.objects.select_related("country").prefetch_related(
        "host_countries",
        "co_chair_countries",
        "co_chair_organisations",
        "supporting_organisations",
        Prefetch("source_documents", queryset=SourceDocument.objects.defer("text")),
    )
    browse_facet = "meeting"

    def browse_value(self):
        return self.object.slug


class OrganisationDetailView(CanonicalAddressMixin, BrowseMixin, DetailView):
    template_name = "practices/organisation_detail.html"
    queryset = Organisation.objects.select_related("country")
    browse_facet = "organisation"

    def browse_value(self):
        return self.object.slug


class CoverageView(TemplateView):
    """Where the evidence is thick and where it is missing: countries × GCM objectives, with
    the practices that have no country as a row of their own, and regions × objectives.
    Every count is a cell of the facet index, and every cell links to its search."""

    template_name = "practices/coverage.html"

    def get_context_data(self, **kwargs):
        index = facet_index()
        keys = index.keys
        objectives = list(GcmObjective.objects.all())
        objective_bits = [keys.get("objective", {}).get(str(o.number), 0) for o in objectives]
        search = reverse("practices:list")

        def cells(bits, querystring):
            return [
                (objective, n, f"{search}?{querystring}&objective={objective.number}" if n else "")
                for objective, other in zip(objectives, objective_bits, strict=True)
                for n in [(bits & other).bit_count()]
            ]

        by_region = {}
        for iso3, name, region in index.labels["country"]:
            bits = keys["country"][iso3]
            by_region.setdefault(region, []).append(
                (
                    name,
                    reverse("practices:country", args=[iso3]),
                    bits.bit_count(),
                    cells(bits, f"country={iso3}"),
                )
            )
        regions = [
            (region, keys.get("region", {}).get(region.lower(), 0).bit_count(), by_region[region])
            for region in REGIONS
            if region in by_region
        ]
        no_country = without_country(index)
        no_country_cells = [
            (objective, n, f"#no-country-{objective.number}" if n else "")
            for objective, other in zip(objectives, objective_bits, strict=True)
            for n in [(no_country & other).bit_count()]
        ]
        # Regions × objectives (a practice in two regions counts in both).
        region_columns = [(region, region.lower(), region_url(region)) for region in REGIONS]
        objective_rows = []
        for objective, bits in zip(objectives, objective_bits, strict=True):
            row = []
            for region, slug, _ in region_columns:
                n = (bits & keys.get("region", {}).get(slug, 0)).bit_count()
                row.append((region, n, f"{search}?region={slug}&objective={objective.number}" if n else ""))
            n = (bits & no_country).bit_count()
            row.append(("No country", n, f"#no-country-{objective.number}" if n else ""))
            total = (bits & index.everything).bit_count()
            objective_rows.append((objective, row, total, f"{search}?objective={objective.number}"))
        # The practices without a country, by objective: where the "no country" cells lead.
        no_country_ids = index.page(no_country, "title", 0, no_country.bit_count())
        listed = {
            pk: (title, reverse("practices:detail", args=[slug]))
            for pk, title, slug in Practice.objects.filter(pk__in=no_country_ids).values_list(
                "pk", "title", "slug"
            )
        }
        no_country_lists = []
        for objective, bits in zip(objectives, objective_bits, strict=True):
            ids = index.page(bits & no_country, "title", 0, no_country.bit_count())
            if ids:
                no_country_lists.append((objective, [listed[pk] for pk in ids if pk in listed]))
        return super().get_context_data(
            objectives=objectives,
            regions=regions,
            no_country_total=no_country.bit_count(),
            no_country_cells=no_country_cells,
            region_columns=region_columns,
            objective_rows=objective_rows,
            no_country_lists=no_country_lists,
            empty_objectives=[
                o for o, bits in zip(objectives, objective_bits, strict=True) if not bits & index.everything
            ],
            **kwargs,
        )
