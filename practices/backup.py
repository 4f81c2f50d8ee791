"""Back up and restore the whole knowledge base, on either database.

A backup is one JSON document, gzip-compressed when its name ends in ``.gz``: a header
(what it is, the format version, when and from which database it was made, the migrations
its tables were at, how many rows of each model it holds), then the rows, in Django's
serialization format. It holds what curators and the loader made: source documents, the
vocabularies, practices with their links and citations, former addresses, the thesaurus,
the loader's bookkeeping (``LoadedRecord``, which protects curators' edits from the next
seed load), the history (django-reversion's revisions and versions) and the user accounts
and groups that history names, password hashes included.

It holds nothing derived: search text, facet keys and listings, the full-text tables
(SQLite's FTS5, PostgreSQL's trigger-kept vectors and tables), known words, meaning
vectors, the index token. A restore rebuilds them once, through their single owner
(``practices.search.indexing.refresh_all()``). Content types and permissions are created
by ``migrate`` and differ between databases; rows point at them by natural key
(``["practices", "practice"]``), as they point at users and groups (by name).

Knowledge base rows keep their ids, because the history refers to them by id
(``Version.object_id`` and the ids inside each saved version). So a restore empties the
knowledge base tables first (including the reference vocabularies that ``migrate``
loads), then inserts every row as it was, all in one transaction, and on PostgreSQL sets
the id sequences past the restored ids. Users and groups are matched by name instead: a
backed-up account replaces the fields, password, groups and permissions of the account of
that name; other accounts are left alone.
"""

import datetime
import gzip
import json
import os
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers import python
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from practices.models import PracticeEmbedding, SearchWord
from practices.search import indexing

FORMAT = "gfmd-kb-backup"
VERSION = 1
BATCH_SIZE = 500

# Every model a backup holds, in the order a restore writes them (each after the rows it
# refers to), with how its rows are matched in the database restored into.
BY_NAME = "name"  # users and groups: natural primary keys, the account of that name updated
BY_ID = "id"  # everything else: emptied first, then restored with its ids
MODELS = [
    ("auth.group", BY_NAME),
    ("auth.user", BY_NAME),
    ("sources.sourcedocument", BY_ID),
    ("practices.country", BY_ID),
    ("practices.gcmobjective", BY_ID),
    ("practices.guidingprinciple", BY_ID),
    ("practices.theme", BY_ID),
    ("practices.organisation", BY_ID),
    ("practices.meeting", BY_ID),
    ("practices.practice", BY_ID),
    ("practices.formerslug", BY_ID),
    ("practices.practicecountry", BY_ID),
    ("practices.practiceobjective", BY_ID),
    ("practices.citation", BY_ID),
    # The peer review and contributions (uploaded PDFs themselves are files in
    # PRIVATE_MEDIA_ROOT: back that directory up with the database).
    ("practices.reviewevent", BY_ID),
    ("practices.reviewassignment", BY_ID),
    ("practices.contribution", BY_ID),
    ("practices.thesaurusentry", BY_ID),
    ("practices.loadedrecord", BY_ID),
    ("reversion.revision", BY_ID),
    ("reversion.version", BY_ID),
]
LABELS = [label for label, _ in MODELS]
# Loaded by migrate (practices 0002) into every database: replaced by the backup's rows,
# not a sign that a knowledge base is already there.
REFERENCE = {"practices.country", "practices.gcmobjective", "practices.guidingprinciple"}
# Columns derived from other rows, left out and rebuilt by the index owner. (The rendered
# Markdown, derived by Practice.save() from the row itself, is kept: rows are restored
# without save().)
DERIVED_FIELDS = {"practices.practice": {"search_related", "search_vector", "facet_keys", "listing"}}
# Derived tables emptied with the knowledge base (the rest follow their practices).
DERIVED_MODELS = [SearchWord, PracticeEmbedding]


class _Encoder(DjangoJSONEncoder):
    """Django's JSON encoder, but times keep their microseconds (it cuts them to
    milliseconds): a restore gives back the very values."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup that cannot be written, read or restored; the message says why."""


@dataclass
class Backup:
    header: dict
    objects: list

    @property
    def counts(self):
        return self.header["counts"]


# --- Writing ---------------------------------------------------------------------------


def _restored_by_id():
    return {apps.get_model(label) for label, keyed in MODELS if keyed == BY_ID}


