import json
import uuid
from collections import namedtuple

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from practices import rules
from practices.rendering import render_markdown
from practices.search import lexical
from practices.search.query import content_words
from sources.models import SourceDocument

# What a search result shows of a practice's relations (Practice.listing).
ListedCountry = namedtuple("ListedCountry", ["iso3", "name"])
ListedObjective = namedtuple("ListedObjective", ["number", "title"])
ListedSource = namedtuple("ListedSource", ["slug", "title", "year"])


class SlugNaturalKeyQuerySet(models.QuerySet):
    """Fixtures refer to these rows by slug, so they load into any database."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


# --- Choices (module level so that Meta constraints can refer to them) ---------


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", "Government body"
    INTERNATIONAL = "international", "International organisation"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    PRIVATE_SECTOR = "private_sector", "Private sector"
    TRADE_UNION = "trade_union", "Trade union"
    ACADEMIA = "academia", "Academia"
    DIASPORA = "diaspora", "Diaspora / migrant association"


class MeetingSeries(models.TextChoices):
    GFMD = "gfmd", "GFMD"
    UN = "un", "United Nations"
    REGIONAL_PROCESS = "regional_process", "Regional process"
    ACADEMIC = "academic", "Academic"
    OTHER = "other", "Other"


class MeetingKind(models.TextChoices):
    THEMATIC_MEETING = "thematic_meeting", "Thematic meeting"
    ROUNDTABLE = "roundtable", "Roundtable"
    SUMMIT = "summit", "Summit"
    CONFERENCE = "conference", "Conference"
    SESSION = "session", "Session"
    MINISTERIAL = "ministerial", "Ministerial meeting"
    OTHER = "other", "Other"


class PracticeStatus(models.TextChoices):
    """Draft → in review → published; reviewers may send it back with "changes requested"
    (the rules of each step: practices.workflow)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    CHANGES_REQUESTED = "changes", "Changes requested"
    PUBLISHED = "published", "Published"


class PracticeType(models.TextChoices):
    PROGRAMME = "programme", "Programme"
    POLICY = "policy", "Policy"
    LAW = "law", "Law"
    REGULARISATION = "regularisation", "Regularisation"
    AGREEMENT = "agreement", "Agreement"
    PARTNERSHIP = "partnership", "Partnership"
    INSTITUTION = "institution", "Institution"
    SERVICE = "service", "Service"
    TOOL = "tool", "Tool"
    DIALOGUE = "dialogue", "Dialogue / consultative process"
    INITIATIVE = "initiative", "Initiative"
    INSTRUMENT = "instrument", "International instrument or framework"


class PracticeScope(models.TextChoices):
    LOCAL = "local", "Local"
    NATIONAL = "national", "National"
    BILATERAL = "bilateral", "Bilateral"
    REGIONAL = "regional", "Regional"
    INTER_REGIONAL = "inter_regional", "Inter-regional"
    GLOBAL = "global", "Global"


# A practice of these scopes happens somewhere: it is published with its countries.
SCOPES_NEEDING_A_COUNTRY = rules.NEEDS_COUNTRY


class CountryRole(models.TextChoices):
    ORIGIN = "origin", "Origin"
    TRANSIT = "transit", "Transit"
    DESTINATION = "destination", "Destination"
    IMPLEMENTING = "implementing", "Implementing"
    PARTNER = "partner", "Partner"


class UnStatus(models.TextChoices):
    MEMBER = "member", "UN member state"
    OBSERVER = "observer", "UN observer state"


# --- Vocabularies -------------------------------------------------------------------


class CountryQuerySet(models.QuerySet):
    def get_by_natural_key(self, iso3):
        return self.get(iso3=iso3)

    def in_region(self, region):
        return self.filter(region=region)


