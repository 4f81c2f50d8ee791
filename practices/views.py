from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from practices import picks
from practices.citing import KNOWLEDGE_BASE, Reference, last_changed, plain_text
from practices.models import (
    Citation,
    Country,
    FormerSlug,
    GcmObjective,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
)
from practices.related import related_practices
from practices.slugs import current_slugs
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


def visible_practices(user):
    """Unpublished practices do not exist for the public (404); curators preview them."""
    practices = Practice.objects.all()
    if not user.has_perm("practices.view_practice"):
        practices = practices.published()
    return practices


def with_page_details(practices, for_print=False):
    """Everything a practice page shows, in one query per relation; a brief's printed pages
    (``for_print``) show less: no organisations, principles, themes or meetings."""
    relations = [
        Prefetch("country_links", queryset=PracticeCountry.objects.select_related("country")),
        Prefetch("objective_links", queryset=PracticeObjective.objects.select_related("objective")),
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source")
            .defer("source__text")
            .order_by("source__publication_date", "source__title", "start"),
        ),
    ]
    if not for_print:
        relations += ["organisations", "principles", "themes", "meetings"]
    return practices.prefetch_related(*relations)


class PracticeBySlugMixin:
    """A practice by its slug; a former slug redirects permanently to the same page at the
    current one (``practices.slugs``), so permanent links survive a change of title."""

    def get_queryset(self):
        return with_page_details(visible_practices(self.request.user))

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            former = (
                FormerSlug.objects.filter(slug=kwargs["slug"], practice__in=visible_practices(request.user))
                .select_related("practice")
                .first()
            )
            if former is None:
                raise
            url = reverse(request.resolver_match.view_name, kwargs={**kwargs, "slug": former.practice.slug})
            if request.META.get("QUERY_STRING"):
                url = f"{url}?{request.META['QUERY_STRING']}"
            return redirect(url, permanent=True)

    def get_reference(self):
        practice = self.object
        url = self.request.build_absolute_uri(practice.get_absolute_url())
        return Reference.for_practice(practice, url, accessed=timezone.localdate())


class PracticeDetailView(PracticeBySlugMixin, DetailView):
    template_name = "practices/practice_detail.html"
    context_object_name = "practice"

    def get_context_data(self, **kwargs):
        practice = self.object
        return super().get_context_data(
            permanent_url=self.request.build_absolute_uri(practice.get_absolute_url()),
            meta_description=Truncator(plain_text(practice.summary_html)).chars(200),
            reference_knowledge_base=KNOWLEDGE_BASE,
            last_changed=last_changed(practice),
            reference=self.get_reference(),
            related=related_practices(practice) if practice.is_published else [],
            **kwargs,
        )


class PracticeReferenceView(PracticeBySlugMixin, DetailView):
    """“Cite this practice” as a file for reference managers: RIS or BibTeX."""

    formats = {
        "ris": ("application/x-research-info-systems", Reference.ris),
        "bib": ("application/x-bibtex", Reference.bibtex),
    }
    reference_format = "ris"

    def render_to_response(self, context, **response_kwargs):
        content_type, render = self.formats[self.reference_format]
        response = HttpResponse(render(self.get_reference()), content_type=f"{content_type}; charset=utf-8")
        filename = f"{self.object.slug}.{self.reference_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


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


# --- Printed briefs ------------------------------------------------------------------


@dataclass
class BriefSelection:
    """The practices a brief holds (a queryset, in print order) and what chose them, for its
    cover: ``origin`` in words, ``criteria`` as (label, value) pairs (e.g. a search's filters).
    ``from_session`` offers the remove/empty buttons of the picks kept in the session."""

    practices: object
    origin: str
    criteria: list = field(default_factory=list)
    not_found: list = field(default_factory=list)
    from_session: bool = False


def practices_in_order(slugs):
    """Published practices with these slugs (former slugs too), in the order given."""
    renamed = current_slugs(slugs)
    ordered = list(dict.fromkeys(renamed.get(slug, slug) for slug in slugs))
    if not ordered:
        return Practice.objects.none(), []
    practices = Practice.objects.published().filter(slug__in=ordered)
    position = Case(*(When(slug=slug, then=index) for index, slug in enumerate(ordered)))
    found = set(practices.values_list("slug", flat=True))
    not_found = [slug for slug in slugs if renamed.get(slug, slug) not in found]
    return practices.order_by(position, "title"), not_found


class BriefView(TemplateView):
    """One printable document: a cover saying what produced it, a short table of contents,
    then one practice per page."""

    template_name = "practices/practice_brief.html"
    max_practices = picks.MAX_PRACTICES
    # ?practice=<slug> is repeatable; more than this many is not a brief anyone prints.
    max_slugs = 100

    def get_practices(self):
        """Where the brief's practices come from: the only place to change to add a source.

        ``?practice=<slug>`` (repeatable) prints those practices; otherwise the brief is the
        practices picked one by one in this session. Returns a ``BriefSelection``; its
        queryset may hold more than ``max_practices`` (the view cuts and says so) and
        need not be limited to published practices (the view does that too).
        """
        requested = [slug for slug in self.request.GET.getlist("practice") if slug.strip()]
        if requested:
            slugs = [slug.strip() for slug in requested[: self.max_slugs]]
            practices, not_found = practices_in_order(slugs)
            return BriefSelection(practices, "Practices chosen by address", not_found=not_found)
        practices, not_found = practices_in_order(picks.picked_slugs(self.request.session))
        return BriefSelection(
            practices, "Practices picked one by one", not_found=not_found, from_session=True
        )

    def get_context_data(self, **kwargs):
        selection = self.get_practices()
        practices = selection.practices.published()
        total = practices.count()
        shown = list(with_page_details(practices, for_print=True)[: self.max_practices]) if total else []
        return super().get_context_data(
            selection=selection,
            practices=shown,
            total=total,
            truncated=total > len(shown),
            max_practices=self.max_practices,
            is_picks=selection.from_session,
            generated_at=timezone.localtime(),
            **kwargs,
        )


@require_POST
def pick(request):
    """Add a practice to the session's brief, remove one, or clear it (POST forms, CSRF)."""
    action = request.POST.get("action")
    slug = request.POST.get("practice", "").strip()
    if action == "add":
        practice = get_object_or_404(Practice.objects.published(), slug=slug)
        if picks.add(request.session, practice.slug):
            messages.success(request, f"“{practice.title}” is in your brief.")
        else:
            messages.error(
                request,
                f"Your brief already holds {picks.MAX_PRACTICES} practices, the most one brief prints. "
                "Remove one before adding another.",
            )
    elif action == "remove":
        picks.remove(request.session, slug)
        messages.success(request, "Removed from your brief.")
    elif action == "clear":
        picks.clear(request.session)
        messages.success(request, "Your brief is empty.")
    else:
        return HttpResponseBadRequest(
            "Unknown action: expected add, remove or clear.", content_type="text/plain"
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("practices:brief")
