import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from practices.management.quality import evaluate

DEFAULT_CASES = Path(settings.BASE_DIR) / "tests" / "practices" / "search_quality.json"


class Command(BaseCommand):
    help = "Print recall@10 and mean reciprocal rank of the search over the researcher query set."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_CASES, help="query set (JSON)")
        parser.add_argument("-k", type=int, default=10, help="cut-off rank (default 10)")

    def handle(self, *args, file, k, **options):
        try:
            cases = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the query set {file}: {error}") from error
        results, recall, mrr = evaluate(cases, k)
        by_kind = defaultdict(list)
        for result in results:
            by_kind[result.case["kind"]].append(result)
            if result.expects_nothing and result.total:
                self.stdout.write(
                    f"FOUND {result.case['id']}: {result.case['query']!r} should find nothing, "
                    f"found {result.total}: {result.top[:3]}"
                )
            elif not result.expects_nothing and result.recall < 1:
                self.stdout.write(
                    f"MISS {result.case['id']}: {result.case['query']!r} "
                    f"{result.case.get('filters') or ''} — missing "
                    f"{sorted(set(result.case['expect']) - set(result.found))}"
                )
        self.stdout.write(
            f"{'kind':<14} {'queries':>7} {'recall@' + str(k):>10} {'MRR':>6} {'zero-result':>12}"
        )
        for kind, group in sorted(by_kind.items()):
            self.stdout.write(self.row(kind, group))
        self.stdout.write(self.row("all", results, recall, mrr))

    @staticmethod
    def row(kind, group, recall=None, mrr=None):
        """One line: recall@k and MRR (a must-find-nothing query scores 1 when it finds
        nothing), and the share of queries expecting practices that found none."""
        recall = sum(r.recall for r in group) / len(group) if recall is None else recall
        mrr = sum(r.reciprocal_rank for r in group) / len(group) if mrr is None else mrr
        expecting = [r for r in group if not r.expects_nothing]
        zero = sum(1 for r in expecting if r.total == 0) / len(expecting) if expecting else 0.0
        shown = f"{zero:.3f}" if expecting else "-"
        return f"{kind:<14} {len(group):>7} {recall:>10.3f} {mrr:>6.3f} {shown:>12}"