class Country(models.Model):
    """A UN member or observer state, keyed in URLs and filters by ISO 3166-1 alpha-3."""

    UnStatus = UnStatus

    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    m49_code = models.PositiveSmallIntegerField("UN M49 code", unique=True)
    name = models.CharField(max_length=100, unique=True)
    # UN M49 geographic regions: region (Africa, Americas, ...), sub-region
    # (Sub-Saharan Africa, Latin America and the Caribbean, ...) and, where M49 has one,
    # intermediate region (Western Africa, South America, ...).
    region = models.CharField(max_length=40)
    sub_region = models.CharField(max_length=60)
    intermediate_region = models.CharField(max_length=60, blank=True)
    un_status = models.CharField(max_length=10, choices=UnStatus.choices, default=UnStatus.MEMBER)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        indexes = [
            # Region facet and region -> country grouping on the search page.
            models.Index(fields=["region", "sub_region", "name"], name="country_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(un_status__in=["member", "observer"]), name="country_un_status_valid"
            ),
            models.CheckConstraint(condition=~Q(region=""), name="country_region_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:country", kwargs={"iso3": self.iso3})

    def natural_key(self):
        return (self.iso3,)


class GcmObjectiveQuerySet(models.QuerySet):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class GcmObjective(models.Model):
    """One of the 23 objectives of the Global Compact for Migration."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200, help_text="Official title (A/RES/73/195, para. 16).")
    short_label = models.CharField(max_length=60)

    objects = GcmObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "GCM objective"
        verbose_name_plural = "GCM objectives"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=23), name="gcmobjective_number_1_23"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.short_label}"

    def get_absolute_url(self):
        return reverse("practices:objective", kwargs={"number": self.number})

    def natural_key(self):
        return (self.number,)


class GuidingPrinciple(models.Model):
    """One of the ten GCM guiding principles (para. 15)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(unique=True)

    objects = SlugNaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "GCM guiding principle"
        verbose_name_plural = "GCM guiding principles"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:principle", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class Theme(models.Model):
    """A free topical tag (e.g. "labour migration"), curated in the admin."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80, unique=True)

    objects = SlugNaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="theme_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:theme", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class Organisation(models.Model):
    Kind = OrganisationKind

    name = models.CharField(max_length=250)
    slug = models.SlugField(max_length=120, unique=True)
    acronym = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="For national bodies and associations.",
    )
    outside_facts = models.TextField(
        blank=True, help_text="Facts not from the source documents, and where from."
    )

    objects = SlugNaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="organisation_slug_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("practices:organisation", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class Meeting(models.Model):
    """A meeting where practices were presented, or for which a document was prepared."""

    Series = MeetingSeries

    Kind = MeetingKind

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    series = models.CharField(max_length=20, choices=Series.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    city = models.CharField(max_length=100, blank=True)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings_held"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    host_countries = models.ManyToManyField(Country, blank=True, related_name="meetings_hosted")
    co_chair_countries = models.ManyToManyField(Country, blank=True, related_name="meetings_co_chaired")
    co_chair_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="meetings_co_chaired"
    )
    supporting_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="meetings_supported"
    )
    participants = models.PositiveIntegerField(null=True, blank=True, help_text="Number of participants.")
    source_documents = models.ManyToManyField(
        SourceDocument,
        blank=True,
        related_name="meetings",
        help_text="Documents prepared for or about this meeting.",
    )
    outside_facts = models.TextField(
        blank=True, help_text="Facts not from the source documents, and where from."
    )

    objects = SlugNaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(series__in=MeetingSeries.values), name="meeting_series_valid"),
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="meeting_slug_not_empty"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:meeting", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


# --- Practices -------------------------------------------------------------------


class FacetKeysField(models.Field):
    """A list of "facet:value" strings: ``text[]`` (GIN-indexed) on PostgreSQL, a JSON array on SQLite.

    ``field__any_of=[keys]`` holds when the row has at least one of the keys: how the
    FilterSet's facet filters select practices (the search page counts them in memory,
    practices.facet_index, from the same keys).
    """

    description = "Facet keys"

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        return json.loads(value) if isinstance(value, str) else list(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return list(value or [])

    def value_to_string(self, obj):
        # Serialised (fixtures, saved versions) as JSON, which to_python() reads back.
        return json.dumps(self.value_from_object(obj))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = list(value)
        return value if connection.vendor == "postgresql" else json.dumps(value)


@FacetKeysField.register_lookup
class FacetKeysAnyOf(models.Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        keys = [str(key) for key in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} && %s::text[]", [*lhs_params, keys]
        if not keys:
            return "1 = 0", list(lhs_params)
        marks = ", ".join(["%s"] * len(keys))
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN ({marks}))",
            [*lhs_params, *keys],
        )


class FacetKeysText(models.Func):
    """A FacetKeysField as one space-separated string: read far faster than a list of
    strings (no array parsing per key). Keys hold no spaces: their values are codes and slugs."""

    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, function="array_to_string", template="%(function)s(%(expressions)s, ' ')"
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(SELECT group_concat(value, ' ') FROM json_each(%(expressions)s))"
        )


def facet_key(facet, value):
    """The Practice.facet_keys entry of one facet value: "region:americas", "country:MEX"."""
    if facet == "region":
        value = value.lower()
    elif facet == "country":
        value = value.upper()
    return f"{facet}:{value}"


# Facets a practice takes from its own row (practices.search.indexing adds the others).
ROW_FACETS = ("type", "scope")


# Paths under /practices/ that are pages, not practices: no practice may take these slugs.
RESERVED_PRACTICE_SLUGS = frozenset({"brief", "feed"})


class PracticeQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def published(self):
        return self.filter(status=Practice.Status.PUBLISHED)

    def for_country(self, country):
        return self.filter(country_links__country=country).distinct()

    def for_objective(self, objective):
        return self.filter(objective_links__objective=objective).distinct()

    def mark_edited(self, when=None):
        """Record that a curator changed these practices or their citations (``edited_at``).

        Called by the admin's saves, never by the seed loader. An ``update()``: the save that
        made the change has already marked the practice for re-indexing in this transaction,
        which changes the knowledge base's version token (cached pages show the new date)."""
        return self.update(edited_at=when or timezone.now())

    def breaking_publication_rules(self):
        """Practices that could not be published as they are: the SQL side of
        ``practices.workflow.publication_problems`` (the same rules), one query."""
        return self.filter(
            Q(summary="")
            | ~models.Exists(Citation.objects.filter(practice=models.OuterRef("pk")))
            | ~models.Exists(PracticeObjective.objects.filter(practice=models.OuterRef("pk")))
            | (
                Q(scope__in=SCOPES_NEEDING_A_COUNTRY)
                & ~models.Exists(PracticeCountry.objects.filter(practice=models.OuterRef("pk")))
            )
        )

    def with_counts(self):
        return self.annotate(
            citation_count=models.Count("citations", distinct=True),
            country_count=models.Count("country_links__country", distinct=True),
        )

    def search(self, query):
        """Practices matching every clause of a parsed query (``practices.search.query.parse``),
        ranked (the ``rank`` alias, higher is better); the search page relaxes and widens this
        (``practices.search.page``)."""
        return lexical.apply(self, query)


