"""Facet counts tell the truth: ticking a value finds exactly the number shown beside it,
pages list exactly what the FilterSet's own filters select, and the in-memory facet index
they are computed from follows every kind of edit."""

import pytest
from django.http import QueryDict

from practices.filters import PracticeFilter, order_by
from practices.models import Country, GuidingPrinciple, Practice, SearchIndexVersion
from practices.search import indexing, lexical
from practices.search.bits import bitset, members
from practices.search.facets import FacetIndex
from practices.search.page import SearchPage
from practices.search.query import parse
from tests.factories import (
    CitationFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    SourceDocumentFactory,
)

SEARCH = "/practices/"

SEARCHES = [
    "",
    "q=migration",
    "q=labour&region=americas",
    "country=MEX&country=PHL&objective=5&year_from=1990",
    "q=workers&type=programme&scope=national&source=gfmd-2010-thematic-meeting-report",
    "q=-seasonal&objective=6",  # words that only exclude, with a filter
]


def total_of(querystring):
    """How many practices the search finds with these filters applied: the facet counts are
    computed for every value at once, with the other filters, so this is an independent
    answer."""
    return SearchPage(QueryDict(querystring)).total


def with_only(querystring, facet, value):
    """The same search with ``facet``'s selection replaced by ``value`` alone."""
    data = QueryDict(querystring, mutable=True)
    for name in ("region", "country") if facet in ("region", "country") else (facet,):
        data.pop(name, None)
    data[facet] = value
    return data.urlencode()


@pytest.mark.django_db
@pytest.mark.parametrize("querystring", SEARCHES)
def test_each_count_is_what_ticking_that_value_alone_finds(knowledge_base, querystring):
    search = SearchPage(QueryDict(querystring))
    checked = 0
    for facet in search.facets():
        values = [*facet.values, *(child for value in facet.values for child in value.children)]
        for value in values:
            name = "country" if value.value.isupper() and facet.name == "region" else facet.name
            if value.count or checked % 7 == 0:  # every count, and a sample of the zeros
                assert value.count == total_of(with_only(querystring, name, value.value)), (name, value)
            checked += 1
    assert checked > 50
    decades = dict(search.decades())
    for decade, count in decades.items():
        data = QueryDict(querystring, mutable=True)
        data["year_from"], data["year_to"] = decade, decade + 9
        assert count == total_of(data.urlencode())


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(PracticeFilter.SORTS))
@pytest.mark.parametrize("querystring", SEARCHES)
def test_pages_list_exactly_what_the_filters_select_in_sort_order(knowledge_base, querystring, sort):
    data = QueryDict(querystring, mutable=True)
    data.update({"sort": sort, "per_page": "10"})
    found = SearchPage(data).tally.matching
    matching = Practice.objects.filter(pk__in=[pk for pk in range(found.bit_length()) if found >> pk & 1])
    if sort == "relevance" and "q=" in querystring:
        expected = SearchPage(data).ordered_ids(1000)  # ranked in Python: its own order
        assert sorted(expected) == sorted(matching.values_list("pk", flat=True))
    else:  # the ORM's order of the same practices, independent of the index's
        fields = PracticeFilter.SORTS["title" if sort == "relevance" else sort][1]
        expected = list(matching.order_by(*order_by(fields)).values_list("pk", flat=True))
    if "q=" not in querystring:  # no words: exactly what the FilterSet's own filters select
        strict = PracticeFilter(data, queryset=Practice.objects.published()).qs
        assert sorted(expected) == sorted(strict.values_list("pk", flat=True))
    listed, number = [], 1
    while True:
        data["page"] = str(number)
        tally = SearchPage(data).tally
        assert tally.total == len(expected)
        if tally.page_number < number or not tally.page_ids:
            break
        listed += tally.page_ids
        number += 1
    assert listed == expected


def found(client, **params):
    return {p.slug for p in client.get(SEARCH, {**params, "per_page": 100}).context["practices"]}


@pytest.mark.django_db
def test_facet_filters_follow_links_and_renames_made_anywhere(client):
    practice = PracticeFactory(slug="kept-current")
    meeting = MeetingFactory(name="Third Summit", slug="third-summit")
    organisation = OrganisationFactory(name="Migrant Desk", slug="migrant-desk")
    principle = GuidingPrinciple.objects.first()

    # Linked from the practice's side, and from the other side.
    practice.meetings.add(meeting)
    organisation.practices.add(practice)
    principle.practices.add(practice)
    assert "kept-current" in found(client, meeting="third-summit")
    assert "kept-current" in found(client, organisation="migrant-desk")
    assert "kept-current" in found(client, principle=principle.slug)

    # Renamed addresses of linked rows.
    meeting.slug = "gfmd-third-summit"
    meeting.save()
    organisation.slug = "the-migrant-desk"
    organisation.save()
    assert "kept-current" in found(client, meeting="gfmd-third-summit")
    assert "kept-current" in found(client, organisation="the-migrant-desk")
    assert "kept-current" not in found(client, meeting="third-summit")

    # A country moved to another region; a citation of another document; the practice's own type.
    country = practice.countries.get()
    other_region = "Oceania" if country.region != "Oceania" else "Africa"
    Country.objects.filter(pk=country.pk).update(region=other_region)
    Country.objects.get(pk=country.pk).save()
    assert "kept-current" in found(client, region=other_region.lower())
    source = SourceDocumentFactory()
    CitationFactory(practice=practice, source=source)
    assert "kept-current" in found(client, source=source.slug)
    source.slug = "renamed-document"
    source.save()
    assert "kept-current" in found(client, source="renamed-document")
    practice.practice_type = "tool"
    practice.save()
    assert "kept-current" in found(client, type="tool")

    # Unlinked, from either side.
    organisation.practices.clear()
    practice.meetings.remove(meeting)
    assert "kept-current" not in found(client, organisation="the-migrant-desk")
    assert "kept-current" not in found(client, meeting="gfmd-third-summit")


