"""The researcher query set, on both databases.

The first cases (words, phrases, acronyms, typos, spellings, filters) must each find every
expected practice in the top 10. The needs researchers state in their own words
(paraphrases, synonyms, GCM objective wording, country and topic, questions) are held to the
targets of the whole set: recall@10 ≥ 0.95 and MRR ≥ 0.85, no page without results for a
query that has relevant practices, and nothing at all for the must-find-nothing queries.
"""

import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from practices.management.quality import evaluate, run_case

CASES = json.loads((Path(__file__).parent / "search_quality.json").read_text(encoding="utf-8"))
EXACT_KINDS = {"word", "phrase", "acronym", "typo", "spelling", "non-english", "filter-only", "websearch"}
NEEDS = {"need", "paraphrase", "synonym", "objective", "country-topic", "question"}


def test_the_query_set_covers_what_researchers_type():
    kinds = Counter(case["kind"] for case in CASES)
    assert len(CASES) >= 120
    assert EXACT_KINDS <= set(kinds)
    assert sum(kinds[kind] for kind in NEEDS) >= 50
    assert kinds["nothing"] >= 10
    assert all(not case["expect"] for case in CASES if case["kind"] == "nothing")
    assert all(case["expect"] for case in CASES if case["kind"] != "nothing")


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] in EXACT_KINDS], ids=lambda case: case["id"])
def test_expected_practices_are_in_the_top_10(knowledge_base, case):
    result = run_case(case)
    assert result.recall == 1, f"missing {set(case['expect']) - set(result.found)}; top 10: {result.top}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "nothing"], ids=lambda case: case["id"])
def test_queries_about_nothing_here_find_nothing(knowledge_base, case):
    result = run_case(case)
    assert result.total == 0, f"found {result.total}: {result.top}"


@pytest.mark.django_db
def test_the_whole_set_meets_its_targets(knowledge_base):
    results, recall, mrr = evaluate(CASES)
    assert recall >= 0.95
    assert mrr >= 0.85
    assert [r.case["id"] for r in results if r.case["expect"] and r.total == 0] == []
    needs = [r for r in results if r.case["kind"] in NEEDS]
    assert sum(r.recall for r in needs) / len(needs) >= 0.9


@pytest.mark.django_db
def test_the_quality_command_prints_recall_mrr_and_zero_results(knowledge_base):
    _, recall, mrr = evaluate(CASES)
    out = StringIO()
    call_command("search_quality", stdout=out)
    last = out.getvalue().splitlines()[-1].split()
    assert last[:2] == ["all", str(len(CASES))]
    assert float(last[2]) == pytest.approx(recall, abs=1e-3)
    assert float(last[3]) == pytest.approx(mrr, abs=1e-3)
    assert float(last[4]) == 0.0


# Queries first run blind: written by people who had not seen the thesaurus, this query
# set or the search code, from the practices' topics, in eleven rounds: 70 and 60
# queries on 2026-12-07 (sets 1 and 2), 60 and 50 more later that day (sets 3 and 4), then
# 60 and 60 in the next session (sets 5 and 6), 60 and 50 in the one after (sets 7 and 8),
# 60, 60 and 60 in the next (sets 9 to 11), each after the fixes the one before led to. Run
# blind they gave recall@10 / MRR 0.935 / 0.888, 0.942 / 0.880, 0.848 / 0.700,
# 0.815 / 0.697, 0.721 / 0.681, 0.893 / 0.794, 0.850 / 0.900, 0.881 / 0.826,
# 0.878 / 0.860, 0.875 / 0.830 and 0.833 / 0.862 on PostgreSQL over the queries with
# relevant practices, and 7, 3, 8, 5, 6, 6, 5, 1, 5, 6 and 6 of their must-find-nothing
# queries listed something. The fixes made from them
# were general (rules, names and thesaurus entries of established terms), so they are no
# longer blind: they guard against regressions.
# Known failures, kept visible: blind queries with relevant practices whose page is empty.
KNOWN_EMPTY = {
    # GCM objective 2 in other words ("tackle the poverty and lack of decent jobs that drive
    # people abroad, so that staying at home is a real choice"): no practice has half of its
    # words, and the static embedding model puts it nearer objectives 10, 8 and 16 than 2.
    "r43",
    # The champion countries in other words ("more governments genuinely delivering on what
    # they signed in Marrakech and nudging others to follow"): no practice has half of its
    # words, and none is close in meaning to the static model.
    "s38",
}
BLIND = json.loads((Path(__file__).parent / "search_blind.json").read_text(encoding="utf-8"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sets, recall, mrr, noisy",
    [
        (("blind-1", "blind-2"), 0.95, 0.85, 4),
        # The later, harder sets: everyday descriptions of institutions ("UN website where
        # countries swap know-how on the migration pact") and objectives in other words.
        (("blind-3", "blind-4"), 0.88, 0.74, 8),
        # Long descriptions of needs, years, other-language terms, an "or" in a sentence.
        (("blind-5",), 0.90, 0.84, 6),
        (("blind-6",), 0.90, 0.80, 6),
        # Terse keywords, outcomes wanted rather than mechanisms, a non-native speaker.
        (("blind-7",), 0.87, 0.87, 6),
        # Vague memories of a practice, comparisons of regions, synonyms of its key term.
        (("blind-8",), 0.90, 0.85, 3),
        # Advocates, parliamentary researchers, grant writers, American terms, capitals.
        (("blind-9",), 0.91, 0.86, 5),
        # Students, journalists, field staff's jargon, whole queries in Spanish and French.
        (("blind-10",), 0.88, 0.86, 6),
        # A brief-writer, a donor, a lawyer, a teacher, a migrant worker, a think tank, a phone.
        (("blind-11",), 0.82, 0.85, 6),
    ],
)
def test_queries_first_run_blind_keep_their_figures(knowledge_base, sets, recall, mrr, noisy):
    results, _, _ = evaluate([case for case in BLIND if case["set"] in sets])
    needs = [r for r in results if r.case["expect"]]
    assert sum(r.recall for r in needs) / len(needs) >= recall
    assert sum(r.reciprocal_rank for r in needs) / len(needs) >= mrr
    assert [r.case["id"] for r in needs if r.total == 0 and r.case["id"] not in KNOWN_EMPTY] == []
    # Known weakness: an unrelated query sharing a migration word with some practice (and
    # a stem: "naturalisation" / "natural persons") may still list something.
    noise = [r.case["query"] for r in results if not r.case["expect"] and r.total]
    assert len(noise) <= noisy, noise
