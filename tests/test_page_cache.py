"""Whole pages cached for anonymous readers: fast, and never showing what has changed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from practices.models import Country, GcmObjective, Practice
from tests.factories import PracticeFactory, SourceDocumentFactory
from tests.practices.test_admin import practice_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(title="Seasonal workers programme", slug="seasonal-workers")


def test_a_page_asked_again_comes_from_the_cache_for_one_query(client, practice, django_assert_num_queries):
    url = practice.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the version token
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert without_csrf(again.text) == without_csrf(first.text)
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]  # headers still apply


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/practices/?q=seasonal",
        "/practices/export.csv",
        "/practices/feed/",
        "/coverage/",
        "/countries/MEX/",
    ],
)
def test_public_pages_of_every_kind_are_cached(client, practice, url):
    assert client.get(url)["X-Page-Cache"] == "miss"
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"


def test_a_curators_edit_in_the_admin_shows_at_once(curator_client, practice, settings):
    settings.REVIEW_APPROVALS_REQUIRED = 0  # published from the form at once (no peer review)
    client = Client()  # an anonymous reader (``client`` is the curator's)
    search = "/practices/?q=frontier"
    assert "Card for Frontier Workers" not in client.get(search).text
    data = practice_form(
        SourceDocumentFactory(), "Seasonal Agricultural Workers Program (SAWP)", status="published"
    )
    data["country_links-0-country"] = str(Country.objects.get(iso3="MEX").pk)
    data["objective_links-0-objective"] = str(GcmObjective.objects.get(number=5).pk)
    assert curator_client.post(reverse("admin:practices_practice_add"), data).status_code == 302

    response = client.get(search)
    assert response["X-Page-Cache"] == "miss"
    assert "Card for Frontier Workers" in response.text


def test_unpublishing_removes_the_page_from_everyone_at_once(client, practice):
    url = practice.get_absolute_url()
    assert client.get(url).status_code == 200
    practice.status = Practice.Status.DRAFT
    practice.save()
    assert client.get(url).status_code == 404
    assert "Seasonal workers programme" not in client.get("/practices/").text


def test_a_browser_that_has_the_page_gets_304_until_it_changes(client, practice):
    url = practice.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    practice.summary = "A new summary."
    practice.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def csrf_token_in(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_cached_page_carries_each_visitors_own_csrf_token(practice):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = practice.get_absolute_url()
    first.get(url)
    response = second.get(url)
    assert response["X-Page-Cache"] == "hit"
    token = csrf_token_in(response.text)
    assert "csrftoken" in second.cookies  # set for this visitor, though the page was cached
    picked = second.post(
        reverse("practices:pick"), {"action": "add", "practice": practice.slug, "csrfmiddlewaretoken": token}
    )
    assert picked.status_code == 302


def test_picks_and_messages_are_never_served_to_someone_else(client, practice):
    url = practice.get_absolute_url()
    assert "to brief" in client.get(url).text  # cached: nothing picked
    client.post(reverse("practices:pick"), {"action": "add", "practice": practice.slug, "next": url})
    page = client.get(url).text
    assert "is in your brief" in page  # the message, once
    assert "from brief" in page
    assert "is in your brief" not in client.get(url).text
    assert "from brief" in client.get(url).text
    assert "to brief" in Client().get(url).text  # another visitor: nothing picked


def test_curators_are_never_served_from_the_cache(curator_client, practice):
    draft = PracticeFactory(title="Unfinished draft", status=Practice.Status.DRAFT)
    Client().get("/practices/")
    response = curator_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert not response.has_header("X-Page-Cache")
    assert not curator_client.get("/practices/").has_header("X-Page-Cache")


def test_answers_other_than_200_are_not_cached(client):
    assert not client.get("/practices/nothing-here/").has_header("X-Page-Cache")
    assert not client.get("/practices/export.csv", {"country": "ATLANTIS"}).has_header("X-Page-Cache")