@pytest.mark.django_db
def test_facet_labels_and_values_are_escaped(client):
    practice = PracticeFactory(title="Desk for migrants")
    practice.organisations.add(OrganisationFactory(name="<script>alert(1)</script> & Co", slug="evil-co"))
    body = client.get(SEARCH).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in body
    body = client.get(SEARCH, {"organisation": '"><b>x</b>'}).content.decode()
    assert '"><b>x</b>' not in body


@pytest.mark.django_db
def test_search_page_follows_publishing_renames_and_deletions_at_once(client):
    first = PracticeFactory(title="Zorblax alpha")
    second = PracticeFactory(title="Zorblax beta")

    def titles():
        return [p.title for p in client.get(SEARCH, {"q": "zorblax", "sort": "title"}).context["practices"]]

    assert titles() == ["Zorblax alpha", "Zorblax beta"]
    first.title = "Zorblax omega"  # title order
    first.save()
    second.status = Practice.Status.DRAFT
    second.save()
    assert titles() == ["Zorblax omega"]

    country = Country.objects.create(
        name="Zorblax Land", iso3="ZZB", iso2="ZZ", m49_code=999, region="Oceania", sub_region="Polynesia"
    )
    first.country_links.create(country=country, role="implementing")
    assert "Zorblax Land" in client.get(SEARCH).content.decode()
    country.name = "Renamed Land"
    country.save()
    body = client.get(SEARCH).content.decode()
    assert "Renamed Land" in body and "Zorblax Land" not in body

    first.delete()
    response = client.get(SEARCH, {"country": "ZZB"})
    # No practice has it any more: a stale link's country is reported and ignored.
    assert "Not found, ignored: ZZB" in response.content.decode()
    assert response.context["total"] == Practice.objects.published().count()
    assert "Renamed Land" not in response.content.decode()


@pytest.mark.django_db
def test_search_page_is_right_without_a_version_token(client):
    """A flushed database has no token: the index is then rebuilt for every request."""
    practice = PracticeFactory(title="Zorblax alpha")
    indexing.flush()  # as the factory's commit would: the index is current, then the token goes
    SearchIndexVersion.objects.all().delete()
    # Behind the ORM's back: no token to change either way.
    Practice.objects.filter(pk=practice.pk).update(title="Zorblax gamma")
    assert [p.title for p in client.get(SEARCH, {"q": "zorblax"}).context["practices"]] == ["Zorblax gamma"]
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.DRAFT)
    assert client.get(SEARCH, {"q": "zorblax"}).context["total"] == 0


@pytest.mark.django_db
def test_kept_word_matches_are_few_and_follow_edits(client):
    practice = PracticeFactory(title="Zorblax alpha")
    for n in range(FacetIndex.MATCHES_KEPT + 4):
        client.get(SEARCH, {"q": f"zorblax word{n}"})
    assert len(FacetIndex._current.matches) == FacetIndex.MATCHES_KEPT

    assert client.get(SEARCH, {"q": "quuxly"}).context["total"] == 0
    practice.summary = "Now about quuxly things."
    practice.save()
    assert client.get(SEARCH, {"q": "quuxly"}).context["total"] == 1


@pytest.mark.django_db
def test_search_page_follows_rows_loaded_by_loaddata(client):
    practice = PracticeFactory(title="Zorblax alpha")
    assert client.get(SEARCH, {"q": "zorblax"}).context["total"] == 1
    practice.status = Practice.Status.DRAFT
    practice.save_base(raw=True)  # how loaddata saves: no Practice.save()
    assert client.get(SEARCH, {"q": "zorblax"}).context["total"] == 0


@pytest.mark.django_db
def test_words_are_found_after_every_kind_of_edit():
    def found(words):
        return set(members(lexical.matching_bits(Practice.objects.all(), parse(words))))

    practice = PracticeFactory(title="Zorblax alpha")
    assert found("zorblax") == {practice.pk}
    practice.title = "Quuxly alpha"
    practice.save()
    assert found("zorblax") == set() and found("quuxly") == {practice.pk}
    Practice.objects.filter(pk=practice.pk).update(summary="Now about frobnitz.")
    assert found("frobnitz") == {practice.pk}
    practice.delete()
    assert found("quuxly") == set()


def test_bitsets_set_exactly_the_bits_asked_for():
    assert bitset([0, 3, 9], 10) == 0b10_0000_1001
    assert bitset([7], 8) == 1 << 7
    assert bitset([], 5) == 0 and bitset([], 0) == 0
    assert bitset(range(1000), 1000) == (1 << 1000) - 1
