"""A practice's way from draft to published, and the peer review on the way.

    draft ──submit──▶ in review ──approve × N──▶ published
      ▲                 │  ▲                        │
      │        request changes  resubmit            │
      │                 ▼  │                        │
      └──return──── changes requested ◀─────────────┘ (return to draft)

Every step is a function here, and every path that changes a practice's status goes
through one: the admin's change form and list actions, the review queue, a contributor's
submission. Each step checks the publication rules (``practices.rules``) when the
practice leaves draft, refuses a reviewer's approval of their own work, publishes only
with ``REVIEW_APPROVALS_REQUIRED`` approvals from people other than the author, and is
recorded twice: as a ``ReviewEvent`` (the thread authors and reviewers read) and as a
version in the practice's django-reversion history, commented. Authors and assigned
reviewers are told by email (Django's email backend), once the step has committed.
"""

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from practices.models import Practice, ReviewAssignment, ReviewEvent

Status = Practice.Status
Kind = ReviewEvent.Kind


class WorkflowError(Exception):
    """A step refused, with each reason in plain words."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def approvals_required():
    return settings.REVIEW_APPROVALS_REQUIRED


def is_reviewer(user):
    """Staff in the Reviewers or Curators group (or a superuser) may review."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[settings.REVIEWERS_GROUP, settings.CURATORS_GROUP]).exists()


def reviewers():
    """Everyone who may be asked to review, for the assignment list."""
    groups = [settings.REVIEWERS_GROUP, settings.CURATORS_GROUP]
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return users.filter(Q(is_superuser=True) | Q(groups__name__in=groups)).distinct().order_by("username")


def approver_ids(practice):
    """Who approved the practice in its current review round, the author never counted."""
    approved = ReviewEvent.objects.since_last_submission(practice).filter(kind=Kind.APPROVED)
    ids = set(approved.values_list("actor_id", flat=True)) - {None}
    return ids - {practice.author_id}


def publication_refusals(practice):
    """Why this practice may not be published now (empty: it may)."""
    refusals = list(practice.publication_problems().values())
    # Approvals count while the practice is in review (changes requested: they lapse).
    have = len(approver_ids(practice)) if practice.status == Status.IN_REVIEW else 0
    if have < approvals_required():
        refusals.append(missing_approvals(have))
    return refusals


def missing_approvals(have):
    need = approvals_required()
    return (
        f"Publishing needs {need} approval{'s' if need != 1 else ''} from reviewers other than the "
        f"author; this practice has {have} in review. Send it to review and record the approvals in "
        "the review queue."
    )


# --- Steps ----------------------------------------------------------------------------


def submit(practice, user, comment="", *, again=False):
    """Send a draft (or a practice whose changes were requested) to review. ``again``: a
    practice in review is sent again after its author's edit, which starts a new round."""
    practice = _locked(practice)
    if practice.status == Status.PUBLISHED or (practice.status == Status.IN_REVIEW and not again):
        raise WorkflowError(f"“{practice}” is {practice.get_status_display().lower()} already.")
    if problems := practice.publication_problems():
        raise WorkflowError(problems.values())
    return _step(practice, user, Kind.SUBMITTED, comment, status=Status.IN_REVIEW)


def assign(practice, reviewer, user):
    practice = _locked(practice)
    if not is_reviewer(reviewer):
        raise WorkflowError(f"{reviewer} is not a reviewer (Reviewers or Curators group).")
    if reviewer.pk == practice.author_id:
        raise WorkflowError(f"{reviewer} wrote this practice: ask someone else to review it.")
    _, created = ReviewAssignment.objects.get_or_create(
        practice=practice, reviewer=reviewer, defaults={"assigned_by": user}
    )
    if not created:
        raise WorkflowError(f"{reviewer} is already assigned to “{practice}”.")
    return _step(practice, user, Kind.ASSIGNED, assignee=reviewer)


def comment(practice, user, text):
    if not (text or "").strip():
        raise WorkflowError("Write a comment first.")
    return _step(_locked(practice), user, Kind.COMMENT, text)


def approve(practice, user, text=""):
    """Record an approval; the last one needed publishes the practice."""
    practice = _locked(practice)
    _check_reviewing(practice, user, "approve")
    if user.pk in approver_ids(practice):
        raise WorkflowError("You have already approved this practice in this round.")
    event = _step(practice, user, Kind.APPROVED, text)
    if not publication_refusals(practice):
        _step(practice, user, Kind.PUBLISHED, status=Status.PUBLISHED)
    return event


