from django.contrib import admin
from reversion.admin import VersionAdmin

from gfmd_kb.safe_input import CuratorTextMixin
from sources.models import SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(CuratorTextMixin, VersionAdmin):
    list_display = ["title", "publisher", "publication_date", "document_type", "language"]
    list_filter = ["document_type", "language", "publisher"]
    search_fields = ["title", "publisher", "slug", "original_filename"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "publication_date"

    def get_readonly_fields(self, request, obj=None):
        # Citations point into the text by offset: once cited, it must not change.
        if obj is not None and obj.citations.exists():
            return ["text"]
        return []
