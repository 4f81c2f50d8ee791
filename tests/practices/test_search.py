"""The search page: full text, facets, exports and feed, on whichever database runs the suite."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.http import QueryDict
from django.urls import reverse

from practices.filters import PracticeFilter
from practices.models import Citation, Country, GcmObjective, Practice, PracticeCountry, PracticeObjective
from practices.search import indexing
from practices.search.query import parse
from tests.factories import CitationFactory, OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("practices:list")


def titles(response):
    return [practice.title for practice in response.context["practices"]]


def facet(response, name):
    return next(f for f in response.context["facets"] if f.name == name)


def counts(response, name):
    values = facet(response, name).values
    if name == "region":
        return {c.value: c.count for v in values for c in v.children}
    return {v.value: v.count for v in values}


# --- Full text ----------------------------------------------------------------------


def test_title_matches_rank_above_passing_mentions():
    PracticeFactory(title="Diaspora bonds", summary="Bonds sold to emigrants.")
    PracticeFactory(title="Consular services", summary="Consulates also reach the diaspora now and then.")
    query = parse("diaspora")
    ranked = Practice.objects.search(query).order_by("-rank").values_list("title", flat=True)
    assert list(ranked) == ["Diaspora bonds", "Consular services"]


def test_websearch_syntax_phrase_or_and_exclusion(client):
    PracticeFactory(title="Circular migration scheme", summary="Workers go and come back.")
    PracticeFactory(title="Migration that is circular", summary="Not the phrase, same words.")
    PracticeFactory(title="Remittance bonds", summary="Savings of emigrants.")
    PracticeFactory(title="Smuggling protocol", summary="Against trafficking and smuggling.")
    PracticeFactory(title="Trafficking victims support", summary="Shelters for victims.")

    assert titles(client.get(SEARCH, {"q": '"circular migration"'})) == ["Circular migration scheme"]
    either = set(titles(client.get(SEARCH, {"q": "remittance or circular"})))
    assert either == {"Remittance bonds", "Circular migration scheme", "Migration that is circular"}
    assert titles(client.get(SEARCH, {"q": "trafficking -smuggling"})) == ["Trafficking victims support"]


def test_stemming_and_british_american_spellings_match_each_other(client):
    PracticeFactory(title="Regularization of farm workers", summary="An amnesty.")
    PracticeFactory(title="Labour mobility partnership", summary="Jobs abroad.")
    assert titles(client.get(SEARCH, {"q": "regularisation"})) == ["Regularization of farm workers"]
    assert titles(client.get(SEARCH, {"q": "regularising"})) == ["Regularization of farm workers"]
    assert titles(client.get(SEARCH, {"q": "labor"})) == ["Labour mobility partnership"]
    assert titles(client.get(SEARCH, {"q": "farms"})) == ["Regularization of farm workers"]


def test_aliases_organisations_countries_and_citations_are_searchable(client):
    practice = PracticeFactory(
        title="Seasonal Agricultural Workers Program", aliases="SAWP\nPTAT", citation=False
    )
    CitationFactory(practice=practice, excerpt="as a bi-national cooperation strategy")
    assert titles(client.get(SEARCH, {"q": "ptat"})) == [practice.title]
    assert titles(client.get(SEARCH, {"q": "Mexico"})) == [practice.title]  # the factory's country
    assert titles(client.get(SEARCH, {"q": "bi-national cooperation strategy"})) == [
        practice.title
    ]  # excerpt


def test_the_index_follows_every_kind_of_edit(client):
    practice = PracticeFactory(title="Migrant resource centre", citation=False)
    practice.title = "Migrant information hub"
    practice.save()
    assert titles(client.get(SEARCH, {"q": "hub"})) == ["Migrant information hub"]
    assert titles(client.get(SEARCH, {"q": "resource"})) == []

    organisation = OrganisationFactory(name="Zanzibar Labour Office", acronym="ZLO")
    practice.organisations.add(organisation)
    assert titles(client.get(SEARCH, {"q": "ZLO"})) == ["Migrant information hub"]

    citation = CitationFactory(practice=practice, excerpt="Brazil’s 2009 amnesty regularized 41,816 migrants")
    assert titles(client.get(SEARCH, {"q": "amnesty"})) == ["Migrant information hub"]
    citation.delete()
    assert titles(client.get(SEARCH, {"q": "amnesty"})) == []

    link = PracticeCountry.objects.create(
        practice=practice, country=Country.objects.get(iso3="NPL"), role=PracticeCountry.Role.ORIGIN
    )
    assert titles(client.get(SEARCH, {"q": "Nepal"})) == ["Migrant information hub"]
    link.delete()
    assert titles(client.get(SEARCH, {"q": "Nepal"})) == []

    practice.delete()
    assert titles(client.get(SEARCH, {"q": "hub"})) == []


def result_facts(client, params):
    """{label: HTML} of the first result's facts (countries, objectives, source)."""
    html = client.get(SEARCH, params).content.decode()
    block = html.split('<dl class="result-facts">')[1].split("</dl>")[0]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block))


