"""Search quality: recall@k and mean reciprocal rank over a set of researcher queries.

A case is ``{"id", "kind", "query", "filters": {param: [values]}, "expect": [slugs]}``
(see tests/practices/search_quality.json). Each runs exactly as the search page runs it,
typo correction included.
"""

from dataclasses import dataclass

from django.http import QueryDict

from practices.filters import search_practices


@dataclass
class CaseResult:
    case: dict
    top: list
    corrected_from: str | None

    @property
    def found(self):
        return [slug for slug in self.case["expect"] if slug in self.top]

    @property
    def recall(self):
        return len(self.found) / len(self.case["expect"])

    @property
    def reciprocal_rank(self):
        ranks = [self.top.index(slug) + 1 for slug in self.found]
        return 1 / min(ranks) if ranks else 0.0


def run_case(case, k=10):
    data = QueryDict(mutable=True)
    if case.get("query"):
        data["q"] = case["query"]
    for name, values in case.get("filters", {}).items():
        data.setlist(name, values)
    filterset, _, corrected_from = search_practices(data)
    top = list(filterset.qs.values_list("slug", flat=True)[:k])
    return CaseResult(case=case, top=top, corrected_from=corrected_from)


def evaluate(cases, k=10):
    """Per-case results, mean recall@k and mean reciprocal rank."""
    results = [run_case(case, k) for case in cases]
    recall = sum(r.recall for r in results) / len(results)
    mrr = sum(r.reciprocal_rank for r in results) / len(results)
    return results, recall, mrr
