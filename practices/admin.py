from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from reversion.admin import VersionAdmin

from gfmd_kb.safe_input import CuratorTextMixin
from practices import rules, workflow
from practices.models import (
    Citation,
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
    Theme,
    ThesaurusEntry,
)
from practices.slugs import record_slug_change

admin.site.site_header = "Migration practices: curation"
admin.site.site_title = "Migration practices admin"
admin.site.index_title = "Curate the knowledge base"


class RegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = Country.objects.order_by("region").values_list("region", flat=True).distinct()
        return [(region, region) for region in regions]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country_links__country__region=self.value()).distinct()
        return queryset


class PublicationRuleFormSet(BaseInlineFormSet):
    """An inline a practice in review or published may not leave empty (drafts may): the
    rule and its words are practices.rules's, shown above the inline."""

    rule = None

    def clean(self):
        super().clean()
        practice = self.instance
        if practice.status not in (Practice.Status.IN_REVIEW, Practice.Status.PUBLISHED) or any(self.errors):
            return
        kept = sum(1 for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE"))
        facts = {"summary": "-", "scope": practice.scope, "citations": 1, "objectives": 1, "countries": 1}
        facts[self.rule] = kept
        if message := rules.problems(**facts).get(self.rule):
            raise ValidationError(message, code=f"publication_{self.rule}")


class CitationFormSet(PublicationRuleFormSet):
    rule = "citations"


class CountryFormSet(PublicationRuleFormSet):
    rule = "countries"


class ObjectiveFormSet(PublicationRuleFormSet):
    rule = "objectives"


class PracticeAdminForm(forms.ModelForm):
    """Drafts save with whatever they have; leaving draft needs a summary, and publishing
    here needs the reviewers' approvals (practices.workflow), as in the review queue."""

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if (
            status in (Practice.Status.IN_REVIEW, Practice.Status.PUBLISHED)
            and not (data.get("summary") or "").strip()
        ):
            self.add_error("summary", rules.MESSAGES["summary"])
        before = self.initial.get("status") if self.instance.pk else None
        if status == Practice.Status.PUBLISHED and before != Practice.Status.PUBLISHED:
            need = workflow.approvals_required()
            in_review = before == Practice.Status.IN_REVIEW
            have = len(workflow.approver_ids(self.instance)) if self.instance.pk and in_review else 0
            if have < need:
                self.add_error("status", workflow.missing_approvals(have))
        return data


class CitationInline(CuratorTextMixin, admin.StackedInline):
    # Provenance: a practice is never published without a source passage (the formset).
    model = Citation
    formset = CitationFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "excerpt", "label", "start"]
    readonly_fields = ["start"]


class PracticeCountryInline(CuratorTextMixin, admin.TabularInline):
    model = PracticeCountry
    formset = CountryFormSet
    extra = 0
    autocomplete_fields = ["country"]


class PracticeObjectiveInline(CuratorTextMixin, admin.TabularInline):
    model = PracticeObjective
    formset = ObjectiveFormSet
    extra = 0