def test_results_show_countries_objectives_and_sources_as_they_are_now(client):
    practice = PracticeFactory(title="Harvest corridors", citation=False)  # Mexico, objective 5 (primary)
    PracticeCountry.objects.create(
        practice=practice, country=Country.objects.get(iso3="CAN"), role=PracticeCountry.Role.DESTINATION
    )
    PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=2))
    undated = CitationFactory(practice=practice).source
    older = CitationFactory(practice=practice, source__publication_date=date(2015, 5, 1)).source
    newer = CitationFactory(practice=practice, source__publication_date=date(2021, 3, 1)).source
    facts = result_facts(client, {"q": "harvest"})
    assert facts["Countries"] == "Canada, Mexico"  # by name
    assert re.sub(r"<[^>]+>", "", facts["GCM objectives"]) == "5, 2"  # the primary first
    assert f'title="{GcmObjective.objects.get(number=2).title}"' in facts["GCM objectives"]
    assert facts["Source"] == f"{newer.title} (2021); {older.title} (2015); {undated.title}"

    # Edits made anywhere show at once.
    objective = GcmObjective.objects.get(number=2)
    objective.title = "Minimize the adverse drivers that compel people to leave"
    objective.save()
    assert f'title="{objective.title}"' in result_facts(client, {"q": "harvest"})["GCM objectives"]
    canada = Country.objects.get(iso3="CAN")
    canada.name = "Canada (federal)"
    canada.save()
    assert result_facts(client, {"q": "harvest"})["Countries"] == "Canada (federal), Mexico"
    PracticeCountry.objects.create(
        practice=practice, country=Country.objects.get(iso3="GTM"), role=PracticeCountry.Role.ORIGIN
    )
    assert result_facts(client, {"q": "harvest"})["Countries"] == "Canada (federal), Guatemala, Mexico"
    Citation.objects.get(practice=practice, source=newer).delete()
    assert result_facts(client, {"q": "harvest"})["Source"] == f"{older.title} (2015); {undated.title}"
    older.publication_date = date(2023, 1, 1)
    older.save()
    assert result_facts(client, {"q": "harvest"})["Source"] == f"{older.title} (2023); {undated.title}"


def test_a_result_kept_from_an_earlier_search_shows_the_practice_as_it_is_now(client):
    """Results are rendered once per version of the knowledge base and kept: an edit makes
    a new version, and the snippet still follows each search's words."""
    practice = PracticeFactory(title="Harvest corridors", summary="Seasonal permits for orchard workers.")
    first = client.get(SEARCH, {"q": "harvest"}).content.decode()
    assert ">Harvest corridors</a>" in first
    assert "<mark>orchard</mark>" in client.get(SEARCH, {"q": "harvest orchard"}).content.decode()
    practice.title = "Harvest corridors for orchards"
    practice.start_year = 2019
    practice.save()
    again = client.get(SEARCH, {"q": "harvest"}).content.decode()
    assert ">Harvest corridors for orchards</a>" in again and " · 2019" in again