class Practice(models.Model):
    Status = PracticeStatus

    PracticeType = PracticeType

    Scope = PracticeScope

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    aliases = models.TextField(blank=True, help_text="Other names and acronyms, one per line (e.g. SAWP).")
    # Blank in a draft; required to publish (practices.workflow, and the constraint below).
    summary = models.TextField(blank=True, help_text="One to three sentences in our own words (Markdown).")
    description = models.TextField(blank=True, help_text="Longer account in our own words (Markdown).")
    summary_html = models.TextField(editable=False, default="")
    description_html = models.TextField(editable=False, default="")
    practice_type = models.CharField("type", max_length=20, choices=PracticeType.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    countries = models.ManyToManyField(Country, through="PracticeCountry", related_name="practices")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="practices")
    objectives = models.ManyToManyField(
        GcmObjective, through="PracticeObjective", related_name="practices", verbose_name="GCM objectives"
    )
    principles = models.ManyToManyField(
        GuidingPrinciple, blank=True, related_name="practices", verbose_name="guiding principles"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="practices")
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ongoing = models.BooleanField(default=False, help_text="Still running at the time of the latest source.")
    results = models.TextField(blank=True, help_text="Results and figures the sources state (Markdown).")
    results_html = models.TextField(editable=False, default="")
    meetings = models.ManyToManyField(Meeting, blank=True, related_name="practices")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    outside_facts = models.TextField(
        blank=True, help_text="Facts not from the source documents, and where from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Any write of the row, the seed loader's refreshes included: for the admin's lists.
    updated_at = models.DateTimeField(auto_now=True)
    # What the public calls "last changed": set only when a curator changes the practice or
    # its citations in the admin (``PracticeQuerySet.mark_edited``), never by the seed
    # loader, so a practice nobody has touched since it was drawn from its sources has none
    # (and is dated by its sources: ``practices.citing``).
    edited_at = models.DateTimeField(
        "last changed by a curator",
        null=True,
        blank=True,
        editable=False,
        help_text="When a curator last changed it or its citations; loading the seed does not count.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who wrote it: the contributor who submitted it, or the curator who created it in the
    # admin. Reviewers other than the author approve it (practices.workflow); None for the
    # seed and for practices created before authorship was kept.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="authored_practices",
    )
    # Searchable text from related rows; kept current by practices.search.indexing.
    search_related = models.TextField(editable=False, default="")
    # PostgreSQL only: a weighted tsvector that a BEFORE INSERT/UPDATE trigger computes from
    # this row (migration 0004), GIN-indexed. On SQLite it stays NULL: the FTS5 table
    # PracticeSearchIndex plays its part.
    search_vector = SearchVectorField(null=True, editable=False)
    # Every facet value the practice has, as "facet:value" keys ("country:MEX",
    # "objective:5", "type:programme"): what the search filters and counts facets on,
    # kept by practices.search.indexing (related rows) and save() (type and scope).
    facet_keys = FacetKeysField(null=True, editable=False)
    # What a search result shows of the practice's countries, GCM objectives and cited
    # sources, each in the order shown: {"countries": [[iso3, name]], "objectives":
    # [[number, title]], "sources": [[slug, title, year]]}. Copied from those rows by
    # practices.search.indexing, as the search text is, so that a page of results is one
    # query rather than four. Null until then (and nullable so that SQLite adds the column
    # without rebuilding the table, which would drop the FTS5 triggers).
    listing = models.JSONField(null=True, editable=False)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            # Public pages list published practices, newest first.
            models.Index(fields=["status", "-published_at"], name="practice_status_published_idx"),
            # The search page without a query: published practices by title, a page at a time.
            models.Index(
                fields=["title", "id"], condition=Q(status="published"), name="practice_published_title_idx"
            ),
            # Type, scope and period facets.
            models.Index(fields=["practice_type"], name="practice_type_idx"),
            models.Index(fields=["scope"], name="practice_scope_idx"),
            models.Index(fields=["start_year"], name="practice_start_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PracticeStatus.values), name="practice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(practice_type__in=PracticeType.values), name="practice_type_valid"
            ),
            models.CheckConstraint(condition=Q(scope__in=PracticeScope.values), name="practice_scope_valid"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(start_year__gte=1800, start_year__lte=2100),
                name="practice_start_year_range",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=1800, end_year__lte=2100),
                name="practice_end_year_range",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="practice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~(Q(ongoing=True) & Q(end_year__isnull=False)), name="practice_ongoing_has_no_end"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="practice_slug_not_empty"),
            # Drafts are free, publishing is strict: a published practice has a summary.
            models.CheckConstraint(
                condition=~Q(summary="") | ~Q(status="published"), name="practice_published_has_summary"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Cheap fields of this row only: cached HTML and the first publication time.
        self.summary_html = render_markdown(self.summary)
        self.description_html = render_markdown(self.description)
        self.results_html = render_markdown(self.results)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        from_links = (k for k in self.facet_keys or [] if k.partition(":")[0] not in ROW_FACETS)
        self.facet_keys = sorted({*self.own_facet_keys(), *from_links})
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "summary_html",
                "description_html",
                "results_html",
                "published_at",
                "facet_keys",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def own_facet_keys(self):
        """The facet keys of this row's own fields (the ROW_FACETS)."""
        return [facet_key("type", self.practice_type), facet_key("scope", self.scope)]

    def clean(self):
        if self.slug in RESERVED_PRACTICE_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of a page of the site; choose another."}
            )
        taken = (
            FormerSlug.objects.filter(slug=self.slug).exclude(practice_id=self.pk).select_related("practice")
        )
        if self.slug and (former := taken.first()):
            raise ValidationError(
                {
                    "slug": (
                        f"“{self.slug}” was the address of “{former.practice}”, and old links to it "
                        "still lead there; choose another."
                    )
                }
            )
        if self.ongoing and self.end_year:
            raise ValidationError(
                {"end_year": "An ongoing practice has no end year; untick “ongoing” or clear it."}
            )
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": "The end year is before the start year."})

    def publication_problems(self):
        """{rule: message} for each publication rule this practice breaks (practices.rules);
        empty when it may be sent to review or published."""
        if self.pk is None:
            return rules.problems(
                summary=self.summary, scope=self.scope, citations=0, objectives=0, countries=0
            )
        return rules.problems(
            summary=self.summary,
            scope=self.scope,
            citations=self.citations.exists(),
            objectives=self.objective_links.exists(),
            countries=self.country_links.exists(),
        )

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def period(self):
        if self.start_year and self.ongoing:
            return f"{self.start_year}–ongoing"
        if self.start_year and self.end_year and self.end_year != self.start_year:
            return f"{self.start_year}–{self.end_year}"
        if self.start_year:
            return str(self.start_year)
        if self.end_year:
            return f"until {self.end_year}"
        return "ongoing" if self.ongoing else ""

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def listed_countries(self):
        """ListedCountry(iso3, name) of each of its countries, by name."""
        return [ListedCountry(*row) for row in (self.listing or {}).get("countries", [])]

    @property
    def listed_objectives(self):
        """ListedObjective(number, title) of each of its GCM objectives, the primary first."""
        return [ListedObjective(*row) for row in (self.listing or {}).get("objectives", [])]

    @property
    def cited_sources(self):
        """ListedSource(slug, title, year) of each document it cites, the latest first."""
        return [ListedSource(*row) for row in (self.listing or {}).get("sources", [])]


class SearchWord(models.Model):
    """Every word of the indexed text: the vocabulary that "did you mean" corrects against.

    Words are only added (a word no practice uses any more is harmless: a suggestion is
    only offered when it finds practices).
    """

    word = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word


class SearchIndexVersion(models.Model):
    """One row whose token changes with every write the in-memory facet index depends on.

    Each process keeps its own index of the published practices' facets
    (practices.facet_index) and rebuilds it when this token is no longer the one it was
    built at: a database row, so that every process and server sees the change.
    """

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token

    @classmethod
    def current_token(cls):
        # Read on every public request (the page cache's key, the search page's index):
        # plain SQL, since compiling the ORM's query cost more than running it.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def bump(cls):
        """Change the token (``practices.search.indexing`` does, once per transaction)."""
        # One UPDATE: update_or_create() would add a savepoint and a SELECT ... FOR UPDATE,
        # and an admin save bumps once per inline row it writes.
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.get_or_create(pk=1, defaults={"token": token})


class FTS5DocumentField(models.TextField):
    """The hidden column an FTS5 table has under its own name: ``<table> MATCH ...``."""


@FTS5DocumentField.register_lookup
class FTS5Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class PracticeSearchIndex(models.Model):
    """SQLite only: the FTS5 table (porter stemming) that triggers fill from each practice row.

    Unmanaged: migration 0004 creates the virtual table and its triggers on SQLite; on
    PostgreSQL it does not exist and is never queried (Practice.search_vector serves).
    Columns: title (+aliases), summary, description (+results), related.
    """

    practice = models.OneToOneField(
        Practice,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="search_index",
    )
    document = FTS5DocumentField(db_column="practices_practice_fts")

    class Meta:
        managed = False
        db_table = "practices_practice_fts"

    def __str__(self):
        return f"Search index of practice {self.practice_id}"


class FormerSlug(models.Model):
    """An address a practice had before its slug changed: /practices/<slug>/ redirects (301)
    to the current one, so permanent links and printed briefs keep working.

    Rows are written by ``practices.slugs.record_slug_change`` (called by the admin when a
    slug changes, reverts included), never by a signal or by ``Practice.save()``.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=120, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "-retired_at"]
        verbose_name = "former address"
        verbose_name_plural = "former addresses"
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="formerslug_slug_not_empty")]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"slug": self.slug})


class PracticeCountryQuerySet(models.QuerySet):
    def get_by_natural_key(self, practice_slug, iso3, role):
        return self.get(practice__slug=practice_slug, country__iso3=iso3, role=role)


class PracticeCountry(models.Model):
    Role = CountryRole

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="country_links")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="practice_links")
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = PracticeCountryQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "country__name"]
        verbose_name = "country and role"
        verbose_name_plural = "countries and roles"
        constraints = [
            models.UniqueConstraint(fields=["practice", "country", "role"], name="practicecountry_unique"),
            models.CheckConstraint(
                condition=Q(role__in=CountryRole.values), name="practicecountry_role_valid"
            ),
        ]
        indexes = [
            # Country facet and country pages: practices of a country (by role).
            models.Index(fields=["country", "role", "practice"], name="practicecountry_country_idx"),
        ]

    def __str__(self):
        return f"{self.country} ({self.get_role_display()})"

    def natural_key(self):
        return (*self.practice.natural_key(), self.country.iso3, self.role)

    natural_key.dependencies = ["practices.practice", "practices.country"]


class PracticeObjectiveQuerySet(models.QuerySet):
    def get_by_natural_key(self, practice_slug, number):
        return self.get(practice__slug=practice_slug, objective__number=number)


class PracticeObjective(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="objective_links")
    objective = models.ForeignKey(GcmObjective, on_delete=models.PROTECT, related_name="practice_links")
    is_primary = models.BooleanField(default=False)

    objects = PracticeObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "-is_primary", "objective__number"]
        verbose_name = "GCM objective"
        verbose_name_plural = "GCM objectives"
        constraints = [
            models.UniqueConstraint(fields=["practice", "objective"], name="practiceobjective_unique"),
        ]
        indexes = [
            # Objective facet, objective pages and the coverage matrix.
            models.Index(fields=["objective", "practice"], name="practiceobjective_obj_idx"),
        ]

    def __str__(self):
        return f"{self.objective} ({'primary' if self.is_primary else 'secondary'})"

    def natural_key(self):
        return (*self.practice.natural_key(), self.objective.number)

    natural_key.dependencies = ["practices.practice", "practices.gcmobjective"]


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, practice_slug, source_slug, start):
        return self.get(practice__slug=practice_slug, source__slug=source_slug, start=start)

    def public(self):
        """Citations the public may see: those of published practices. The source reader
        calls this through ``document.citations`` (it cannot import this module)."""
        return self.filter(practice__status=PracticeStatus.PUBLISHED)


class Citation(models.Model):
    """A verbatim passage of a source document that supports a practice.

    ``start`` is the excerpt's character offset in ``source.text``; ``clean()`` refuses
    an excerpt that is not found verbatim there.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="citations")
    excerpt = models.TextField(help_text="Copied verbatim from the source document's text.")
    start = models.PositiveIntegerField(
        blank=True, help_text="Offset of the excerpt in the document text; found automatically."
    )
    label = models.CharField(
        "page or section",
        max_length=200,
        blank=True,
        help_text="Page or section label, e.g. “p. 9” or “Annex”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "source", "start"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "source", "start"], name="citation_unique_passage"),
            models.CheckConstraint(condition=~Q(excerpt=""), name="citation_excerpt_not_empty"),
        ]
        indexes = [
            # Source document facet and the reader's list of cited passages, in text order.
            models.Index(fields=["source", "start"], name="citation_source_start_idx"),
        ]

    def __str__(self):
        # "Short title, chars 1,204–1,380: “first words…”": which passage, readable in the history.
        source = self.source.title if self.source_id else "?"
        short = source if len(source) <= 60 else source[:57].rstrip() + "…"
        words = " ".join(self.excerpt.split())
        quote = words if len(words) <= 50 else words[:50].rsplit(" ", 1)[0] + "…"
        if self.start is None:
            return f"{short}: “{quote}”"
        return f"{short}, chars {self.start:,}–{self.end:,}: “{quote}”"

    def save(self, *args, **kwargs):
        # Programmatic saves get the same guarantee as the admin form.
        if self.start is None or not self.source.has_passage_at(self.excerpt, self.start):
            self.clean()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The passage in the source reader, scrolled to and highlighted."""
        return self.source.passage_url(self.start)

    def natural_key(self):
        return (self.practice.slug, self.source.slug, self.start)

    natural_key.dependencies = ["practices.practice", "sources.sourcedocument"]

    @property
    def end(self):
        return self.start + len(self.excerpt)

    def locate(self):
        """Find the excerpt in the source and make it the source's own text there.

        True if found. Line breaks, soft hyphens, quotes, dashes and ligatures that copying
        from a PDF changes are tolerated (``SourceDocument.locate_passage``), and the stored
        excerpt becomes the document's characters at the found position: what is kept is
        always verbatim."""
        if self.source.has_passage_at(self.excerpt, self.start):
            return True
        found = self.source.locate_passage(self.excerpt, near=self.start)
        if found is None:
            return False
        self.start = found.start
        self.excerpt = self.source.text[found.start : found.end]
        return True

    def clean(self):
        if not self.excerpt or self.source_id is None:
            return
        if not self.locate():
            message = format_html(
                "This excerpt is not found verbatim in “{}”, even allowing for line breaks, "
                "hyphenation, quotes and dashes.",
                self.source,
            )
            divergence = self.source.closest_passage(self.excerpt)
            if divergence is not None:
                message = format_html("{} {}", message, divergence.as_html())
            else:
                message = format_html(
                    "{} No passage of the document shares three words in a row with it: check the document.",
                    message,
                )
            raise ValidationError({"excerpt": message}, code="excerpt_not_verbatim")


class LoadedRecord(models.Model):
    """What the seed loader last wrote to one row, so a reload can tell a curator's edit
    (the row no longer matches) from a row nobody touched (safe to refresh)."""

    model = models.CharField(max_length=100, help_text="app_label.model")
    natural_key = models.CharField(max_length=400)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the field values as loaded.")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "natural_key"]
        verbose_name = "loaded seed record"
        constraints = [models.UniqueConstraint(fields=["model", "natural_key"], name="loadedrecord_unique")]

    def __str__(self):
        return f"{self.model} {self.natural_key}"


class ThesaurusKind(models.TextChoices):
    EQUIVALENT = "equivalent", "Equivalent terms (each finds the others)"
    ONE_WAY = "one_way", "One way (the terms also find the expansions)"


class ThesaurusEntryQuerySet(SlugNaturalKeyQuerySet):
    def as_rules(self):
        """(kind, terms, expansions) of every entry: what the search's thesaurus is built from."""
        return [(e.kind, e.term_list, e.expansion_list) for e in self.only("kind", "terms", "expansions")]


