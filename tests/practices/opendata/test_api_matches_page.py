"""The API's list and facet counts are the search page's, on the real knowledge base."""

import pytest

pytestmark = pytest.mark.django_db

SEARCHES = [
    {},
    {"q": "remittances"},
    {"q": "seasonal workers", "country": "MEX"},
    {"q": "remitances"},  # corrected, on both
    {"objective": "6", "region": "asia", "sort": "newest"},
    {"q": "regularisation", "per_page": "10", "page": "2"},
    {"q": "labour migration -seasonal", "sort": "title"},
    {"scope": ["regional", "bilateral"], "sort": "added", "page": "3"},
]


@pytest.mark.parametrize(
    "params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all"
)
def test_api_list_equals_the_search_page(client, knowledge_base, params):
    page = client.get("/practices/", params)
    api = client.get("/api/v1/practices/", params)
    assert api.status_code == 200, api.json()
    data = api.json()
    assert [p["slug"] for p in data["results"]] == [p.slug for p in page.context["practices"]]
    assert data["count"] == page.context["total"]
    assert data["page"] == page.context["page_obj"].number
    assert data["search"]["corrected_from"] == page.context["corrected_from"]
    facets = client.get("/api/v1/practices/facets/", {k: v for k, v in params.items() if k != "page"}).json()
    assert facets["count"] == page.context["total"]
    for api_facet, page_facet in zip(facets["facets"], page.context["facets"], strict=True):
        assert api_facet["name"] == page_facet.name
        assert [(v["value"], v["count"]) for v in api_facet["values"]] == [
            (v.value, v.count) for v in page_facet.values
        ]
    assert [(d["decade"], d["count"]) for d in facets["decades"]] == list(page.context["decades"])
