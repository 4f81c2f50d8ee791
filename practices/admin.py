from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Cast
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from reversion.admin import VersionAdmin
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from reversion_compare.helpers import html_diff

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
# The breadcrumbs and the index already lead everywhere; the navigation sidebar took 300 px
# of a 1280 px screen from the practice list and forms.
admin.site.enable_nav_sidebar = False


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


class MineFilter(admin.SimpleListFilter):
    """Practices a curator is working on: those whose latest version in the history is theirs
    (django-reversion's revision user), or, without any version, that they saved last."""

    title = "mine"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("drafts", "My drafts"), ("changed", "Last changed by me")]

    def queryset(self, request, queryset):
        if self.value() not in ("drafts", "changed"):
            return queryset
        latest_author = Subquery(
            Version.objects.get_for_model(Practice)
            .filter(object_id=Cast(OuterRef("pk"), CharField()))
            .order_by("-revision__date_created", "-pk")
            .values("revision__user_id")[:1]
        )
        queryset = queryset.alias(latest_author=latest_author).filter(
            Q(latest_author=request.user.pk) | Q(latest_author__isnull=True, updated_by=request.user)
        )
        if self.value() == "drafts":
            queryset = queryset.filter(status=Practice.Status.DRAFT)
        return queryset


# What the history's "compare" shows of a practice, in this order: its own fields (the
# library's text diff), its many-to-many links, then its inlines row by row. Derived
# columns (HTML, search text, facet keys, listing) and timestamps are left out.
COMPARED_FIELDS = [
    "title",
    "slug",
    "aliases",
    "summary",
    "description",
    "practice_type",
    "scope",
    "start_year",
    "end_year",
    "ongoing",
    "results",
    "status",
    "outside_facts",
]
COMPARED_LINKS = [
    ("organisations", Organisation),
    ("principles", GuidingPrinciple),
    ("themes", Theme),
    ("meetings", Meeting),
]
COMPARED_INLINES = [
    ("citations", Citation, "citations"),
    ("country_links", PracticeCountry, "countries and roles"),
    ("objective_links", PracticeObjective, "GCM objectives"),
]
UNCOMPARED_ROW_FIELDS = {"id", "practice", "practice_id", "created_at", "updated_at"}


def linked_rows(version, model, practice_pk):
    """{object id: instance} of ``model`` rows of this practice stored in ``version``'s
    revision (the inlines reversion follows), with their foreign keys filled in one query
    per key, so that their names cost no query each."""
    content_type = ContentType.objects.get_for_model(model)
    rows = {}
    for row in version.revision.version_set.filter(content_type=content_type):
        instance = row._object_version.object
        if str(instance.practice_id) == str(practice_pk):
            rows[row.object_id] = instance
    return rows


def fill_foreign_keys(model, instances):
    for field in model._meta.concrete_fields:
        if field.is_relation and field.name != "practice":
            ids = {getattr(i, field.attname) for i in instances} - {None}
            related = field.related_model._default_manager.in_bulk(ids)
            for instance in instances:
                if getattr(instance, field.attname) in related:
                    setattr(instance, field.name, related[getattr(instance, field.attname)])


def row_values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in UNCOMPARED_ROW_FIELDS
    }


def shown_value(instance, field):
    if field.is_relation:
        return str(getattr(instance, field.name, "") or "")
    if field.choices:
        value = getattr(instance, field.attname)
        return str(dict(field.flatchoices).get(value, value))
    return str(getattr(instance, field.attname))


