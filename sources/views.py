from django.views.generic import DetailView, ListView

from sources.models import SourceDocument


class SourceDocumentListView(ListView):
    template_name = "sources/sourcedocument_list.html"
    queryset = SourceDocument.objects.defer("text")


class SourceDocumentDetailView(DetailView):
    template_name = "sources/sourcedocument_detail.html"
    queryset = SourceDocument.objects.all()
    context_object_name = "document"