def test_results_show_highlighted_snippets_and_escape_the_text(client):
    PracticeFactory(
        title="Shelters",
        summary="Houses run by <b>churches</b> give seasonal workers a bed & a meal.",
    )
    response = client.get(SEARCH, {"q": "seasonal"})
    html = response.content.decode()
    assert "<mark>seasonal</mark>" in html
    snippet = html.split('<p class="snippet">')[1].split("</p>")[0]
    # The raw Markdown source is escaped (SQLite) or its tags dropped (PostgreSQL), never trusted.
    assert "<b>" not in snippet and "churches" in snippet
    assert "a bed &amp; a meal" in snippet


def test_snippets_quote_the_summary_when_it_matches_else_the_description(client):
    PracticeFactory(
        title="Orchard visas",
        summary="Pickers come back each season to the same orchards.",
        description="Growers sign contracts with the pickers before the harvest.",
    )
    PracticeFactory(
        title="Harvest compacts",
        summary="Growers and unions agree on conditions.",
        description="Every contract names the orchards where the work is done.",
    )

    def snippets(words):
        response = client.get(SEARCH, {"q": words, "sort": "title"})
        html = response.content.decode()
        return [part.split("</p>")[0] for part in html.split('<p class="snippet">')[1:]]

    in_description, in_summary = snippets("orchards")  # by title: Harvest…, Orchard…
    assert "<mark>orchards</mark>" in in_summary and "Pickers come back" in in_summary
    assert "Growers sign" not in in_summary  # the description: a matching summary is quoted alone
    assert "<mark>orchards</mark>" in in_description and "contract names" in in_description
    assert "unions agree" not in in_description  # the summary's words, which do not match


def test_a_practice_matched_only_by_its_related_text_quotes_the_cited_passage(client):
    # The FLOC agreement of the seed data: "labour" is only in its excerpt and its
    # organisation's name, and it has no description.
    practice = PracticeFactory(
        title="Collective bargaining for farm workers",
        summary="A union agreement covering guest workers on farms.",
        citation=False,
        country=Country.objects.get(iso3="MEX"),
    )
    PracticeCountry.objects.create(
        practice=practice, country=Country.objects.get(iso3="USA"), role=PracticeCountry.Role.DESTINATION
    )
    practice.organisations.add(OrganisationFactory(name="Farm Labor Organizing Committee", acronym="FLOC"))
    passage = "The Farm Labour Organizing Committee union is active in Mexico and the United States."
    CitationFactory(practice=practice, excerpt=passage, source__text=f"Agreements.\n\n{passage}\n")
    html = client.get(SEARCH, {"q": "labour"}).content.decode()
    snippet = html.split('<p class="snippet">')[1].split("</p>")[0]
    # It leads with the passage, not with the list of countries and their codes (PostgreSQL
    # may run on into the names after it, to make up the snippet's length).
    before, quoted, _ = snippet.partition("The Farm <mark>Labour</mark> Organizing Committee union")
    assert quoted and "MEX" not in before
    assert "… …" not in snippet  # no empty description between the parts


def test_a_misspelt_query_is_corrected_when_it_finds_nothing(client):
    PracticeFactory(title="Remittances for development", summary="Money sent home by migrants.")
    response = client.get(SEARCH, {"q": "remitances"})
    assert titles(response) == ["Remittances for development"]
    assert response.context["corrected_from"] == "remitances"
    assert "Showing results for" in response.content.decode()


def test_a_missing_letter_is_corrected_to_the_longer_word_not_a_shorter_one(client):
    # "workrs" shares as many trigrams with "work" as with "workers".
    PracticeFactory(title="Seasonal work permits", summary="Permits for work in the harvest.")
    PracticeFactory(title="Seasonal workers scheme", summary="Workers come back each season.")
    response = client.get(SEARCH, {"q": "seasonal workrs"})
    assert response.context["corrected_from"] == "seasonal workrs"
    assert response.context["query"].text == "seasonal workers"
    assert titles(response) == titles(client.get(SEARCH, {"q": "seasonal workers"}))


