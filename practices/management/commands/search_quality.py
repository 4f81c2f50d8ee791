import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from practices.quality import evaluate

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
            if result.recall < 1:
                self.stdout.write(
                    f"MISS {result.case['id']}: {result.case['query']!r} "
                    f"{result.case.get('filters') or ''} — missing "
                    f"{sorted(set(result.case['expect']) - set(result.found))}"
                )
        self.stdout.write(f"{'kind':<12} {'queries':>7} {'recall@' + str(k):>10} {'MRR':>6}")
        for kind, group in sorted(by_kind.items()):
            kind_recall = sum(r.recall for r in group) / len(group)
            kind_mrr = sum(r.reciprocal_rank for r in group) / len(group)
            self.stdout.write(f"{kind:<12} {len(group):>7} {kind_recall:>10.3f} {kind_mrr:>6.3f}")
        self.stdout.write(f"{'all':<12} {len(results):>7} {recall:>10.3f} {mrr:>6.3f}")
