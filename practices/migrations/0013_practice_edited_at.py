"""Practice.edited_at: when a curator last changed a practice or its citations.

Filled in for practices curators changed before this field existed, from the history
(django-reversion): the latest revision with a user that holds a version of the practice
or of one of its citations, status changes from the list aside. The seed loader's
revisions have no user, so loading never counts; a curator's save without a change is
counted here (the history cannot tell), and only there.
"""

from django.db import migrations, models

STATUS_ACTION = "Status set to "  # the comment of the admin's publish/review/unpublish actions


def from_history(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    Practice = apps.get_model("practices", "Practice")
    Citation = apps.get_model("practices", "Citation")
    latest = {}

    def saw(practice_id, when):
        if practice_id is not None and (practice_id not in latest or when > latest[practice_id]):
            latest[practice_id] = when

    for model, practice_of in [
        (
            "practice",
            lambda ids: {pk: pk for pk in Practice.objects.filter(pk__in=ids).values_list("pk", flat=True)},
        ),
        ("citation", lambda ids: dict(Citation.objects.filter(pk__in=ids).values_list("pk", "practice_id"))),
    ]:
        content_type = ContentType.objects.filter(app_label="practices", model=model).first()
        if content_type is None:
            continue
        versions = (
            Version.objects.filter(content_type=content_type, revision__user__isnull=False)
            .exclude(revision__comment__startswith=STATUS_ACTION)
            .values_list("object_id", "revision__date_created")
        )
        dates = {}
        for object_id, when in versions.iterator():
            if object_id.isdigit():
                dates[int(object_id)] = max(when, dates.get(int(object_id), when))
        owners = practice_of(list(dates))
        for pk, when in dates.items():
            saw(owners.get(pk), when)
    for practice_id, when in latest.items():
        Practice.objects.filter(pk=practice_id).update(edited_at=when)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("practices", "0012_practice_heads"),
    ]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="edited_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When a curator last changed it or its citations; loading the seed does not count.",
                null=True,
                verbose_name="last changed by a curator",
            ),
        ),
        migrations.RunPython(from_history, migrations.RunPython.noop),
    ]
