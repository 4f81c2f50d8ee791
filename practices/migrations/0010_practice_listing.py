# Practice.listing: what a search result shows of a practice's countries, GCM objectives
# and cited sources, kept by refresh_search_index() from here on. A nullable column with
# no default, so that SQLite adds it with ALTER TABLE instead of rebuilding
# practices_practice (which would drop the FTS5 triggers of migration 0004). Filled here
# for the practices already stored, with this migration's own copy of that code
# (historical models: the app's code may change after this migration).

from datetime import date

from django.db import migrations, models


def practice_listing(countries, objectives, sources):
    """practices.models.practice_listing() as of this migration."""
    dated = {slug: (published, title) for slug, title, published in sources}
    latest_first = sorted(
        dated.items(),
        key=lambda item: (item[1][0] is None, -(item[1][0] or date.min).toordinal(), item[1][1]),
    )
    return {
        "countries": [[iso3, name] for iso3, name in sorted(countries, key=lambda c: c[1].casefold())],
        "objectives": [
            [number, title] for number, title, _ in sorted(objectives, key=lambda o: (not o[2], o[0]))
        ],
        "sources": [
            [slug, title, published.year if published else None] for slug, (published, title) in latest_first
        ],
    }


def fill_listings(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    rows = [
        (apps.get_model("practices", "PracticeCountry"), 0, ["country__iso3", "country__name"]),
        (
            apps.get_model("practices", "PracticeObjective"),
            1,
            ["objective__number", "objective__title", "is_primary"],
        ),
        (
            apps.get_model("practices", "Citation"),
            2,
            ["source__slug", "source__title", "source__publication_date"],
        ),
    ]
    ids = list(Practice.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        links = {pk: ([], [], []) for pk in batch}
        for model, part, fields in rows:
            for practice_id, *values in model.objects.filter(practice__in=batch).values_list(
                "practice_id", *fields
            ):
                links[practice_id][part].append(tuple(values))
        practices = list(Practice.objects.filter(pk__in=batch).only("pk"))
        for practice in practices:
            practice.listing = practice_listing(*links[practice.pk])
        Practice.objects.bulk_update(practices, ["listing"])


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0009_practices_matching_packed"),
    ]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="listing",
            field=models.JSONField(editable=False, null=True),
        ),
        migrations.RunPython(fill_listings, migrations.RunPython.noop),
    ]