def changed_row_html(model, old, new):
    """A row changed between two versions: its name now, then each changed field's diff."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in UNCOMPARED_ROW_FIELDS
        and getattr(old, field.attname) != getattr(new, field.attname)
    ]
    return format_html(
        "{}{}",
        str(new),
        format_html_join(
            "",
            '<div class="row-field"><strong>{}</strong>{}</div>',
            (
                (field.verbose_name, html_diff(shown_value(old, field), shown_value(new, field)))
                for field in fields
            ),
        ),
    )


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
class PracticeAdmin(CuratorTextMixin, CompareVersionAdmin):
    form = PracticeAdminForm
    list_display = [
        "short_title",
        "status_badge",
        "country_codes",
        "objective_numbers",
        "practice_type",
        "scope",
        "citations",
        "updated",
    ]
    list_display_links = ["short_title"]
    list_filter = [
        MineFilter,
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
    # The list hides "Recover deleted practices" from curators who cannot delete (below).
    change_list_template = "admin/practices/practice/change_list.html"
    # django-reversion-compare: which of the practice's own fields its history compares.
    compare_fields = COMPARED_FIELDS
    compare_template = "admin/practices/practice/compare.html"
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

    class Media:
        css = {"all": ["css/admin-practices.css"]}

    def get_queryset(self, request):
        # Countries and objectives are shown in the list: two queries for a whole page.
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations", distinct=True))
            .prefetch_related(
                Prefetch("country_links", queryset=PracticeCountry.objects.select_related("country")),
                Prefetch("objective_links", queryset=PracticeObjective.objects.select_related("objective")),
            )
        )

    @admin.display(description="citations", ordering="citation_count")
    def citations(self, obj):
        return obj.citation_count

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        # Long titles wrapped over many lines: the list shows the start, the tooltip the whole.
        return format_html('<span title="{}">{}</span>', obj.title, Truncator(obj.title).chars(60))

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-badge status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="countries")
    def country_codes(self, obj):
        countries = sorted({link.country.iso3: link.country.name for link in obj.country_links.all()}.items())
        if not countries:
            return "—"
        shown = format_html_join(
            ", ", '<abbr title="{}">{}</abbr>', ((name, iso3) for iso3, name in countries[:3])
        )
        if len(countries) <= 3:
            return shown
        rest = ", ".join(name for _, name in countries[3:])
        return format_html('{}, <abbr title="{}">+{}</abbr>', shown, rest, len(countries) - 3)

    @admin.display(description="GCM obj.")
    def objective_numbers(self, obj):
        links = sorted(
            obj.objective_links.all(), key=lambda link: (not link.is_primary, link.objective.number)
        )
        if not links:
            return "—"
        return format_html_join(
            ", ",
            '<abbr title="{}">{}</abbr>',
            (
                (f"{link.objective.number}. {link.objective.short_label}", link.objective.number)
                for link in links
            ),
        )

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj):
        return format_html(
            '<time class="nowrap" datetime="{}">{}</time>',
            obj.updated_at.isoformat(),
            format_date(timezone.localtime(obj.updated_at), "j M Y, H:i"),
        )

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
        if request.practice_reverting and object_id.isdigit() and str(version_id).isdigit():
            version = (
                Version.objects.get_for_model(Practice)
                .filter(pk=version_id, object_id=object_id)
                .select_related("revision__user")
                .first()
            )
            current = Practice.objects.filter(pk=object_id).first()
            if version is not None and current is not None:
                request.practice_revert_note = self.revert_note(current, version)
        return super().revision_view(request, object_id, version_id, extra_context)

    def revert_note(self, current, version):
        """What a revert restores, in words: "Restored the version of 7 Dec 2026, 10:04 by
        alice: summary and citations changed back." Compared before the revert writes."""
        changed = []
        fields = version.field_dict
        for name in COMPARED_FIELDS:
            field = Practice._meta.get_field(name)
            if name in fields and fields[field.attname] != getattr(current, field.attname):
                changed.append(str(field.verbose_name))
        for name, _model in COMPARED_LINKS:
            if name in fields:
                now = {str(pk) for pk in getattr(current, name).values_list("pk", flat=True)}
                if {str(pk) for pk in fields[name]} != now:
                    changed.append(str(Practice._meta.get_field(name).verbose_name))
        for accessor, model, label in COMPARED_INLINES:
            then = {pk: row_values(row) for pk, row in linked_rows(version, model, current.pk).items()}
            now = {str(row.pk): row_values(row) for row in getattr(current, accessor).all()}
            if then != now:
                changed.append(label)
        when = format_date(timezone.localtime(version.revision.date_created), "j M Y, H:i")
        user = version.revision.user
        author = f" by {user.get_username()}" if user else ""
        if not changed:
            return f"Restored the version of {when}{author}; it was the same as the current practice."
        what = ", ".join(changed[:-1]) + (" and " if len(changed) > 1 else "") + changed[-1]
        return f"Restored the version of {when}{author}: {what} changed back."

    def message_user(self, request, message, *args, **kwargs):
        # After a revert the admin would say "changed successfully": say what was restored.
        note = getattr(request, "practice_revert_note", None)
        if note:
            request.practice_revert_note = None
            message = note
        super().message_user(request, message, *args, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The banner "Please correct the errors below" is far from an error in an inline: link
        # to each field in error (its id), in the order of the form.
        context["error_links"] = self.error_links(context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def error_links(self, context):
        """(anchor, label, message) of each error, in the order of the form: the publication
        rules' messages in words (a missing citation, objective, summary), and a link to
        every field in error, which may be thousands of pixels down."""
        links = []
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.is_bound:
            form = adminform.form
            for name, errors in form.errors.items():
                if name in form.fields:
                    label = str(form.fields[name].label or name).capitalize()
                    links.append((f"id_{name}", label, " ".join(errors)))
                else:
                    links.append(("", "Practice", " ".join(errors)))
        for inline in context.get("inline_admin_formsets") or []:
            formset = inline.formset
            if not formset.is_bound:
                continue
            noun = str(formset.model._meta.verbose_name).capitalize()
            if formset.non_form_errors():
                plural = str(formset.model._meta.verbose_name_plural).capitalize()
                links.append((f"{formset.prefix}-group", plural, " ".join(formset.non_form_errors())))
            for number, form in enumerate(formset.forms, start=1):
                for name in form.errors:
                    # The message itself sits beside the field (it may quote the document).
                    if name == NON_FIELD_ERRORS or name not in form.fields:
                        links.append((f"{formset.prefix}-{number - 1}", f"{noun} {number}", ""))
                    else:
                        label = str(form.fields[name].label or name)
                        links.append((f"id_{form.prefix}-{name}", f"{noun} {number}: {label}", ""))
        return links

    def compare_view(self, request, object_id, extra_context=None):
        # The library's view only asks for staff: the history is the practice's, so it needs
        # the right to view the practice (as the history list does). A bad id is a 404.
        object_id = unquote(object_id)
        practice = Practice.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if practice is None:
            raise Http404("No such practice.")
        if not self.has_view_or_change_permission(request, practice):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    def compare(self, obj, version1, version2):
        """The library compares the practice's own fields; its links and inlines are compared
        here, by name, so that a citation reads "Document, chars 1,204–1,380: “words…”"."""
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        for name, model in COMPARED_LINKS:
            before = {str(pk) for pk in version1.field_dict.get(name, [])}
            after = {str(pk) for pk in version2.field_dict.get(name, [])}
            if before == after:
                continue
            names = {str(pk): str(row) for pk, row in model._default_manager.in_bulk(before | after).items()}
            items = [("del", "− " + names.get(pk, f"(deleted, id {pk})")) for pk in sorted(before - after)]
            items += [("ins", "+ " + names.get(pk, f"(deleted, id {pk})")) for pk in sorted(after - before)]
            diff.append(self.diff_entry(Practice._meta.get_field(name).verbose_name, items))
        for _accessor, model, label in COMPARED_INLINES:
            before = linked_rows(version1, model, obj.pk)
            after = linked_rows(version2, model, obj.pk)
            fill_foreign_keys(model, [*before.values(), *after.values()])
            items = []
            keys = sorted(
                before.keys() | after.keys(), key=lambda key: str(before.get(key) or after.get(key))
            )
            for pk in keys:
                old, new = before.get(pk), after.get(pk)
                if old is None:
                    items.append(("ins", f"+ {new}"))
                elif new is None:
                    items.append(("del", f"− {old}"))
                elif row_values(old) != row_values(new):
                    items.append(("change", changed_row_html(model, old, new)))
            if items:
                diff.append(self.diff_entry(label, items))
        return diff, has_unfollowed_fields

    @staticmethod
    def diff_entry(label, items):
        parts = []
        for kind, text in items:
            if kind == "change":
                parts.append(format_html("<li>{}</li>", text))
            else:
                parts.append(format_html("<li><{}>{}</{}></li>", kind, text, kind))
        html = format_html('<ul class="row-diff">{}</ul>', format_html_join("", "{}", ((p,) for p in parts)))
        field = SimpleNamespace(verbose_name=label, help_text="")
        return {"field": field, "is_related": True, "follow": True, "diff": html}

    def changelist_view(self, request, extra_context=None):
        # Recovering a deleted practice undoes a deletion: offered to those who may delete.
        context = {"can_recover": self.has_delete_permission(request) and self.has_add_permission(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

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


# The review queue's admin lives with the contributions it reviews; importing it registers it.
from practices.contributions import admin as review_queue_admin  # noqa: E402, F401
