import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from reversion.admin import VersionAdmin

from gfmd_kb.safe_input import CuratorTextMixin
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


class AtLeastOneInline:
    """An inline that refuses to be left empty (the admin shows min_num forms but,
    unless told, does not validate it)."""

    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class CitationInline(CuratorTextMixin, AtLeastOneInline, admin.StackedInline):
    # Provenance: a practice is never saved without a source passage.
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "excerpt", "label", "start"]
    readonly_fields = ["start"]


class PracticeCountryInline(CuratorTextMixin, admin.TabularInline):
    model = PracticeCountry
    extra = 0
    autocomplete_fields = ["country"]


class PracticeObjectiveInline(CuratorTextMixin, AtLeastOneInline, admin.TabularInline):
    model = PracticeObjective
    extra = 0


@admin.register(Practice)
class PracticeAdmin(CuratorTextMixin, VersionAdmin):
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
        super().save_model(request, obj, form, change)
        record_slug_change(obj, previous_slug)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Citations, countries or objectives changed in the inlines change the practice too.
        if change and any(formset.has_changed() for formset in formsets):
            Practice.objects.filter(pk=form.instance.pk).mark_edited()

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

    def _set_status(self, request, queryset, status, verb):
        # Saved one by one inside a revision, so each change is in the practice's history.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Status set to “{Practice.Status(status).label}” from the list.")
            practices = list(queryset)
            for practice in practices:
                practice.status = status
                practice.updated_by = request.user
                practice.save()
        self.message_user(request, f"{len(practices)} practice(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish selected practices", permissions=["change"])
    def publish(self, request, queryset):
        # Only practices with their provenance and classification in place go public.
        incomplete = queryset.filter(
            ~Exists(Citation.objects.filter(practice=OuterRef("pk")))
            | ~Exists(PracticeObjective.objects.filter(practice=OuterRef("pk")))
        )
        if incomplete.exists():
            names = ", ".join(incomplete.values_list("title", flat=True)[:5])
            self.message_user(
                request,
                f"Nothing published: these practices lack a citation or a GCM objective: {names}.",
                messages.ERROR,
            )
            return
        self._set_status(request, queryset, Practice.Status.PUBLISHED, "published")

    @admin.action(description="Send selected practices to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._set_status(request, queryset, Practice.Status.IN_REVIEW, "sent to review")

    @admin.action(description="Unpublish selected practices (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Practice.Status.DRAFT, "unpublished")


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
