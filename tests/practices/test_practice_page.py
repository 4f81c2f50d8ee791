"""The practice page: what a reader sees, how to cite it, and its permanent address."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practices.models import (
    Country,
    FormerSlug,
    GcmObjective,
    GuidingPrinciple,
    Practice,
    PracticeCountry,
    PracticeObjective,
    Theme,
)
from practices.slugs import record_slug_change
from tests.factories import (
    CitationFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def many_sentences(count):
    return "\n\n".join(f"Sentence number {n} describes the programme in some detail." for n in range(count))


def rich_practice(citations=1, countries=1, **fields):
    """A published practice with ``citations`` citations and ``countries`` countries."""
    source = SourceDocumentFactory(text=many_sentences(max(citations, 1)), title="Long background paper")
    practice = PracticeFactory(citation=False, country=False, **fields)
    for n in range(citations):
        CitationFactory(
            practice=practice, source=source, excerpt=f"Sentence number {n} describes", label=f"p. {n}"
        )
    for country in Country.objects.order_by("name")[:countries]:
        PracticeCountry.objects.create(practice=practice, country=country, role=PracticeCountry.Role.PARTNER)
    return practice


def test_page_lays_out_everything_the_knowledge_base_holds(client):
    practice = PracticeFactory(
        title="Seasonal Agricultural Workers Program",
        aliases="SAWP",
        description="Workers are *recruited* by the ministry.",
        results="More than **20,000** workers a year.",
        start_year=1974,
        ongoing=True,
        country=Country.objects.get(iso3="MEX"),
        objective=GcmObjective.objects.get(number=6),
    )
    PracticeCountry.objects.create(
        practice=practice, country=Country.objects.get(iso3="CAN"), role=PracticeCountry.Role.DESTINATION
    )
    PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=2))
    practice.organisations.add(OrganisationFactory(name="Employment and Social Development Canada"))
    practice.principles.add(GuidingPrinciple.objects.get(position=1))
    practice.meetings.add(
        MeetingFactory(name="GFMD 2010 Roundtable 1.1", start_date=datetime.date(2010, 11, 9))
    )

    page = text_of(client.get(practice.get_absolute_url()).text)

    for expected in [
        "Seasonal Agricultural Workers Program",
        "Also known as: SAWP",
        "Mexico (origin)",
        "Canada (destination)",
        "Employment and Social Development Canada",
        "Programme",
        "Bilateral",
        "1974–ongoing",
        "Workers are recruited by the ministry.",
        "Stated results More than 20,000 workers a year.",
        "GFMD 2010 Roundtable 1.1 (November 2010)",
        str(GuidingPrinciple.objects.get(position=1)),
    ]:
        assert expected in page, expected
    # The primary objective comes first, with its official title, whatever its number.
    primary = "Objective 6: Facilitate fair and ethical recruitment and safeguard conditions that"
    secondary = "Objective 2: Minimize the adverse drivers and structural factors"
    assert page.index(primary) < page.index(secondary)
    assert "ensure decent work primary" in page


def test_evidence_shows_excerpt_document_label_and_links_to_the_highlighted_passage(client):
    source = SourceDocumentFactory(title="Irregular Migration Report", publisher="GFMD")
    practice = PracticeFactory(citation=False)
    citation = CitationFactory(practice=practice, source=source, label="p. 9")

    response = client.get(practice.get_absolute_url())

    page = text_of(response.text)
    assert "Seasonal Agricultural Workers Program (SAWP)" in page
    assert (
        "Irregular Migration Report , p. 9 (GFMD)" in page
        or "Irregular Migration Report, p. 9 (GFMD)" in page
    )
    passage_url = f"http://testserver{source.get_absolute_url()}#passage-{citation.start}"
    assert f'href="{passage_url}"' in response.text
    # ... and the reader has that anchor, on the highlighted passage.
    reader = client.get(source.get_absolute_url()).text
    assert f'id="passage-{citation.start}"' in reader


def test_related_practices_say_why_and_leave_out_drafts_and_unrelated(client):
    practice = PracticeFactory(objective=GcmObjective.objects.get(number=6))
    theme = Theme.objects.create(name="labour migration", slug="labour-migration")
    practice.themes.add(theme)
    PracticeFactory(title="Same objective", objective=GcmObjective.objects.get(number=6))
    same_theme = PracticeFactory(
        title="Same theme",
        objective=GcmObjective.objects.get(number=20),
        country=Country.objects.get(iso3="FRA"),
    )
    same_theme.themes.add(theme)
    PracticeFactory(title="Draft twin", status="draft", objective=GcmObjective.objects.get(number=6))
    PracticeFactory(
        title="Unrelated",
        objective=GcmObjective.objects.get(number=20),
        country=Country.objects.get(iso3="FRA"),
    )

    page = text_of(client.get(practice.get_absolute_url()).text)

    related = page[page.index("Related practices") :]
    assert (
        "Same objective Shares GCM objectives: 6. Fair recruitment and decent work; countries: Mexico"
        in related
    )
    assert "Same theme Shares themes: labour migration" in related
    assert "Draft twin" not in related
    assert "Unrelated" not in related
    # Most in common first.
    assert related.index("Same objective") < related.index("Same theme")


def test_cite_this_practice_gives_a_reference_and_ris_and_bibtex_files(client):
    practice = PracticeFactory(title="Workers & Families: 100% {safe} #1", slug="workers-families")
    practice.themes.add(Theme.objects.create(name="labour migration", slug="labour-migration"))
    Practice.objects.filter(pk=practice.pk).mark_edited(
        datetime.datetime(2027, 1, 14, 9, 30, tzinfo=datetime.UTC)
    )
    url = "http://testserver/practices/workers-families/"
    changed = datetime.date(2027, 1, 14)

    page = text_of(client.get(practice.get_absolute_url()).text)
    assert (
        f"“Workers &amp; Families: 100% {{safe}} #1”. Migration Practices Knowledge Base, last changed "
        f"14 January 2027. {url}"
    ) in page

    ris = client.get(reverse("practices:cite_ris", args=[practice.slug]))
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert 'filename="workers-families.ris"' in ris["Content-Disposition"]
    lines = ris.content.decode().split("\r\n")
    assert lines[0] == "TY  - ELEC"
    assert "TI  - Workers & Families: 100% {safe} #1" in lines
    assert "T2  - Migration Practices Knowledge Base" in lines
    assert f"UR  - {url}" in lines
    assert "PY  - 2027" in lines
    assert f"DA  - {changed:%Y/%m/%d}" in lines
    assert "N1  - Last changed by a curator 2027-01-14" in lines
    assert "KW  - labour migration" in lines
    assert lines[-2:] == ["ER  - ", ""]

    bib = client.get(reverse("practices:cite_bib", args=[practice.slug]))
    assert bib["Content-Type"].startswith("application/x-bibtex")
    body = bib.content.decode()
    assert body.startswith("@misc{kb:workers-families,\n")
    assert r"title = {{Workers \& Families: 100\% \{safe\} \#1}}" in body
    assert f"url = {{{url}}}" in body
    assert "year = {2027}" in body
    assert f"date = {{{changed.isoformat()}}}" in body
    unescaped = body.replace(r"\{", "").replace(r"\}", "")
    assert unescaped.count("{") == unescaped.count("}")  # the record's braces balance


def dates_of(client, practice):
    page = text_of(client.get(practice.get_absolute_url()).text)
    return page[page.index("Permanent link:") :]


def test_an_unedited_practice_is_dated_by_its_source_not_by_when_it_was_loaded(client):
    source = SourceDocumentFactory(publication_date=datetime.date(2011, 11, 2))
    practice = PracticeFactory(citation=source)

    assert practice.edited_at is None
    dates = dates_of(client, practice)
    assert "Source: published 2 November 2011 · Not changed since it was drawn from its source" in dates
    assert "Last changed" not in dates
    page = text_of(client.get(practice.get_absolute_url()).text)
    assert "Migration Practices Knowledge Base, drawn from its source of 2011." in page
    bib = client.get(reverse("practices:cite_bib", args=[practice.slug])).content.decode()
    assert "year = {2011}" in bib and "date = {2011-11-02}" in bib
    assert "note = {Drawn from sources published 2011; not changed since}" in bib
    ris = client.get(reverse("practices:cite_ris", args=[practice.slug])).content.decode().split("\r\n")
    assert "PY  - 2011" in ris and "DA  - 2011/11/02" in ris
    html = client.get(practice.get_absolute_url()).text
    assert "article:modified_time" not in html


def test_an_undated_source_is_dated_by_its_meeting_and_no_date_at_all_says_nd(client):
    undated = SourceDocumentFactory(publication_date=None)
    MeetingFactory(start_date=datetime.date(2010, 11, 8)).source_documents.add(undated)
    other = SourceDocumentFactory(publication_date=datetime.date(2004, 1, 16), text=many_sentences(1))
    practice = PracticeFactory(citation=undated)
    CitationFactory(practice=practice, source=other, excerpt="Sentence number 0")

    dates = dates_of(client, practice)
    assert (
        "Sources: undated, for a meeting in November 2010; published 16 January 2004 · "
        "Not changed since it was drawn from its sources"
    ) in dates
    bib = client.get(reverse("practices:cite_bib", args=[practice.slug])).content.decode()
    assert "year = {2010}" in bib and "date = {2010-11}" in bib
    ris = client.get(reverse("practices:cite_ris", args=[practice.slug])).content.decode()
    assert "PY  - 2010" in ris and "DA  -" not in ris
    page = text_of(client.get(practice.get_absolute_url()).text)
    assert "drawn from its sources of 2004–2010." in page

    nothing = PracticeFactory(citation=SourceDocumentFactory(publication_date=None))
    assert "Not changed since it was drawn from its source" in dates_of(client, nothing)
    page = text_of(client.get(nothing.get_absolute_url()).text)
    assert "Migration Practices Knowledge Base, n.d." in page
    bib = client.get(reverse("practices:cite_bib", args=[nothing.slug])).content.decode()
    assert "  year =" not in bib and "  date =" not in bib and "urldate =" in bib


def test_a_curators_change_is_the_last_change_and_dates_the_reference(curator_client, client):
    practice = PracticeFactory(citation=SourceDocumentFactory(publication_date=datetime.date(2011, 11, 2)))
    change_url = reverse("admin:practices_practice_change", args=[practice.pk])

    # Saving without a change, or changing only the status, is not a change of the practice.
    assert curator_client.post(change_url, change_form(practice)).status_code == 302
    assert curator_client.post(change_url, change_form(practice, status="review")).status_code == 302
    practice.refresh_from_db()
    assert practice.edited_at is None

    assert curator_client.post(change_url, change_form(practice, summary="Rewritten.")).status_code == 302
    practice.refresh_from_db()
    assert practice.edited_at is not None
    assert "Last changed by a curator" in curator_client.get(change_url).text  # shown, read-only
    today = timezone.localdate()
    Practice.objects.filter(pk=practice.pk).update(status="published")
    assert f"Last changed by a curator on {today:%-d %B %Y}" in dates_of(client, practice)
    assert "Source: published 2 November 2011" in dates_of(client, practice)
    bib = client.get(reverse("practices:cite_bib", args=[practice.slug])).content.decode()
    assert f"year = {{{today.year}}}" in bib and f"date = {{{today.isoformat()}}}" in bib


def test_a_change_of_a_citation_alone_changes_the_practice(curator_client):
    practice = PracticeFactory()
    citation = practice.citations.get()
    change_url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = curator_client.post(change_url, change_form(practice, **{"citations-0-label": "p. 12"}))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.edited_at is not None

    Practice.objects.filter(pk=practice.pk).update(edited_at=None)
    response = curator_client.post(
        reverse("admin:practices_citation_change", args=[citation.pk]),
        {
            "practice": str(practice.pk),
            "source": str(citation.source_id),
            "excerpt": citation.excerpt,
            "label": "p. 13",
        },
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.edited_at is not None


def test_meta_description_and_open_graph_tags(client):
    practice = PracticeFactory(title="Rabat Process", summary="A *dialogue* on migration & development.")
    html = client.get(practice.get_absolute_url()).text
    url = "http://testserver/practices/" + practice.slug + "/"
    assert '<meta name="description" content="A dialogue on migration &amp; development.">' in html
    assert '<meta property="og:title" content="Rabat Process">' in html
    assert '<meta property="og:description" content="A dialogue on migration &amp; development.">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html


def change_form(practice, **overrides):
    """The POST body of the admin's change page for a factory practice, as it stands."""
    citation, country, objective = (
        practice.citations.get(),
        practice.country_links.get(),
        practice.objective_links.get(),
    )
    data = {
        "title": practice.title,
        "slug": practice.slug,
        "aliases": practice.aliases,
        "summary": practice.summary,
        "description": practice.description,
        "practice_type": practice.practice_type,
        "scope": practice.scope,
        "status": practice.status,
        "start_year": "",
        "end_year": "",
        "results": "",
        "outside_facts": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-MIN_NUM_FORMS": "1",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-id": str(citation.pk),
        "citations-0-practice": str(practice.pk),
        "citations-0-source": str(citation.source_id),
        "citations-0-excerpt": citation.excerpt,
        "citations-0-label": citation.label,
        "country_links-TOTAL_FORMS": "1",
        "country_links-INITIAL_FORMS": "1",
        "country_links-MIN_NUM_FORMS": "0",
        "country_links-MAX_NUM_FORMS": "1000",
        "country_links-0-id": str(country.pk),
        "country_links-0-practice": str(practice.pk),
        "country_links-0-country": str(country.country_id),
        "country_links-0-role": country.role,
        "objective_links-TOTAL_FORMS": "1",
        "objective_links-INITIAL_FORMS": "1",
        "objective_links-MIN_NUM_FORMS": "1",
        "objective_links-MAX_NUM_FORMS": "1000",
        "objective_links-0-id": str(objective.pk),
        "objective_links-0-practice": str(practice.pk),
        "objective_links-0-objective": str(objective.objective_id),
        "objective_links-0-is_primary": "on",
    }
    data.update(overrides)
    return data


