from django.db.models import Count, Prefetch, Q
from django.views.generic import DetailView, ListView, TemplateView

from practices.models import (
    Citation,
    Country,
    GcmObjective,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
)
from sources.models import SourceDocument

PUBLISHED = Q(practices__status=Practice.Status.PUBLISHED)


def published_practices():
    return Practice.objects.published().order_by("title")


class HomeView(TemplateView):
    template_name = "practices/home.html"

    def get_context_data(self, **kwargs):
        published = Practice.objects.published()
        return super().get_context_data(
            practice_count=published.count(),
            latest_practices=published.order_by("-published_at", "title")[:6],
            objectives=GcmObjective.objects.annotate(
                practice_count=Count("practices", filter=PUBLISHED, distinct=True)
            ),
            sources=SourceDocument.objects.defer("text"),
            **kwargs,
        )


class PracticeListView(ListView):
    template_name = "practices/practice_list.html"
    paginate_by = 25

    def get_queryset(self):
        return published_practices()


class PracticeDetailView(DetailView):
    template_name = "practices/practice_detail.html"
    context_object_name = "practice"

    def get_queryset(self):
        # Unpublished practices do not exist for the public (404); curators preview them.
        practices = Practice.objects.all()
        if not self.request.user.has_perm("practices.view_practice"):
            practices = practices.published()
        return practices.prefetch_related(
            Prefetch("country_links", queryset=PracticeCountry.objects.select_related("country")),
            Prefetch("objective_links", queryset=PracticeObjective.objects.select_related("objective")),
            Prefetch(
                "citations", queryset=Citation.objects.select_related("source").order_by("source", "start")
            ),
            "organisations",
            "principles",
            "themes",
            "meetings",
        )


class CountryDetailView(DetailView):
    template_name = "practices/country_detail.html"
    slug_field = "iso3"
    slug_url_kwarg = "iso3"
    queryset = Country.objects.all()

    def get_context_data(self, **kwargs):
        links = (
            PracticeCountry.objects.filter(country=self.object, practice__status=Practice.Status.PUBLISHED)
            .select_related("practice")
            .order_by("role", "practice__title")
        )
        return super().get_context_data(links=links, **kwargs)


class ObjectiveDetailView(DetailView):
    template_name = "practices/objective_detail.html"
    slug_field = "number"
    slug_url_kwarg = "number"
    queryset = GcmObjective.objects.all()

    def get_context_data(self, **kwargs):
        links = (
            PracticeObjective.objects.filter(
                objective=self.object, practice__status=Practice.Status.PUBLISHED
            )
            .select_related("practice")
            .order_by("-is_primary", "practice__title")
        )
        return super().get_context_data(links=links, **kwargs)


class MeetingDetailView(DetailView):
    template_name = "practices/meeting_detail.html"
    queryset = Meeting.objects.select_related("country").prefetch_related(
        "host_countries",
        "co_chair_countries",
        "co_chair_organisations",
        "supporting_organisations",
        "source_documents",
        Prefetch("practices", queryset=published_practices()),
    )


class OrganisationDetailView(DetailView):
    template_name = "practices/organisation_detail.html"
    queryset = Organisation.objects.select_related("country").prefetch_related(
        Prefetch("practices", queryset=published_practices())
    )
