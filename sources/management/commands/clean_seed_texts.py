"""Generate fixtures/source_texts/<slug>.txt, the cleaned full text of each seed document.

python manage.py clean_seed_texts            # (re)write the five files
python manage.py clean_seed_texts --check    # fail if the files differ from the cleaner
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.cleaning import clean_text

# Seed file name -> source slug (fixtures/extraction/SCHEMA.md).
SEED_SLUGS: dict[str, str] = {
    "000_b67e7a714672903f.txt": "gfmd-2011-cluster-ii-summary-report",
    "001_e6bbbed47b9b3eb5.txt": "gfmd-2010-roundtable-1-1-background-paper",
    "002_61522b329e501ec7.txt": "icmpd-input-tenth-coordination-meeting-2012",
    "003_3bbc0a1064af9942.txt": "un-desa-social-perspective-on-international-migration-2004",
    "004_42d782963a9d3bb8.txt": "gcm-slides-roundtable-global-migration-law-2023",
}

# Layout damage in single documents that no general rule can repair safely. Literal
# (old, new) replacements on the raw text; they move or drop layout only, never words.
SEED_FIXUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "001_e6bbbed47b9b3eb5.txt": (
        # Footnote marker 2 glued to a year ("in 2009" + "2") and its body printed
        # without its number.
        ("for 35 percent of all new LPRs in 20092.", "for 35 percent of all new LPRs in 2009[2]."),
        ("\n Annual Flow Report, U.S.", "\n2\n Annual Flow Report, U.S."),
        # Footnote numbers 4 and 10 were printed after their bodies.
        ("\nThe FMTF was created on the 12 March", "\n4\nThe FMTF was created on the 12 March"),
        ("72 hours.\n4\n Appendix.", "72 hours.\n Appendix."),
        (
            "\nhttp://www.iom.int/jahia/Jahia/policy-research",
            "\n10\nhttp://www.iom.int/jahia/Jahia/policy-research",
        ),
        ("acpmigration09_workshop.html\n10\n", "acpmigration09_workshop.html\n"),
    ),
    "004_42d782963a9d3bb8.txt": (
        # Logo text and an icon read as letters on two slides.
        ("\nINTERNATIONAL MIGRAT\n\nNetwork on Migration\n", "\n"),
        ("\nSS\n", "\n"),
    ),
}


class Command(BaseCommand):
    help = "Write the cleaned full text of each seed document to fixtures/source_texts/."

    def add_arguments(self, parser):
        base = Path(settings.BASE_DIR)
        parser.add_argument(
            "--seeds-dir",
            default=str(base.parent / "shared" / "seeds"),
            help="Directory holding the raw seed files (default: <BASE_DIR>/../shared/seeds).",
        )
        parser.add_argument(
            "--out-dir",
            default=str(base / "fixtures" / "source_texts"),
            help="Directory for <slug>.txt (default: <BASE_DIR>/fixtures/source_texts).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero if a stored file differs from the cleaner.",
        )

    def handle(self, *args, **options):
        seeds_dir = Path(options["seeds_dir"])
        out_dir = Path(options["out_dir"])
        if not seeds_dir.is_dir():
            raise CommandError(f"Seeds directory not found: {seeds_dir}")
        if not options["check"]:
            out_dir.mkdir(parents=True, exist_ok=True)

        stale: list[str] = []
        for name, slug in SEED_SLUGS.items():
            src = seeds_dir / name
            if not src.is_file():
                raise CommandError(f"Seed file not found: {src}")
            try:
                raw = src.read_text(encoding="utf-8")
                cleaned = clean_text(raw, fixups=SEED_FIXUPS.get(name, ()))
            except ValueError as exc:
                raise CommandError(f"{name}: {exc}") from exc
            content = cleaned + "\n"
            target = out_dir / f"{slug}.txt"
            paragraphs = cleaned.count("\n\n") + 1 if cleaned else 0
            summary = f"{target.name}: {paragraphs} paragraphs, {len(content)} characters"
            if options["check"]:
                current = target.read_text(encoding="utf-8") if target.is_file() else None
                if current != content:
                    stale.append(target.name)
                    self.stdout.write(f"DIFFERS {summary}")
                else:
                    self.stdout.write(f"ok {summary}")
            else:
                target.write_text(content, encoding="utf-8", newline="\n")
                self.stdout.write(summary)

        if stale:
            raise CommandError("Stored cleaned texts differ from the cleaner: " + ", ".join(stale))