def test_a_query_that_finds_nothing_says_so_and_suggests_what_to_do(client):
    PracticeFactory(title="Remittances for development")
    response = client.get(SEARCH, {"q": "zzyzx", "country": "MEX"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No practice matches this search." in body
    assert "Check the spelling" in body
    assert "Remove a filter" in body


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "migration " * 45}, "the limit is 400"),
        ({"q": " ".join(f"word{n}" for n in range(45))}, "the limit is 40"),
        ({"country": ["MEX", "NOWHERE"]}, "Not found, ignored: NOWHERE"),
        ({"objective": "banana"}, "Not found, ignored: banana"),
        ({"year_from": "last year"}, "Enter a number"),
        ({"per_page": "1000000"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_not_an_error(client, params, message):
    PracticeFactory(title="Remittances for development")
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_unknown_filter_values_are_ignored_as_the_page_says_even_alone(client):
    PracticeFactory(title="Remittances for development")
    params = {"country": "NOWHERE", "objective": "banana", "region": "atlantis"}
    response = client.get(SEARCH, params)
    assert titles(response) == ["Remittances for development"]
    assert "Not found, ignored: atlantis, NOWHERE" in response.content.decode()
    # An export says so too, rather than silently exporting everything (see test_bad_input).
    response = client.get(reverse("practices:export-json"), params)
    assert response.status_code == 400
    ignored = {item["parameter"]: item["values"] for item in json.loads(response.content)["ignored"]}
    assert ignored == {"region": ["atlantis"], "country": ["NOWHERE"], "objective": ["banana"]}
    # A known value still filters, with or without unknown ones beside it.
    assert titles(client.get(SEARCH, {"objective": ["6", "banana"]})) == []
    assert titles(client.get(SEARCH, {"country": ["MEX", "NOWHERE"]})) == ["Remittances for development"]


@pytest.mark.parametrize(
    "query",
    ['"""((', "-", "or or or", "%%%", "'; DROP TABLE practices_practice; --", "NEAR(a b)", "title:x", "*"],
)
def test_punctuation_and_database_syntax_are_just_text(client, query):
    PracticeFactory(title="Remittances for development")
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert Practice.objects.count() == 1


@pytest.mark.parametrize("query", ['"""((::**--||', "-", "or or or", "%%%", "*", "the of and"])
def test_a_search_with_no_word_says_so_and_lists_every_practice(client, query):
    PracticeFactory.create_batch(2)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "Your search has no word to look for" in response.content.decode()
    assert len(response.context["practices"]) == 2
    # What was typed stays in the box, to be mended.
    assert response.context["form"].data["q"] == query


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "1e9"])
def test_any_page_number_gives_a_page(client, page):
    PracticeFactory.create_batch(3)
    response = client.get(SEARCH, {"page": page, "per_page": "10"})
    assert response.status_code == 200
    assert len(response.context["practices"]) == 3


# --- Facets -------------------------------------------------------------------------


@pytest.fixture
def three_countries():
    mexico, ecuador, canada = (Country.objects.get(iso3=c) for c in ("MEX", "ECU", "CAN"))
    regular, fair = GcmObjective.objects.get(number=5), GcmObjective.objects.get(number=6)
    PracticeFactory(title="Mexican pathways", country=mexico, objective=regular)
    PracticeFactory(title="Mexican recruitment", country=mexico, objective=fair)
    PracticeFactory(title="Ecuadorian pathways", country=ecuador, objective=regular)
    PracticeFactory(title="Canadian pathways", country=canada, objective=regular)


def test_ticking_a_country_keeps_the_other_countries_and_their_counts(client, three_countries):
    response = client.get(SEARCH, {"country": "MEX"})
    assert titles(response) == ["Mexican pathways", "Mexican recruitment"]
    assert counts(response, "region") == {"CAN": 1, "ECU": 1, "MEX": 2}
    assert counts(response, "objective")["5"] == 1  # objectives count within Mexico
    assert counts(response, "objective")["6"] == 1


def test_values_or_within_a_facet_and_and_across_facets(client, three_countries):
    response = client.get(SEARCH, {"country": ["MEX", "ECU"], "objective": "5"})
    assert titles(response) == ["Ecuadorian pathways", "Mexican pathways"]
    # Each facet is counted with the *other* facets applied.
    assert counts(response, "region") == {"CAN": 1, "ECU": 1, "MEX": 1}
    objective_counts = counts(response, "objective")
    assert (objective_counts["5"], objective_counts["6"]) == (2, 1)
    assert objective_counts["1"] == 0  # shown, dimmed, not removed
    assert 'class="facet-value empty"' in response.content.decode()


