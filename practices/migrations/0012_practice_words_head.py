# PostgreSQL only: a small "head" vector (title and aliases, weight A; summary, weight B)
# beside each practice's full vector in practices_practice_words, for ranking.
#
# A broad word matches ~90,000 practices at 100,000. Ranking them with ts_rank() on the
# full vector reads every matching practice row (~4 KB each, the vector kept in the row),
# ~130 ms whatever the plan. The head vector is a few hundred bytes, stored PLAIN (never
# compressed or moved out of line) in the narrow words table, so ranking every match there
# costs a fraction of that; the search page filters the best few by its facet bitsets in
# memory (lexical.best()). Titles and summaries are where a practice says what it is; the
# description and cited passages still decide which practices match. practices_best(query,
# n) runs it: ~45 ms for 90,000 matches, where ranking the practice rows took ~130 ms.
#
# Kept by the same trigger as the full vector (migration 0008), so no edit leaves it stale.
from django.db import migrations

HEAD = (
    "setweight(to_tsvector('english', coalesce({row}.title, '') || ' ' || coalesce({row}.aliases, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce({row}.summary, '')), 'B')"
)

POSTGRES_FORWARD = f"""
ALTER TABLE practices_practice_words ADD COLUMN head tsvector;
ALTER TABLE practices_practice_words ALTER COLUMN head SET STORAGE PLAIN;
CREATE OR REPLACE FUNCTION practices_practice_words_update() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM practices_practice_words WHERE practice_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO practices_practice_words (practice_id, search_vector, head)
        VALUES (NEW.id, NEW.search_vector, {HEAD.format(row="NEW")})
        ON CONFLICT (practice_id) DO UPDATE
        SET search_vector = EXCLUDED.search_vector, head = EXCLUDED.head;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
UPDATE practices_practice_words w SET head = {HEAD.format(row="p")}
    FROM practices_practice p WHERE p.id = w.practice_id;
-- The n best matches by their head vector. enable_seqscan off for itself, as
-- practices_matching(): the planner would otherwise read every out-of-line full vector.
CREATE FUNCTION practices_best(query tsquery, n integer) RETURNS SETOF bigint
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$
        SELECT practice_id FROM practices_practice_words WHERE search_vector @@ query
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
ALTER TABLE practices_practice_words DROP COLUMN head;
"""


def add_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def drop_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0011_thesaurus_and_embeddings"),
    ]

    operations = [
        migrations.RunPython(add_head, drop_head),
    ]
