"""Every input the robustness audit found answering 500 gets a clear answer instead."""

import csv
import io
import json
import xml.etree.ElementTree as ElementTree

import pytest
from django.urls import reverse

from practices.models import Country, GcmObjective, Practice
from tests.factories import PracticeFactory, SourceDocumentFactory
from tests.practices.test_admin import practice_form

pytestmark = pytest.mark.django_db

SEARCH_URLS = [
    "practices:list",
    "practices:export-csv",
    "practices:export-json",
    "practices:brief",
    "practices:feed",
]


@pytest.mark.parametrize("url", SEARCH_URLS)
@pytest.mark.parametrize("page", ["²", "①", "³", "٣", "99999999999999999999", "-1", "1e3"])
def test_a_page_number_that_is_not_one_is_the_first_page(client, url, page):
    PracticeFactory()
    response = client.get(reverse(url), {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params", [{"q": "abc\x01"}, {"country": "\x1f"}, {"q": "seasonal\x0c", "region": "americas\x00"}]
)
def test_control_characters_in_a_search_do_not_break_the_feed(client, params):
    PracticeFactory(title="Seasonal workers")
    response = client.get(reverse("practices:feed"), params)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)  # well-formed XML


def test_a_title_pasted_with_a_form_feed_still_leaves_the_feed_readable(client):
    # Saved before the admin refused such text, or by other means: the feed must survive it.
    PracticeFactory(title="Forum\x0c on seasonal work", summary="Pasted\x0b from a PDF.")
    response = client.get(reverse("practices:feed"), {"q": "forum"})
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Forum on seasonal work" in titles


def test_references_leave_out_control_characters(client):
    practice = PracticeFactory(title="Forum\x0c on\x01 seasonal work")
    ris = client.get(reverse("practices:cite_ris", args=[practice.slug])).text
    bib = client.get(reverse("practices:cite_bib", args=[practice.slug])).text
    assert "TI  - Forum on seasonal work\r\n" in ris
    assert "{Forum on seasonal work}" in bib
    assert not any(ch in ris + bib for ch in "\x0c\x01")


def test_the_admin_refuses_control_characters_beside_the_field(curator_client):
    source = SourceDocumentFactory()
    data = practice_form(
        source, "Seasonal Agricultural Workers Program (SAWP)", title="Card for\x0c Frontier Workers"
    )
    data["country_links-0-country"] = str(Country.objects.get(iso3="MEX").pk)
    data["objective_links-0-objective"] = str(GcmObjective.objects.get(number=5).pk)
    response = curator_client.post(reverse("admin:practices_practice_add"), data)
    assert response.status_code == 200
    assert "invisible control character (code U+000C) after “Card for”" in response.text
    assert not Practice.objects.filter(slug="card-for-frontier-workers").exists()


@pytest.mark.parametrize(
    "next_url", ["abc", "practices:list", "https://evil.example/", "//evil.example/x", ""]
)
def test_picking_with_a_strange_next_goes_back_to_the_brief(client, next_url):
    practice = PracticeFactory()
    response = client.post(
        reverse("practices:pick"), {"action": "add", "practice": practice.slug, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:brief")


def test_picking_goes_back_to_the_page_it_came_from(client):
    practice = PracticeFactory()
    response = client.post(
        reverse("practices:pick"),
        {"action": "add", "practice": practice.slug, "next": "/practices/?q=seasonal"},
    )
    assert response["Location"] == "/practices/?q=seasonal"


@pytest.mark.parametrize(
    "path",
    ["/countries/a%00b/", "/practices/a%00b/", "/meetings/x%00/", "/sources/%00/", "/objectives/1%00/"],
)
def test_a_nul_byte_in_an_address_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_parameters_is_ignored(client):
    practice = PracticeFactory()
    assert client.get(reverse("practices:brief"), {"practice": "\x00"}).status_code == 200
    assert (
        client.get(reverse("practices:list"), {"q": "seasonal\x00", "country": "MEX\x00"}).status_code == 200
    )
    response = client.post(reverse("practices:pick"), {"action": "add", "practice": practice.slug + "\x00"})
    assert response.status_code == 302  # the NUL is dropped: the practice is picked
    assert client.post(reverse("practices:pick"), {"action": "add", "practice": "\x00x"}).status_code == 404


def test_over_long_and_repeated_values_get_an_answer(client):
    PracticeFactory()
    response = client.get(reverse("practices:list"), {"q": "workers " * 2000})
    assert response.status_code == 200
    response = client.get(reverse("practices:list") + "?" + "&".join(["country=MEX"] * 900))
    assert response.status_code == 200
    assert "At most 50 values per filter" in response.text


@pytest.fixture
def austria_only_in_draft():
    PracticeFactory(title="Seasonal workers in Mexico")
    PracticeFactory(
        title="Austrian draft", status=Practice.Status.DRAFT, country=Country.objects.get(iso3="AUT")
    )


def test_an_export_does_not_silently_drop_part_of_its_search(client, austria_only_in_draft):
    response = client.get(reverse("practices:export-json"), {"country": "AUT", "q": "seasonal"})
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["ignored"] == [
        {"parameter": "country", "values": ["AUT"], "reason": "No published practice has this value."}
    ]
    assert body["without_ignored"].endswith("/practices/export.json?q=seasonal")

    response = client.get(reverse("practices:export-csv"), {"country": "AUT", "year_from": "soon"})
    assert response.status_code == 400
    assert "Country: AUT. No published practice has this value." in response.text
    assert "Started from: soon." in response.text
    assert 'href="/practices/export.csv"' in response.text


def test_the_search_page_offers_downloads_of_what_it_shows(client, austria_only_in_draft):
    response = client.get(reverse("practices:list"), {"country": ["AUT", "MEX"]})
    assert "Not found, ignored: AUT" in response.text
    assert 'href="/practices/export.csv?country=MEX"' in response.text
    assert client.get("/practices/export.csv?country=MEX").status_code == 200


def test_csv_cells_are_never_formulas(client):
    PracticeFactory(title='=HYPERLINK("http://evil.example","x")', summary="+1 @SUM(A1) -2\tthree")
    response = client.get(reverse("practices:export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["summary"] == "'+1 @SUM(A1) -2\tthree"
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