def request_changes(practice, user, text):
    practice = _locked(practice)
    _check_reviewing(practice, user, "request changes to")
    if not (text or "").strip():
        raise WorkflowError("Say which changes you request: the author reads your comment.")
    return _step(practice, user, Kind.CHANGES_REQUESTED, text, status=Status.CHANGES_REQUESTED)


def publish(practice, user, comment=""):
    """Publish by hand (the admin): only with the rules met and the approvals given."""
    practice = _locked(practice)
    if practice.status == Status.PUBLISHED:
        raise WorkflowError(f"“{practice}” is already published.")
    if refusals := publication_refusals(practice):
        raise WorkflowError(refusals)
    return _step(practice, user, Kind.PUBLISHED, comment, status=Status.PUBLISHED)


def return_to_draft(practice, user, comment=""):
    """Unpublish, or take a practice out of review: back to draft (the approvals lapse)."""
    practice = _locked(practice)
    if practice.status == Status.DRAFT:
        raise WorkflowError(f"“{practice}” is already a draft.")
    return _step(practice, user, Kind.RETURNED, comment, status=Status.DRAFT)


def record_form_change(practice, user, old_status):
    """The admin's change form set the status itself (its form checked the rules and the
    approvals, see ``practices.admin``): record the step as the functions above do."""
    kind = {
        Status.IN_REVIEW: Kind.SUBMITTED,
        Status.PUBLISHED: Kind.PUBLISHED,
        Status.DRAFT: Kind.RETURNED,
        Status.CHANGES_REQUESTED: Kind.CHANGES_REQUESTED,
    }[practice.status]
    text = "Changes requested in the admin form." if kind == Kind.CHANGES_REQUESTED else ""
    return _step(practice, user, kind, text, save=False)


# --- Internals --------------------------------------------------------------------------


def _locked(practice):
    """The practice's row, locked until the step commits: two reviewers approving at once
    must not both count one approval too few (SQLite serialises writers anyway)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("workflow steps run inside transaction.atomic()")
    return Practice.objects.select_for_update().get(pk=practice.pk)


def _check_reviewing(practice, user, verb):
    if not is_reviewer(user):
        raise WorkflowError(f"Only reviewers can {verb} a practice.")
    if practice.author_id is not None and user.pk == practice.author_id:
        raise WorkflowError(f"You wrote this practice: you cannot {verb} it yourself.")
    if practice.status != Status.IN_REVIEW:
        raise WorkflowError(f"“{practice}” is {practice.get_status_display().lower()}, not in review.")


def _step(practice, user, kind, text="", *, status=None, assignee=None, save=True):
    if status is not None and save:
        practice.status = status
        practice.updated_by = user
        practice.save()
    event = ReviewEvent.objects.create(
        practice=practice, actor=user, kind=kind, comment=(text or "").strip(), assignee=assignee
    )
    # A version of the practice for each step, its comment saying what happened: the
    # history then reads as the review did.
    with reversion.create_revision():
        reversion.add_to_revision(practice)
        reversion.set_user(user)
        reversion.set_comment(_describe(event))
    transaction.on_commit(lambda: notify(event))
    return event


def _describe(event):
    who = event.actor.get_username() if event.actor else "someone"
    text = f"{event.get_kind_display()} by {who}"
    if event.assignee:
        text += f": {event.assignee.get_username()} asked to review"
    if event.comment:
        return f"{text}: “{event.comment[:400]}”"
    return text + "."


def notify(event):
    """Email the author and the assigned reviewers (not whoever took the step)."""
    practice = event.practice
    people = {a.reviewer for a in practice.review_assignments.select_related("reviewer")}
    if practice.author:
        people.add(practice.author)
    if event.assignee:
        people.add(event.assignee)
    people.discard(event.actor)
    subject = f"[Migration practices] {practice.title[:120]}: {event.get_kind_display().lower()}"
    messages = []
    for person in sorted(people, key=lambda p: p.pk):
        if not person.email or not person.is_active:
            continue
        if person.pk == practice.author_id and not person.is_staff:
            where = reverse("contributions:mine")
        else:
            where = reverse("admin:practices_reviewqueue_change", args=[practice.pk])
        body = [
            f"{_describe(event)}",
            "",
            f"Practice: {practice.title}",
            f"Status: {practice.get_status_display()}",
            "",
            f"See it: {settings.SITE_URL.rstrip('/')}{where}",
        ]
        messages.append((subject, "\n".join(body), None, [person.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
