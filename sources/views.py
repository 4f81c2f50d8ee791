from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from sources import hooks, reader
from sources.models import SourceDocument


class SourceDocumentListView(ListView):
    template_name = "sources/sourcedocument_list.html"
    queryset = SourceDocument.objects.defer("text")


class SourceDocumentDetailView(DetailView):
    """The reader: metadata, the full text with every cited passage highlighted and
    anchored, a table of contents of those passages, and search within the text (?q=)."""

    template_name = "sources/sourcedocument_detail.html"
    queryset = SourceDocument.objects.all()
    context_object_name = "document"

    def get_context_data(self, **kwargs):
        document = self.object
        # Citations and meetings belong to `practices`, which this app must not import
        # (dependencies point one way). Their foreign keys give us reverse accessors
        # (`citations`, `meetings`), and the citing app's own `public()` queryset method
        # decides which citations the public may see, so its rules stay in one place.
        citations = document.citations.public().select_related("practice").order_by("start", "pk")
        passages = reader.group_passages(citations)
        query, query_error, matches = self.search()
        cited_practices = sorted(
            {citation.practice_id: citation.practice for citation in citations}.values(),
            key=lambda practice: (practice.title.casefold(), practice.pk),
        )
        return super().get_context_data(
            passages=passages,
            cited_practices=cited_practices,
            cited_practice_count=len(cited_practices),
            meetings=document.meetings.all(),
            blocks=reader.blocks(document.paragraphs(), passages, matches),
            # Tools other apps add for this visitor (a curator's "Cite for practice…").
            reader_tools=hooks.reader_tools(self.request, document),
            query=query,
            query_error=query_error,
            matches=matches,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["reader_tools"]:
            # A page with a visitor's own tools is theirs alone: never stored by the page
            # cache (gfmd_kb.page_cache refuses "private") nor by a shared proxy.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def search(self):
        """(query, error message, matches) for ?q=; a bad query is explained, never a 500."""
        query = " ".join(self.request.GET.get("q", "").split())
        if not query:
            return "", "", []
        if len(query) < reader.MIN_QUERY_LENGTH:
            return query, f"Type at least {reader.MIN_QUERY_LENGTH} characters to search.", []
        if len(query) > reader.MAX_QUERY_LENGTH:
            return (
                query[: reader.MAX_QUERY_LENGTH],
                (f"Searches are limited to {reader.MAX_QUERY_LENGTH} characters; shorten it."),
                [],
            )
        return query, "", reader.find_matches(self.object.text, query)
