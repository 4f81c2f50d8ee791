# PostgreSQL only: practices_best_among(query, n, member), the n practices whose head best
# matches the query among those of a bitset (bit i of the bytes, least significant first,
# set for practice i: practices.search.bits), with the rows the search page ranks in the
# same statement (lexical.best()).
#
# practices_best() (migration 0012) ranked every match and the page kept the best three
# times as many as it wanted, then asked for their rows in a second statement, and for a
# third when too few were wanted (a relaxed query, whose results are a minority of the
# matches). Filtering by the bitset while ranking answers in one statement, exactly; it
# replaces practices_best().
from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION practices_best_among(query tsquery, n integer, member bytea) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    AS $$
        SELECT practice_id FROM practices_practice_heads
        WHERE head @@ query
          -- CASE, not AND: SQL does not promise to test the bound first.
          AND CASE WHEN practice_id < octet_length(member)::bigint * 8
                   THEN get_bit(member, practice_id) = 1 ELSE false END
        ORDER BY ts_rank(head, query) DESC, practice_id LIMIT n
    $$;
DROP FUNCTION practices_best(tsquery, integer);
"""
POSTGRES_BACKWARD = """
DROP FUNCTION IF EXISTS practices_best_among(tsquery, integer, bytea);
CREATE OR REPLACE FUNCTION practices_best(query tsquery, n integer) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    AS $$
        SELECT practice_id FROM practices_practice_heads WHERE head @@ query
        ORDER BY ts_rank(head, query) DESC, practice_id LIMIT n
    $$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0016_word_postings"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
