"""Citing a passage from the source reader (practices.curation, practices.curation_views)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from practices.models import Citation, Practice
from tests.factories import PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db

PASSAGE = "Brazil’s 2009 amnesty regularized 41,816 migrants – a record."


@pytest.fixture
def document():
    return SourceDocumentFactory()


@pytest.fixture
def practice(document):
    return PracticeFactory(title="Brazil amnesty", status=Practice.Status.DRAFT, citation=document)


def cite_data(document, practice=None, excerpt=PASSAGE, **overrides):
    start = document.text.index(excerpt)
    data = {
        "source": document.slug,
        "start": start,
        "end": start + len(excerpt),
        "selected": excerpt,
        "target": "existing",
        "practice": practice.pk if practice else "",
        "label": "p. 2",
    }
    data.update(overrides)
    return data


def post(client, data, json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(reverse("practices:curation-cite"), data, headers=headers)


def test_a_curator_cites_the_selected_passage_with_its_offsets(curator_client, document, practice):
    response = post(curator_client, cite_data(document, practice))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ok"] and body["created"]
    citation = practice.citations.get(start=document.text.index(PASSAGE))
    assert citation.excerpt == PASSAGE == document.text[citation.start : citation.end]
    assert citation.label == "p. 2"
    assert body["practice_admin_url"] == reverse("admin:practices_practice_change", args=[practice.pk])
    practice.refresh_from_db()
    assert practice.edited_at is not None and practice.updated_by.username == "curator"
    # In the practice's history, with the curator and a comment naming the passage.
    version = Version.objects.get_for_object(practice).select_related("revision__user").first()
    assert version.revision.user.username == "curator"
    assert "Cited from the reader" in version.revision.comment
    assert "chars" in version.revision.comment
    cited_in_revision = version.revision.version_set.filter(object_id=str(citation.pk))
    assert cited_in_revision.exists()


def test_a_selection_across_lines_is_stored_as_the_documents_text(curator_client, document, practice):
    # The browser's selection text may differ in whitespace (paragraphs, line breaks): the
    # document's characters between the offsets are what is kept.
    data = cite_data(document, practice, selected=PASSAGE.replace(" ", "\n", 3))
    data["start"] -= 1  # a leading newline selected with it is left out
    response = post(curator_client, data)
    assert response.status_code == 201
    assert practice.citations.get(start=document.text.index(PASSAGE)).excerpt == PASSAGE


def test_a_double_submit_creates_one_citation(curator_client, document, practice):
    first = post(curator_client, cite_data(document, practice))
    second = post(curator_client, cite_data(document, practice))
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert "already cites this passage" in second.json()["message"]
    assert practice.citations.filter(excerpt=PASSAGE).count() == 1


@pytest.mark.parametrize(
    "change, words",
    [
        ({"start": 10**6, "end": 10**6 + 5}, "outside this document"),
        ({"start": 5, "end": 3}, "outside this document"),
        ({"selected": "Canada invented seasonal work."}, "not at that place in the document"),
        ({"practice": 987654}, "no longer exists"),
        ({"practice": ""}, "Choose the practice"),
        ({"start": "abc"}, "Nothing was cited"),
        ({"source": "no-such-document"}, None),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(curator_client, document, practice, change, words):
    before = Citation.objects.count(), Version.objects.count(), Practice.objects.count()
    response = post(curator_client, {**cite_data(document, practice), **change})
    if words is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert words in response.json()["message"]
        assert response.json()["ok"] is False
    assert (Citation.objects.count(), Version.objects.count(), Practice.objects.count()) == before


def test_a_practice_deleted_meanwhile_is_refused(curator_client, document, practice):
    data = cite_data(document, practice)
    Practice.objects.filter(pk=practice.pk).delete()
    response = post(curator_client, data)
    assert response.status_code == 400
    assert "no longer exists" in response.json()["message"]
    assert not Citation.objects.filter(excerpt=PASSAGE).exists()


def test_words_moved_on_a_stale_page_are_found_near_the_offsets(curator_client, document, practice):
    data = cite_data(document, practice)
    data["start"], data["end"] = data["start"] - 4, data["end"] - 4  # the page was out of date
    response = post(curator_client, data)
    assert response.status_code == 201
    assert practice.citations.get(excerpt=PASSAGE).start == document.text.index(PASSAGE)


def test_a_new_draft_practice_is_created_with_the_citation(curator_client, document):
    data = cite_data(
        document,
        target="new",
        title="Brazil’s 2009 amnesty",
        summary="An amnesty that regularised migrants in Brazil.",
        practice_type="regularisation",
        scope="national",
    )
    response = post(curator_client, data)
    assert response.status_code == 201, response.json()
    practice = Practice.objects.get(title="Brazil’s 2009 amnesty")
    assert practice.status == Practice.Status.DRAFT
    assert practice.author.get_username() == "curator"  # reviewers other than them approve it
    assert practice.slug == "brazils-2009-amnesty"
    assert practice.citations.get().excerpt == PASSAGE
    assert "Created as a draft" in Version.objects.get_for_object(practice).first().revision.comment


def test_a_new_draft_needs_its_title_summary_type_and_scope(curator_client, document):
    response = post(curator_client, cite_data(document, target="new", title="Only a title"))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"summary", "practice_type", "scope"}
    assert not Practice.objects.filter(title="Only a title").exists()


def test_without_javascript_the_form_answers_with_a_redirect(curator_client, document, practice):
    response = post(curator_client, cite_data(document, practice), json=False)
    assert response.status_code == 302
    assert response.url == document.get_absolute_url() + f"#passage-{document.text.index(PASSAGE)}"
    page = curator_client.get(response.url)
    assert "Cited for “Brazil amnesty”" in page.text


def test_anonymous_visitors_and_non_curators_cannot_cite_or_look_up(client, document, practice):
    staff = get_user_model().objects.create_user("staff", password="x-pass-123456", is_staff=True)
    reader = get_user_model().objects.create_user("reader", password="x-pass-123456")
    for user in (None, staff, reader):
        visitor = Client()
        if user:
            visitor.force_login(user)
        assert post(visitor, cite_data(document, practice)).status_code == 403
        assert visitor.get(reverse("practices:curation-practices")).status_code == 403
    assert practice.citations.filter(excerpt=PASSAGE).count() == 0


def test_the_cite_post_needs_the_csrf_token(curator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    document = SourceDocumentFactory()
    practice = PracticeFactory(citation=document)
    response = post(client, cite_data(document, practice))
    assert response.status_code == 403
    assert not practice.citations.filter(excerpt=PASSAGE).exists()


def test_the_picker_finds_practices_by_title_drafts_included(curator_client):
    PracticeFactory(title="Seasonal Agricultural Workers Program", status=Practice.Status.DRAFT)
    PracticeFactory(title="Diaspora bonds")
    response = curator_client.get(reverse("practices:curation-practices"), {"q": "seasonal agri"})
    assert response.status_code == 200
    assert [r["title"] for r in response.json()["results"]] == ["Seasonal Agricultural Workers Program"]
    assert response.json()["results"][0]["status"] == "Draft"
    assert "no-cache" in response["Cache-Control"]


def test_the_reader_shows_the_tool_to_curators_only_and_never_caches_their_page(
    curator_client, document, practice, django_assert_max_num_queries
):
    url = document.get_absolute_url()
    with django_assert_max_num_queries(12):
        page = curator_client.get(url)
    assert 'id="cite-tool"' in page.text
    assert "Cite for practice…" in page.text
    assert reverse("admin:practices_citation_add") + f"?source={document.pk}" in page.text
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    assert "X-Page-Cache" not in page
    # An anonymous reader afterwards gets the public page (cached), without the tool.
    anonymous = Client()
    for _ in range(2):
        public = anonymous.get(url)
        assert "cite-tool" not in public.text and "curation/cite" not in public.text
    assert public["X-Page-Cache"] == "hit"


def test_staff_without_citing_rights_see_no_tool(document):
    staff = get_user_model().objects.create_user("staff", password="x-pass-123456", is_staff=True)
    visitor = Client()
    visitor.force_login(staff)
    assert "cite-tool" not in visitor.get(document.get_absolute_url()).text


def test_a_long_passage_is_cited_whole(curator_client):
    paragraph = " ".join(f"Sentence {n} of a long paragraph about seasonal work." for n in range(60))
    document = SourceDocumentFactory(text=f"Title\n\n{paragraph}\n")
    practice = PracticeFactory(citation=False)
    response = post(curator_client, cite_data(document, practice, excerpt=paragraph))
    assert response.status_code == 201, response.json()
    assert len(paragraph) > 2000
    assert practice.citations.get().excerpt == paragraph


def test_a_passage_longer_than_a_passage_is_refused(curator_client):
    paragraph = " ".join(f"Sentence {n} of a very long paragraph about seasonal work." for n in range(80))
    document = SourceDocumentFactory(text=f"Title\n\n{paragraph}\n")
    practice = PracticeFactory(citation=False)
    response = post(curator_client, cite_data(document, practice, excerpt=paragraph))
    assert response.status_code == 400
    assert "cite at most 4,000" in response.json()["message"]
    assert not practice.citations.exists()
