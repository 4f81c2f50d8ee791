"""Search quality: recall@k and mean reciprocal rank over a set of researcher queries.

A case is ``{"id", "kind", "query", "filters": {param: [values]}, "expect": [slugs]}``
(see tests/practices/search_quality.json). Each runs exactly as the search page runs it,
typo correction included.
"""

from dataclasses import dataclass

from django.http import QueryDict

from practices.models import Practice
from practices.search.page import SearchPage


@dataclass
class CaseResult:
    case: dict
    top: list
    corrected_from: str | None
    total: int = 0

    @property
    def expects_nothing(self):
        return not self.case["expect"]

    @property
    def passed(self):
        return self.total == 0 if self.expects_nothing else self.recall == 1

    @property
    def found(self):
        return [slug for slug in self.case["expect"] if slug in self.top]

    @property
    def recall(self):
        if self.expects_nothing:
            return 1.0 if self.total == 0 else 0.0
        return len(self.found) / len(self.case["expect"])

    @property
    def reciprocal_rank(self):
        if self.expects_nothing:
            return self.recall
        ranks = [self.top.index(slug) + 1 for slug in self.found]
        return 1 / min(ranks) if ranks else 0.0


def run_case(case, k=10):
    data = QueryDict(mutable=True)
    if case.get("query"):
        data["q"] = case["query"]
    for name, values in case.get("filters", {}).items():
        data.setlist(name, values)
    page = SearchPage.run(data)
    ids = page.ordered_ids(k)
    slugs = dict(Practice.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return CaseResult(
        case=case, top=[slugs[pk] for pk in ids], corrected_from=page.corrected_from, total=page.total
    )


def evaluate(cases, k=10):
    """Per-case results, mean recall@k and mean reciprocal rank."""
    results = [run_case(case, k) for case in cases]
    recall = sum(r.recall for r in results) / len(results)
    mrr = sum(r.reciprocal_rank for r in results) / len(results)
    return results, recall, mrr
