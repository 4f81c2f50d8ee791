"""Citing a passage from the reader: who may, and the one function that does it.

A curator selects a passage in the source reader and cites it for a practice (or for a new
draft practice). The browser sends the selection's offsets in the document's text and the
text it selected; the citation stores the document's own characters between those offsets,
so the excerpt is verbatim by construction, never retyped. Everything happens in one
transaction and one django-reversion revision (with the curator and a comment), so the
practice's history shows the new citation, and a refused citation leaves nothing behind.
"""

from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from practices.models import RESERVED_PRACTICE_SLUGS, Citation, FormerSlug, Practice
from sources import passages

MAX_EXCERPT = 4000  # characters: a passage, not a chapter


def can_cite(user):
    """A curator: staff, allowed to add citations and change practices (the Curators group
    has both; a superuser too)."""
    return bool(
        user.is_active
        and user.is_staff
        and user.has_perm("practices.add_citation")
        and user.has_perm("practices.change_practice")
    )


def can_start_drafts(user):
    return can_cite(user) and user.has_perm("practices.add_practice")


class CiteError(Exception):
    """A citation refused, with the reason in words a curator understands."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Cited:
    citation: Citation
    practice: Practice
    created: bool  # False: the practice already cited exactly this passage (a double submit)
    new_practice: bool


def passage_between(source, start, end, selected):
    """(start, end) of the passage a reader selected, checked against the document.

    The offsets must lie inside the text; surrounding whitespace is left out; and the text the
    browser selected must be what the document has there (compared as ``sources.passages``
    folds them: the page shows the same characters, but a selection across paragraphs comes
    with different line breaks). If the page was stale and the words moved, they are looked
    for near ``start``."""
    text = source.text
    if not (0 <= start < end <= len(text)):
        raise CiteError(
            f"The selection (characters {start:,}–{end:,}) is outside this document, which has "
            f"{len(text):,} characters. Reload the page and select the passage again.",
            "start",
        )
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise CiteError("The selection holds no text. Select the words of the passage.", "start")
    if selected and passages.fold_excerpt(selected) != passages.fold_excerpt(text[start:end]):
        found = source.locate_passage(selected, near=start)
        if found is None:
            raise CiteError(
                "The selected words are not at that place in the document, and not found in it. "
                "Reload the page and select the passage again.",
                "selected",
            )
        start, end = found.start, found.end
    if end - start > MAX_EXCERPT:
        raise CiteError(
            f"The selection is {end - start:,} characters long; cite at most {MAX_EXCERPT:,} "
            "(a passage, not a section).",
            "start",
        )
    return start, end


def draft_slug(title):
    """A free slug for a new practice from its title."""
    base = slugify(title)[:100].strip("-") or "practice"
    taken = set(Practice.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= set(FormerSlug.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_PRACTICE_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def cite(user, source, start, end, selected="", practice_id=None, new_draft=None, label=""):
    """Cite the passage of ``source`` between ``start`` and ``end`` for a practice.

    ``practice_id`` names an existing practice; ``new_draft`` (a dict of title, summary,
    practice_type, scope) creates a draft practice instead. Returns ``Cited``; raises
    ``CiteError`` and saves nothing when the passage or the practice is not right. Citing
    the same passage for the same practice twice creates nothing the second time."""
    start, end = passage_between(source, start, end, selected)
    excerpt = source.text[start:end]
    try:
        with transaction.atomic(), reversion.create_revision():
            if new_draft is not None:
                practice = Practice(
                    status=Practice.Status.DRAFT,
                    slug=draft_slug(new_draft.get("title", "")),
                    updated_by=user,
                    author=user,  # so that reviewers other than this curator approve it
                    **new_draft,
                )
                try:
                    practice.full_clean()
                except ValidationError as error:
                    raise CiteError(" ".join(error.messages)) from None
                new_practice = True
            else:
                practice = Practice.objects.select_for_update().filter(pk=practice_id).first()
                if practice is None:
                    raise CiteError(
                        "That practice no longer exists (it may have been deleted). Choose another.",
                        "practice",
                    )
                new_practice = False
                existing = Citation.objects.filter(practice=practice, source=source, start=start).first()
                if existing is not None:
                    if existing.excerpt == excerpt:
                        return Cited(existing, practice, created=False, new_practice=False)
                    raise CiteError(
                        f"“{practice}” already cites a passage starting here ({existing}). Edit that "
                        "citation in the admin instead.",
                        "practice",
                    )
            practice.updated_by = user
            practice.edited_at = timezone.now()
            practice.save()
            citation = Citation(practice=practice, source=source, start=start, excerpt=excerpt, label=label)
            try:
                citation.full_clean(exclude=["practice"])
            except ValidationError as error:
                raise CiteError(" ".join(error.messages)) from None
            citation.save()
            reversion.set_user(user)
            what = "Created as a draft from the reader, citing" if new_practice else "Cited from the reader:"
            reversion.set_comment(f"{what} {citation}.")
            if reversion.is_registered(Practice):
                reversion.add_to_revision(practice)
    except IntegrityError:
        # Two submits racing: the other one saved this passage first.
        existing = Citation.objects.filter(practice_id=practice_id, source=source, start=start).first()
        if existing is not None and existing.excerpt == excerpt:
            return Cited(existing, existing.practice, created=False, new_practice=False)
        raise CiteError("This passage could not be cited (it changed meanwhile). Try again.") from None
    return Cited(citation, practice, created=True, new_practice=new_practice)
