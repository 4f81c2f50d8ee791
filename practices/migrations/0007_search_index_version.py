# The token that tells each process when to rebuild its in-memory facet index
# (practices.facet_index): one row, changed by every write the index depends on.

import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("practices", "SearchIndexVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0006_practice_facet_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchIndexVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