class ThesaurusEntry(models.Model):
    """Migration terminology that search treats as related: curated in the admin.

    An *equivalent* entry is a ring (irregular / undocumented / unauthorised migrant): a
    query using any of its terms also looks for the others. A *one-way* entry widens a lay
    or narrower wording to established terms (legal status -> regularisation) and not back.
    Terms match a query's words in order, compared by stem, stop words aside; spellings
    (labour/labor) are already folded. A change takes effect at once: saving bumps the
    search index token (practices.search.indexing).
    """

    Kind = ThesaurusKind

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.EQUIVALENT)
    terms = models.TextField(help_text="One term per line: a word or a short phrase.")
    expansions = models.TextField(
        blank=True, help_text="One-way entries only: what the terms also find, one per line."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="What the concept is, and the glossary it follows."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ThesaurusEntryQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = "thesaurus entry"
        verbose_name_plural = "thesaurus"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ThesaurusKind.values), name="thesaurus_kind_valid"),
            models.CheckConstraint(condition=~Q(slug=""), name="thesaurus_slug_not_empty"),
            models.CheckConstraint(
                condition=(Q(kind=ThesaurusKind.EQUIVALENT) & Q(expansions=""))
                | (Q(kind=ThesaurusKind.ONE_WAY) & ~Q(expansions="")),
                name="thesaurus_expansions_one_way_only",
            ),
        ]

    def __str__(self):
        return " / ".join(self.term_list[:3]) + (" …" if len(self.term_list) > 3 else "")

    def natural_key(self):
        return (self.slug,)

    @staticmethod
    def _lines(text):
        return list(dict.fromkeys(line.strip().lower() for line in text.splitlines() if line.strip()))

    @property
    def term_list(self):
        return self._lines(self.terms)

    @property
    def expansion_list(self):
        return self._lines(self.expansions)

    def clean(self):
        errors = {}
        terms, expansions = self.term_list, self.expansion_list
        if self.kind == ThesaurusKind.EQUIVALENT:
            if len(terms) < 2:
                errors["terms"] = "An equivalence ring needs at least two terms, one per line."
            if expansions:
                errors["expansions"] = "Only one-way entries have expansions; list every term above."
        elif not expansions:
            errors["expansions"] = "A one-way entry needs at least one expansion, one per line."
        for name, lines in (("terms", terms), ("expansions", expansions)):
            empty = [line for line in lines if not content_words(line)]
            if empty and name not in errors:
                errors[name] = f"“{empty[0]}” has no word search can use (only common words such as “the”)."
        if errors:
            raise ValidationError(errors)


