from collections import defaultdict

from django.db import migrations, models

import practices.models

# Practice.facet_keys: every facet value of a practice as a "facet:value" key, what the
# search page filters and counts facets on in one pass (PracticeFilter.tally).
# A nullable column with no default, so that SQLite adds it with ALTER TABLE instead of
# rebuilding practices_practice (which would drop the FTS5 triggers of migration 0004).
# And a partial index for the default order of the search page without a query.


def keep_facet_keys_in_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # In the row, not TOASTed out of line with the long texts: every search reads them.
        schema_editor.execute("ALTER TABLE practices_practice ALTER COLUMN facet_keys SET STORAGE MAIN")


def index_facet_keys(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Serves: a facet filter (facet_keys && '{country:MEX}') without a text query.
        schema_editor.execute(
            "CREATE INDEX practice_facet_keys_idx ON practices_practice USING gin (facet_keys)"
        )


def drop_facet_keys_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS practice_facet_keys_idx")


def fill_facet_keys(apps, schema_editor):
    """The keys of existing practices (the same as PracticeQuerySet.refresh_search_index())."""
    Practice = apps.get_model("practices", "Practice")
    keys = defaultdict(set)
    links = [
        (apps.get_model("practices", "PracticeCountry"), "country__region", "region", str.lower),
        (apps.get_model("practices", "PracticeCountry"), "country__iso3", "country", str),
        (apps.get_model("practices", "PracticeObjective"), "objective__number", "objective", str),
        (apps.get_model("practices", "Citation"), "source__slug", "source", str),
        (Practice.organisations.through, "organisation__slug", "organisation", str),
        (Practice.principles.through, "guidingprinciple__slug", "principle", str),
        (Practice.meetings.through, "meeting__slug", "meeting", str),
    ]
    for model, value, facet, normal in links:
        for practice_id, key in model.objects.values_list("practice_id", value).iterator():
            keys[practice_id].add(f"{facet}:{normal(key)}")
    practices = list(Practice.objects.only("practice_type", "scope"))
    for practice in practices:
        own = {f"type:{practice.practice_type}", f"scope:{practice.scope}"}
        practice.facet_keys = sorted(own | keys[practice.pk])
    Practice.objects.bulk_update(practices, ["facet_keys"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0005_practice_former_slugs"),
    ]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="facet_keys",
            field=practices.models.FacetKeysField(editable=False, null=True),
        ),
        migrations.RunPython(keep_facet_keys_in_row, migrations.RunPython.noop),
        migrations.RunPython(fill_facet_keys, migrations.RunPython.noop),
        migrations.RunPython(index_facet_keys, drop_facet_keys_index),
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["title", "id"],
                name="practice_published_title_idx",
            ),
        ),
    ]