def test_region_and_country_are_one_facet_of_places(client, three_countries):
    # A ticked region or a ticked country: either place qualifies a practice (OR).
    response = client.get(SEARCH, {"region": "europe", "country": "ECU"})
    assert titles(response) == ["Ecuadorian pathways"]
    response = client.get(SEARCH, {"region": "americas", "q": "pathways"})
    assert sorted(titles(response)) == ["Canadian pathways", "Ecuadorian pathways", "Mexican pathways"]
    # Countries keep their counts whatever region is ticked.
    assert counts(response, "region") == {"CAN": 1, "ECU": 1, "MEX": 1}
    assert titles(client.get(SEARCH, {"region": "europe"})) == []


def test_chips_remove_one_filter_each_and_clear_all(client, three_countries):
    response = client.get(SEARCH, {"country": ["MEX", "ECU"], "objective": "5", "q": "pathways"})
    chips = dict(response.context["chips"])
    assert set(chips) == {
        "Search: “pathways”",
        "Country: Mexico",
        "Country: Ecuador",
        "GCM objective: 5. Regular pathways",
    }
    without_mexico = client.get(chips["Country: Mexico"])
    assert titles(without_mexico) == ["Ecuadorian pathways"]
    assert f'href="{SEARCH}"' in response.content.decode()  # clear all


def test_the_filters_button_counts_the_active_filters_but_not_the_words(client, three_countries):
    page = client.get(SEARCH, {"country": ["MEX", "ECU"], "objective": "5", "q": "pathways"})
    assert page.context["filter_count"] == 3
    assert 'Filters (3<span class="visually-hidden"> active</span>)' in page.content.decode()
    words_only = client.get(SEARCH, {"q": "pathways"}).content.decode()
    assert "<summary><span>Filters</span></summary>" in words_only


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("title", ["Alpha", "Beta", "Gamma"]),
        ("newest", ["Beta", "Gamma", "Alpha"]),
        ("oldest", ["Gamma", "Beta", "Alpha"]),
    ],
)
def test_sort_orders(client, sort, expected):
    PracticeFactory(title="Gamma", start_year=1990)
    PracticeFactory(title="Alpha", start_year=None)
    PracticeFactory(title="Beta", start_year=2010)
    assert titles(client.get(SEARCH, {"sort": sort})) == expected


def test_year_range_filters_on_the_start_year(client):
    PracticeFactory(title="Old", start_year=1974)
    PracticeFactory(title="New", start_year=2012)
    PracticeFactory(title="Undated", start_year=None)
    assert titles(client.get(SEARCH, {"year_from": "2000"})) == ["New"]
    assert titles(client.get(SEARCH, {"year_from": "1970", "year_to": "1979"})) == ["Old"]


def test_page_size_is_chosen_by_the_reader(client):
    PracticeFactory.create_batch(12)
    response = client.get(SEARCH, {"per_page": "10", "page": "2"})
    assert len(response.context["practices"]) == 2
    assert response.context["page_obj"].paginator.num_pages == 2


def test_only_published_practices_are_found_or_counted(client):
    PracticeFactory(title="Draft pathways", status=Practice.Status.DRAFT)
    PracticeFactory(title="Published pathways")
    response = client.get(SEARCH, {"q": "pathways"})
    assert titles(response) == ["Published pathways"]
    assert counts(response, "region") == {"MEX": 1}


