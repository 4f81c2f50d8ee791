import factory

from practices.models import (
    Citation,
    Country,
    GcmObjective,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
)
from sources.models import SourceDocument

SOURCE_TEXT = (
    "Irregular Migration Report\n\n"
    "Mexico and Canada have implemented for more than 30 years the Seasonal Agricultural "
    "Workers Program (SAWP) as a bi-national cooperation strategy.\n\n"
    "Brazil’s 2009 amnesty regularized 41,816 migrants – a record.\n"
)


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDocument

    title = factory.Sequence(lambda n: f"Background paper {n}")
    slug = factory.Sequence(lambda n: f"background-paper-{n}")
    publisher = "Global Forum on Migration and Development"
    document_type = SourceDocument.DocumentType.BACKGROUND_PAPER
    text = SOURCE_TEXT


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.INTERNATIONAL


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    name = factory.Sequence(lambda n: f"Thematic meeting {n}")
    slug = factory.Sequence(lambda n: f"thematic-meeting-{n}")
    series = Meeting.Series.GFMD
    kind = Meeting.Kind.THEMATIC_MEETING


class PracticeFactory(factory.django.DjangoModelFactory):
    """A practice with the minimum a real one has: a country, an objective, a citation."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Seasonal workers programme {n}")
    slug = factory.Sequence(lambda n: f"seasonal-workers-programme-{n}")
    summary = "A scheme that lets farm workers move for the season under a legal contract."
    practice_type = Practice.PracticeType.PROGRAMME
    scope = Practice.Scope.BILATERAL
    status = Practice.Status.PUBLISHED

    @factory.post_generation
    def country(self, create, extracted, **kwargs):
        # country=False makes a practice without a country (a regional or global one).
        if create and extracted is not False:
            country = extracted or Country.objects.get(iso3="MEX")
            PracticeCountry.objects.create(practice=self, country=country, role=PracticeCountry.Role.ORIGIN)

    @factory.post_generation
    def objective(self, create, extracted, **kwargs):
        if create and extracted is not False:
            objective = extracted or GcmObjective.objects.get(number=5)
            PracticeObjective.objects.create(practice=self, objective=objective, is_primary=True)

    @factory.post_generation
    def citation(self, create, extracted, **kwargs):
        # citation=False makes a practice without one (for CitationFactory and for tests).
        if create and extracted is not False:
            CitationFactory(practice=self, **({"source": extracted} if extracted else {}))


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    practice = factory.SubFactory(PracticeFactory, citation=False)
    source = factory.SubFactory(SourceDocumentFactory)
    excerpt = "Seasonal Agricultural Workers Program (SAWP)"