class _Serializer(python.Serializer):
    """Django's Python serializer, with the kind of reference chosen per relation: rows a
    restore writes with their ids are referred to by id; accounts, groups, permissions and
    content types, which each database numbers its own way, by natural key."""

    def __init__(self, by_id):
        super().__init__()
        self.by_id = by_id

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model not in self.by_id
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model not in self.by_id
        super().handle_m2m_field(obj, field)


def _rows(model, keyed):
    """The model's rows, serialized (Django's format), in id order."""
    by_id = _restored_by_id()

    def with_natural_keys(queryset):
        # Rows that foreign keys name by natural key, read with the row that refers to them.
        model = queryset.model
        return queryset.select_related(
            *[
                f.name
                for f in model._meta.concrete_fields
                if f.many_to_one and f.related_model not in by_id and hasattr(f.related_model, "natural_key")
            ]
        )

    fields = None
    if derived := DERIVED_FIELDS.get(model._meta.label_lower):
        fields = [
            f.name
            for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
            if f.serialize and f.name not in derived
        ]
    # Many-to-many links read for all rows at once (not a query per row and field), in an
    # order that is the same on every database.
    links = [
        models.Prefetch(f.name, with_natural_keys(f.related_model._default_manager.order_by("pk")))
        for f in model._meta.many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    rows = with_natural_keys(model._default_manager.order_by("pk")).prefetch_related(*links)
    return _Serializer(by_id).serialize(rows, fields=fields, use_natural_primary_keys=keyed == BY_NAME)


def _applied_migrations():
    labels = {label.partition(".")[0] for label in LABELS}
    applied = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        if app_label in labels:
            applied.setdefault(app_label, []).append(name)
    return applied


def export(path):
    """Write the knowledge base to ``path``; return the backup's header."""
    path = Path(path)
    check_migrated()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # Every table read at the same moment, while curators go on editing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        objects, counts = [], {}
        for label, keyed in MODELS:
            rows = _rows(apps.get_model(label), keyed)
            counts[label] = len(rows)
            objects.extend(rows)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "migrations": _applied_migrations(),
            "counts": counts,
        }
    text = json.dumps({**header, "objects": objects}, cls=_Encoder, ensure_ascii=False, indent=1)
    data = text.encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    # Written beside its destination, then renamed over it: never a half-written backup.
    # mkstemp() makes it readable by its owner only, as befits password hashes.
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise BackupError(f"Cannot write {path}: {error.strerror or error}.") from None
    return header


# --- Reading ---------------------------------------------------------------------------


def read(path):
    """The backup at ``path`` (gzip-compressed or not), checked to be one this version reads."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror or error}.") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise BackupError(f"{path} is a damaged gzip file.") from None
    try:
        document = json.loads(data)
    except ValueError:  # not JSON, or not UTF-8 text at all
        raise BackupError(
            f"{path} is not a knowledge base backup (one written by export_knowledge_base): it is not JSON."
        ) from None
    return parse(document, name=path)


def parse(document, name="The file"):
    """A ``Backup`` from a decoded document, or ``BackupError`` saying what is wrong with it."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{name} is not a knowledge base backup (one written by export_knowledge_base).")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError(f"{name} has an unknown backup format version: {version!r}.")
    if version > VERSION:
        raise BackupError(
            f"{name} was written by a newer version of the site (backup format {version}; this one "
            f"reads format {VERSION}). Restore it with the version that wrote it, or a later one."
        )
    objects, counts, migrations = document.get("objects"), document.get("counts"), document.get("migrations")
    if (
        not isinstance(objects, list)
        or not all(isinstance(o, dict) and isinstance(o.get("fields"), dict) for o in objects)
        or not isinstance(counts, dict)
        or not isinstance(migrations, dict)
        or not all(isinstance(names, list) for names in migrations.values())
    ):
        raise BackupError(f"{name} is damaged: its header or rows are not as a backup writes them.")
    held = Counter(str(o.get("model")) for o in objects)
    if unknown := sorted(set(held) - set(LABELS)):
        raise BackupError(
            f"{name} holds rows of {', '.join(unknown)}, which a knowledge base backup never holds."
        )
    if differences := [
        f"{label}: {counts.get(label, 0)} in its header, {held[label]} in the file"
        for label in LABELS
        if counts.get(label, 0) != held[label]
    ]:
        raise BackupError(f"{name} is incomplete or altered ({'; '.join(differences[:3])}).")
    return Backup(header={k: v for k, v in document.items() if k != "objects"}, objects=objects)


