from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import MaxValueValidator, MinValueValidator

from practices.contributions.models import SourceKind
from practices.contributions.pdf import NotAPdf, find_quoted, max_bytes, read_pdf
from practices.models import Country, CountryRole, GcmObjective, Practice
from sources.models import SourceDocument

YEAR = [MinValueValidator(1800), MaxValueValidator(2100)]


class PlainLabels:
    """Labels without Django's trailing colon (the pages' headings and fields read better)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignUpForm(PlainLabels, UserCreationForm):
    email = forms.EmailField(help_text="We send a link to this address to confirm it.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account already uses this address: sign in instead.")
        return email


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number}. {obj.title}"


class PracticeForm(PlainLabels, forms.Form):
    """What a contributor says about the practice, on the peers' templates (the UN Migration
    Network Hub's Repository of Practices and the GFMD Policy and Practice Database)."""

    title = forms.CharField(max_length=300, help_text="The name of the practice, as its organisers call it.")
    summary = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One to three sentences: what it is, who runs it, for whom.",
    )
    description = forms.CharField(
        label="How it works",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Activities, partners, funding: what someone copying it would need to know.",
    )
    practice_type = forms.ChoiceField(label="Type", choices=[("", "Choose…"), *Practice.PracticeType.choices])
    scope = forms.ChoiceField(
        choices=[("", "Choose…"), *Practice.Scope.choices],
        help_text="Local, national and bilateral practices name their countries.",
    )
    objectives = ObjectiveChoiceField(
        label="GCM objectives",
        queryset=GcmObjective.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        help_text="The Global Compact for Migration objectives it serves (the first ticked is the primary).",
    )
    start_year = forms.IntegerField(required=False, validators=YEAR)
    end_year = forms.IntegerField(required=False, validators=YEAR)
    ongoing = forms.BooleanField(required=False, label="Still running")
    results = forms.CharField(
        label="Results and impact",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed, with figures where the source gives them.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if data.get("ongoing") and end:
            self.add_error(
                "end_year", "A practice still running has no end year: clear it or untick “Still running”."
            )
        elif start and end and end < start:
            self.add_error("end_year", "The end year is before the start year.")
        return data


class SubmissionForm(PracticeForm):
    """A new practice with its source: the practice fields and one source with its passage."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    source_kind = forms.ChoiceField(
        label="Where it comes from", choices=SourceKind.choices, widget=forms.RadioSelect
    )
    source_document = forms.ModelChoiceField(
        label="Document in the knowledge base",
        required=False,
        queryset=SourceDocument.objects.order_by("title").only("id", "title"),
    )
    source_file = forms.FileField(
        label="PDF document",
        required=False,
        help_text="",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    source_url = forms.URLField(
        label="Address of the document", required=False, max_length=1000, assume_scheme="https"
    )
    source_title = forms.CharField(label="Title of the document", required=False, max_length=300)
    passage = forms.CharField(
        label="Quoted passage",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Copy the words of the document that describe the practice, exactly as they are written.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mb = max_bytes() // (1024 * 1024)
        self.fields["source_file"].help_text = f"A PDF of at most {mb} MB whose text can be selected."
        self.pdf_text = None
        self.excerpt = None

    def clean(self):
        data = super().clean()
        kind, passage = data.get("source_kind"), data.get("passage")
        if kind == SourceKind.DOCUMENT:
            document = data.get("source_document")
            if document is None:
                self.add_error("source_document", "Choose the document the passage comes from.")
            elif passage:
                found = find_quoted(document.text, passage)
                if found is None:
                    self.add_error(
                        "passage",
                        f"This passage is not in “{document.title}”. Copy it from the document's text "
                        "in the reader (same words and punctuation).",
                    )
                else:
                    # The document's own words at that place: the citation is verbatim.
                    self.excerpt = document.text[found[0] : found[1]]
        elif kind == SourceKind.UPLOAD:
            upload = data.get("source_file")
            if not upload:
                self.add_error("source_file", "Choose the PDF to upload.")
            else:
                try:
                    self.pdf_text = read_pdf(upload)
                except NotAPdf as refusal:
                    self.add_error("source_file", str(refusal))
                else:
                    if passage and find_quoted(self.pdf_text, passage) is None:
                        self.add_error(
                            "passage",
                            "This passage is not in the text of the PDF you uploaded. Copy it from the "
                            "PDF (same words and punctuation).",
                        )
        elif kind == SourceKind.URL:
            if not data.get("source_url"):
                self.add_error("source_url", "Give the address of the document.")
            if not data.get("source_title"):
                self.add_error("source_title", "Give the title of the document.")
        return data


class CountryRoleForm(PlainLabels, forms.Form):
    country = forms.ModelChoiceField(
        queryset=Country.objects.order_by("name").only("id", "name"), required=False, empty_label="—"
    )
    role = forms.ChoiceField(choices=[("", "—"), *CountryRole.choices], required=False)

    def clean(self):
        data = super().clean()
        if data.get("country") and not data.get("role"):
            self.add_error("role", "Choose the country's role.")
        return data


class BaseCountryRoleFormSet(forms.BaseFormSet):
    def links(self):
        """The distinct (country, role) pairs filled in."""
        seen = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("country") and data.get("role"):
                seen[(data["country"].pk, data["role"])] = data["country"], data["role"]
        return list(seen.values())


CountryRoleFormSet = forms.formset_factory(
    CountryRoleForm, formset=BaseCountryRoleFormSet, extra=3, max_num=30, validate_max=True, absolute_max=60
)


class ReplyForm(PlainLabels, forms.Form):
    comment = forms.CharField(label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(PlainLabels, forms.Form):
    """One step in the review queue."""

    ACTIONS = [
        ("comment", "Comment"),
        ("approve", "Approve"),
        ("request_changes", "Request changes"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect, initial="comment")
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