def test_search_page_queries_stay_constant_whatever_the_page_size_and_facets(
    uncached, client, django_assert_max_num_queries
):
    objectives = list(GcmObjective.objects.filter(number__in=[5, 6, 7]))
    countries = list(Country.objects.filter(iso3__in=["MEX", "ECU", "CAN", "PHL"]))
    for n in range(60):
        practice = PracticeFactory(
            title=f"Seasonal workers scheme {n}",
            country=countries[n % 4],
            objective=objectives[n % 3],
            start_year=2000 + n % 20,
        )
        PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=1))
        practice.organisations.add(OrganisationFactory())
    heavy = {
        "q": "seasonal workers",
        "country": ["MEX", "ECU", "PHL"],
        "objective": ["5", "6"],
        "region": "americas",
        "type": "programme",
        "scope": "bilateral",
        "year_from": "1900",
        "per_page": "100",
    }
    indexing.flush()  # as these writes' commit would
    # The first search after an edit also builds the process's facet index (its practices,
    # facet keys and labels), its thesaurus and vocabulary matchers and its meaning matrix,
    # in a constant number of statements.
    with django_assert_max_num_queries(24):
        assert client.get(SEARCH, heavy).status_code == 200
    # Then: the index's version token and the page's rows (with what a result shows of
    # their relations); with words, the best full-text matches to rank and the snippets of
    # the page's rows (the words' matches are kept from the first search).
    for params in ({}, {"per_page": "10"}, {"q": "seasonal"}, {"q": "seasonal", "sort": "title"}, heavy):
        with django_assert_max_num_queries(2 + 2 * ("q" in params)):
            response = client.get(SEARCH, params)
        assert response.status_code == 200
    assert len(response.context["practices"]) > 10


# --- Exports and feed ---------------------------------------------------------------


def test_exports_hold_the_same_results_in_the_same_order_as_the_page(client, three_countries):
    params = {"objective": "5", "sort": "title"}
    page_titles = titles(client.get(SEARCH, params))

    response = client.get(reverse("practices:export-json"), params)
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content.decode("utf-8"))
    assert [p["title"] for p in data["practices"]] == page_titles
    first = data["practices"][0]
    assert list(first)[:9] == [
        "slug",
        "title",
        "url",
        "summary",
        "countries",
        "gcm_objectives",
        "meetings",
        "period",
        "type",
    ]
    assert first["countries"] == ["CAN"] and first["gcm_objectives"] == [5]
    assert first["url"].startswith("http") and first["url"].endswith(f"/practices/{first['slug']}/")
    excerpt = first["citations"][0]["excerpt"]
    assert Citation.objects.filter(excerpt=excerpt, source__slug=first["citations"][0]["source"]).exists()

    response = client.get(reverse("practices:export-csv"), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["slug", "title", "url", "summary"]
    assert [row[1] for row in rows[1:]] == page_titles


def test_exports_issue_the_same_queries_for_many_practices_as_for_one(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    PracticeFactory(title="Single pathway")
    for fmt in ("json", "csv"):
        client.get(reverse(f"practices:export-{fmt}"))  # builds the facet index after the edit
        with django_assert_max_num_queries(7) as captured:
            client.get(reverse(f"practices:export-{fmt}"))
        queries = len(captured)  # now: the next request clears the connection's query log
        PracticeFactory.create_batch(8)
        client.get(reverse(f"practices:export-{fmt}"))
        with django_assert_num_queries(queries):
            assert client.get(reverse(f"practices:export-{fmt}")).status_code == 200
    # Every practice carries its citation's excerpt, without a query per citation.
    data = json.loads(client.get(reverse("practices:export-json")).content.decode())
    assert data["count"] == 17
    assert all(p["citations"] and p["citations"][0]["excerpt"] for p in data["practices"])


def test_exports_beyond_the_cap_get_a_clear_message(client, monkeypatch):
    monkeypatch.setattr("practices.views.EXPORT_LIMIT", 2)
    PracticeFactory.create_batch(3)
    response = client.get(reverse("practices:export-csv"))
    assert response.status_code == 400
    assert "matches 3 practices; an export holds at most 2" in response.content.decode()


def test_the_csv_starts_with_a_byte_order_mark_so_that_excel_reads_accents(client):
    PracticeFactory(title="Regularização em São Tomé e Príncipe", summary="Ação para trabalhadores.")
    content = client.get(reverse("practices:export-csv")).content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark, once
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0])[0] == "slug"
    assert rows[0]["title"] == "Regularização em São Tomé e Príncipe"
    assert rows[0]["summary"] == "Ação para trabalhadores."


