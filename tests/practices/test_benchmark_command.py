"""The search benchmark's parts, run small on the test database.

``manage.py benchmark_search`` creates its own throwaway database, which would nest inside
pytest's; so the fill and the measurement are tested here directly.
"""

from pathlib import Path

import pytest
from django.conf import settings

from practices.management import benchmarking as benchmark
from practices.models import (
    Citation,
    Practice,
    PracticeCountry,
    PracticeEmbedding,
    PracticeObjective,
    SearchWord,
)
from practices.rendering import render_markdown
from practices.search import indexing
from practices.search.query import parse
from tests.factories import MeetingFactory, OrganisationFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db

SYNTHETIC = 150


@pytest.fixture
def filled():
    # Two of the real documents to cut text from; countries, objectives and principles
    # come from the migrations. (The real knowledge base would do too, but takes long to load.)
    for path in sorted((Path(settings.BASE_DIR) / "fixtures" / "source_texts").glob("*.txt"))[:2]:
        SourceDocumentFactory(text=path.read_text(encoding="utf-8"))
    OrganisationFactory.create_batch(4)
    MeetingFactory.create_batch(3)
    real = Practice.objects.count()
    report = benchmark.fill(real + SYNTHETIC, seed=1, batch_size=60)
    assert report.created == SYNTHETIC
    return Practice.objects.filter(slug__startswith=benchmark.SLUG_PREFIX)


def words(text):
    return len(text.split())


def test_synthetic_practices_have_the_promised_shape(filled):
    assert filled.count() == SYNTHETIC
    practices = filled.prefetch_related(
        "country_links", "objective_links", "organisations", "citations__source"
    )
    published = 0
    for practice in practices:
        assert 5 <= words(practice.title) <= 12
        assert len(practice.alias_list) <= 2
        assert 40 <= words(practice.summary) <= 80
        assert 150 <= words(practice.description) <= 400
        assert practice.summary_html == render_markdown(practice.summary)
        assert 1 <= len({link.country_id for link in practice.country_links.all()}) <= 4
        objectives = list(practice.objective_links.all())
        assert 1 <= len(objectives) <= 3
        assert sum(link.is_primary for link in objectives) == 1
        assert len(practice.organisations.all()) <= 3
        citations = list(practice.citations.all())
        assert 1 <= len(citations) <= 3
        for citation in citations:
            assert citation.source.has_passage_at(citation.excerpt, citation.start)
            assert 20 <= words(citation.excerpt) <= 60
        published += practice.is_published
        assert practice.end_year is None or not practice.ongoing
    assert 0.75 <= published / SYNTHETIC <= 1
    shape = benchmark.shape()
    assert shape["sampled"] == SYNTHETIC
    assert shape["'migration' in text"] > 0.6


def test_filling_again_adds_to_the_practices_already_there(filled):
    total = Practice.objects.count()
    report = benchmark.fill(total + 20, seed=1)
    assert report.created == 20
    assert filled.count() == SYNTHETIC + 20
    assert benchmark.fill(total, seed=1).created == 0


def test_synthetic_practices_are_indexed_as_the_index_owner_would(filled):
    before = dict(filled.values_list("pk", "search_related"))
    keys_before = dict(filled.values_list("pk", "facet_keys"))
    listings_before = dict(filled.values_list("pk", "listing"))
    # The related text holds each practice's countries, organisations and excerpts.
    practice = filled.first()
    for link in PracticeCountry.objects.filter(practice=practice).select_related("country"):
        assert link.country.name in before[practice.pk]
    for citation in Citation.objects.filter(practice=practice):
        assert citation.excerpt in before[practice.pk]
    vectors_before = dict(PracticeEmbedding.objects.filter(practice__in=filled).values_list("pk", "vector"))
    assert len(vectors_before) == SYNTHETIC
    indexing.refresh(filled.values_list("pk", flat=True))
    vectors_after = dict(PracticeEmbedding.objects.filter(practice__in=filled).values_list("pk", "vector"))
    assert {pk: bytes(v) for pk, v in vectors_after.items()} == {
        pk: bytes(v) for pk, v in vectors_before.items()
    }
    after = dict(filled.values_list("pk", "search_related"))
    assert {pk: set(text.split("\n")) for pk, text in after.items()} == {
        pk: set(text.split("\n")) for pk, text in before.items()
    }
    assert dict(filled.values_list("pk", "facet_keys")) == keys_before
    assert dict(filled.values_list("pk", "listing")) == listings_before
    assert all(listing["countries"] and listing["sources"] for listing in listings_before.values())
    assert all(f"type:{p.practice_type}" in keys_before[p.pk] for p in filled)
    # Searchable at once, and "did you mean" knows their words.
    assert Practice.objects.search(parse(practice.title)).filter(pk=practice.pk).exists()
    summary_words = set(indexing.WORD_RE.findall(practice.summary.lower()))
    assert SearchWord.objects.filter(word__in=summary_words).count() == len(summary_words)


def test_objectives_and_countries_follow_the_real_usage(filled):
    # Every synthetic link points at a real vocabulary row (migrated or loaded).
    assert not PracticeObjective.objects.filter(practice__in=filled, objective__isnull=True).exists()
    assert PracticeCountry.objects.filter(practice__in=filled).values("country").distinct().count() > 10


def test_measure_returns_a_row_per_request_with_its_query_count(filled):
    rows = benchmark.measure(repeat=2)
    assert [row.label for row in rows] == [label for label, _ in benchmark.REQUESTS]
    for row in rows:
        assert len(row.times) == 2
        assert row.p50 > 0 and row.p95 >= row.p50
        assert row.queries > 0
    by_label = {row.label: row for row in rows}
    assert by_label["no query, no filter"].results == Practice.objects.published().count()
    assert by_label["broad word: migration"].results > SYNTHETIC / 2


def test_profile_times_each_statement_and_the_rendering(filled):
    profile = benchmark.profile({"q": "migration"}, runs=1)
    assert profile.queries
    assert 0 < profile.sql_ms < profile.total_ms
    assert 0 < profile.render_ms < profile.total_ms
    ms, sql, params, _ = profile.top(1)[0]
    assert benchmark.explain(sql, params)


def test_semantic_costs_are_measured(filled):
    costs = benchmark.semantic_costs(runs=10)
    assert costs["vectors"] == Practice.objects.published().count()
    assert costs["embed_p50_ms"] > 0 and costs["lookup_p50_ms"] > 0
    assert costs["matrix_mb"] > 0 and costs["rss_mb"] > costs["matrix_mb"]
