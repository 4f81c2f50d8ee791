# PostgreSQL only: a small "head" vector per practice (title and aliases, weight A;
# summary, weight B) in a narrow table of its own, GIN-indexed, for ranking.
#
# A broad word matches ~90,000 practices at 100,000. Ranking them with ts_rank() on the
# full vector reads every matching practice row (~4 KB each, the vector kept in the row),
# ~130 ms whatever the plan. practices_best(query, n) ranks instead the practices whose
# head matches, by their head (a few hundred bytes each): the search page keeps the best it
# wants with its result bitset (lexical.best()). Titles and summaries are where a practice
# says what it is; a practice matching only in its description or cited passages ranks
# after them anyway (its head's rank would be 0), and still matches.
#
# A table of its own rather than a column of practices_practice_words, whose rows stay
# ~50 bytes so that finding every match (practices_matching(), migration 0008) stays cheap.
# Kept by the same trigger as that table, so no edit leaves it stale.
from django.db import migrations

HEAD = (
    "setweight(to_tsvector('english', coalesce({row}.title, '') || ' ' || coalesce({row}.aliases, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce({row}.summary, '')), 'B')"
)

POSTGRES_FORWARD = f"""
CREATE TABLE practices_practice_heads (
    practice_id bigint PRIMARY KEY,
    head tsvector
);
-- Compressed or moved out of line only if a summary is very long: ranking reads it.
ALTER TABLE practices_practice_heads ALTER COLUMN head SET STORAGE MAIN;
CREATE OR REPLACE FUNCTION practices_practice_words_update() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM practices_practice_words WHERE practice_id = OLD.id;
        DELETE FROM practices_practice_heads WHERE practice_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO practices_practice_words (practice_id, search_vector) VALUES (NEW.id, NEW.search_vector)
        ON CONFLICT (practice_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
    INSERT INTO practices_practice_heads (practice_id, head) VALUES (NEW.id, {HEAD.format(row="NEW")})
        ON CONFLICT (practice_id) DO UPDATE SET head = EXCLUDED.head;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
INSERT INTO practices_practice_heads (practice_id, head)
    SELECT p.id, {HEAD.format(row="p")} FROM practices_practice p;
-- Serves: practices_best(), the practices whose head matches a query.
CREATE INDEX practices_practice_heads_idx ON practices_practice_heads USING gin (head);
-- The n practices whose head best matches the query.
CREATE FUNCTION practices_best(query tsquery, n integer) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    AS $$
        SELECT practice_id FROM practices_practice_heads WHERE head @@ query
        ORDER BY ts_rank(head, query) DESC, practice_id LIMIT n
    $$;
"""
POSTGRES_BACKWARD = """
DROP FUNCTION IF EXISTS practices_best(tsquery, integer);
CREATE OR REPLACE FUNCTION practices_practice_words_update() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM practices_practice_words WHERE practice_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO practices_practice_words (practice_id, search_vector) VALUES (NEW.id, NEW.search_vector)
        ON CONFLICT (practice_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TABLE IF EXISTS practices_practice_heads;
"""


def create_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def drop_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0011_thesaurus_and_embeddings"),
    ]

    operations = [
        migrations.RunPython(create_heads, drop_heads),
    ]