def test_an_old_slug_redirects_permanently_after_a_change_in_the_admin(curator_client, client):
    practice = PracticeFactory(title="Old title", slug="old-title")
    change_url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = curator_client.post(change_url, change_form(practice, title="New title", slug="new-title"))
    assert response.status_code == 302, response.context["adminform"].form.errors

    old = client.get("/practices/old-title/")
    assert old.status_code == 301
    assert old["Location"] == "/practices/new-title/"
    assert client.get("/practices/old-title/cite.bib")["Location"] == "/practices/new-title/cite.bib"
    assert client.get("/practices/new-title/").status_code == 200
    # Nothing else was lost, and the admin shows the former address.
    practice.refresh_from_db()
    assert (practice.citations.count(), practice.country_links.count(), practice.objective_links.count()) == (
        1,
        1,
        1,
    )
    assert "old-title" in curator_client.get(change_url).text


def test_reverting_in_the_admin_to_an_old_slug_keeps_the_newer_address(curator_client, client):
    from reversion.models import Version

    practice = PracticeFactory(slug="first")
    change_url = reverse("admin:practices_practice_change", args=[practice.pk])
    assert curator_client.post(change_url, change_form(practice)).status_code == 302
    assert curator_client.post(change_url, change_form(practice, slug="second")).status_code == 302
    first_version = Version.objects.get_for_object(practice).order_by("pk").first()

    revert_url = reverse("admin:practices_practice_revision", args=[practice.pk, first_version.pk])
    practice.refresh_from_db()
    response = curator_client.post(revert_url, change_form(practice, slug="first"))
    assert response.status_code == 302

    assert client.get("/practices/first/").status_code == 200
    assert client.get("/practices/second/")["Location"] == "/practices/first/"


