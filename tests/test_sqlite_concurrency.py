"""Two curators saving at once on SQLite: the second waits for the first, it never fails.

The audit saw 122 of 313 concurrent admin saves answer 500 "database is locked": a
transaction that reads and then writes has to upgrade its lock, and SQLite refuses the
upgrade at once, whatever the busy timeout, while another writer holds it. The settings
make every transaction take the write lock when it begins (``transaction_mode``).

The test database of the suite lives in memory, where locking differs, so these writers
use a database file of their own, opened with the site's own connection options.
"""

import copy
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="PostgreSQL locks rows; this is about SQLite's database-wide write lock",
)

WRITERS = 2
SAVES = 60


def save_concurrently(tmp_path, django_db_blocker, **option_changes):
    """Run WRITERS threads of SAVES read-then-write transactions; the errors they met."""
    alias = "concurrent_curators"
    options = {**settings.DATABASES["default"].get("OPTIONS", {}), **option_changes}
    connections.settings[alias] = {
        **copy.deepcopy(settings.DATABASES["default"]),
        "NAME": str(tmp_path / "curators.sqlite3"),
        "OPTIONS": options,
        "TEST": {},
    }
    errors = []
    start = threading.Barrier(WRITERS)

    def curator(name):
        connection = connections[alias]
        try:
            start.wait()
            for _ in range(SAVES):
                try:
                    with transaction.atomic(using=alias), connection.cursor() as cursor:
                        # What an admin save does: read the row, then write.
                        cursor.execute("SELECT count(*) FROM saves")
                        seen = cursor.fetchone()[0]
                        time.sleep(0.002)
                        cursor.execute("INSERT INTO saves (curator, seen) VALUES (%s, %s)", [name, seen])
                except OperationalError as error:
                    errors.append(str(error))
        finally:
            connection.close()

    with django_db_blocker.unblock():
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("CREATE TABLE saves (id INTEGER PRIMARY KEY, curator TEXT, seen INTEGER)")
            connections[alias].close()
            threads = [threading.Thread(target=curator, args=(f"curator {n}",)) for n in range(WRITERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM saves")
                saved = cursor.fetchone()[0]
                cursor.execute("PRAGMA journal_mode")
                journal = cursor.fetchone()[0]
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
    return errors, saved, journal


def test_concurrent_curators_all_save(tmp_path, django_db_blocker):
    errors, saved, journal = save_concurrently(tmp_path, django_db_blocker)
    assert errors == []
    assert saved == WRITERS * SAVES
    assert journal == "wal"  # readers are not blocked by a writer


def test_without_immediate_transactions_they_collide(tmp_path, django_db_blocker):
    # The same writers with SQLite's default: proves the test above can fail.
    errors, saved, _ = save_concurrently(tmp_path, django_db_blocker, transaction_mode="DEFERRED")
    assert errors and all("locked" in error for error in errors)
    assert saved < WRITERS * SAVES
