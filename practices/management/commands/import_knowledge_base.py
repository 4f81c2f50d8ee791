from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from practices import backup


class Command(BaseCommand):
    help = (
        "Restore the knowledge base from a backup written by export_knowledge_base (on SQLite or "
        "PostgreSQL, either way), into a migrated database, in one transaction, then rebuild the "
        "search indexes. Refuses a database that already holds a knowledge base unless --replace. "
        "User accounts in the backup (password hashes included) replace the accounts of the same "
        "name; other accounts are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a backup file (.json or .json.gz)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the knowledge base this database holds (practices, sources, vocabularies, "
            "thesaurus, history) and put the backup's in its place.",
        )

    def handle(self, *args, path, replace, **options):
        try:
            restored = backup.read(path)
            self.stdout.write(
                f"Backup of {restored.header.get('created')} ({restored.header.get('database')}):"
            )
            backup.restore(restored, replace=replace)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:  # no database to reach, or one this site did not make
            raise CommandError(f"The database cannot be used: {error}") from None
        for label, count in restored.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS("Knowledge base restored; search indexes rebuilt."))
