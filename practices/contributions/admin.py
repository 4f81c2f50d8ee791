"""The review queue: reviewers' and curators' working page in the admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from practices import workflow
from practices.contributions import submitting
from practices.contributions.forms import ReviewForm
from practices.contributions.models import Contribution, ReviewQueue
from practices.models import Practice, ReviewAssignment, ReviewEvent

Status = Practice.Status


class NeedsMyReviewFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "Needs my review"), ("unassigned", "Nobody assigned yet")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(
                review_assignments__reviewer=request.user, status=Status.IN_REVIEW
            ).exclude(review_events__actor=request.user, review_events__kind=ReviewEvent.Kind.APPROVED)
        if self.value() == "unassigned":
            return queryset.filter(~Exists(ReviewAssignment.objects.filter(practice=OuterRef("pk"))))
        return queryset


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Ask to review")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        users = workflow.reviewers().exclude(review_assignments__practice=practice)
        if practice.author_id:
            users = users.exclude(pk=practice.author_id)
        self.fields["reviewer"].queryset = users


@admin.register(ReviewQueue)
class ReviewQueueAdmin(admin.ModelAdmin):
    list_display = ["title", "status_badge", "author", "assigned", "approvals", "source_state", "updated_at"]
    list_filter = [NeedsMyReviewFilter, "status"]
    search_fields = ["title", "summary"]
    list_per_page = 50
    ordering = ["-updated_at"]

    # Reviewers (Reviewers or Curators group) work here; nobody adds or deletes.
    def has_module_permission(self, request):
        return workflow.is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return workflow.is_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return workflow.is_reviewer(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        waiting = Q(status__in=[Status.IN_REVIEW, Status.CHANGES_REQUESTED]) | (
            Q(contribution__isnull=False) & ~Q(status=Status.PUBLISHED)
        )
        return (
            ReviewQueue.objects.filter(waiting)
            .select_related("author", "contribution")
            .prefetch_related(
                Prefetch("review_assignments", queryset=ReviewAssignment.objects.select_related("reviewer")),
                Prefetch(
                    "review_events",
                    queryset=ReviewEvent.objects.filter(
                        kind__in=[ReviewEvent.Kind.SUBMITTED, ReviewEvent.Kind.APPROVED]
                    ).order_by("created_at", "id"),
                    to_attr="round_events",
                ),
            )
        )

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description="reviewers")
    def assigned(self, obj):
        return ", ".join(a.reviewer.get_username() for a in obj.review_assignments.all()) or "—"

    @admin.display(description="approvals")
    def approvals(self, obj):
        approvers = set()
        for event in obj.round_events:  # this round: since the last submission
            if event.kind == ReviewEvent.Kind.SUBMITTED:
                approvers = set()
            elif event.actor_id != obj.author_id:
                approvers.add(event.actor_id)
        have = len(approvers) if obj.status == Status.IN_REVIEW else 0
        return f"{have} of {workflow.approvals_required()}"

    @admin.display(description="source")
    def source_state(self, obj):
        contribution = getattr(obj, "contribution", None)
        if contribution is None:
            return "—"
        if contribution.curated_source_id:
            return "in the knowledge base"
        return {"upload": "PDF to add", "url": "address to add"}.get(contribution.source_kind, "to add")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Review queue", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not workflow.is_reviewer(request.user):
            return redirect("admin:index")
        practice = get_object_or_404(ReviewQueue, pk=object_id) if str(object_id).isdigit() else None
        if practice is None:
            return redirect("admin:practices_reviewqueue_changelist")
        if request.method == "POST":
            return self.take_step(request, practice)
        return self.render_review(request, practice, ReviewForm(), AssignForm(practice=practice))

    def render_review(self, request, practice, review_form, assign_form, status=200):
        contribution = Contribution.objects.filter(practice=practice).select_related("author").first()
        user = request.user
        may_curate = user.has_perm("practices.change_practice")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review “{practice.title}”",
            "practice": practice,
            "contribution": contribution,
            "countries": practice.country_links.select_related("country").order_by("country__name"),
            "objectives": practice.objective_links.select_related("objective").order_by(
                "-is_primary", "objective__number"
            ),
            "citations": practice.citations.select_related("source").order_by("source__title", "start"),
            "events": practice.review_events.select_related("actor", "assignee").order_by("created_at", "id"),
            "assignments": practice.review_assignments.select_related("reviewer"),
            "approvals": len(workflow.approver_ids(practice)) if practice.status == Status.IN_REVIEW else 0,
            "approvals_required": workflow.approvals_required(),
            "problems": practice.publication_problems().values(),
            "is_author": practice.author_id == user.pk,
            "may_review": practice.status == Status.IN_REVIEW and practice.author_id != user.pk,
            "may_submit": practice.status in (Status.DRAFT, Status.CHANGES_REQUESTED) and may_curate,
            "may_make_source": (
                contribution is not None
                and contribution.source_file
                and not contribution.curated_source_id
                and user.has_perm("sources.add_sourcedocument")
                and user.has_perm("practices.add_citation")
            ),
            "may_edit": may_curate,
            "review_form": review_form,
            "assign_form": assign_form,
        }
        return TemplateResponse(request, "admin/practices/reviewqueue/review.html", context, status=status)

    def take_step(self, request, practice):
        step = request.POST.get("step")
        user = request.user
        review_form, assign_form = ReviewForm(), AssignForm(practice=practice)
        try:
            with transaction.atomic():
                if step == "review":
                    review_form = ReviewForm(request.POST)
                    if not review_form.is_valid():
                        return self.render_review(request, practice, review_form, assign_form, status=400)
                    action, text = review_form.cleaned_data["action"], review_form.cleaned_data["comment"]
                    {
                        "comment": workflow.comment,
                        "approve": workflow.approve,
                        "request_changes": workflow.request_changes,
                    }[action](practice, user, text)
                    done = {
                        "comment": "Comment recorded.",
                        "approve": "Approval recorded.",
                        "request_changes": "Changes requested.",
                    }[action]
                elif step == "assign":
                    assign_form = AssignForm(request.POST, practice=practice)
                    if not assign_form.is_valid():
                        return self.render_review(request, practice, review_form, assign_form, status=400)
                    workflow.assign(practice, assign_form.cleaned_data["reviewer"], user)
                    done = f"{assign_form.cleaned_data['reviewer']} is asked to review."
                elif step == "submit" and user.has_perm("practices.change_practice"):
                    workflow.submit(practice, user)
                    done = "Sent to review."
                elif step == "make_source" and user.has_perm("sources.add_sourcedocument"):
                    contribution = get_object_or_404(Contribution, practice=practice)
                    citation = submitting.make_source_document(contribution, user)
                    done = f"“{citation.source}” is now a source document, and the passage is cited."
                else:
                    messages.error(request, "That step is not yours to take.")
                    return redirect(request.path)
        except workflow.WorkflowError as refusal:
            for reason in refusal.messages:
                messages.error(request, reason)
            return redirect(request.path)
        practice.refresh_from_db()
        if practice.status == Status.PUBLISHED:
            done += " The practice is published."
        messages.success(request, done)
        return redirect(request.path)


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    """Read-only record of what contributors sent (the review queue is where to act)."""

    list_display = ["practice", "author", "source_kind", "created_at"]
    list_filter = ["source_kind"]
    search_fields = ["practice__title", "author__username"]
    list_select_related = ["practice", "author"]
    readonly_fields = [f.name for f in Contribution._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("admin:practices_reviewqueue_change", args=[obj.practice_id])
