"""Load the reference vocabularies: UN member and observer states (UN M49 regions),
the 23 GCM objectives and the ten guiding principles.

Countries come from practices/data/countries.csv (see build_countries.py for its
provenance); objectives and principles from practices/data/gcm.py.
"""

import csv
from pathlib import Path

from django.db import migrations

from practices.data.gcm import GUIDING_PRINCIPLES, OBJECTIVES

COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "data" / "countries.csv"


def load(apps, schema_editor):
    Country = apps.get_model("practices", "Country")
    GcmObjective = apps.get_model("practices", "GcmObjective")
    GuidingPrinciple = apps.get_model("practices", "GuidingPrinciple")
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Country.objects.update_or_create(
                iso3=row["iso3"],
                defaults={**row, "m49_code": int(row["m49_code"])},
            )
    for number, title, short_label in OBJECTIVES:
        GcmObjective.objects.update_or_create(
            number=number, defaults={"title": title, "short_label": short_label}
        )
    for position, (slug, name) in enumerate(GUIDING_PRINCIPLES, start=1):
        GuidingPrinciple.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
