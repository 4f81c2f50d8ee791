import pytest
from django.urls import reverse

from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_number_of_published_practices_and_links_to_the_admin(client):
    PracticeFactory.create_batch(3)
    PracticeFactory(status="draft")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "<strong>3</strong> published practices" in response.text
    assert reverse("admin:index") in response.text


@pytest.mark.parametrize("status", ["draft", "review"])
def test_unpublished_practice_is_invisible_to_the_public(client, status):
    practice = PracticeFactory(status=status, title="Hidden draft practice")
    assert client.get(practice.get_absolute_url()).status_code == 404
    assert "Hidden draft practice" not in client.get(reverse("practices:list")).text
    assert "Hidden draft practice" not in client.get(reverse("home")).text


def test_published_practice_page_shows_its_evidence(uncached, client, django_assert_max_num_queries):
    practice = PracticeFactory(title="Seasonal Agricultural Workers Program")
    client.get(reverse("practices:list"))  # builds this process's facet index ("related" reads it)
    with django_assert_max_num_queries(10):
        response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    assert "Seasonal Agricultural Workers Program (SAWP)" in response.text  # the excerpt
    assert "Mexico" in response.text


def test_vocabulary_pages_list_only_published_practices(client):
    published = PracticeFactory(title="Published one")
    PracticeFactory(status="draft", title="Draft one")
    for url in [reverse("practices:country", args=["MEX"]), reverse("practices:objective", args=[5])]:
        response = client.get(url)
        assert response.status_code == 200
        assert published.title in response.text
        assert "Draft one" not in response.text
    assert client.get(reverse("practices:country", args=["XXX"])).status_code == 404
    assert client.get("/objectives/99/").status_code == 404


def test_source_document_page_shows_its_text(client):
    source = PracticeFactory().citations.get().source
    response = client.get(source.get_absolute_url())
    assert response.status_code == 200
    assert "bi-national cooperation strategy" in response.text


def test_curators_preview_unpublished_practices_with_a_banner(curator_client):
    draft = PracticeFactory(status="draft", title="Draft under review")
    response = curator_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "not visible to the public" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/objectives/99999999999999999999999999/",
        "/objectives/0/",
        "/countries/%3Cscript%3E/",
        "/countries/" + "X" * 5000 + "/",
        "/practices/" + "a" * 3000 + "/",
        "/meetings/no-such-meeting/",
        "/organisations/no-such-organisation/",
        "/sources/no-such-document/",
    ],
)
def test_odd_addresses_get_a_404_not_an_error(client, url):
    assert client.get(url).status_code == 404


def test_home_page_issues_a_constant_number_of_queries(
    uncached, client, django_assert_max_num_queries, django_assert_num_queries
):
    PracticeFactory.create_batch(2)
    client.get(reverse("home"))  # the first page after an edit builds the process's facet index
    # The index's token, the countries (for the map), the objectives, the latest practices
    # and the source documents.
    with django_assert_max_num_queries(5) as captured:
        assert client.get(reverse("home")).status_code == 200
    queries = len(captured)  # now: the next request clears the connection's query log
    PracticeFactory.create_batch(12)
    client.get(reverse("home"))
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200


def test_the_site_has_an_icon_and_favicon_ico_leads_to_it(client):
    home = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in home
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
