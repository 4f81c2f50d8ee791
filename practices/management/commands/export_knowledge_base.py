from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from practices import backup


class Command(BaseCommand):
    help = (
        "Back up the whole knowledge base to PATH: practices, citations, source documents, "
        "vocabularies, the thesaurus, the seed loader's bookkeeping, the curators' history, and "
        "the user accounts and groups, WITH THEIR PASSWORD HASHES (so a restore brings back "
        "curators' logins): keep backups as private as the database. One JSON file, "
        "gzip-compressed if PATH ends in .gz, readable by import_knowledge_base on SQLite or "
        "PostgreSQL. Search indexes are not included: a restore rebuilds them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="the file to write, e.g. kb-2026-12-07.json.gz (replaced if it exists)"
        )

    def handle(self, *args, path, **options):
        try:
            header = backup.export(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:  # no database to reach, or one this site did not make
            raise CommandError(f"The database cannot be used: {error}") from None
        for label, count in header["counts"].items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Knowledge base written to {path}."))
