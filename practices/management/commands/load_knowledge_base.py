from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from practices.loading import load_knowledge_base

# The knowledge base, then the search thesaurus (loaded the same way: curators' edits kept).
DEFAULT_FIXTURES = [
    Path(settings.BASE_DIR) / "fixtures" / "knowledge_base.json",
    Path(settings.BASE_DIR) / "fixtures" / "thesaurus.json",
]
OUTCOMES = ["created", "updated", "unchanged", "kept", "kept-deleted", "kept-existing"]
EXPLAIN = {
    "kept": "changed in the admin since the last load",
    "kept-deleted": "deleted in the admin since the last load",
    "kept-existing": "existed before the first load and differs from the fixture",
}


class Command(BaseCommand):
    help = (
        "Load or refresh the knowledge base from fixtures/knowledge_base.json and the search "
        "thesaurus from fixtures/thesaurus.json. Idempotent; "
        "records changed by a curator since the last load are listed and left alone unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixture", action="append", help="a fixture to load (repeatable; default: both above)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite records curators changed (their versions stay in the history).",
        )

    def handle(self, *args, fixture, force, **options):
        paths = [Path(f) for f in fixture] if fixture else DEFAULT_FIXTURES
        for path in paths:
            if not path.exists():
                raise CommandError(f"No fixture at {path}. Build it with `manage.py build_seed_fixtures`.")
        for path in paths:
            self.load(path, force)
        self.stdout.write(self.style.SUCCESS("Knowledge base loaded."))

    def load(self, path, force):
        self.stdout.write(f"Loading {path.name}{' (forced)' if force else ''} ...")
        report = load_knowledge_base(
            path, force=force, progress=lambda done, total: self.stdout.write(f"  {done}/{total} records")
        )
        for model_label, counts in report.by_model().items():
            parts = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o])
            self.stdout.write(f"  {model_label}: {parts}")
        if report.kept:
            self.stdout.write(self.style.WARNING(f"{len(report.kept)} record(s) left as curators have them:"))
            for model_label, outcome, key in report.kept:
                self.stdout.write(f"  {model_label} {key}: {EXPLAIN[outcome]}")
            self.stdout.write("Run again with --force to overwrite them.")
        if report.dropped:
            self.stdout.write(
                f"{len(report.dropped)} record(s) from earlier loads are no longer in the fixture; "
                "left in place (delete them in the admin if they should go):"
            )
            for model_label, key in report.dropped:
                self.stdout.write(f"  {model_label} {key}")