class PracticeEmbedding(models.Model):
    """A practice's meaning as a vector (practices.search.semantic), written by the index owner.

    A table of its own, not a column of the practice: the practice row stays narrow for
    full-text ranking, and SQLite adds a table without rebuilding practices_practice (which
    would drop its FTS5 triggers). The vector is float16 bytes; ``model`` names the
    embedding model that made it, so a change of model re-embeds rather than mixes.
    """

    practice = models.OneToOneField(
        Practice, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=60)
    vector = models.BinaryField()

    class Meta:
        ordering = ["practice"]

    def __str__(self):
        return f"Embedding of practice {self.practice_id} ({self.model})"


# --- Peer review (the steps: practices.workflow) -----------------------------------------


class ReviewEventKind(models.TextChoices):
    CONTRIBUTED = "contributed", "Submitted by a contributor"
    SUBMITTED = "submitted", "Sent to review"
    ASSIGNED = "assigned", "Reviewer assigned"
    COMMENT = "comment", "Comment"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes", "Changes requested"
    PUBLISHED = "published", "Published"
    RETURNED = "returned", "Returned to draft"


class ReviewEventQuerySet(models.QuerySet):
    def since_last_submission(self, practice):
        """This practice's events of its current review round (approvals given before it was
        last sent to review were for another text)."""
        last = (
            self.filter(practice=practice, kind=ReviewEventKind.SUBMITTED)
            .order_by("-created_at", "-id")
            .first()
        )
        events = self.filter(practice=practice)
        return events.filter(id__gt=last.id) if last else events