@admin.register(Practice)
class PracticeAdmin(CuratorTextMixin, VersionAdmin):
    form = PracticeAdminForm
    list_display = ["title", "status", "practice_type", "scope", "period_display", "citations", "updated_at"]
    list_filter = [
        "status",
        "practice_type",
        "scope",
        ("objectives", admin.RelatedOnlyFieldListFilter),
        RegionFilter,
        ("countries", admin.RelatedOnlyFieldListFilter),
        ("meetings", admin.RelatedOnlyFieldListFilter),
        ("citations__source", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "aliases", "summary", "slug", "countries__name", "organisations__acronym"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisations", "meetings", "themes"]
    filter_horizontal = ["principles"]
    readonly_fields = [
        "published_at",
        "created_at",
        "updated_at",
        "edited_at",
        "updated_by",
        "former_addresses",
    ]
    inlines = [CitationInline, PracticeCountryInline, PracticeObjectiveInline]
    actions = ["publish", "send_to_review", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "aliases", "summary", "description"]}),
        ("Classification", {"fields": ["practice_type", "scope", "organisations", "principles", "themes"]}),
        ("Period and results", {"fields": [("start_year", "end_year", "ongoing"), "results", "meetings"]}),
        (
            "Curation",
            {
                "fields": ["status", "outside_facts", *readonly_fields],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations", distinct=True))

    @admin.display(description="citations", ordering="citation_count")
    def citations(self, obj):
        return obj.citation_count

    @admin.display(description="period", ordering="start_year")
    def period_display(self, obj):
        return obj.period

    # Former slugs are shown, not edited, and deliberately not an inline: VersionAdmin
    # follows inlines, so reverting a practice would delete the addresses it had since.
    @admin.display(description="former addresses")
    def former_addresses(self, obj):
        slugs = obj.former_slugs.values_list("slug", flat=True) if obj.pk else []
        return ", ".join(slugs) or "—"

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        # "Last changed" for the public: a change of what the practice says, by hand. A save
        # that changes nothing, or only the status, is not one (nor is the seed loader).
        if not change or set(form.changed_data) - {"status"} or getattr(request, "practice_reverting", False):
            obj.edited_at = timezone.now()
        previous_slug = getattr(request, "practice_slug_before_revert", None) or (
            form.initial.get("slug") if change else None
        )
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        record_slug_change(obj, previous_slug)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Citations, countries or objectives changed in the inlines change the practice too.
        if change and any(formset.has_changed() for formset in formsets):
            Practice.objects.filter(pk=form.instance.pk).mark_edited()
        # A status set in the form is a step of the workflow (its form checked the rules):
        # recorded in the review thread and notified like the review queue's.
        before = form.initial.get("status") if change else Practice.Status.DRAFT
        if form.instance.status != before:
            workflow.record_form_change(form.instance, request.user, before)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The banner at the top links to each error, which sits beside its field or inline.
        links = []
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.is_bound:
            for name, errors in adminform.form.errors.items():
                label = adminform.form.fields[name].label if name in adminform.form.fields else ""
                for error in errors:
                    links.append((f"id_{name}" if name != "__all__" else "", label, error))
        for inline in context.get("inline_admin_formsets", []):
            formset = inline.formset
            if formset.is_bound:
                for error in formset.non_form_errors():
                    links.append(
                        (f"{formset.prefix}-group", inline.opts.verbose_name_plural.capitalize(), error)
                    )
                if any(formset.errors):
                    links.append(
                        (
                            f"{formset.prefix}-group",
                            inline.opts.verbose_name_plural.capitalize(),
                            "see the rows marked",
                        )
                    )
        context["error_links"] = links
        return super().render_change_form(request, context, add, change, form_url, obj)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reverting writes the old row back *before* the form is saved, so save_model would
        # see the old slug as the initial one: note the address the practice leaves first.
        object_id = unquote(object_id)
        if object_id.isdigit():
            practice = Practice.objects.filter(pk=object_id)
            request.practice_slug_before_revert = practice.values_list("slug", flat=True).first()
        # Reverting changes the practice, though its form shows no change (it starts from the
        # reverted version).
        request.practice_reverting = request.method == "POST"
        return super().revision_view(request, object_id, version_id, extra_context)

    def _step(self, request, queryset, step, verb):
        """Apply a workflow step to each selected practice (each in its own transaction, so
        one refusal does not undo the others), saying which were refused and why."""
        done, refused = [], []
        for practice in queryset:
            try:
                with transaction.atomic():
                    step(practice, request.user)
            except workflow.WorkflowError as refusal:
                refused.append(f"“{practice}”: {refusal}")
            else:
                done.append(practice)
        if done:
            self.message_user(request, f"{len(done)} practice(s) {verb}.", messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, f"Not {verb}: {reason}", messages.ERROR)

    @admin.action(description="Publish selected practices (with their approvals)", permissions=["change"])
    def publish(self, request, queryset):
        # Only practices with their provenance, classification and reviewers' approvals go public.
        self._step(request, queryset, workflow.publish, "published")

    @admin.action(description="Send selected practices to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._step(request, queryset, workflow.submit, "sent to review")

    @admin.action(description="Unpublish selected practices (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._step(request, queryset, workflow.return_to_draft, "returned to draft")


@admin.register(Citation)
class CitationAdmin(CuratorTextMixin, VersionAdmin):
    list_display = ["practice", "source", "label", "start"]
    list_filter = [("source", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["excerpt", "practice__title", "label"]
    autocomplete_fields = ["practice", "source"]
    readonly_fields = ["start"]
    list_select_related = ["practice", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or form.has_changed():
            # The evidence is part of the practice: its "last changed" moves (both practices'
            # if the citation moved from one to another).
            practices = {obj.practice_id, form.initial.get("practice")} - {None}
            Practice.objects.filter(pk__in=practices).mark_edited()


@admin.register(Country)
class CountryAdmin(CuratorTextMixin, admin.ModelAdmin):
    list_display = ["name", "iso3", "iso2", "region", "sub_region", "intermediate_region", "un_status"]
    list_filter = ["region", "sub_region", "un_status"]
    search_fields = ["name", "iso3", "iso2"]


@admin.register(GcmObjective)
class GcmObjectiveAdmin(CuratorTextMixin, admin.ModelAdmin):
    list_display = ["number", "short_label", "title"]
    search_fields = ["title", "short_label", "=number"]


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(CuratorTextMixin, admin.ModelAdmin):
    list_display = ["position", "name"]


@admin.register(Theme)
class ThemeAdmin(CuratorTextMixin, VersionAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(CuratorTextMixin, VersionAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    list_select_related = ["country"]


@admin.register(Meeting)
class MeetingAdmin(CuratorTextMixin, VersionAdmin):
    list_display = ["name", "series", "kind", "city", "country", "start_date"]
    list_filter = ["series", "kind"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = [
        "country",
        "host_countries",
        "co_chair_countries",
        "co_chair_organisations",
        "supporting_organisations",
        "source_documents",
    ]
    list_select_related = ["country"]
    date_hierarchy = "start_date"


@admin.register(ThesaurusEntry)
class ThesaurusEntryAdmin(CuratorTextMixin, VersionAdmin):
    """The search thesaurus: a saved entry changes what searches find at once."""

    list_display = ["slug", "kind", "terms_shown", "expansions_shown", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["slug", "terms", "expansions", "note"]
    prepopulated_fields = {"slug": ["terms"]}
    readonly_fields = ["updated_at"]
    fields = ["kind", "terms", "expansions", "note", "slug", "updated_at"]

    @admin.display(description="terms")
    def terms_shown(self, obj):
        return " · ".join(obj.term_list)

    @admin.display(description="also finds")
    def expansions_shown(self, obj):
        return " · ".join(obj.expansion_list) or "(each other)"
