import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
from tests.factories import (
    CitationFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db


def assert_refused(**changes):
    """The database itself rejects the practice row with these field values."""
    practice = PracticeFactory()
    for field, value in changes.items():
        setattr(practice, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        practice.save()


def test_reference_data_holds_every_un_member_and_observer_state():
    assert Country.objects.filter(un_status="member").count() == 193
    assert set(Country.objects.filter(un_status="observer").values_list("iso3", flat=True)) == {"VAT", "PSE"}
    mexico = Country.objects.get(iso3="MEX")
    assert (mexico.region, mexico.sub_region, mexico.intermediate_region) == (
        "Americas",
        "Latin America and the Caribbean",
        "Central America",
    )
    assert Country.objects.get(iso3="NAM").iso2 == "NA"  # not mistaken for a missing value
    assert Country.objects.get(iso3="GRC").iso2 == "GR"
    assert all(len(iso2) == 2 and iso2.isupper() for iso2 in Country.objects.values_list("iso2", flat=True))
    assert set(Country.objects.values_list("region", flat=True)) == {
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
    }


def test_reference_data_holds_the_23_objectives_and_ten_principles():
    assert list(GcmObjective.objects.values_list("number", flat=True)) == list(range(1, 24))
    assert GcmObjective.objects.get(number=15).title == "Provide access to basic services for migrants"
    assert GcmObjective.objects.count() == 23
    from practices.models import GuidingPrinciple

    assert GuidingPrinciple.objects.count() == 10


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "archived"},
        {"scope": "planetary"},
        {"practice_type": "rumour"},
        {"start_year": 2010, "end_year": 2005},
        {"start_year": 1066},
        {"start_year": 2010, "end_year": 2012, "ongoing": True},
        {"summary": ""},
    ],
)
def test_database_rejects_invalid_practice_values(changes):
    assert_refused(**changes)


def test_objective_number_must_be_between_1_and_23():
    with pytest.raises(IntegrityError), transaction.atomic():
        GcmObjective.objects.create(number=24, title="Not an objective", short_label="No")


def test_slugs_and_codes_are_unique():
    practice = PracticeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeFactory(slug=practice.slug)
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(
            iso3="MEX", iso2="XX", m49_code=999, name="Duplicate", region="Americas", sub_region="X"
        )


def test_country_role_must_be_a_known_role_and_unique_per_practice():
    practice = PracticeFactory()
    mexico = Country.objects.get(iso3="MEX")
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeCountry.objects.create(practice=practice, country=mexico, role="origin")  # already there
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeCountry.objects.create(practice=practice, country=mexico, role="bystander")


def test_an_objective_is_linked_once_per_practice():
    practice = PracticeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=5))


def test_meeting_cannot_end_before_it_starts_and_kinds_are_checked():
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(start_date=datetime.date(2011, 10, 5), end_date=datetime.date(2011, 10, 4))
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(series="fan-club")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(kind="secret_society")


def test_citation_finds_its_passage_and_records_where_it_is():
    citation = CitationFactory()
    assert citation.start == citation.source.text.index("Seasonal Agricultural Workers Program (SAWP)")
    assert citation.source.has_passage_at(citation.excerpt, citation.start)


def test_citation_keeps_typographic_characters_verbatim():
    source = SourceDocumentFactory()
    citation = CitationFactory(
        source=source, excerpt="Brazil’s 2009 amnesty regularized 41,816 migrants – a record."
    )
    assert source.text[citation.start : citation.end] == citation.excerpt
    # Typed with a straight apostrophe and a hyphen (as a PDF copy gives them), the passage is
    # found, and what is stored is the document's own characters: still verbatim.
    typed = CitationFactory(
        source=source,
        excerpt="Brazil's 2009 amnesty\nregularized 41,816 migrants - a record.",
        start=None,
    )
    assert typed.excerpt == "Brazil’s 2009 amnesty regularized 41,816 migrants – a record."
    assert source.text[typed.start : typed.end] == typed.excerpt
    with pytest.raises(ValidationError):
        CitationFactory(source=source, excerpt="Brazil’s 2010 amnesty regularized 41,816 migrants.")


def test_citation_with_excerpt_not_in_the_source_is_refused_with_a_clear_message():
    source = SourceDocumentFactory()
    practice = PracticeFactory(citation=False)
    citation = Citation(practice=practice, source=source, excerpt="Canada invented seasonal work.")
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "not found verbatim" in str(error.value)
    assert not Citation.objects.filter(practice=practice).exists()


def test_published_queryset_and_period():
    published = PracticeFactory(start_year=1974, ongoing=True)
    PracticeFactory(status=Practice.Status.DRAFT)
    PracticeFactory(status=Practice.Status.IN_REVIEW)
    assert list(Practice.objects.published()) == [published]
    assert published.period == "1974–ongoing"
    assert published.published_at is not None


HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[bad](javascript:alert(1))",
    "[bad](JaVaScRiPt:alert(1))",
    '<a href="&#106;avascript:alert(1)">encoded</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<img src=x onerror=alert(1)>",
    '<p onmouseover="alert(1)">hover</p>',
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<details open ontoggle="alert(1)">x</details>',
]
FORBIDDEN = re.compile(
    r"<script|javascript:|\bon[a-z]+\s*=|<iframe|<style|<svg|<img|data:text", re.IGNORECASE
)


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN)
def test_markdown_is_rendered_then_sanitized(client, hostile):
    """Scripts, event handlers and javascript: links never reach the page, in any field."""
    practice = PracticeFactory(
        summary=f"A **bold** scheme. {hostile}",
        description=f"Details. {hostile}",
        results=f"Results. {hostile}",
    )
    for html in (practice.summary_html, practice.description_html, practice.results_html):
        assert not FORBIDDEN.search(html), html
    page = client.get(practice.get_absolute_url()).text
    main = page[page.index("<main") : page.index("</main>")]
    assert not FORBIDDEN.search(main)
    assert "<strong>bold</strong>" in main


def test_ordinary_markdown_survives_sanitizing(client):
    practice = PracticeFactory(
        summary="A *small* and **bold** scheme, see [the ministry](https://www.gob.mx/stps).",
        description="* one\n* two\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    )
    main = client.get(practice.get_absolute_url()).text
    assert "<em>small</em>" in main
    assert "<strong>bold</strong>" in main
    assert '<a href="https://www.gob.mx/stps" rel="noopener noreferrer">the ministry</a>' in main
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in main
    assert "<ol>\n<li>first</li>" in main
    assert "<table>" in main
    assert "<td>1</td>" in main


def test_every_model_reads_well_as_text():
    practice = PracticeFactory()
    assert str(practice) == practice.title
    assert str(GcmObjective.objects.get(number=5)) == "5. Regular pathways"
    assert str(OrganisationFactory(name="International Organization for Migration", acronym="IOM")) == (
        "International Organization for Migration (IOM)"
    )
    assert str(Meeting(name="GFMD 2010")) == "GFMD 2010"
    assert isinstance(Organisation.Kind.GOVERNMENT.label, str)