class ReviewEvent(models.Model):
    """One step of a practice's review: who did what, when, and what they said. The thread
    the contributor reads on "My submissions" and reviewers in the review queue."""

    Kind = ReviewEventKind

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="review_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="review_events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    comment = models.TextField(blank=True)
    # For "assigned": who was asked to review.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "review events"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewEventKind.values), name="reviewevent_kind_valid"
            ),
            # An approval or a request for changes says why.
            models.CheckConstraint(
                condition=~Q(kind__in=["changes"]) | ~Q(comment=""), name="reviewevent_changes_have_comment"
            ),
        ]
        indexes = [
            # A practice's thread, in order (review page, "My submissions").
            models.Index(fields=["practice", "created_at"], name="reviewevent_practice_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.practice} by {self.actor}"

    def get_absolute_url(self):
        return self.practice.get_absolute_url()


class ReviewAssignment(models.Model):
    """A reviewer asked to review a practice (the review queue's "assigned to me")."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="review_assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "review assignments"
        constraints = [
            models.UniqueConstraint(fields=["practice", "reviewer"], name="reviewassignment_unique"),
        ]

    def __str__(self):
        return f"{self.reviewer} reviews {self.practice}"

    def get_absolute_url(self):
        return self.practice.get_absolute_url()


# Contributions from the public site live in their own module of this app (models for
# submissions and the review queue's proxy); importing them here registers them.
from practices.contributions.models import Contribution, ReviewQueue  # noqa: E402, F401
