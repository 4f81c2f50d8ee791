from django.db import models
from django.urls import reverse

from sources import passages


class SourceDocumentQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


# Module level so that Meta's constraint can refer to it.
class DocumentType(models.TextChoices):
    MEETING_REPORT = "meeting_report", "Meeting report"
    BACKGROUND_PAPER = "background_paper", "Background paper"
    INPUT_PAPER = "input_paper", "Input paper"
    NOTE = "note", "Note"
    SLIDES = "slides", "Slides"
    OTHER = "other", "Other"


class SourceDocument(models.Model):
    """A document the knowledge base cites, with its cleaned full text.

    ``text`` is the stable, cleaned text citations point into: a citation is an
    excerpt plus its character offset in this text, so the text must not be
    rewritten once cited (see ``Citation`` in practices).
    """

    DocumentType = DocumentType

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    publisher = models.CharField(max_length=200, help_text="Organisation that published it.")
    publication_date = models.DateField(null=True, blank=True)
    document_type = models.CharField(max_length=20, choices=DocumentType.choices)
    language = models.CharField(max_length=10, default="en", help_text="BCP 47 code, e.g. en, fr, es.")
    original_filename = models.CharField(max_length=255, blank=True)
    text = models.TextField(help_text="Cleaned full text. Citations point into it: do not rewrite.")
    outside_facts = models.TextField(
        blank=True, help_text="Facts added from outside the document itself, and where they come from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_date", "title"]
        verbose_name = "source document"
        verbose_name_plural = "source documents"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document_type__in=DocumentType.values),
                name="sourcedocument_document_type_valid",
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="sourcedocument_text_not_empty"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="sourcedocument_slug_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sources:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def passage_url(self, start):
        """The reader scrolled to the cited passage that starts at ``start`` (its anchor)."""
        return f"{self.get_absolute_url()}#passage-{start}"

    def find_passage(self, excerpt, near=None):
        """Return the offset of ``excerpt`` in the text, or None if it is not verbatim there.

        When the excerpt occurs several times, the occurrence closest to ``near`` wins,
        so a stored position survives the same words appearing elsewhere.
        """
        if not excerpt:
            return None
        positions = []
        start = self.text.find(excerpt)
        while start != -1:
            positions.append(start)
            start = self.text.find(excerpt, start + 1)
        if not positions:
            return None
        if near is None:
            return positions[0]
        return min(positions, key=lambda position: abs(position - near))

    def locate_passage(self, excerpt, near=None):
        """Where ``excerpt`` is in the text, tolerating what copying from a PDF changes
        (line breaks, soft hyphens, quotes, dashes, ligatures: ``sources.passages``):
        ``passages.Found(start, end, exact)`` or None. The caller keeps ``text[start:end]``,
        the document's own characters, never the excerpt as typed."""
        return passages.locate(self.text, excerpt, near=near)

    def closest_passage(self, excerpt):
        """The stretch of the text nearest to an excerpt that is not in it, and where the two
        part (``passages.Divergence``), or None if nothing resembles it."""
        return passages.closest(self.text, excerpt)

    def has_passage_at(self, excerpt, start):
        """True if ``excerpt`` is the verbatim text found at offset ``start``."""
        return bool(excerpt) and start is not None and self.text[start : start + len(excerpt)] == excerpt

    def paragraphs(self):
        """The cleaned text's paragraphs with their offsets: [(start, text), ...]."""
        result, offset = [], 0
        for block in self.text.split("\n\n"):
            if block.strip():
                result.append((offset, block))
            offset += len(block) + 2
        return result
