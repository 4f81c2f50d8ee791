"""The seed knowledge base, loaded once per test session and copied back with plain SQL.

Loading the seed through ``load_knowledge_base`` takes 5-15 s (every record goes through the
model's save, django-reversion and the index owner), and eight test modules need it. The
first of them loads it; this snapshot then keeps the rows of the tables it filled, and the
others get the same rows back in well under a second, on SQLite and PostgreSQL alike.

Only tables Django manages are copied. The search tables the databases keep by trigger from
each practice row (SQLite's FTS5 table, PostgreSQL's search vector and words table) are
refilled by those triggers as the practice rows go back in; every other derived table
(known words, meaning vectors, facet keys) is a managed table and is copied as it was.
"""

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from practices.models import SearchIndexVersion

APPS = ("practices", "sources", "reversion")


def snapshot_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS and model._meta.managed and not model._meta.proxy
    ]


def _rows(model):
    columns = [field.column for field in model._meta.local_concrete_fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(model._meta.db_table)}")
        return columns, cursor.fetchall()


def primary_keys():
    """{model: set of primary keys} of the rows there before a load (the reference
    vocabularies the migrations write), which a snapshot leaves out."""
    keys = {}
    for model in snapshot_models():
        columns, rows = _rows(model)
        position = columns.index(model._meta.pk.column)
        keys[model] = {row[position] for row in rows}
    return keys


class TableSnapshot:
    def __init__(self, tables):
        self.tables = tables  # [(model, table, columns, rows)]

    @classmethod
    def take(cls, before):
        """The rows added since ``before`` (``primary_keys()``). Rows the load changed rather
        than added stay changed in the database (nothing deletes them between modules)."""
        tables = []
        for model in snapshot_models():
            columns, rows = _rows(model)
            position = columns.index(model._meta.pk.column)
            added = [row for row in rows if row[position] not in before.get(model, ())]
            if added:
                tables.append((model, model._meta.db_table, columns, added))
        return cls(tables)

    @transaction.atomic
    def restore(self):
        """Write the rows back, replacing any left with the same keys (the token's row, say).
        Foreign keys are checked when the transaction commits, so the order does not matter."""
        with connection.cursor() as cursor:
            for model, table, columns, rows in self.tables:
                position = columns.index(model._meta.pk.column)
                keys = [row[position] for row in rows]
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    cursor.execute(
                        f"DELETE FROM {connection.ops.quote_name(table)} "
                        f"WHERE {connection.ops.quote_name(model._meta.pk.column)} "
                        f"IN ({', '.join(['%s'] * len(chunk))})",
                        chunk,
                    )
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", rows
                )
            # PostgreSQL's id sequences must move past the ids written (SQLite needs nothing).
            for statement in connection.ops.sequence_reset_sql(no_style(), [m for m, *_ in self.tables]):
                cursor.execute(statement)
        # A fresh token: no process keeps an index built for another content under this one.
        SearchIndexVersion.bump()

    def __len__(self):
        return sum(len(rows) for *_, rows in self.tables)
