"""The admin as curators work in it: the excerpt error beside its field with a link from the
banner, the history's differences and what a revert restored, and the practice list."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from practices.models import Country, GcmObjective, Practice, PracticeCountry, PracticeObjective
from tests.factories import CitationFactory, PracticeFactory, SourceDocumentFactory
from tests.practices.test_practice_page import change_form

pytestmark = pytest.mark.django_db


def save(client, practice, **changes):
    response = client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]), change_form(practice, **changes)
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    practice.refresh_from_db()
    return response


def test_a_pdf_copy_of_the_excerpt_is_saved_as_the_documents_text(curator_client):
    practice = PracticeFactory()
    pasted = "Brazil's 2009 amnesty regu-\nlarized 41,816\nmigrants - a record."
    save(curator_client, practice, **{"citations-0-excerpt": pasted})
    citation = practice.citations.get()
    assert citation.excerpt == "Brazil’s 2009 amnesty regularized 41,816 migrants – a record."
    assert citation.source.text[citation.start : citation.end] == citation.excerpt


def test_an_excerpt_not_in_the_document_is_explained_beside_the_field_and_linked_from_the_banner(
    curator_client,
):
    practice = PracticeFactory()
    wrong = "Brazil’s 2009 amnesty regularised 41,816 undocumented migrants – a record."
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = curator_client.post(url, change_form(practice, **{"citations-0-excerpt": wrong}))
    assert response.status_code == 200
    html = response.text
    # Beside the field: the closest passage quoted, where it parts marked.
    assert "not found verbatim" in html
    assert "The closest passage" in html
    assert "<mark>regularized" in html and "<mark>regularised" in html
    field_row = re.search(r'<div class="form-row errors field-excerpt">(.*?)</textarea>', html, re.S)
    assert field_row and "The closest passage" in field_row.group(1)
    # The banner links to it.
    assert "Please correct the error below." in html
    assert '<a href="#id_citations-0-excerpt">Citation 1: Excerpt</a>' in html
    assert 'id="id_citations-0-excerpt"' in html
    assert practice.citations.get().excerpt != wrong


def test_citations_have_readable_names():
    source = SourceDocumentFactory(
        title="GFMD 2010 Roundtable 1.1 background paper on partnerships for migration"
    )
    citation = CitationFactory(source=source)
    assert str(citation) == (
        f"GFMD 2010 Roundtable 1.1 background paper on partnerships…, chars {citation.start:,}–"
        f"{citation.end:,}: “Seasonal Agricultural Workers Program (SAWP)”"
    )


@pytest.fixture
def edited_practice(curator_client):
    """A practice saved twice in the admin: its summary changed, a country added, and a citation
    replaced by another passage."""
    practice = PracticeFactory(title="Seasonal workers", summary="First summary.")
    save(curator_client, practice)
    citation = practice.citations.get()
    canada = Country.objects.get(iso3="CAN")
    save(
        curator_client,
        practice,
        summary="Second summary, rewritten.",
        **{
            "citations-0-excerpt": "Brazil’s 2009 amnesty regularized 41,816 migrants",
            "country_links-TOTAL_FORMS": "2",
            "country_links-1-country": str(canada.pk),
            "country_links-1-role": "destination",
        },
    )
    assert practice.citations.get().pk == citation.pk
    return practice


def compare_url(practice):
    versions = list(Version.objects.get_for_object(practice).order_by("pk"))
    return (
        reverse("admin:practices_practice_compare", args=[practice.pk])
        + f"?version_id1={versions[0].pk}&version_id2={versions[-1].pk}"
    )


def test_the_history_compares_fields_countries_and_citations_by_name(
    curator_client, edited_practice, django_assert_max_num_queries
):
    history = curator_client.get(reverse("admin:practices_practice_history", args=[edited_practice.pk]))
    assert history.status_code == 200
    assert 'name="version_id1"' in history.text and "style=" not in history.text
    with django_assert_max_num_queries(40):
        response = curator_client.get(compare_url(edited_practice))
    assert response.status_code == 200
    html = response.text
    assert "summary" in html.lower()
    assert "<del>First</del>" in html or "First summary" in html
    assert "Second summary, rewritten." in html or "<ins>Second</ins>" in html
    assert "countries and roles" in html
    assert "+ Canada (Destination)" in html
    assert "citations" in html
    assert "chars" in html and "“Brazil’s 2009 amnesty regularized 41,816 migrants”" in html
    assert " @ " not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=", html)


def test_the_compare_view_is_for_those_who_may_see_the_practice(edited_practice, staff_without_group):
    url = compare_url(edited_practice)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    reader = get_user_model().objects.create_user("reader", password="x-pass-123456")
    visitor = Client()
    visitor.force_login(reader)
    assert visitor.get(url).status_code == 302  # not staff: the admin's login page
    visitor.force_login(staff_without_group)
    assert visitor.get(url).status_code == 403
    history = reverse("admin:practices_practice_history", args=[edited_practice.pk])
    assert visitor.get(history).status_code == 403
    assert visitor.get(
        reverse("admin:practices_practice_compare", args=["abc"]) + "?version_id1=1&version_id2=2"
    ).status_code in (403, 404)


def test_a_revert_says_what_it_restored(curator_client, edited_practice):
    first = Version.objects.get_for_object(edited_practice).order_by("pk").first()
    url = reverse("admin:practices_practice_revision", args=[edited_practice.pk, first.pk])
    form = curator_client.get(url)
    assert form.status_code == 200
    # The revert form as the admin shows it: the first version's values (one country).
    mexico = edited_practice.country_links.get(country__iso3="MEX")
    citation = edited_practice.citations.get()
    objective = edited_practice.objective_links.get()
    old_excerpt = first.revision.version_set.get(content_type__model="citation").field_dict["excerpt"]
    data = {
        "title": edited_practice.title,
        "slug": edited_practice.slug,
        "summary": "First summary.",
        "practice_type": edited_practice.practice_type,
        "scope": edited_practice.scope,
        "status": edited_practice.status,
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-0-id": str(citation.pk),
        "citations-0-practice": str(edited_practice.pk),
        "citations-0-source": str(citation.source_id),
        "citations-0-excerpt": old_excerpt,
        "country_links-TOTAL_FORMS": "1",
        "country_links-INITIAL_FORMS": "1",
        "country_links-0-id": str(mexico.pk),
        "country_links-0-practice": str(edited_practice.pk),
        "country_links-0-country": str(mexico.country_id),
        "country_links-0-role": mexico.role,
        "objective_links-TOTAL_FORMS": "1",
        "objective_links-INITIAL_FORMS": "1",
        "objective_links-0-id": str(objective.pk),
        "objective_links-0-practice": str(edited_practice.pk),
        "objective_links-0-objective": str(objective.objective_id),
        "objective_links-0-is_primary": "on",
    }
    response = curator_client.post(url, data, follow=True)
    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert len(text) == 1, text
    assert text[0].startswith("Restored the version of ")
    assert "by curator" in text[0]
    assert "summary" in text[0] and "citations" in text[0] and "countries and roles" in text[0]
    assert "changed successfully" not in response.text
    edited_practice.refresh_from_db()
    assert edited_practice.summary == "First summary."


def make_practices(count, curator):
    mexico, canada = Country.objects.get(iso3="MEX"), Country.objects.get(iso3="CAN")
    for n in range(count):
        practice = PracticeFactory(
            title=f"A very long practice title that goes on and on about seasonal work {n} " * 2
        )
        PracticeCountry.objects.create(practice=practice, country=canada, role="destination")
        PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=6))
        assert mexico


def test_the_list_shows_short_titles_countries_objectives_and_badges_in_constant_queries(
    curator_client, curator, django_assert_num_queries
):
    url = reverse("admin:practices_practice_changelist")
    make_practices(2, curator)
    curator_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        curator_client.get(url)
    make_practices(6, curator)
    with CaptureQueriesContext(connection) as many:
        response = curator_client.get(url)
    assert len(many) == len(few)
    html = response.text
    long_title = Practice.objects.order_by("pk").last().title
    assert f'title="{long_title}"' in html
    assert "…</span>" in html
    assert '<abbr title="Canada">CAN</abbr>, <abbr title="Mexico">MEX</abbr>' in html
    assert '<abbr title="5.' in html and ">6</abbr>" in html
    assert 'class="status-badge status-published">Published</span>' in html
    assert '<time class="nowrap"' in html


def test_my_drafts_are_the_drafts_whose_latest_version_is_mine(curator_client, curator):
    other = get_user_model().objects.create_user("other", password="x-pass-123456", is_staff=True)
    mine = PracticeFactory(title="Mine", status="draft")
    save(curator_client, mine)
    theirs = PracticeFactory(title="Theirs", status="draft", updated_by=other)
    mine_published = PracticeFactory(title="Mine published")
    save(curator_client, mine_published)
    response = curator_client.get(reverse("admin:practices_practice_changelist") + "?mine=drafts")
    assert response.status_code == 200
    titles = set(response.context["cl"].queryset.values_list("title", flat=True))
    assert titles == {"Mine"}
    assert theirs.title not in titles
    changed = curator_client.get(reverse("admin:practices_practice_changelist") + "?mine=changed")
    assert set(changed.context["cl"].queryset.values_list("title", flat=True)) == {"Mine", "Mine published"}


def test_recovering_deleted_practices_is_offered_only_to_those_who_may_delete(curator_client, curator):
    url = reverse("admin:practices_practice_changelist")
    assert "Recover deleted practices" not in curator_client.get(url).text
    assert curator_client.get(reverse("admin:practices_practice_recoverlist")).status_code == 403
    boss = get_user_model().objects.create_superuser("boss", password="x-pass-123456")
    visitor = Client()
    visitor.force_login(boss)
    assert "Recover deleted practices" in visitor.get(url).text
    assert visitor.get(reverse("admin:practices_practice_recoverlist")).status_code == 200
