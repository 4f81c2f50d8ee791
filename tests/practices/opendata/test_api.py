"""The JSON API: shapes, filters like the search page, errors, throttling, CORS, cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from practices.models import Country, GcmObjective, Practice
from tests.factories import CitationFactory, PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(db):
    philippines = Country.objects.get(iso3="PHL")
    made = [
        PracticeFactory(title="Seasonal workers between Mexico and Canada", start_year=1974, ongoing=True),
        PracticeFactory(title="Pre-departure orientation seminars", country=philippines, start_year=2003),
        PracticeFactory(
            title="Remittance price comparison",
            objective=GcmObjective.objects.get(number=20),
            start_year=2010,
        ),
        PracticeFactory(title="A draft nobody may see", status=Practice.Status.DRAFT),
    ]
    return made


def test_list_returns_published_practices_in_the_page_shape(client, practices):
    response = client.get("/api/v1/practices/", {"sort": "title"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 3
    assert [p["title"] for p in data["results"]] == [
        "Pre-departure orientation seminars",
        "Remittance price comparison",
        "Seasonal workers between Mexico and Canada",
    ]
    first = data["results"][0]
    assert first["countries"] == [{"iso3": "PHL", "name": "Philippines"}]
    assert first["url"] == "http://testserver/practices/" + practices[1].slug + "/"
    assert first["period"] == {"start_year": 2003, "end_year": None, "ongoing": False, "text": "2003"}
    assert data["page"] == 1 and data["pages"] == 1 and data["next"] is None


def test_list_filters_and_paginates_like_the_page(client, practices):
    data = client.get("/api/v1/practices/", {"country": "PHL"}).json()
    assert [p["slug"] for p in data["results"]] == [practices[1].slug]
    data = client.get("/api/v1/practices/", {"objective": "20"}).json()
    assert [p["slug"] for p in data["results"]] == [practices[2].slug]
    data = client.get("/api/v1/practices/", {"year_from": "2000", "sort": "newest"}).json()
    assert [p["slug"] for p in data["results"]] == [practices[2].slug, practices[1].slug]
    page = client.get("/api/v1/practices/", {"per_page": "10", "q": "orientation"}).json()
    assert [p["slug"] for p in page["results"]] == [practices[1].slug]
    assert page["search"]["q"] == "orientation"


def test_next_and_previous_links(client, db):
    for n in range(12):
        PracticeFactory(title=f"Practice {n:02}")
    first = client.get("/api/v1/practices/", {"per_page": "10", "sort": "title"}).json()
    assert first["pages"] == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and [p["title"] for p in second["results"]] == ["Practice 10", "Practice 11"]
    assert second["next"] is None and second["previous"].endswith("page=1")


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"country": "XXX"}, "country"),
        ({"year_from": "nineteen"}, "year_from"),
        ({"per_page": "7"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "1" * 40}, "page"),
        ({"sort": "loudest"}, "sort"),
        ({"countries": "MEX"}, "countries"),
        ({"q": "the or"}, "q"),
    ],
)
def test_a_parameter_the_search_cannot_use_is_a_400_that_says_why(client, practices, params, parameter):
    response = client.get("/api/v1/practices/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]
    assert parameter in [problem["parameter"] for problem in body["problems"]]
    assert all(problem["reason"] for problem in body["problems"])


def test_detail_has_classifications_and_verbatim_citations(client, practices):
    practice = practices[0]
    response = client.get(f"/api/v1/practices/{practice.slug}/")
    assert response.status_code == 200
    data = response.json()
    assert data["countries"] == [{"iso3": "MEX", "name": "Mexico", "role": "origin"}]
    assert data["objectives"][0]["number"] == 5 and data["objectives"][0]["primary"] is True
    citation = data["citations"][0]
    document = practice.citations.get().source
    assert document.text[citation["start"] : citation["end"]] == citation["excerpt"]
    assert citation["document"]["publisher"] == document.publisher
    assert citation["url"].endswith(f"/sources/{document.slug}/#passage-{citation['start']}")
    assert data["period"]["text"] == "1974–ongoing"


def test_unpublished_and_unknown_practices_are_json_404s(client, practices):
    for slug in (practices[3].slug, "no-such-practice"):
        response = client.get(f"/api/v1/practices/{slug}/")
        assert response.status_code == 404
        assert response.json()["error"]
    assert client.get("/api/v1/nowhere/").json()["error"] == "No such API endpoint."


def test_documents_give_their_text_only_when_asked(client, db):
    document = SourceDocumentFactory()
    listed = client.get("/api/v1/documents/").json()
    assert [d["slug"] for d in listed["results"]] == [document.slug]
    assert "text" not in listed["results"][0]
    assert "text" not in client.get(f"/api/v1/documents/{document.slug}/").json()
    full = client.get(f"/api/v1/documents/{document.slug}/", {"include": "text"}).json()
    assert full["text"] == document.text
    assert client.get(f"/api/v1/documents/{document.slug}/", {"include": "pdf"}).status_code == 400


def test_vocabularies(client, practices):
    countries = client.get("/api/v1/countries/").json()
    mexico = next(c for c in countries["results"] if c["iso3"] == "MEX")
    assert mexico["region"] == "Americas" and mexico["url"].endswith("/countries/MEX/")
    objectives = client.get("/api/v1/objectives/").json()
    assert [o["number"] for o in objectives["results"]] == list(range(1, 24))
    for name in ("principles", "themes", "organisations", "meetings"):
        response = client.get(f"/api/v1/{name}/")
        assert response.status_code == 200 and response.json()["count"] == len(response.json()["results"])
    assert client.get("/api/v1/themes/", {"q": "x"}).status_code == 400


def test_facet_counts_are_the_pages(client, practices):
    data = client.get("/api/v1/practices/facets/", {"country": "PHL"}).json()
    assert data["count"] == 1
    place = next(f for f in data["facets"] if f["name"] == "region")
    asia = next(v for v in place["values"] if v["value"] == "asia")
    assert asia["count"] == 1
    philippines = next(c for c in asia["children"] if c["value"] == "PHL")
    assert philippines["selected"] is True
    # Counted under the other filters: ticking the Philippines leaves Mexico's count.
    americas = next(v for v in place["values"] if v["value"] == "americas")
    assert americas["count"] == 2
    page = client.get("/practices/", {"country": "PHL"})
    page_place = next(f for f in page.context["facets"] if f.name == "region")
    assert {v.value: v.count for v in page_place.values} == {v["value"]: v["count"] for v in place["values"]}


def test_an_api_list_costs_no_more_queries_than_the_search_page(client, practices, uncached):
    params = {"q": "seasonal", "country": "MEX"}
    client.get("/practices/", params)  # warm the per-process indexes for both
    with CaptureQueriesContext(connection) as page:
        assert client.get("/practices/", params).status_code == 200
    with CaptureQueriesContext(connection) as api:
        assert client.get("/api/v1/practices/", params).status_code == 200
    assert len(api) <= len(page)


def test_detail_costs_a_constant_number_of_queries(client, django_assert_max_num_queries, db):
    practice = PracticeFactory()
    for _ in range(5):
        CitationFactory(practice=practice, source=SourceDocumentFactory())
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/practices/{practice.slug}/").status_code == 200


def test_throttled_clients_get_a_429_that_says_when_to_retry(client, practices, monkeypatch):
    # DRF reads the rates into the class when it is defined: patched there, for this test only.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    assert client.get("/api/v1/themes/").status_code == 200
    assert client.get("/api/v1/themes/").status_code == 200
    response = client.get("/api/v1/themes/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert "Too many requests" in body["error"] and body["retry_after"] == int(response["Retry-After"])
    # Another client (address) is not held back.
    assert client.get("/api/v1/themes/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_cors_is_open_for_the_api_and_the_data_only(client, practices):
    api = client.get("/api/v1/themes/", HTTP_ORIGIN="https://example.org")
    assert api["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in api
    assert api["Cross-Origin-Resource-Policy"] == "cross-origin"
    page = client.get("/practices/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in page
    preflight = client.options(
        "/api/v1/practices/", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200 and "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_the_api_is_read_only(client, practices):
    assert client.post("/api/v1/practices/", {}).status_code == 405
    assert client.delete(f"/api/v1/practices/{practices[0].slug}/").status_code == 405


def test_schema_and_docs(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/practices/", "/api/v1/practices/{slug}/", "/api/v1/practices/facets/"} <= set(paths)
    names = {p["name"] for p in paths["/api/v1/practices/"]["get"]["parameters"]}
    assert {"q", "country", "objective", "year_from", "sort", "per_page", "page"} <= names
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
