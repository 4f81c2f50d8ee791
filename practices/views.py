import csv
import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db.models import Case, Prefetch, When
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView, View

from gfmd_kb.safe_input import printable, spreadsheet_cell
from practices import brief_pdf, picks
from practices.citing import (
    KNOWLEDGE_BASE,
    Reference,
    highwire_tags,
    last_changed,
    plain_text,
    schema_org,
    source_dates,
)
from practices.filters import PracticeFilter
from practices.models import (
    Citation,
    FormerSlug,
    Meeting,
    Practice,
    PracticeCountry,
    PracticeObjective,
    SearchIndexVersion,
    ThesaurusEntry,
)
from practices.related import related_practices
from practices.search.page import SearchPage
from practices.slugs import current_slugs

# Fields the search results never show; the search text is the bulk of a row.
NOT_LISTED = [
    "search_vector",
    "search_related",
    "description",
    "description_html",
    "results",
    "outside_facts",
]
EXPORT_LIMIT = 2000


class PracticeSearchMixin:
    """The search the request asks for: the same FilterSet for the page, exports and feed."""

    @cached_property
    def search(self):
        """The ``SearchPage`` of the request's GET parameters."""
        queryset = Practice.objects.published().defer(*NOT_LISTED)
        return SearchPage.run(self.request.GET, queryset=queryset, request=self.request)


class PracticeSearchView(PracticeSearchMixin, TemplateView):
    template_name = "practices/practice_list.html"

    def get_context_data(self, **kwargs):
        search = self.search
        filterset, total = search.filterset, search.total
        paginator = Paginator(Practice.objects.none(), search.page_size)
        paginator.count = total  # counted by the tally; spares a query
        practices = search.practices()
        page = Page(practices, search.tally.page_number, paginator)
        facets = search.facets()
        chips = active_chips(filterset.data, filterset, facets)
        return super().get_context_data(
            search=search,
            filterset=filterset,
            form=filterset.form,
            query=search.query,
            total=total,
            corrected_from=search.corrected_from,
            page_obj=page,
            practices=practices,
            facets=facets,
            decades=search.decades(),
            chips=chips,
            # What the "Filters (n)" button counts: the chips but the search words.
            filter_count=len(chips) - bool(filterset.query),
            sorts=[(key, label) for key, (label, _) in PracticeFilter.SORTS.items()],
            page_sizes=PracticeFilter.base_filters["per_page"].extra["choices"],
            querystring=search_querystring(filterset.data),
            # Downloads get what the page shows: the search without what it ignored.
            usable_querystring=search.usable_querystring(),
            **kwargs,
        )


def search_querystring(data, drop=("page",)):
    """The request's search parameters, URL-encoded, without the page number."""
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        if key not in drop:
            kept.setlist(key, [v for v in values if v != ""])
    return kept.urlencode()


def active_chips(data, filterset, facets):
    """Each active filter as (label, URL of the page without it)."""
    base = reverse("practices:list")

    def without(key, value=None):
        kept = data.copy()
        kept.pop("page", None)
        if value is None:
            kept.pop(key, None)
        else:
            kept.setlist(key, [v for v in kept.getlist(key) if v != value])
        encoded = search_querystring(kept)
        return f"{base}?{encoded}" if encoded else base

    chips = []
    if filterset.query:
        chips.append((f"Search: “{filterset.query.text}”", without("q")))
    labels = {}
    for facet in facets:
        for value in facet.values:
            labels[(facet.name, value.value)] = value.label
            for child in value.children:
                labels[("country", child.value)] = child.label
    for name, label, value in filterset.active_filters():
        if name in PracticeFilter.YEARS:
            chips.append((f"{label} {int(value)}", without(name)))
            continue
        for one in value:
            key = one.upper() if name == "country" else one.lower() if name == "region" else one
            shown = labels.get((name, key))
            if shown:
                chips.append((f"{label}: {shown}", without(name, one)))
    return chips


