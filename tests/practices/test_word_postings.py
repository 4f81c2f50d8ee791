"""PostgreSQL's posting bitmaps (migration 0016) answer exactly as its GIN index would, and
follow every kind of write: the search page finds a concept's practices from them."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict

from practices.models import Practice
from practices.search import lexical
from practices.search.bits import members
from practices.search.page import SearchPage
from practices.search.query import SearchQuery, Term, parse
from tests.factories import PracticeFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="posting bitmaps are PostgreSQL's (SQLite reads FTS5)"
)

CASES = json.loads((Path(__file__).parent / "search_quality.json").read_text(encoding="utf-8"))


def both(query):
    """(from the posting bitmaps, from the GIN index): the ids each finds."""
    practices = Practice.objects.all()
    return set(members(lexical.matching_bits(practices, query))), set(lexical._gin_ids(practices, query))


@pytest.mark.django_db
def test_every_concept_of_the_query_set_matches_as_the_gin_index_says(knowledge_base):
    compared = 0
    for case in CASES:
        page = SearchPage(QueryDict(mutable=True) | {"q": case["query"]})
        concepts = [page.query.one(concept) for concept in page.query.concepts]
        together = lexical.matching_bits_many(Practice.objects.all(), concepts)  # as the page looks them up
        for concept, clauses, bits in zip(page.query.concepts, concepts, together, strict=True):
            postings, gin = both(clauses)
            assert postings == gin == set(members(bits)), (case["query"], concept.label)
            compared += bool(gin)
    assert compared > 150  # concepts that match something: the comparison is not vacuous


@pytest.mark.django_db
@pytest.mark.parametrize(
    "words",
    [
        "seasonal or remittances -agricultural",
        "labor",  # both spellings
        "well-being",  # one word, several lexemes
        "-seasonal",  # only excluded words: every other practice (the GIN index answers)
        "zzqx",  # a lexeme no practice has
    ],
)
def test_words_stop_words_and_exclusions_match_as_the_gin_index_says(knowledge_base, words):
    postings, gin = both(parse(words))
    assert postings == gin


@pytest.mark.django_db
def test_a_word_that_stems_to_nothing_drops_out_as_in_a_tsquery(knowledge_base):
    # The parser leaves out stop words; a compiled concept may still hold one (a thesaurus term).
    def query(*clauses, excluded=()):
        return SearchQuery(
            text="-",
            clauses=[[Term(words=tuple(w.split())) for w in clause] for clause in clauses],
            excluded=[Term(words=(w,)) for w in excluded],
        )

    assert both(query(["should"])) == (set(), set())  # nothing, as an empty tsquery
    postings, gin = both(query(["should"], ["workers"]))  # drops out of the AND
    assert postings == gin and gin
    postings, gin = both(query(["should workers", "should"]))  # and out of a term's words
    assert postings == gin and gin
    postings, gin = both(query(["should"], excluded=["seasonal"]))  # only excluded words are left
    assert postings == gin and gin


@pytest.mark.django_db
def test_postings_follow_inserts_edits_deletes_and_bulk_loads():
    def found(words):
        return set(members(lexical._posting_bits_many([parse(words)])[0]))

    practice = PracticeFactory(title="Zorblax alpha", summary="Quuxly things.")
    assert found("zorblax") == {practice.pk} and found("quuxly") == {practice.pk}
    practice.title = "Frobnitz alpha"
    practice.save()
    assert found("zorblax") == set() and found("frobnitz") == {practice.pk}
    assert found("alpha") == {practice.pk}  # a word the edit kept keeps its bit
    many = Practice.objects.bulk_create(
        [
            Practice(
                title=f"Grault {n}",
                slug=f"grault-{n}",
                summary="Grault.",
                scope="global",
                practice_type="programme",
            )
            for n in range(1500)
        ]
    )
    Practice.objects.filter(pk__in=[p.pk for p in many]).update(summary="Garply.")
    assert found("grault") == {p.pk for p in many}  # the title still has it
    assert found("garply") == {p.pk for p in many}
    Practice.objects.filter(pk__in=[p.pk for p in many[:1000]]).delete()
    assert found("grault") == {p.pk for p in many[1000:]}
    practice.delete()
    assert found("frobnitz") == set()
