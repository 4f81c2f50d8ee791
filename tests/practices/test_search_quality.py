"""The researcher query set: every expected practice in the top 10, on both databases."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from practices.quality import evaluate, run_case

CASES = json.loads((Path(__file__).parent / "search_quality.json").read_text(encoding="utf-8"))


def test_the_query_set_covers_what_researchers_type():
    kinds = {case["kind"] for case in CASES}
    assert len(CASES) >= 30
    assert {"word", "phrase", "acronym", "typo", "spelling", "non-english", "filter-only"} <= kinds


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_expected_practices_are_in_the_top_10(knowledge_base, case):
    result = run_case(case)
    assert result.recall == 1, f"missing {set(case['expect']) - set(result.found)}; top 10: {result.top}"


@pytest.mark.django_db
def test_the_quality_command_prints_recall_and_mrr(knowledge_base):
    _, recall, mrr = evaluate(CASES)
    out = StringIO()
    call_command("search_quality", stdout=out)
    last = out.getvalue().splitlines()[-1].split()
    assert last[:2] == ["all", str(len(CASES))]
    assert float(last[2]) == pytest.approx(recall, abs=1e-3)
    assert float(last[3]) == pytest.approx(mrr, abs=1e-3)
