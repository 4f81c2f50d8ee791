# PostgreSQL only: which practices match the words, found without reading the practice rows.
#
# practices_practice keeps its weighted search_vector in the row (STORAGE MAIN, migration
# 0004) because ranking reads it; that makes the table ~4 KB a row, and finding the
# ~90,000 practices a common word matches at 100,000 practices means reading all of it
# (~140 ms) whatever plan is used, since PostgreSQL visits each row a GIN index points to.
# This table holds the same vector again, out of line (STORAGE EXTERNAL, TOAST target 128
# bytes), so its rows are ~50 bytes: a GIN bitmap scan finds the ids of every matching
# practice in ~20 ms without reading any vector (plain words need no recheck).
# practices_matching(query) runs that scan; it sets enable_seqscan off for itself because
# the planner, not knowing that a sequential scan would read every out-of-line vector,
# prefers one for common words (~700 ms). Ranking still reads practices_practice, for the
# practices that pass the page's filters (PracticeFilter.tally).
#
# Kept by triggers from practices_practice (insert, delete, and updates that change the
# vector), so no edit leaves it stale. Unmanaged by Django, like SQLite's FTS5 table: a
# flush leaves rows behind, which match no practice and are replaced if their id returns.

from django.db import migrations

POSTGRES_FORWARD = """
CREATE TABLE practices_practice_words (
    practice_id bigint PRIMARY KEY,
    search_vector tsvector
) WITH (toast_tuple_target = 128);
ALTER TABLE practices_practice_words ALTER COLUMN search_vector SET STORAGE EXTERNAL;

CREATE FUNCTION practices_practice_words_update() RETURNS trigger AS $$
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

CREATE TRIGGER practices_practice_words_insert_delete AFTER INSERT OR DELETE ON practices_practice
    FOR EACH ROW EXECUTE FUNCTION practices_practice_words_update();
CREATE TRIGGER practices_practice_words_update AFTER UPDATE ON practices_practice
    FOR EACH ROW WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector)
    EXECUTE FUNCTION practices_practice_words_update();

INSERT INTO practices_practice_words (practice_id, search_vector)
    SELECT id, search_vector FROM practices_practice;
CREATE INDEX practices_practice_words_idx ON practices_practice_words USING gin (search_vector);

CREATE FUNCTION practices_matching(query tsquery) RETURNS SETOF bigint
    LANGUAGE sql STABLE SET enable_seqscan = off
    AS $$ SELECT practice_id FROM practices_practice_words WHERE search_vector @@ query $$;
"""

POSTGRES_BACKWARD = """
DROP FUNCTION IF EXISTS practices_matching(tsquery);
DROP TRIGGER IF EXISTS practices_practice_words_update ON practices_practice;
DROP TRIGGER IF EXISTS practices_practice_words_insert_delete ON practices_practice;
DROP FUNCTION IF EXISTS practices_practice_words_update();
DROP TABLE IF EXISTS practices_practice_words;
"""


def create_words_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def drop_words_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0007_search_index_version"),
    ]

    operations = [
        migrations.RunPython(create_words_table, drop_words_table),
    ]