def test_reverting_to_an_old_slug_keeps_the_newer_address_working(client):
    practice = PracticeFactory(slug="first")
    practice.slug = "second"
    practice.save()
    record_slug_change(practice, "first")
    practice.slug = "first"  # e.g. a revert in the admin
    practice.save()
    record_slug_change(practice, "second")

    assert client.get("/practices/first/").status_code == 200
    assert client.get("/practices/second/")["Location"] == "/practices/first/"
    assert list(FormerSlug.objects.values_list("slug", flat=True)) == ["second"]


def test_a_former_address_of_a_draft_does_not_reveal_it(client):
    practice = PracticeFactory(slug="now", status="draft")
    record_slug_change(practice, "before")
    assert client.get("/practices/before/").status_code == 404


def test_slugs_that_would_break_links_are_refused():
    practice = PracticeFactory(slug="current")
    record_slug_change(practice, "former")
    other = PracticeFactory.build(slug="former")
    with pytest.raises(ValidationError, match="was the address of"):
        other.clean()
    with pytest.raises(ValidationError, match="address of a page"):
        PracticeFactory.build(slug="brief").clean()
    # The practice itself may take its old address back.
    practice.slug = "former"
    practice.clean()


def test_query_count_stays_constant_however_many_citations_and_countries(
    uncached, client, django_assert_max_num_queries, django_assert_num_queries
):
    small = rich_practice(citations=1, countries=1)
    small.organisations.add(OrganisationFactory())
    small.meetings.add(MeetingFactory())
    large = rich_practice(citations=25, countries=30)
    large.organisations.add(*OrganisationFactory.create_batch(5))
    large.meetings.add(*MeetingFactory.create_batch(4))
    PracticeFactory.create_batch(5)  # candidates for "related"
    client.get(reverse("practices:list"))  # builds this process's facet index ("related" reads it)

    with django_assert_max_num_queries(11) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        response = client.get(large.get_absolute_url())
    assert response.text.count('class="citation"') == 25
    assert "Sentence number 24 describes" in response.text