class PracticeExportView(PracticeSearchMixin, View):
    """The current result set, same filters and order, as CSV or JSON."""

    format = "csv"
    COLUMNS = [
        "slug",
        "title",
        "url",
        "summary",
        "countries",
        "gcm_objectives",
        "meetings",
        "period",
        "type",
        "scope",
        "citations",
    ]

    def get(self, request):
        search = self.search
        if search.ignored:
            return self.refuse_ignored(search)
        total = search.total
        if total > EXPORT_LIMIT:
            return render(
                request,
                "practices/export_too_large.html",
                {"total": total, "limit": EXPORT_LIMIT, "querystring": search_querystring(request.GET)},
                status=400,
            )
        ids = search.ordered_ids(total)
        stamp = timezone.now().strftime("%Y%m%d")
        if self.format in REFERENCE_FORMATS:
            return references_response(
                self.request,
                Practice.objects.filter(pk__in=ids),
                self.format,
                f"practices-{stamp}",
                order=ids,
            )
        practices = (
            Practice.objects.filter(pk__in=ids)
            .prefetch_related(
                Prefetch(
                    "meetings", queryset=Meeting.objects.only("slug", "name"), to_attr="listed_meetings"
                ),
                Prefetch(
                    "citations",
                    queryset=Citation.objects.select_related("source")
                    .only("practice_id", "start", "excerpt", "source__slug")
                    .order_by("source", "start"),
                    to_attr="listed_citations",
                ),
            )
            .defer(None)
            .only(
                "slug",
                "title",
                "summary",
                "start_year",
                "end_year",
                "ongoing",
                "practice_type",
                "scope",
                "published_at",
                "listing",
            )
        )
        by_id = {p.pk: p for p in practices}
        rows = [self.row(by_id[pk]) for pk in ids if pk in by_id]
        if self.format == "json":
            payload = {
                "search": search_querystring(request.GET),
                "count": len(rows),
                "generated_at": timezone.now().isoformat(timespec="seconds"),
                "practices": rows,
            }
            response = HttpResponse(
                json.dumps(payload, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
        else:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            # A byte-order mark: Excel reads a CSV without one in the machine's legacy
            # encoding and garbles accents (São Tomé); with it, as UTF-8. Other readers
            # skip it (Python: encoding="utf-8-sig").
            response.write("\ufeff")
            writer = csv.writer(response)
            writer.writerow(self.COLUMNS)
            for row in rows:
                writer.writerow(
                    spreadsheet_cell(cell)
                    for cell in [
                        row["slug"],
                        row["title"],
                        row["url"],
                        row["summary"],
                        " ".join(row["countries"]),
                        " ".join(str(n) for n in row["gcm_objectives"]),
                        " | ".join(m["name"] for m in row["meetings"]),
                        row["period"],
                        row["type"],
                        row["scope"],
                        " | ".join(f"{c['source']}: {c['excerpt']}" for c in row["citations"]),
                    ]
                )
        response["Content-Disposition"] = f'attachment; filename="practices-{stamp}.{self.format}"'
        return response

    def refuse_ignored(self, search):
        """A file that silently drops part of its search is not the file asked for: say what
        could not be used, and link to the export of the search without it."""
        url = reverse(self.request.resolver_match.view_name)
        usable = search.usable_querystring()
        without = f"{url}?{usable}" if usable else url
        if self.format == "json":
            payload = {
                "error": "Part of this search could not be used; nothing was exported.",
                "ignored": [
                    {"parameter": name, "values": values, "reason": reason}
                    for name, _, values, reason in search.ignored
                ],
                "without_ignored": self.request.build_absolute_uri(without),
            }
            return HttpResponseBadRequest(
                json.dumps(payload, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
        return render(
            self.request,
            "practices/export_ignored.html",
            {"ignored": search.ignored, "without": without, "querystring": search_querystring(search.data)},
            status=400,
        )

    def row(self, practice):
        return {
            "slug": practice.slug,
            "title": practice.title,
            "url": self.request.build_absolute_uri(practice.get_absolute_url()),
            "summary": practice.summary,
            "countries": sorted({country.iso3 for country in practice.listed_countries}),
            "gcm_objectives": sorted({objective.number for objective in practice.listed_objectives}),
            "meetings": [{"slug": m.slug, "name": m.name} for m in practice.listed_meetings],
            "period": practice.period,
            "type": practice.practice_type,
            "scope": practice.scope,
            "citations": [
                {"source": c.source.slug, "excerpt": c.excerpt, "start": c.start}
                for c in practice.listed_citations
            ],
        }


class PracticeSearchFeed(PracticeSearchMixin, Feed):
    """Newly published practices matching a search: the search URL plus /feed/."""

    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request):
        self.request = request
        return self.search

    # XML cannot carry control characters: stored text is made printable on its way out.
    def title(self, search):
        return printable(f"New practices: {describe_search(search)}")

    def link(self, search):
        """The search page of the same search (the feed's alternate link)."""
        return self.with_search(reverse("practices:list"))

    def feed_url(self, search):
        """The feed itself (its self link), with the search: a reader subscribed to it gets
        this search, not every practice."""
        return self.with_search(reverse("practices:feed"))

    def with_search(self, path):
        encoded = search_querystring(self.request.GET)
        return path + (f"?{encoded}" if encoded else "")

    def subtitle(self, search):
        return "Practices newly published in the Migration Practices Knowledge Base that match this search."

    def items(self, search):
        ids = search.newest_ids(self.limit)
        return Practice.objects.filter(pk__in=ids).order_by("-published_at", "title")

    def item_title(self, practice):
        return printable(practice.title)

    def item_description(self, practice):
        return printable(practice.summary_html)

    def item_pubdate(self, practice):
        return practice.published_at

    def item_updateddate(self, practice):
        # A curator's last change; the seed loader refreshing a row is not one.
        return practice.edited_at or practice.published_at


def practice_search_feed(request):
    # A fresh feed per request: the feed object keeps the request's search on itself.
    return PracticeSearchFeed()(request)


def describe_search(search):
    """A search in words, names rather than codes: “remittances”; country Mexico; GCM
    objective 6. Fair recruitment and decent work."""
    parts = [f"“{search.query.text}”"] if search.query else []
    for label, values in search.described_filters():
        # "Country" reads "country" inside a sentence; "GCM objective" keeps its capitals.
        label = label if label[:2].isupper() else label[:1].lower() + label[1:]
        parts.append(f"{label} {', '.join(values)}")
    return "; ".join(parts) or "all practices"


# --- References for reference managers: one practice, a search's results, a brief ----------

REFERENCE_FORMATS = {
    "ris": ("application/x-research-info-systems", Reference.ris),
    "bib": ("application/x-bibtex", Reference.bibtex),
}


def references_response(request, practices, reference_format, filename, order=None):
    """The practices as one RIS or BibTeX file, a record each (in ``order``, a list of ids,
    if given). One query per relation whatever their number."""
    practices = practices.prefetch_related(
        "themes",
        Prefetch("citations", queryset=Citation.objects.select_related("source").defer("source__text")),
        Prefetch("citations__source__meetings", queryset=Meeting.objects.only("slug", "name", "start_date")),
    )
    if order is not None:
        by_id = {practice.pk: practice for practice in practices}
        practices = [by_id[pk] for pk in order if pk in by_id]
    accessed = timezone.localdate()
    content_type, render = REFERENCE_FORMATS[reference_format]
    body = ("\r\n" if reference_format == "ris" else "\n").join(
        render(Reference.for_practice(p, request.build_absolute_uri(p.get_absolute_url()), accessed))
        for p in practices
    )
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{reference_format}"'
    return response


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
        relations += [
            # Undated documents are dated by their meetings (practices.citing.source_date).
            Prefetch(
                "citations__source__meetings", queryset=Meeting.objects.only("slug", "name", "start_date")
            ),
            "organisations",
            "principles",
            "themes",
            "meetings",
        ]
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
        reference = self.get_reference()
        permanent_url = self.request.build_absolute_uri(practice.get_absolute_url())
        return super().get_context_data(
            permanent_url=permanent_url,
            meta_description=Truncator(plain_text(practice.summary_html)).chars(200),
            reference_knowledge_base=KNOWLEDGE_BASE,
            last_changed=last_changed(practice),
            source_dates=source_dates(practice),
            reference=reference,
            # For reference managers and search engines (practices.citing).
            highwire_tags=highwire_tags(reference),
            schema_org=schema_org(practice, permanent_url, self.request.build_absolute_uri),
            related=related_practices(practice) if practice.is_published else [],
            **kwargs,
        )


class PracticeReferenceView(PracticeBySlugMixin, DetailView):
    """“Cite this practice” as a file for reference managers: RIS or BibTeX."""

    formats = REFERENCE_FORMATS
    reference_format = "ris"

    def render_to_response(self, context, **response_kwargs):
        content_type, render = self.formats[self.reference_format]
        response = HttpResponse(render(self.get_reference()), content_type=f"{content_type}; charset=utf-8")
        filename = f"{self.object.slug}.{self.reference_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ThesaurusView(TemplateView):
    """The migration thesaurus search uses, in the open: researchers see why a search found
    what it found, and curators what to add."""

    template_name = "practices/thesaurus.html"

    def get_context_data(self, **kwargs):
        entries = sorted(ThesaurusEntry.objects.all(), key=lambda e: e.term_list[0] if e.term_list else "")
        return super().get_context_data(
            equivalent=[e for e in entries if e.kind == ThesaurusEntry.Kind.EQUIVALENT],
            one_way=[e for e in entries if e.kind == ThesaurusEntry.Kind.ONE_WAY],
            **kwargs,
        )


# --- Printed briefs ------------------------------------------------------------------


@dataclass
class BriefSelection:
    """The practices a brief holds (a queryset, in print order) and what chose them, for its
    cover: ``origin`` in words, ``criteria`` as (label, value) pairs (a search's words and
    filters, by name). ``params`` are the GET parameters that choose the same practices
    again ([] for the picks, which are in a cookie); ``search_url`` the search page they
    came from. ``from_session`` offers the remove/empty buttons of the picks."""

    practices: object
    origin: str
    criteria: list = field(default_factory=list)
    not_found: list = field(default_factory=list)
    from_session: bool = False
    total: int | None = None  # when ``practices`` holds only the first of them
    params: list = field(default_factory=list)
    search_url: str = ""


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


def brief_text(value, limit):
    """A title or meeting name typed by the visitor: one line, at most ``limit`` characters
    (the template escapes it)."""
    return " ".join(printable(value or "").split())[:limit].strip()


class BriefView(TemplateView):
    """One printable document: a cover saying what it is for and what produced it (with an
    optional title and meeting name, and a link that makes the same brief again), a short
    table of contents, then one practice per page."""

    template_name = "practices/practice_brief.html"
    max_practices = picks.MAX_PRACTICES
    # ?practice=<slug> is repeatable; more than this many is not a brief anyone prints.
    max_slugs = 100
    # The cover's own words (?title=, ?meeting_name=): a heading, not an essay.
    HEADING_FIELDS = {"title": 120, "meeting_name": 150}

    def get_practices(self):
        """Where the brief's practices come from: the only place to change to add a source.

        ``?practice=<slug>`` (repeatable) prints those practices; otherwise the brief is the
        practices picked one by one (a cookie). Returns a ``BriefSelection``; its
        queryset may hold more than ``max_practices`` (the view cuts and says so) and
        need not be limited to published practices (the view does that too).
        """
        if any(name in self.request.GET for name in PracticeFilter.base_filters if name != "per_page"):
            return self.search_selection()
        requested = [slug for slug in self.request.GET.getlist("practice") if slug.strip()]
        if requested:
            slugs = [slug.strip() for slug in requested[: self.max_slugs]]
            practices, not_found = practices_in_order(slugs)
            return BriefSelection(
                practices,
                "Practices chosen one by one",
                not_found=not_found,
                params=[("practice", slug) for slug in slugs if slug not in not_found],
            )
        practices, not_found = practices_in_order(picks.picked_slugs(self.request))
        return BriefSelection(
            practices, "Practices chosen one by one", not_found=not_found, from_session=True
        )

    def search_selection(self):
        """The results of a search page (same GET parameters), in the page's order."""
        search = SearchPage.run(self.request.GET, request=self.request)
        criteria = [("Search", f"“{search.query.text}”")] if search.query else []
        criteria += [(label, ", ".join(values)) for label, values in search.described_filters()]
        criteria.append(("Sorted by", PracticeFilter.SORTS[search.sort_key][0]))
        ids = search.ordered_ids(self.max_practices)
        position = Case(*(When(pk=pk, then=index) for index, pk in enumerate(ids)))
        practices = Practice.objects.filter(pk__in=ids).order_by(position) if ids else Practice.objects.none()
        data = QueryDict(search.usable_querystring())
        params = [
            (name, value)
            for name, values in data.lists()
            if name in PracticeFilter.base_filters
            for value in values
        ]
        return BriefSelection(
            practices,
            "Search results",
            criteria=criteria,
            total=search.total,
            params=params,
            search_url=reverse("practices:list") + (f"?{urlencode(params)}" if params else ""),
        )

    def heading(self):
        """{"title": ..., "meeting_name": ...} as typed (cleaned and cut), empty ones left out."""
        typed = {name: brief_text(self.request.GET.get(name), n) for name, n in self.HEADING_FIELDS.items()}
        return {name: value for name, value in typed.items() if value}

    def get_context_data(self, **kwargs):
        selection = self.get_practices()
        practices = selection.practices.published()
        total = selection.total if selection.total is not None else practices.count()
        shown = list(with_page_details(practices, for_print=True)[: self.max_practices]) if total else []
        heading = self.heading()
        # The link printed on the cover: these practices, in this order, with this heading:
        # the same brief for anyone, whatever chose it (a search's results change, picks
        # are in one browser's cookie).
        share = [("practice", practice.slug) for practice in shown] + list(heading.items())
        brief = reverse("practices:brief")
        # The PDF of what this page shows: a search's brief as a search (its cover says so),
        # picks as the list of their practices.
        pdf_params = (selection.params if selection.search_url else share[: len(shown)]) + list(
            heading.items()
        )
        return super().get_context_data(
            selection=selection,
            practices=shown,
            total=total,
            truncated=total > len(shown),
            max_practices=self.max_practices,
            is_picks=selection.from_session,
            generated_at=timezone.localtime(),
            brief_title=heading.get("title", ""),
            meeting_name=heading.get("meeting_name", ""),
            heading_limits=self.HEADING_FIELDS,
            share_url=self.request.build_absolute_uri(f"{brief}?{urlencode(share)}"),
            # RIS and BibTeX of exactly the practices shown, in their order.
            references_query=urlencode(share[: len(shown)]),
            pdf_links=[
                (label, f"{reverse('practices:brief-pdf')}?{urlencode([*pdf_params, ('paper', paper)])}")
                for paper, label in brief_pdf.PAPERS.items()
            ]
            if shown and brief_pdf.available()
            else [],
            **kwargs,
        )


class BriefPdfView(BriefView):
    """The brief as a PDF whose contents give page numbers (``practices.brief_pdf``): the
    same GET parameters as the brief, plus ``paper`` (a4 or letter)."""

    def get(self, request, *args, **kwargs):
        paper = request.GET.get("paper", "a4").lower()
        if paper not in brief_pdf.PAPERS:
            return HttpResponseBadRequest("Paper: a4 or letter.", content_type="text/plain; charset=utf-8")
        if not brief_pdf.available():
            return HttpResponse(
                "This server cannot make PDFs: print the brief from your browser instead.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        # One PDF per brief, paper and day while the knowledge base is unchanged: printing
        # takes seconds, and the page cache does not keep PDFs.
        key = (
            "brief-pdf:"
            + hashlib.sha256(
                "\x1f".join(
                    [
                        SearchIndexVersion.current_token() or "",
                        request.GET.urlencode(),
                        request.COOKIES.get(picks.COOKIE, ""),
                        request.get_host(),
                        timezone.localdate().isoformat(),
                    ]
                ).encode()
            ).hexdigest()
        )
        cache = caches[settings.PAGE_CACHE]
        pdf = cache.get(key)
        if pdf is None:
            context = self.get_context_data()
            practices = context["practices"]
            # Each contents entry gets a marker the printer replaces with its page number.
            contents = brief_pdf.Contents()
            for index, practice in enumerate(practices):
                practice.page_marker = contents.marker(index)
            if not practices:
                return HttpResponse(
                    "This brief is empty: there is nothing to print.",
                    status=404,
                    content_type="text/plain; charset=utf-8",
                )
            html = render_to_string(self.template_name, context, request)
            query = QueryDict(mutable=True)
            query.update(request.GET)
            query.pop("paper", None)
            url = request.build_absolute_uri(
                reverse("practices:brief") + (f"?{query.urlencode()}" if query else "")
            )
            anchors = [f"practice-{practice.slug}" for practice in practices]
            try:
                pdf = brief_pdf.print_brief(html, url, contents, anchors, paper)
            except brief_pdf.PdfError as error:
                return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
            if settings.PAGE_CACHE_SECONDS:
                cache.set(key, pdf, settings.PAGE_CACHE_SECONDS)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(self.heading().get("title", "")) or "brief"
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="{name[:60]}-{stamp}.pdf"'
        return response


class BriefReferencesView(BriefView):
    """The brief's practices as RIS or BibTeX: the same GET parameters as the brief."""

    reference_format = "ris"

    def get(self, request, *args, **kwargs):
        selection = self.get_practices()
        ids = list(selection.practices.published().values_list("pk", flat=True)[: self.max_practices])
        return references_response(
            request, Practice.objects.filter(pk__in=ids), self.reference_format, "brief", order=ids
        )


@require_POST
def pick(request):
    """Add a practice to the visitor's brief, remove one, or clear it (POST forms, CSRF)."""
    action = request.POST.get("action")
    slug = request.POST.get("practice", "").strip()
    chosen = picks.Picks(request)
    if action == "add":
        practice = get_object_or_404(Practice.objects.published(), slug=slug)
        if chosen.add(practice.slug):
            messages.success(request, f"“{practice.title}” is in your brief.")
        else:
            messages.error(
                request,
                f"Your brief already holds {picks.MAX_PRACTICES} practices, the most one brief prints. "
                "Remove one before adding another.",
            )
    elif action == "remove":
        chosen.remove(slug)
        messages.success(request, "Removed from your brief.")
    elif action == "clear":
        chosen.clear()
        messages.success(request, "Your brief is empty.")
    else:
        return HttpResponseBadRequest(
            "Unknown action: expected add, remove or clear.", content_type="text/plain"
        )
    response = back_from_picking(request)
    chosen.save(response)
    return response


def back_from_picking(request):
    # Back to the page the form was on: a path on this site, never a view name to reverse
    # (``redirect("abc")`` would try) nor another host.
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("practices:brief")
