"""Browse pages as entry points: counts, practices, the same set as a search, exports and a
brief; canonical addresses; the world map; coverage; constant query counts."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from practices import browse
from practices.maps import geometry
from practices.models import (
    Country,
    GcmObjective,
    GuidingPrinciple,
    PracticeCountry,
    PracticeObjective,
    Theme,
)
from practices.search import indexing
from tests.factories import MeetingFactory, OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    """Two Mexican practices, a Canadian, a Maltese (too small for the map), one without a
    country, and a Mexican draft."""
    mexico, canada, malta = (Country.objects.get(iso3=c) for c in ("MEX", "CAN", "MLT"))
    regular, fair, lives = (GcmObjective.objects.get(number=n) for n in (5, 6, 8))
    theme = Theme.objects.create(slug="labour-migration", name="Labour migration")
    principle = GuidingPrinciple.objects.get(slug="people-centred")
    organisation = OrganisationFactory(name="Secretaría del Trabajo", slug="stps", country=mexico)
    meeting = MeetingFactory(name="GFMD Mexico 2010", slug="gfmd-2010", country=mexico)
    meeting.host_countries.add(mexico)
    meeting.co_chair_countries.add(canada)
    meeting.co_chair_organisations.add(organisation)
    first = PracticeFactory(
        title="Mexican pathways",
        summary="Seasonal work permits for Mexican farm workers.",
        country=mexico,
        objective=regular,
        start_year=2004,
    )
    PracticeCountry.objects.create(practice=first, country=canada, role=PracticeCountry.Role.DESTINATION)
    first.themes.add(theme)
    first.principles.add(principle)
    first.organisations.add(organisation)
    first.meetings.add(meeting)
    second = PracticeFactory(title="Mexican recruitment", country=mexico, objective=fair)
    PracticeCountry.objects.create(practice=second, country=mexico, role=PracticeCountry.Role.DESTINATION)
    PracticeFactory(title="Canadian pathways", country=canada, objective=regular)
    PracticeFactory(title="Maltese rescue", country=malta, objective=lives)
    PracticeFactory(title="Global compact", country=False, objective=lives, scope="global")
    PracticeFactory(title="Mexican draft", country=mexico, objective=regular, status="draft")
    return {
        "first": first,
        "second": second,
        "theme": theme,
        "principle": principle,
        "organisation": organisation,
        "meeting": meeting,
    }


def text(response):
    return unescape(response.content.decode())


def hrefs(response):
    return set(re.findall(r'href="([^"]+)"', text(response)))


# --- Browse pages -------------------------------------------------------------------


def browse_pages(places):
    """(page URL, search parameter, its value, titles listed) of every kind of browse page."""
    first = places["first"]
    source = first.citations.get().source
    return [
        ("/countries/MEX/", "country", "MEX", ["Mexican pathways", "Mexican recruitment"]),
        (
            "/regions/americas/",
            "region",
            "americas",
            ["Canadian pathways", "Mexican pathways", "Mexican recruitment"],
        ),
        ("/objectives/5/", "objective", "5", ["Canadian pathways", "Mexican pathways"]),
        (
            f"/principles/{places['principle'].slug}/",
            "principle",
            places["principle"].slug,
            ["Mexican pathways"],
        ),
        (f"/themes/{places['theme'].slug}/", "theme", places["theme"].slug, ["Mexican pathways"]),
        (places["meeting"].get_absolute_url(), "meeting", "gfmd-2010", ["Mexican pathways"]),
        (places["organisation"].get_absolute_url(), "organisation", "stps", ["Mexican pathways"]),
        (source.get_absolute_url(), "source", source.slug, ["Mexican pathways"]),
    ]


def test_every_browse_page_counts_lists_and_links_its_practices(client, places):
    for url, facet, value, titles in browse_pages(places):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        count = len(titles)
        assert re.search(rf"\b{count}</strong> published practices?\b", body) or (
            f"these {count} practices" in body or "this practice" in body
        ), url
        for title in titles:
            assert title in body, (url, title)
        assert "Mexican draft" not in body
        links = hrefs(response)
        query = f"{facet}={value}"
        for target in ("/practices/", "/practices/export.csv", "/practices/export.json", "/practices/brief/"):
            assert f"{target}?{query}" in links, (url, target)
        # The search it links to finds the same practices.
        search = client.get(f"/practices/?{query}")
        assert search.context["total"] == count, url
        assert sorted(p.title for p in search.context["practices"]) == sorted(titles)


def test_listed_practices_show_their_summary_countries_and_period(client, places):
    body = text(client.get("/countries/MEX/"))
    assert "Seasonal work permits for Mexican farm workers." in body
    assert "2004" in body
    assert 'href="/countries/CAN/">Canada</a>' in body  # its other country, a link
    assert "as origin, destination country" in body  # Mexico's roles in "Mexican recruitment"


def test_country_page_counts_its_roles_and_objectives(client, places):
    response = client.get("/countries/MEX/")
    assert [(label, n) for label, n in response.context["roles"]] == [("Origin", 2), ("Destination", 1)]
    objectives = [(number, count, url) for number, _, count, url in response.context["objectives"]]
    assert objectives == [
        (5, 1, "/practices/?country=MEX&objective=5"),
        (6, 1, "/practices/?country=MEX&objective=6"),
    ]
    assert 'href="/regions/americas/"' in text(response)


def test_country_without_practice_says_so(client, places):
    response = client.get("/countries/TCD/")
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "No published practice yet" in text(response)
    assert "Mexican pathways" not in text(response)  # never every practice for lack of a filter


def test_objective_page_counts_primary_objectives_and_regions(client, places):
    response = client.get("/objectives/5/")
    assert response.context["primary_count"] == 2
    assert [(r, n) for r, n, _ in response.context["regions"]] == [("Americas", 2)]
    assert "/practices/?region=americas&objective=5" in hrefs(response)
    assert "primary objective" in text(response)


def test_vocabulary_names_are_links(client, places):
    meeting = text(client.get(places["meeting"].get_absolute_url()))
    assert '<dt>Hosted by</dt><dd><ul class="inline"><li><a href="/countries/MEX/">Mexico</a>' in meeting
    assert '<a href="/countries/CAN/">Canada</a>' in meeting  # a co-chair
    assert '<a href="/organisations/stps/">Secretaría del Trabajo</a>' in meeting
    organisation = text(client.get(places["organisation"].get_absolute_url()))
    assert '<a href="/countries/MEX/">Mexico</a>' in organisation
    practice = text(client.get(places["first"].get_absolute_url()))
    assert f'href="{places["theme"].get_absolute_url()}">Labour migration</a>' in practice
    assert f'href="{places["principle"].get_absolute_url()}">{places["principle"].name}</a>' in practice


def test_browse_pages_page_through_many_practices(client, places, monkeypatch):
    monkeypatch.setattr(browse, "PER_PAGE", 1)
    first = client.get("/countries/MEX/")
    assert [p.title for p in first.context["practices"]] == ["Mexican pathways"]
    second = client.get("/countries/MEX/", {"page": "2"})
    assert [p.title for p in second.context["practices"]] == ["Mexican recruitment"]
    assert client.get("/countries/MEX/", {"page": "99"}).context["page_obj"].number == 2
    assert client.get("/countries/MEX/", {"page": "x"}).context["page_obj"].number == 1


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/countries/mex/", "/countries/MEX/"),
        ("/countries/Mex/?page=2", "/countries/MEX/?page=2"),
        ("/regions/Americas/", "/regions/americas/"),
        ("/regions/EUROPE/", "/regions/europe/"),
        ("/objectives/05/", "/objectives/5/"),
        ("/principles/People-Centred/", "/principles/people-centred/"),
        ("/themes/LABOUR-migration/", "/themes/labour-migration/"),
        ("/meetings/GFMD-2010/", "/meetings/gfmd-2010/"),
        ("/organisations/STPS/", "/organisations/stps/"),
    ],
)
def test_addresses_in_any_case_redirect_permanently_to_the_canonical_one(client, places, url, canonical):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


@pytest.mark.parametrize("url", ["/regions/atlantis/", "/regions/%00/", "/principles/nope/", "/themes/nope/"])
def test_unknown_browse_pages_are_404(client, url):
    assert client.get(url).status_code == 404


def test_browse_index_lists_every_vocabulary_with_counts(client, places):
    response = client.get(reverse("practices:browse"))
    body = text(response)
    links = hrefs(response)
    for url in (
        "/regions/americas/",
        "/countries/MEX/",
        "/countries/MLT/",
        "/objectives/5/",
        places["principle"].get_absolute_url(),
        places["theme"].get_absolute_url(),
        places["meeting"].get_absolute_url(),
        places["organisation"].get_absolute_url(),
    ):
        assert url in links, url
    mexico = dict(
        (name, n) for name, _, n in dict((r, c) for r, _, _, c in response.context["regions"])["Americas"]
    )
    assert mexico == {"Canada": 2, "Mexico": 2}
    assert response.context["without_country"] == 1
    assert "1 practice has no country" in body


# --- The map ------------------------------------------------------------------------


def country_links(body):
    """{search URL: accessible name} of the map's country links."""
    svg = body[body.index("<svg") : body.index("</svg>")]
    return dict(re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', svg))


def test_home_map_links_each_country_with_practices_to_its_search(client, places):
    body = text(client.get("/"))
    links = country_links(body)
    assert links == {
        "/practices/?country=CAN": "Canada: 2 practices",
        "/practices/?country=MEX": "Mexico: 2 practices",
    }
    assert "<title>Mexico: 2 practices</title>" in body
    assert "<title>Chad: no published practice</title>" in body  # drawn, not a link
    # Malta is too small to draw at this scale: beside the map and in its table.
    assert "Too small for this map" in body and 'href="/practices/?country=MLT">Malta</a> (1)' in body
    table = body[body.index('<table class="counts">') : body.index("</table>")]
    by_name = ["CAN", "MLT", "MEX"]
    assert re.findall(r'<th scope="row"><a href="/countries/(\w+)/">', table) == by_name
    # The practice without a country is counted beside the map, not lost.
    assert "1</strong> practice has no country" in body


def test_map_colour_steps_follow_the_counts(client, places):
    body = text(client.get("/"))
    assert re.search(r'aria-label="Mexico: 2 practices"><title>[^<]*</title><path class="c2"', body)
    assert 'class="c0"' in body
    assert all(css in body for css in ('class="swatch c0"', 'class="swatch c5"'))


def test_region_map_shows_only_its_countries_as_links_in_its_view_box(client, places):
    body = text(client.get("/regions/americas/"))
    assert country_links(body) == {
        "/practices/?country=CAN": "Canada: 2 practices",
        "/practices/?country=MEX": "Mexico: 2 practices",
    }
    view_box = " ".join(str(n) for n in geometry()["regions"]["americas"])
    assert f'viewBox="{view_box}"' in body
    europe = text(client.get("/regions/europe/"))
    assert country_links(europe) == {}  # Malta has a practice but no shape at this scale
    assert 'href="/practices/?country=MLT">Malta</a> (1)' in europe


def test_map_geometry_is_small_and_keys_countries_by_iso3():
    shapes = geometry()
    assert {"MEX", "FRA", "BRA", "RUS", "FJI"} <= set(shapes["countries"])
    assert set(shapes["regions"]) == {"africa", "americas", "asia", "europe", "oceania"}
    assert "Greenland" in {other["name"] for other in shapes["others"]}
    size = sum(len(shape["d"]) for shape in shapes["countries"].values())
    assert size < 100_000


def test_committed_map_geometry_is_what_the_build_writes(settings):
    source = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "countries-110m.json"
    if not source.exists():
        pytest.fail(f"{source} is missing: run `make browser-deps` (npm ci installs world-atlas).")
    call_command("build_world_map", "--check", "--source", str(source))


def test_home_page_stays_light(client, places):
    # The map is most of the home page; it must not make it heavy.
    assert len(client.get("/").content) < 200_000


# --- Coverage -----------------------------------------------------------------------


def test_coverage_counts_practices_without_a_country_in_a_row_of_their_own(client, places):
    response = client.get(reverse("practices:coverage"))
    body = text(response)
    assert response.context["no_country_total"] == 1
    cells = {objective.number: (n, url) for objective, n, url in response.context["no_country_cells"]}
    assert cells[8] == (1, "#no-country-8")
    assert cells[5] == (0, "")
    assert "No country (regional or global)" in body
    assert 'aria-label="1 practice without a country, objective 8"' in body
    # Where that cell leads: the practice, under its objective.
    section = body[body.index('id="no-country-8"') :]
    assert "Global compact" in section[: section.index("</section>")]


def test_coverage_says_no_practice_only_for_objectives_nobody_has(client, places):
    response = client.get(reverse("practices:coverage"))
    empty = {objective.number for objective in response.context["empty_objectives"]}
    assert 8 not in empty  # its practices have no country, or a country too small to draw
    assert {5, 6} & empty == set()
    assert 1 in empty


def test_coverage_cells_link_to_their_search(client, places):
    response = client.get(reverse("practices:coverage"))
    links = hrefs(response)
    assert "/practices/?country=MEX&objective=5" in links
    assert "/practices/?country=MLT&objective=8" in links
    assert "/practices/?region=americas&objective=5" in links
    assert "/practices/?region=europe&objective=8" in links
    assert "/practices/?objective=8" in links
    rows = {objective.number: row for objective, row, _, _ in response.context["objective_rows"]}
    assert [(column, n) for column, n, _ in rows[5]] == [
        ("Africa", 0),
        ("Americas", 2),
        ("Asia", 0),
        ("Europe", 0),
        ("Oceania", 0),
        ("No country", 0),
    ]
    assert [(column, n) for column, n, _ in rows[8]][-3:] == [
        ("Europe", 1),
        ("Oceania", 0),
        ("No country", 1),
    ]
    # Each cell's count is the number its search finds.
    for url in ("/practices/?region=americas&objective=5", "/practices/?country=MEX&objective=5"):
        search = client.get(url)
        label_count = 2 if "region" in url else 1
        assert search.context["total"] == label_count


# --- Queries ------------------------------------------------------------------------


def page_urls(places):
    return ["/", reverse("practices:browse"), reverse("practices:coverage")] + [
        url for url, *_ in browse_pages(places)
    ]


def test_every_browse_page_issues_a_constant_number_of_queries(
    uncached, client, places, django_assert_max_num_queries, django_assert_num_queries
):
    urls = page_urls(places)
    client.get("/")  # the first page after an edit builds the process's facet index
    small = {}
    for url in urls:
        with django_assert_max_num_queries(9) as captured:
            assert client.get(url).status_code == 200
            small[url] = len(captured)
    # Many more practices, countries, objectives, meetings and organisations.
    countries = list(Country.objects.filter(iso3__in=["MEX", "CAN", "ECU", "FRA", "SEN", "MLT"]))
    objectives = list(GcmObjective.objects.filter(number__in=[5, 6, 7, 8]))
    for n in range(40):
        practice = PracticeFactory(country=countries[n % 6], objective=objectives[n % 4])
        PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=23))
        practice.meetings.add(places["meeting"])
        practice.organisations.add(places["organisation"])
        practice.themes.add(places["theme"])
        practice.principles.add(places["principle"])
        if n % 5 == 0:
            PracticeFactory(country=False, objective=objectives[n % 4])
    indexing.flush()
    client.get("/")
    for url in urls:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200, url


def test_export_and_brief_links_of_a_browse_page_work(client, places):
    data = json.loads(client.get("/practices/export.json?country=MEX").content)
    assert sorted(p["title"] for p in data["practices"]) == ["Mexican pathways", "Mexican recruitment"]
    brief = client.get("/practices/brief/?country=MEX")
    assert sorted(p.title for p in brief.context["practices"]) == ["Mexican pathways", "Mexican recruitment"]
