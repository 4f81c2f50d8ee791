# Drafts are free, publishing is strict (practices.rules): a draft may have no summary, a
# published practice must (the constraint changes); the "changes requested" status; who
# wrote a practice; the peer review's events and assignments (practices.workflow).
#
# Changing practices_practice's constraints makes SQLite rebuild the table, which drops
# the FTS5 triggers of migration 0004 (the FTS table and its rows stay): they are made
# again at the end, from 0004's own statements.

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

search_migration = importlib.import_module("practices.migrations.0004_search")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in search_migration.SQLITE_FORWARD:
        if statement.startswith("CREATE TRIGGER"):
            name = statement.split()[2]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0013_practice_edited_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewAssignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name_plural": "review assignments",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="ReviewEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("contributed", "Submitted by a contributor"),
                            ("submitted", "Sent to review"),
                            ("assigned", "Reviewer assigned"),
                            ("comment", "Comment"),
                            ("approved", "Approved"),
                            ("changes", "Changes requested"),
                            ("published", "Published"),
                            ("returned", "Returned to draft"),
                        ],
                        max_length=12,
                    ),
                ),
                ("comment", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name_plural": "review events",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="practice",
            name="practice_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="practice",
            name="practice_summary_not_empty",
        ),
        migrations.AddField(
            model_name="practice",
            name="author",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="authored_practices",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="practice",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("review", "In review"),
                    ("changes", "Changes requested"),
                    ("published", "Published"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="practice",
            name="summary",
            field=models.TextField(
                blank=True, help_text="One to three sentences in our own words (Markdown)."
            ),
        ),
        migrations.AddConstraint(
            model_name="practice",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "review", "changes", "published"])),
                name="practice_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="practice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("summary", ""), _negated=True),
                    models.Q(("status", "published"), _negated=True),
                    _connector="OR",
                ),
                name="practice_published_has_summary",
            ),
        ),
        migrations.AddField(
            model_name="reviewassignment",
            name="assigned_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reviewassignment",
            name="practice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="review_assignments",
                to="practices.practice",
            ),
        ),
        migrations.AddField(
            model_name="reviewassignment",
            name="reviewer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="review_assignments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="review_events",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="practice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="review_events",
                to="practices.practice",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewassignment",
            constraint=models.UniqueConstraint(
                fields=("practice", "reviewer"), name="reviewassignment_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="reviewevent",
            index=models.Index(fields=["practice", "created_at"], name="reviewevent_practice_idx"),
        ),
        migrations.AddConstraint(
            model_name="reviewevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "contributed",
                            "submitted",
                            "assigned",
                            "comment",
                            "approved",
                            "changes",
                            "published",
                            "returned",
                        ],
                    )
                ),
                name="reviewevent_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", ["changes"]), _negated=True),
                    models.Q(("comment", ""), _negated=True),
                    _connector="OR",
                ),
                name="reviewevent_changes_have_comment",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, recreate_sqlite_triggers),
    ]
