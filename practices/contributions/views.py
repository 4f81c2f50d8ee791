import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practices import workflow
from practices.contributions import accounts, submitting
from practices.contributions.forms import (
    CountryRoleFormSet,
    PracticeForm,
    ReplyForm,
    SignUpForm,
    SubmissionForm,
)
from practices.contributions.models import Contribution
from practices.models import Practice, ReviewEvent


class SignInView(auth_views.LoginView):
    """Contributors sign in here (staff at /admin/). The password is checked through
    ``authenticate()``, so django-axes throttles this form as it does the admin's."""

    template_name = "contributions/sign_in.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.label_suffix = ""
        return form


class SignOutView(auth_views.LogoutView):
    pass


@never_cache
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("contributions:mine")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not accounts.may_sign_up(request):
            form.add_error(None, "Too many sign-ups from your address in the last hour. Try again later.")
            return render(request, "contributions/sign_up.html", {"form": form}, status=429)
        user = accounts.sign_up(form, request)
        return render(request, "contributions/sign_up_sent.html", {"email": user.email})
    return render(request, "contributions/sign_up.html", {"form": form})


@never_cache
def confirm(request, uidb64, token):
    user = accounts.confirm(uidb64, token)
    if user is None:
        return render(request, "contributions/confirm_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Your address is confirmed: you can submit practices now.")
    return redirect("contributions:submit")


def may_contribute(user):
    return user.is_authenticated and (user.is_staff or accounts.is_contributor(user))


def _contributor(request):
    if not may_contribute(request.user):
        raise PermissionDenied("Only contributors submit practices.")


def _too_big(request):
    """A request beyond the upload limit (plus the form's fields) is refused whole."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.SUBMISSION_MAX_UPLOAD_MB * 1024 * 1024 + 1024 * 1024


@never_cache
@login_required
def submit(request):
    _contributor(request)
    if request.method == "POST" and _too_big(request):
        refusal = (
            f"The upload is larger than {settings.SUBMISSION_MAX_UPLOAD_MB} MB and was refused: "
            "choose a smaller PDF or give the document's address. Nothing was saved."
        )
        form = SubmissionForm(initial={"token": uuid.uuid4(), "source_kind": "document"})
        countries = CountryRoleFormSet(prefix="countries")
        context = {"form": form, "countries": countries, "refusal": refusal}
        return render(request, "contributions/submit.html", context, status=413)
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        countries = CountryRoleFormSet(request.POST, prefix="countries")
        if form.is_valid() and countries.is_valid():
            try:
                contribution = submitting.create(request.user, form, countries.links())
            except submitting.AlreadySubmitted as already:
                messages.info(request, f"“{already.contribution.practice}” was already received.")
                return redirect("contributions:mine")
            practice = contribution.practice
            if practice.status == Practice.Status.IN_REVIEW:
                messages.success(request, f"Thank you: “{practice}” is with the reviewers.")
            else:
                messages.success(
                    request,
                    f"Thank you: “{practice}” is received. A curator adds its source to the knowledge "
                    "base, then it goes to the reviewers.",
                )
            return redirect("contributions:mine")
    else:
        form = SubmissionForm(initial={"token": uuid.uuid4(), "source_kind": "document"})
        countries = CountryRoleFormSet(prefix="countries")
    return render(request, "contributions/submit.html", {"form": form, "countries": countries})


def _own(request, pk):
    """The signed-in user's contribution, else 404 (whether it exists is nobody else's business)."""
    return get_object_or_404(Contribution.objects.select_related("practice"), pk=pk, author=request.user)


@never_cache
@login_required
def mine(request):
    events = ReviewEvent.objects.select_related("actor").order_by("created_at", "id")
    contributions = (
        Contribution.objects.by(request.user)
        .select_related("practice")
        .prefetch_related(Prefetch("practice__review_events", queryset=events))
    )
    return render(
        request,
        "contributions/mine.html",
        {
            "contributions": contributions,
            "reply_form": ReplyForm(),
            "may_contribute": may_contribute(request.user),
        },
    )


@never_cache
@login_required
def edit(request, pk):
    contribution = _own(request, pk)
    practice = contribution.practice
    if practice.status == Practice.Status.PUBLISHED:
        messages.info(request, f"“{practice}” is published; ask the secretariat for any change.")
        return redirect("contributions:mine")
    if request.method == "POST":
        form = PracticeForm(request.POST)
        countries = CountryRoleFormSet(request.POST, prefix="countries")
        if form.is_valid() and countries.is_valid():
            try:
                submitting.update(contribution, request.user, form, countries.links())
            except workflow.WorkflowError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, f"Your changes to “{practice.title}” are saved.")
            return redirect("contributions:mine")
    else:
        initial = {name: getattr(practice, name) for name in submitting.PRACTICE_FIELDS}
        initial["objectives"] = [
            link.objective_id for link in practice.objective_links.order_by("-is_primary", "id")
        ]
        form = PracticeForm(initial=initial)
        links = practice.country_links.order_by("id")
        countries = CountryRoleFormSet(
            prefix="countries", initial=[{"country": link.country_id, "role": link.role} for link in links]
        )
    return render(
        request,
        "contributions/edit.html",
        {"form": form, "countries": countries, "contribution": contribution},
    )


@require_POST
@login_required
def reply(request, pk):
    contribution = _own(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            workflow.comment(contribution.practice, request.user, form.cleaned_data["comment"])
        messages.success(request, "Your answer is sent to the reviewers.")
    else:
        messages.error(request, "Write your answer first.")
    return redirect(reverse("contributions:mine") + f"#submission-{contribution.pk}")


@login_required
def download(request, pk):
    """An uploaded PDF, for its author and for reviewers: as an attachment, never shown
    inline, its type fixed (it was checked to be a PDF when it came)."""
    contribution = get_object_or_404(Contribution, pk=pk)
    if not (contribution.author_id == request.user.pk or workflow.is_reviewer(request.user)):
        raise Http404
    if not contribution.source_file:
        raise Http404
    try:
        handle = contribution.source_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = contribution.source_filename or "document.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


sign_out = SignOutView.as_view(next_page=reverse_lazy("home"))
