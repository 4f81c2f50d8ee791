"""The reader's "Cite for practice…" tool: its HTML on the reader page (through the hook the
reader offers, ``sources.hooks``), the practice picker's lookup and the citing POST.

Only curators see or reach any of it (``curation.can_cite``); everyone else gets nothing on
the page and 403 from the endpoints. Responses are personal: never cached.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gfmd_kb.safe_input import no_control_characters
from practices import curation
from practices.models import Practice
from sources.models import SourceDocument

PICKER_RESULTS = 20


def reader_tool(request, document):
    """The cite tool for a curator reading ``document``, else "" (registered in
    ``PracticesConfig.ready`` with ``sources.hooks``)."""
    # Anonymous readers have no session: answer without loading one (the page stays cacheable).
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not curation.can_cite(request.user):
        return ""
    return render_to_string(
        "practices/reader_cite_tool.html",
        {
            "document": document,
            "can_start_drafts": curation.can_start_drafts(request.user),
            "types": Practice.PracticeType.choices,
            "scopes": Practice.Scope.choices,
            "admin_add_url": reverse("admin:practices_citation_add") + f"?source={document.pk}",
        },
        request=request,
    )


def refused():
    return JsonResponse({"ok": False, "message": "Only curators can cite passages."}, status=403)


@never_cache
@require_GET
def practice_options(request):
    """Practices whose title contains ?q= (the picker's autocomplete), drafts included."""
    if not curation.can_cite(request.user):
        return refused()
    query = " ".join(request.GET.get("q", "").split())[:100]
    practices = Practice.objects.order_by("title")
    if query:
        practices = practices.filter(title__icontains=query)
    rows = practices.values("pk", "title", "status")[:PICKER_RESULTS]
    labels = dict(Practice.Status.choices)
    return JsonResponse(
        {
            "results": [
                {"id": row["pk"], "title": row["title"], "status": labels.get(row["status"], "")}
                for row in rows
            ]
        }
    )


class CiteForm(forms.Form):
    source = forms.SlugField(max_length=120)
    start = forms.IntegerField(min_value=0, max_value=10**9)
    end = forms.IntegerField(min_value=1, max_value=10**9)
    selected = forms.CharField(max_length=20000, strip=False, required=False)
    target = forms.ChoiceField(
        choices=[("existing", "An existing practice"), ("new", "A new draft practice")]
    )
    practice = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    label = forms.CharField(max_length=200, required=False, validators=[no_control_characters])
    title = forms.CharField(max_length=300, required=False, validators=[no_control_characters])
    summary = forms.CharField(max_length=5000, required=False, validators=[no_control_characters])
    practice_type = forms.ChoiceField(choices=Practice.PracticeType.choices, required=False)
    scope = forms.ChoiceField(choices=Practice.Scope.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("target") == "existing" and not data.get("practice"):
            self.add_error("practice", "Choose the practice to cite this passage for.")
        if data.get("target") == "new":
            for name, words in [
                ("title", "a title"),
                ("summary", "a one-line summary"),
                ("practice_type", "a type"),
                ("scope", "a scope"),
            ]:
                if not data.get(name):
                    self.add_error(name, f"A new draft practice needs {words}.")
        return data


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def answer(request, ok, message, status=200, document=None, **extra):
    """JSON for the dialog's script; a redirect to the reader with a message without it."""
    if wants_json(request):
        return JsonResponse({"ok": ok, "message": message, **extra}, status=status)
    (messages.success if ok else messages.error)(request, message)
    target = document.get_absolute_url() if document else reverse("sources:list")
    if ok and extra.get("passage_anchor"):
        target += "#" + extra["passage_anchor"]
    return HttpResponseRedirect(target)


@never_cache
@require_POST
def cite_passage(request):
    if not curation.can_cite(request.user):
        return refused()
    form = CiteForm(request.POST)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return answer(request, False, f"Nothing was cited: {first}", status=400, errors=errors)
    data = form.cleaned_data
    document = get_object_or_404(SourceDocument.objects.defer("outside_facts"), slug=data["source"])
    new_draft = None
    if data["target"] == "new":
        if not curation.can_start_drafts(request.user):
            return answer(request, False, "You may not create practices.", status=403, document=document)
        new_draft = {name: data[name] for name in ("title", "summary", "practice_type", "scope")}
    try:
        cited = curation.cite(
            request.user,
            document,
            data["start"],
            data["end"],
            selected=data["selected"],
            practice_id=data["practice"],
            new_draft=new_draft,
            label=data["label"],
        )
    except curation.CiteError as error:
        message = f"Nothing was cited: {error.message}"
        return answer(request, False, message, status=400, document=document, field=error.field)
    practice, citation = cited.practice, cited.citation
    if not cited.created:
        message = f"“{practice}” already cites this passage; nothing was added."
    elif cited.new_practice:
        where = f"characters {citation.start:,}–{citation.end:,}"
        message = f"New draft practice “{practice}” created, citing {where}."
    else:
        message = f"Cited for “{practice}” (characters {citation.start:,}–{citation.end:,})."
    return answer(
        request,
        True,
        message,
        status=201 if cited.created else 200,
        document=document,
        created=cited.created,
        practice=practice.title,
        practice_admin_url=reverse("admin:practices_practice_change", args=[practice.pk]),
        history_url=reverse("admin:practices_practice_history", args=[practice.pk]),
        excerpt=citation.excerpt,
        start=citation.start,
        end=citation.end,
        passage_anchor=f"passage-{citation.start}",
    )