# --- Restoring -------------------------------------------------------------------------


def check_migrated():
    """Refuse a database with migrations still to apply; return the migration graph."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("This database is not fully migrated: run `manage.py migrate` first.")
    return executor.loader.graph


def check_schema(backup):
    """Refuse a database that is not fully migrated, or a backup made at migrations this
    version of the site does not have (a newer one's: its rows may not fit these tables)."""
    graph = check_migrated()
    unknown = [
        f"{app_label}.{name}"
        for app_label, names in backup.header["migrations"].items()
        for name in names
        if (app_label, name) not in graph.nodes
    ]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of the site: this one does not have its "
            f"migrations {', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''}. "
            "Restore it with that version, or a later one."
        )


def knowledge_base_present():
    """{model label: how many} of the knowledge base rows in this database, beyond the reference
    vocabularies that migrate loads: empty in a database fresh from migrate."""
    present = {}
    for label, keyed in MODELS:
        if keyed == BY_ID and label not in REFERENCE:
            model = apps.get_model(label)
            if count := model._default_manager.count():
                present[label] = count
    return present


def restore(backup, *, replace=False):
    """Make the knowledge base the backup's, in one transaction, then rebuild what search
    derives from it. Refuses a database that already holds one unless ``replace``."""
    check_schema(backup)
    try:
        with transaction.atomic():
            present = knowledge_base_present()
            if present and not replace:
                listed = ", ".join(f"{what}: {count}" for what, count in present.items())
                raise BackupError(
                    f"This database already holds a knowledge base ({listed}). A restore replaces it "
                    "entirely: run again with --replace to do that."
                )
            _empty()
            _load(backup.objects)
            _reset_sequences()
            # The rows went in without signals (the deletions marked the practices they
            # removed): one refresh of every practice derives the search index, once, and
            # leaves nothing for the commit to refresh again.
            indexing.refresh_all()
    except (DeserializationError, DatabaseError, ValidationError, ValueError, TypeError, KeyError) as error:
        raise BackupError(f"The backup does not fit this database, nothing was restored: {error}") from error


def _empty():
    """Delete the knowledge base (users and groups aside) and what search derived from it."""
    for label, keyed in reversed(MODELS):
        if keyed == BY_ID:
            apps.get_model(label)._default_manager.all().delete()
    for model in DERIVED_MODELS:
        model.objects.all().delete()


def _load(objects):
    """Write the backup's rows, model by model. Users and groups are saved one by one (the
    account of the same name updated); the knowledge base, into empty tables, is inserted in
    batches, exactly as it was (a raw insert, as ``loaddata`` does: no ``save()``, no
    signals, timestamps kept), with its many-to-many links."""
    rows_of = {label: [] for label in LABELS}
    for row in objects:
        rows_of[row["model"]].append(row)
    for label, keyed in MODELS:
        model = apps.get_model(label)
        restored = serializers.deserialize("python", rows_of[label])
        if keyed == BY_NAME:
            for account in restored:
                account.save()
            continue
        instances, links = [], {}
        for row in restored:
            instances.append(row.object)
            for name, values in (row.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
                links.setdefault(through, []).extend(
                    through(**{own: row.object.pk, other: value}) for value in values
                )
        _insert(model, instances)
        for through, rows in links.items():
            through.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    # Foreign keys are checked at commit on both databases: check them now, while an error
    # can still be reported as one.
    connection.check_constraints(table_names=[model._meta.db_table for model in _restored_models()])


def _insert(model, instances):
    fields = model._meta.local_concrete_fields
    size = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, instances) or BATCH_SIZE)
    for start in range(0, len(instances), size):
        # What Model.save_base(raw=True) does for one row (loaddata), for a batch of rows.
        model._base_manager._insert(instances[start : start + size], fields=fields, raw=True)


def _restored_models():
    """The models a restore writes, with their many-to-many link tables."""
    restored = []
    for label in LABELS:
        model = apps.get_model(label)
        restored.append(model)
        restored.extend(
            f.remote_field.through
            for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created
        )
    return restored


def _reset_sequences():
    """PostgreSQL: id sequences past the restored ids, or the next row added collides."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), _restored_models()):
            cursor.execute(statement)
