import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse

from practices.models import Practice
from sources.models import SourceDocument


class PrivateStorage(FileSystemStorage):
    """Contributors' uploads, under PRIVATE_MEDIA_ROOT (read at each use, so tests may move
    it): no URL, so nothing serves them but the permission-checked download view."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: use the download view.")


private_storage = PrivateStorage()


class SourceKind(models.TextChoices):
    DOCUMENT = "document", "A document already in the knowledge base"
    UPLOAD = "upload", "A PDF I upload"
    URL = "url", "A document on the web (its address)"


class ContributionQuerySet(models.QuerySet):
    def by(self, user):
        return self.filter(author=user)

    def awaiting_curation(self):
        """Sources a curator has yet to turn into a source document."""
        return self.exclude(source_kind=SourceKind.DOCUMENT).filter(curated_source__isnull=True)


class Contribution(models.Model):
    """A practice submitted from the public site, and the source it came with.

    The practice itself is an ordinary draft (``practice``); this row keeps who submitted
    it and the source a curator has yet to turn into a source document when it is not one
    already in the knowledge base (an uploaded PDF or an address, with the quoted passage).
    """

    SourceKind = SourceKind

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="contribution")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions"
    )
    # The submit form's one-time token: a second POST of the same form (a double click, a
    # reload) finds the first contribution instead of making another.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source_title = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    source_file = models.FileField(storage=private_storage, upload_to="submissions/%Y/%m/", blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    passage = models.TextField(help_text="The passage of the source that supports the practice, quoted.")
    # The source document a curator made of the upload or address.
    curated_source = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "contributions"
        constraints = [
            models.UniqueConstraint(fields=["author", "token"], name="contribution_one_per_form"),
            models.CheckConstraint(
                condition=Q(source_kind__in=SourceKind.values), name="contribution_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(source_kind="url") | ~Q(source_url=""), name="contribution_url_has_address"
            ),
            models.CheckConstraint(
                condition=~Q(source_kind="upload") | ~Q(source_file=""), name="contribution_upload_has_file"
            ),
        ]
        indexes = [
            # "My submissions": a contributor's own, newest first.
            models.Index(fields=["author", "-created_at"], name="contribution_author_idx"),
        ]

    def __str__(self):
        return f"{self.practice} (from {self.author})"

    def get_absolute_url(self):
        return reverse("contributions:edit", args=[self.pk])

    def get_download_url(self):
        return reverse("contributions:download", args=[self.pk]) if self.source_file else ""


class ReviewQueue(Practice):
    """The admin's review queue: practices in review, or contributed and not yet published
    (a proxy, so that it has its own admin page and permissions)."""

    class Meta:
        proxy = True
        verbose_name = "practice to review"
        verbose_name_plural = "review queue"
