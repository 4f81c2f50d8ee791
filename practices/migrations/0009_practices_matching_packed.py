# PostgreSQL only: practices_matching(query) returns the matching ids packed into one bytea
# (8 bytes each, big-endian, as int8send() writes them) instead of one row each.
#
# A broad word matches ~90,000 practices at 100,000. As a set-returning function with a SET
# clause, practices_matching() cannot be inlined, so its rows went through a tuplestore
# (~25 ms), then one Python tuple each through psycopg2 (~30 ms). Packed, the same ids
# arrive as one value that becomes an array without a loop (search.matching_ids()).

from django.db import migrations

POSTGRES_FORWARD = """
DROP FUNCTION practices_matching(tsquery);
CREATE FUNCTION practices_matching(query tsquery) RETURNS bytea
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$
        SELECT string_agg(int8send(practice_id), ''::bytea)
        FROM practices_practice_words WHERE search_vector @@ query
    $$;
"""

POSTGRES_BACKWARD = """
DROP FUNCTION practices_matching(tsquery);
CREATE FUNCTION practices_matching(query tsquery) RETURNS SETOF bigint
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$ SELECT practice_id FROM practices_practice_words WHERE search_vector @@ query $$;
"""


def pack_matches(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def unpack_matches(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0008_practice_words"),
    ]

    operations = [
        migrations.RunPython(pack_matches, unpack_matches),
    ]