def test_the_feed_links_to_itself_and_its_page_with_the_search_and_names_it(client):
    from xml.etree import ElementTree

    PracticeFactory(title="Seasonal workers", objective=GcmObjective.objects.get(number=6))
    params = {"q": "workers", "country": "MEX", "objective": "6", "type": "programme", "page": "2"}
    response = client.get(reverse("practices:feed"), params)

    feed = ElementTree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{atom}link")}
    search = "q=workers&country=MEX&objective=6&type=programme"
    assert links["self"] == f"http://testserver/practices/feed/?{search}"
    assert links["alternate"] == f"http://testserver/practices/?{search}"
    assert feed.find(f"{atom}title").text == (
        "New practices: “workers”; country Mexico; GCM objective 6. Fair recruitment and decent work; "
        "type Programme"
    )
    assert [e.find(f"{atom}title").text for e in feed.findall(f"{atom}entry")] == ["Seasonal workers"]
    # An entry is updated when a curator changes it; until then, when it was published.
    (entry,) = feed.findall(f"{atom}entry")
    assert entry.find(f"{atom}updated").text == entry.find(f"{atom}published").text
    # Without a search: every practice, and the bare addresses.
    feed = ElementTree.fromstring(client.get(reverse("practices:feed")).content)
    assert feed.find(f"{atom}title").text == "New practices: all practices"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{atom}link")}
    assert links["self"] == "http://testserver/practices/feed/"


def test_the_atom_feed_lists_newly_published_matches(client):
    PracticeFactory(title="Remittances for development")
    PracticeFactory(title="Border management")
    response = client.get(reverse("practices:feed"), {"q": "remittances"})
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Remittances for development</title>" in body
    assert "Border management" not in body
    assert "New practices: “remittances”" in body


# --- Browse pages -------------------------------------------------------------------


def test_home_lists_regions_and_countries_with_counts(client, three_countries):
    body = client.get("/").content.decode()
    assert 'href="/regions/americas/"' in body  # the region's page, its map and countries
    assert 'href="/practices/?country=MEX"' in body  # the map: each country to its search
    assert 'role="search"' in body


def test_coverage_matrix_counts_and_links_each_cell(client, three_countries):
    response = client.get(reverse("practices:coverage"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/practices/?country=MEX&amp;objective=5"' in body
    assert "1 practice: Mexico, objective 5" in body
    assert "2 practices" not in body  # each cell counts its own country and objective


def test_print_these_results_makes_a_brief_of_the_same_search(client, three_countries):
    params = {"objective": "5", "country": ["MEX", "ECU"]}
    page = client.get(SEARCH, params)
    assert "Print these results as a brief" in page.content.decode()
    brief = client.get(reverse("practices:brief"), params)
    assert [p.title for p in brief.context["practices"]] == titles(page)
    body = brief.content.decode()
    assert "Search results" in body and "<dt>Country</dt><dd>Mexico, Ecuador</dd>" in body  # names, not codes


def test_results_can_be_picked_for_a_brief_without_leaving_the_search(client, three_countries):
    page = client.get(SEARCH, {"q": "pathways"})
    assert page.content.decode().count('action="/practices/brief/picks/"') == 3
    client.post(
        reverse("practices:pick"),
        {"action": "add", "practice": Practice.objects.get(title="Canadian pathways").slug, "next": "/"},
    )
    assert "Remove<span" in client.get(SEARCH, {"q": "canadian"}).content.decode()


def test_each_filterset_filters_by_its_own_values(three_countries):
    # The declared filters are copied shallowly per FilterSet: each copy must call the
    # methods of its own FilterSet, not of the first one made or of none.
    indexing.flush()  # the facet keys, written when the practices' transaction commits
    mexico = PracticeFilter(QueryDict("country=MEX"), queryset=Practice.objects.published())
    ecuador = PracticeFilter(QueryDict("country=ECU"), queryset=Practice.objects.published())
    assert [p.title for p in ecuador.filtered()] == ["Ecuadorian pathways"]
    assert sorted(p.title for p in mexico.filtered()) == ["Mexican pathways", "Mexican recruitment"]
    assert not hasattr(PracticeFilter.base_filters["country"], "parent")  # the declared one untouched
