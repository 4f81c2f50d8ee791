"""The read-only JSON API under /api/v1/ (Django REST Framework, schema by drf-spectacular).

The practice list and the facet counts run the search page's own ``SearchPage`` over the
same GET parameters (``PracticeFilter``'s), so the API and the page cannot disagree: the
same results, in the same order, with the same counts. What the page shows as "ignored"
beside a facet (an unknown value, a malformed year) is a 400 here, with the reasons, as
the JSON export does: a script must not mistake a broken filter for an empty result.

The serializers below describe the responses for the OpenAPI schema; the responses
themselves are built by ``opendata.shapes`` (see there why), and the schema tests check
that every response matches its description.
"""

import math

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.exceptions import APIException, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from practices.filters import PAGE_SIZES, PracticeFilter
from practices.models import CountryRole, Practice, PracticeScope, PracticeType
from practices.opendata import shapes
from practices.search.page import SearchPage
from practices.views import NOT_LISTED
from sources.models import DocumentType, SourceDocument

MAX_PAGE = 999_999  # the search page reads at most six digits
# Django's <slug:> converter: any other path is not one of these endpoints.
SLUG_PARAMETER = OpenApiParameter(
    "slug", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, OpenApiParameter.PATH
)


class BadRequest(APIException):
    status_code = 400
    default_code = "bad_request"

    def __init__(self, error, problems=()):
        super().__init__(detail=error)
        self.problems = list(problems)


def handle_exception(exc, context):
    """Every error as {"error": message, "problems": [...]}; a 429 also says when to retry
    (in seconds, as its Retry-After header does)."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
    body = {"error": str(detail), "problems": getattr(exc, "problems", [])}
    if isinstance(exc, Throttled):
        body["error"] = "Too many requests from this client: wait before trying again."
        body["retry_after"] = math.ceil(exc.wait) if exc.wait is not None else None
    response.data = body
    return response


def not_found(request, *args, **kwargs):
    """A JSON 404 for any other address under /api/, rather than the site's HTML page."""
    return JsonResponse({"error": "No such API endpoint.", "problems": []}, status=404)


# --- The shapes, described for the schema ----------------------------------------------


class ProblemSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    problems = ProblemSerializer(many=True)


class ThrottledSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(allow_null=True, help_text="Seconds to wait.")


class PeriodSerializer(serializers.Serializer):
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)
    ongoing = serializers.BooleanField()
    text = serializers.CharField(allow_blank=True, help_text="As the site shows it: “2006–ongoing”.")


class ListedCountrySerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()


class ListedObjectiveSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class ListedDocumentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class PracticeSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The practice's page on the site.")
    summary = serializers.CharField(help_text="Markdown, in our own words.")
    type = serializers.ChoiceField(choices=PracticeType.choices)
    scope = serializers.ChoiceField(choices=PracticeScope.choices)
    period = PeriodSerializer()
    countries = ListedCountrySerializer(many=True)
    objectives = ListedObjectiveSerializer(many=True, help_text="GCM objectives, the primary first.")
    documents = ListedDocumentSerializer(many=True, help_text="Cited documents, the latest first.")
    published_at = serializers.DateTimeField(allow_null=True)


class PracticeCountrySerializer(ListedCountrySerializer):
    role = serializers.ChoiceField(choices=CountryRole.choices)


class PracticeObjectiveSerializer(ListedObjectiveSerializer):
    primary = serializers.BooleanField()


class NamedSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PracticeOrganisationSerializer(NamedSerializer):
    acronym = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()


class PracticeMeetingSerializer(NamedSerializer):
    start_date = serializers.DateField(allow_null=True)


class CitedDocumentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    publication_date = serializers.DateField(allow_null=True)


class CitationSerializer(serializers.Serializer):
    document = CitedDocumentSerializer()
    excerpt = serializers.CharField(help_text="Verbatim from the document's text, © its publisher.")
    start = serializers.IntegerField(help_text="Character offset of the excerpt in the document's text.")
    end = serializers.IntegerField(help_text="Offset just past the excerpt: text[start:end] == excerpt.")
    label = serializers.CharField(allow_blank=True, help_text="Page or section, e.g. “p. 9”.")
    url = serializers.URLField(help_text="The passage highlighted in the document reader.")


class PracticeDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()
    aliases = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField(help_text="Markdown, in our own words.")
    description = serializers.CharField(allow_blank=True, help_text="Markdown, in our own words.")
    results = serializers.CharField(allow_blank=True, help_text="Markdown: results the sources state.")
    type = serializers.ChoiceField(choices=PracticeType.choices)
    scope = serializers.ChoiceField(choices=PracticeScope.choices)
    period = PeriodSerializer()
    countries = PracticeCountrySerializer(many=True)
    objectives = PracticeObjectiveSerializer(many=True)
    principles = NamedSerializer(many=True)
    themes = NamedSerializer(many=True)
    organisations = PracticeOrganisationSerializer(many=True)
    meetings = PracticeMeetingSerializer(many=True)
    citations = CitationSerializer(many=True)
    published_at = serializers.DateTimeField(allow_null=True)
    edited_at = serializers.DateTimeField(allow_null=True, help_text="A curator's last change.")


class SearchEchoSerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True, help_text="The words searched for.")
    corrected_from = serializers.CharField(
        allow_null=True, help_text="The words as typed, when a misspelling was corrected."
    )
    not_found = serializers.ListField(child=serializers.CharField(), help_text="Words no practice has.")
    sort = serializers.ChoiceField(choices=list(PracticeFilter.SORTS))


class PracticePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Practices matching the search, on every page.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    search = SearchEchoSerializer()
    results = PracticeSummarySerializer(many=True)


class FacetChildSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to pass as the facet's parameter.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetValueSerializer(FacetChildSerializer):
    children = FacetChildSerializer(many=True, help_text="A region's countries (parameter: country).")


class FacetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The parameter that filters by it.")
    label = serializers.CharField()
    values = FacetValueSerializer(many=True)
    unknown = serializers.ListField(child=serializers.CharField())


class DecadeSerializer(serializers.Serializer):
    decade = serializers.IntegerField()
    count = serializers.IntegerField()


class FacetCountsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    facets = FacetSerializer(many=True)
    decades = DecadeSerializer(many=True, help_text="Practices by decade of their start.")


class DocumentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The document in the site's reader.")
    publisher = serializers.CharField()
    publication_date = serializers.DateField(allow_null=True)
    type = serializers.ChoiceField(choices=DocumentType.choices)
    language = serializers.CharField()


class DocumentWithTextSerializer(DocumentSerializer):
    text = serializers.CharField(
        required=False, help_text="The cleaned full text citations point into (with ?include=text)."
    )


def listing(name, item):
    return type(
        f"{name}Listing",
        (serializers.Serializer,),
        {"count": serializers.IntegerField(), "results": item(many=True)},
    )


class CountrySerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    iso2 = serializers.CharField()
    m49 = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    sub_region = serializers.CharField()
    intermediate_region = serializers.CharField(allow_blank=True)
    un_status = serializers.CharField()
    url = serializers.URLField()


class ObjectiveSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    short_label = serializers.CharField()
    url = serializers.URLField()


class VocabularyEntrySerializer(NamedSerializer):
    url = serializers.URLField()


class OrganisationSerializer(VocabularyEntrySerializer):
    acronym = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    country = serializers.CharField(allow_null=True, help_text="ISO alpha-3.")


class MeetingSerializer(VocabularyEntrySerializer):
    series = serializers.CharField()
    kind = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_null=True, help_text="ISO alpha-3.")
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


VOCABULARY_SERIALIZERS = {
    "countries": CountrySerializer,
    "objectives": ObjectiveSerializer,
    "principles": VocabularyEntrySerializer,
    "themes": VocabularyEntrySerializer,
    "organisations": OrganisationSerializer,
    "meetings": MeetingSerializer,
}

ERRORS = {400: ErrorSerializer, 429: ThrottledSerializer}


# --- The search's parameters, from the FilterSet ---------------------------------------


