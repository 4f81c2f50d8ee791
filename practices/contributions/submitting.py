"""Turning a contributor's form into a draft practice, and a curator's work on it.

Each function is one transaction: a refusal anywhere leaves nothing half-saved.
"""

import os
import uuid

import reversion
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from practices import workflow
from practices.contributions.models import Contribution, SourceKind
from practices.contributions.pdf import find_quoted, read_pdf
from practices.models import (
    RESERVED_PRACTICE_SLUGS,
    Citation,
    FormerSlug,
    Practice,
    PracticeCountry,
    PracticeObjective,
    ReviewEvent,
)
from sources.models import SourceDocument

PRACTICE_FIELDS = [
    "title",
    "summary",
    "description",
    "practice_type",
    "scope",
    "start_year",
    "end_year",
    "ongoing",
    "results",
]


def unique_slug(model, text, max_length=120):
    base = (slugify(text)[: max_length - 9].strip("-")) or "practice"
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if model is Practice:
        taken |= set(FormerSlug.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        taken |= RESERVED_PRACTICE_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class AlreadySubmitted(Exception):
    def __init__(self, contribution):
        self.contribution = contribution


def create(author, form, countries):
    """A new draft practice from a valid ``SubmissionForm``: sent to review at once when it
    already meets the publication rules (a passage of a document in the knowledge base),
    otherwise a draft in the review queue until a curator makes its source a document."""
    data = form.cleaned_data
    existing = (
        Contribution.objects.filter(author=author, token=data["token"]).select_related("practice").first()
    )
    if existing:
        raise AlreadySubmitted(existing)
    try:
        with transaction.atomic():
            contribution = _create(author, form, countries)
    except IntegrityError:
        # The same form posted twice at once: the other request made it.
        existing = Contribution.objects.filter(author=author, token=data["token"]).first()
        if existing is None:
            raise
        raise AlreadySubmitted(existing) from None
    return contribution


def _create(author, form, countries):
    data = form.cleaned_data
    with reversion.create_revision():
        reversion.set_user(author)
        reversion.set_comment("Submitted from the public site.")
        practice = Practice(**{name: data[name] for name in PRACTICE_FIELDS})
        practice.slug = unique_slug(Practice, data["title"])
        practice.status = Practice.Status.DRAFT
        practice.author = author
        practice.updated_by = author
        practice.save()
        _set_links(practice, data["objectives"], countries)
        kind = data["source_kind"]
        contribution = Contribution(
            practice=practice,
            author=author,
            token=data["token"],
            source_kind=kind,
            passage=data["passage"],
            source_title=data.get("source_title") or "",
            source_url=data.get("source_url") or "",
        )
        if kind == SourceKind.DOCUMENT:
            document = data["source_document"]
            Citation.objects.create(practice=practice, source=document, excerpt=form.excerpt)
            contribution.curated_source = document
        elif kind == SourceKind.UPLOAD:
            upload = data["source_file"]
            contribution.source_filename = os.path.basename(upload.name)[:255]
            # The stored name is ours, never the sender's.
            upload.name = f"{uuid.uuid4().hex}.pdf"
            contribution.source_file = upload
        contribution.save()
    if practice.publication_problems():
        # In the review queue as a draft: a curator makes its source a document first.
        ReviewEvent.objects.create(practice=practice, actor=author, kind=ReviewEvent.Kind.CONTRIBUTED)
        transaction.on_commit(lambda: workflow.notify(ReviewEvent.objects.filter(practice=practice).last()))
    else:
        workflow.submit(practice, author)
        practice.refresh_from_db()
    return contribution


def _set_links(practice, objectives, countries):
    practice.objective_links.all().delete()
    PracticeObjective.objects.bulk_create(
        PracticeObjective(practice=practice, objective=objective, is_primary=(index == 0))
        for index, objective in enumerate(objectives)
    )
    practice.country_links.all().delete()
    PracticeCountry.objects.bulk_create(
        PracticeCountry(practice=practice, country=country, role=role) for country, role in countries
    )


@transaction.atomic
def update(contribution, user, form, countries):
    """The author's edit of a practice not yet published: a new review round when it
    meets the rules (the earlier approvals were for other words), else back to draft."""
    practice = Practice.objects.select_for_update().get(pk=contribution.practice_id)
    if practice.status == Practice.Status.PUBLISHED:
        raise workflow.WorkflowError("This practice is published: ask the secretariat to change it.")
    data = form.cleaned_data
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment("Edited by its contributor.")
        for name in PRACTICE_FIELDS:
            setattr(practice, name, data[name])
        practice.updated_by = user
        practice.save()
        _set_links(practice, data["objectives"], countries)
    Practice.objects.filter(pk=practice.pk).mark_edited()
    if not practice.publication_problems():
        if practice.status != Practice.Status.DRAFT or contribution.curated_source_id:
            workflow.submit(practice, user, "Revised by the contributor.", again=True)
            practice.refresh_from_db()
    elif practice.status != Practice.Status.DRAFT:
        workflow.return_to_draft(practice, user, "Revised by the contributor; not ready for review yet.")
    return practice


@transaction.atomic
def make_source_document(contribution, user, *, title=None, publisher="", document_type="other"):
    """A curator turns an uploaded PDF into a source document and cites the passage in it.
    Returns the citation; raises WorkflowError (nothing saved) when the passage is not there."""
    if contribution.source_kind != SourceKind.UPLOAD or not contribution.source_file:
        raise workflow.WorkflowError("Only an uploaded PDF can be made a source document here.")
    if contribution.curated_source_id:
        raise workflow.WorkflowError("This upload is already a source document.")
    with contribution.source_file.open("rb") as handle:
        text = read_pdf(handle)
    found = find_quoted(text, contribution.passage)
    if found is None:
        raise workflow.WorkflowError(
            "The quoted passage is not in the document's cleaned text; cite it by hand."
        )
    title = title or contribution.source_title or contribution.source_filename or "Contributed document"
    document = SourceDocument.objects.create(
        title=title[:300],
        slug=unique_slug(SourceDocument, title),
        publisher=publisher or "Contributed",
        document_type=document_type,
        original_filename=contribution.source_filename,
        text=text,
        outside_facts=f"Uploaded by the contributor {contribution.author.get_username()} with a submission.",
    )
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Cited the contributed document “{document.title}”.")
        citation = Citation.objects.create(
            practice=contribution.practice, source=document, excerpt=text[found[0] : found[1]]
        )
        reversion.add_to_revision(contribution.practice)
    contribution.curated_source = document
    contribution.save(update_fields=["curated_source"])
    Practice.objects.filter(pk=contribution.practice_id).mark_edited()
    return citation
