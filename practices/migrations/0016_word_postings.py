# PostgreSQL only: an inverted index of our own, one posting bitmap per word, so that
# finding which practices match a concept is a few bitmap operations in Python rather than
# a GIN scan (lexical.matching_bits()).
#
# A concept ORs several terms ("legal status", regularisation, "residence permit"…), and
# common words occur in half the practices: at 100,000 practices, PostgreSQL walks the
# union of their GIN posting lists and fetches each matching row's id from the heap,
# 13–60 ms a concept. Here each lexeme's practices are bits, in blocks of 1,024 ids (a row
# of 128 bytes per block in which the lexeme occurs): reading the ~100 blocks of a common
# word takes well under a millisecond, as search engines keep a bitmap per word
# (Meilisearch's roaring bitmaps). Phrases still go to the GIN index, which knows positions.
#
# Kept by statement-level triggers on practices_practice, from the transition tables, so
# that a bulk insert of a thousand practices updates each (lexeme, block) once, and no
# edit leaves it stale: an update clears the bits of the old vector's lexemes and sets
# those of the new one (only where the vector changed); a delete clears them; a TRUNCATE
# (Django's flush) empties it. Blocks whose bits are all cleared stay, matching nothing.
# Writers take one transaction-level advisory lock before touching it: saves that share a
# common word share its rows, and two of them locking those rows in different orders
# would deadlock. Curators' saves are few; they wait for each other's commit instead.
# Unmanaged by Django, like the other search tables.

from django.db import migrations

# The bitmap of each (lexeme, block) of a set of rows with (id, search_vector).
POSTINGS_OF = """
    SELECT lexeme, (id >> 10)::integer AS block, bit_or(B'1'::bit(1024) >> (id & 1023)::integer) AS bits
    FROM {rows}, unnest(tsvector_to_array(search_vector)) AS lexeme
    GROUP BY 1, 2
"""
LOCK = "PERFORM pg_advisory_xact_lock(hashtext('practices_word_postings'));"


def set_bits(rows):
    """Set the bits of ``rows``' lexemes, in (lexeme, block) order, so that two
    transactions lock rows in the same order."""
    return f"""
    INSERT INTO practices_word_postings (lexeme, block, bits)
        SELECT * FROM ({POSTINGS_OF.format(rows=rows)}) AS added ORDER BY 1, 2
        ON CONFLICT (lexeme, block) DO UPDATE SET bits = practices_word_postings.bits | EXCLUDED.bits;"""


def clear_bits(rows):
    """Clear the bits of ``rows``' lexemes."""
    return f"""
    UPDATE practices_word_postings AS p SET bits = p.bits & ~removed.bits
        FROM ({POSTINGS_OF.format(rows=rows)}) AS removed
        WHERE p.lexeme = removed.lexeme AND p.block = removed.block;"""


# The rows of an UPDATE whose vector changed, as they were (side "o") or are now ("n").
CHANGED = """(
    SELECT {side}.id, {side}.search_vector FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.search_vector IS DISTINCT FROM o.search_vector
) AS changed"""

POSTGRES_FORWARD = f"""
CREATE TABLE practices_word_postings (
    lexeme text NOT NULL,
    block integer NOT NULL,
    bits bit(1024) NOT NULL,
    PRIMARY KEY (lexeme, block)
);

CREATE FUNCTION practices_word_postings_set() RETURNS trigger AS $$
BEGIN
    {LOCK}
    {set_bits("new_rows")}
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION practices_word_postings_clear() RETURNS trigger AS $$
BEGIN
    {LOCK}
    {clear_bits("old_rows")}
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION practices_word_postings_update() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {CHANGED.format(side="o")}) THEN
        RETURN NULL;  -- a status or date change: no word changed, no lock
    END IF;
    {LOCK}
    {clear_bits(CHANGED.format(side="o"))}
    {set_bits(CHANGED.format(side="n"))}
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION practices_word_postings_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE practices_word_postings;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER practices_word_postings_insert AFTER INSERT ON practices_practice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION practices_word_postings_set();
CREATE TRIGGER practices_word_postings_update AFTER UPDATE ON practices_practice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION practices_word_postings_update();
CREATE TRIGGER practices_word_postings_delete AFTER DELETE ON practices_practice
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION practices_word_postings_clear();
CREATE TRIGGER practices_word_postings_truncate AFTER TRUNCATE ON practices_practice
    FOR EACH STATEMENT EXECUTE FUNCTION practices_word_postings_truncate();

INSERT INTO practices_word_postings (lexeme, block, bits)
    {POSTINGS_OF.format(rows="practices_practice")};
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS practices_word_postings_insert ON practices_practice;
DROP TRIGGER IF EXISTS practices_word_postings_update ON practices_practice;
DROP TRIGGER IF EXISTS practices_word_postings_delete ON practices_practice;
DROP TRIGGER IF EXISTS practices_word_postings_truncate ON practices_practice;
DROP FUNCTION IF EXISTS practices_word_postings_set();
DROP FUNCTION IF EXISTS practices_word_postings_clear();
DROP FUNCTION IF EXISTS practices_word_postings_update();
DROP FUNCTION IF EXISTS practices_word_postings_truncate();
DROP TABLE IF EXISTS practices_word_postings;
"""


def create_postings(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def drop_postings(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0015_contributions"),
    ]

    operations = [
        migrations.RunPython(create_postings, drop_postings),
    ]