def search_parameters():
    """The list's query parameters, read off ``PracticeFilter``: the schema names exactly
    what the search page accepts."""
    parameters = []
    for name, filter_ in PracticeFilter.base_filters.items():
        description = str(filter_.label or name)
        if name == "q":
            kind, extra = (
                OpenApiTypes.STR,
                {"description": "Words, as on the search page: quotes for a phrase, `or`, `-word`."},
            )
        elif name in PracticeFilter.FACETS:
            kind = {"type": "array", "items": {"type": "string", "maxLength": 120}, "maxItems": 50}
            extra = {"description": f"{description}: repeat for several values (any of them matches)."}
        elif name in PracticeFilter.YEARS:
            kind = {"type": "integer", "minimum": 1800, "maximum": 2100}
            extra = {"description": description}
        elif name == "sort":
            kind, extra = OpenApiTypes.STR, {"enum": list(PracticeFilter.SORTS), "description": description}
        elif name == "per_page":
            kind, extra = OpenApiTypes.INT, {"enum": PAGE_SIZES, "description": description}
        else:  # pragma: no cover - a new filter must be described here
            raise AssertionError(f"Describe the search parameter {name!r} for the API schema")
        parameters.append(OpenApiParameter(name, kind, OpenApiParameter.QUERY, **extra))
    return parameters


PAGE_PARAMETER = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    OpenApiParameter.QUERY,
    description="Page number (past the last page: the last page).",
)


def run_search(request, allowed_extra=()):
    """The ``SearchPage`` of the request, or a 400 naming every parameter it cannot use."""
    data = request.query_params
    allowed = {*PracticeFilter.base_filters, *allowed_extra}
    problems = [
        {"parameter": name, "values": data.getlist(name), "reason": "Unknown parameter."}
        for name in sorted(set(data) - allowed)
    ]
    if "page" in allowed_extra and "page" in data:
        number = data.get("page", "")
        if not (number.isascii() and number.isdigit() and 1 <= int(number) <= MAX_PAGE):
            problems.append(
                {
                    "parameter": "page",
                    "values": data.getlist("page"),
                    "reason": f"A whole number from 1 to {MAX_PAGE}.",
                }
            )
    queryset = Practice.objects.published().defer(*NOT_LISTED)
    search = SearchPage.run(data, queryset=queryset, request=request._request)
    problems += [
        {"parameter": name, "values": values, "reason": reason} for name, _, values, reason in search.ignored
    ]
    if errors := search.filterset.form.errors.get("per_page"):
        problems.append(
            {"parameter": "per_page", "values": data.getlist("per_page"), "reason": " ".join(errors)}
        )
    if problems:
        raise BadRequest("Some parameters could not be used; nothing was searched.", problems)
    return search


def absolute_for(request):
    return request.build_absolute_uri


class PublicAPIView(APIView):
    http_method_names = ["get", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Public data: other sites may read it (CORS) and embed it (the site's default is
        # same-origin, see gfmd_kb.middleware).
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response


class PracticeListView(PublicAPIView):
    @extend_schema(
        operation_id="practices_list",
        summary="Search practices",
        description=(
            "The search page's results, in its order, a page at a time: the same words, "
            "filters, sort and page size (`/practices/?…` on the site)."
        ),
        parameters=[*search_parameters(), PAGE_PARAMETER],
        responses={200: PracticePageSerializer, **ERRORS},
    )
    def get(self, request):
        search = run_search(request, allowed_extra=("page",))
        absolute = absolute_for(request)
        tally = search.tally
        pages = max(1, -(-tally.total // search.page_size))

        def page_url(number):
            if number < 1 or number > pages:
                return None
            data = request.query_params.copy()
            data["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{data.urlencode()}")

        return Response(
            {
                "count": tally.total,
                "page": tally.page_number,
                "pages": pages,
                "per_page": search.page_size,
                "next": page_url(tally.page_number + 1),
                "previous": page_url(tally.page_number - 1),
                "search": {
                    "q": search.query.text if search.query else "",
                    "corrected_from": search.corrected_from,
                    "not_found": [concept.label for concept in search.not_found],
                    "sort": search.sort_key,
                },
                "results": [shapes.practice_summary(p, absolute) for p in search.practices()],
            }
        )


class FacetCountsView(PublicAPIView):
    @extend_schema(
        operation_id="practices_facets",
        summary="Facet counts of a search",
        description=(
            "For any search (the list's parameters), every facet's values with the number of "
            "practices each would give, counted under the other filters, as the search page "
            "shows them; and the practices by decade of their start."
        ),
        parameters=search_parameters(),
        responses={200: FacetCountsSerializer, **ERRORS},
    )
    def get(self, request):
        search = run_search(request)

        def value(facet_value, children=True):
            shape = {
                "value": facet_value.value,
                "label": facet_value.label,
                "count": facet_value.count,
                "selected": facet_value.selected,
            }
            if children:
                shape["children"] = [value(child, children=False) for child in facet_value.children]
            return shape

        return Response(
            {
                "count": search.total,
                "facets": [
                    {
                        "name": facet.name,
                        "label": str(facet.label),
                        "values": [value(v) for v in facet.values],
                        "unknown": list(facet.unknown),
                    }
                    for facet in search.facets()
                ],
                "decades": [{"decade": decade, "count": n} for decade, n in search.decades()],
            }
        )


class PracticeDetailView(PublicAPIView):
    @extend_schema(
        operation_id="practices_detail",
        summary="One practice",
        description="A published practice with its classifications and its citations (verbatim excerpts).",
        parameters=[SLUG_PARAMETER],
        responses={200: PracticeDetailSerializer, 404: ErrorSerializer, 429: ThrottledSerializer},
    )
    def get(self, request, slug):
        practice = get_object_or_404(Practice.objects.published().only(*shapes.DETAIL_FIELDS), slug=slug)
        return Response(shapes.practice_detail(practice, absolute_for(request)))


class DocumentListView(PublicAPIView):
    @extend_schema(
        operation_id="documents_list",
        summary="Source documents",
        description="Every document the knowledge base cites (metadata; the text is on each document).",
        responses={200: listing("Document", DocumentSerializer), **ERRORS},
    )
    def get(self, request):
        if request.query_params:
            raise BadRequest(
                "This list takes no parameters.",
                [
                    {"parameter": name, "values": request.query_params.getlist(name), "reason": "Unknown."}
                    for name in sorted(request.query_params)
                ],
            )
        absolute = absolute_for(request)
        documents = SourceDocument.objects.defer("text", "outside_facts").order_by("slug")
        results = [shapes.document_shape(d, absolute) for d in documents]
        return Response({"count": len(results), "results": results})


class DocumentDetailView(PublicAPIView):
    @extend_schema(
        operation_id="documents_detail",
        summary="One source document",
        description=(
            "Its metadata; its full text too with `?include=text` (citations' offsets point into it)."
        ),
        parameters=[
            SLUG_PARAMETER,
            OpenApiParameter(
                "include", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["text"], description="`text`"
            ),
        ],
        responses={200: DocumentWithTextSerializer, 404: ErrorSerializer, **ERRORS},
    )
    def get(self, request, slug):
        data = request.query_params
        problems = [
            {"parameter": name, "values": data.getlist(name), "reason": "Unknown parameter."}
            for name in sorted(set(data) - {"include"})
        ]
        include = data.getlist("include")
        if any(value != "text" for value in include):
            problems.append({"parameter": "include", "values": include, "reason": "Only “text”."})
        if problems:
            raise BadRequest("Some parameters could not be used.", problems)
        queryset = SourceDocument.objects.all() if include else SourceDocument.objects.defer("text")
        document = get_object_or_404(queryset, slug=slug)
        return Response(shapes.document_shape(document, absolute_for(request), text=bool(include)))


class VocabularyView(PublicAPIView):
    vocabulary = None

    def get(self, request):
        if request.query_params:
            raise BadRequest(
                "This list takes no parameters.",
                [
                    {"parameter": name, "values": request.query_params.getlist(name), "reason": "Unknown."}
                    for name in sorted(request.query_params)
                ],
            )
        queryset, shape = shapes.VOCABULARIES[self.vocabulary]
        absolute = absolute_for(request)
        results = [shape(row, absolute) for row in queryset()]
        return Response({"count": len(results), "results": results})


def vocabulary_view(name):
    """A view class of its own per vocabulary, so that each has its own schema."""

    def get(self, request):
        return VocabularyView.get(self, request)

    get = extend_schema(
        operation_id=f"{name}_list",
        summary=name.title(),
        responses={200: listing(name.title(), VOCABULARY_SERIALIZERS[name]), **ERRORS},
    )(get)
    return type(f"{name.title()}View", (VocabularyView,), {"vocabulary": name, "get": get})


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process: it changes only with the code, and
    generating it walks every view (about a tenth of a second)."""

    api_version = "1"  # never read from the request (?version=), so one schema to keep
    _generated = None

    def _get_schema_response(self, request):
        if SchemaView._generated is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=self.api_version)
            SchemaView._generated = generator.get_schema(request=None, public=self.serve_public)
        return Response(
            data=SchemaView._generated,
            headers={"Content-Disposition": 'inline; filename="gfmd-kb-api-v1.yaml"'},
        )
