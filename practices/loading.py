"""Load the knowledge base fixture without ever overwriting a curator's work.

Each fixture record is matched to its row by natural key. The loader remembers, in
LoadedRecord, a digest of what it last wrote to every row. On the next load:

- a row that still matches that digest was not touched by anyone: refresh it;
- a row that differs was changed in the admin since: keep it and report it
  (``force=True`` overwrites);
- a row the loader created and a curator deleted stays deleted (unless forced);
- a row that already existed before any load is left alone (unless forced).

Loading is not an edit: it never sets ``Practice.edited_at``, the date the public sees as
"last changed" (only curators' saves in the admin do, ``PracticeQuerySet.mark_edited``).
A practice nobody has changed since it was loaded is dated by its sources instead
(``practices.citing``), so the same seed reads the same on every installation, whenever
its database was loaded. ``--force`` puts the fixture's text back and leaves that date as
it was: the last change by hand is still the last one.

Loading twice writes nothing the second time. Rows are saved with their model's
own save(), so derived fields (rendered Markdown) and citation checks apply, and
inside one revision so curators see "Loaded from the seed fixtures" in the history.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from practices.models import LoadedRecord, Practice


def canonical(fields):
    """Field values as a stable string: many-to-many lists are order-free."""
    normalised = {
        name: sorted(value, key=json.dumps)
        if isinstance(value, list) and value and isinstance(value[0], list)
        else value
        for name, value in fields.items()
    }
    return json.dumps(normalised, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def _is_key_list(value):
    return isinstance(value, list) and bool(value) and isinstance(value[0], list)


def digest(fields):
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def current_fields(instance, names):
    """The row's present values, in the fixture's own shape (natural keys, JSON types)."""
    (serialised,) = serializers.serialize(
        "python", [instance], fields=names, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    return json.loads(json.dumps(serialised["fields"], cls=DjangoJSONEncoder))


# The fixture fields that make up each model's natural key, in natural_key() order.
# Read straight from the fixture, so a record whose parent a curator deleted can still
# be recognised (and left deleted).
NATURAL_KEY_FIELDS = {
    "practices.practicecountry": ["practice", "country", "role"],
    "practices.practiceobjective": ["practice", "objective"],
    "practices.citation": ["practice", "source", "start"],
}


def natural_key_of(label, fields):
    key = []
    for name in NATURAL_KEY_FIELDS.get(label, ["slug"]):
        value = fields[name]
        key.extend(value if isinstance(value, list) else [value])
    return tuple(key)


@dataclass
class LoadReport:
    counts: Counter = field(default_factory=Counter)
    kept: list = field(default_factory=list)
    # Loaded before, no longer in the fixture: left in place (a curator may rely on them).
    dropped: list = field(default_factory=list)

    def add(self, model_label, outcome, key=None):
        self.counts[(model_label, outcome)] += 1
        if outcome in {"kept", "kept-deleted", "kept-existing"}:
            self.kept.append((model_label, outcome, key))

    def by_model(self):
        models = {}
        for (model_label, outcome), count in self.counts.items():
            models.setdefault(model_label, Counter())[outcome] = count
        return models


@transaction.atomic
def load_knowledge_base(path, force=False, progress=None):
    records = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    # What earlier loads of this fixture's models wrote (other fixtures keep their own).
    labels = {record["model"] for record in records}
    remembered = {(r.model, r.natural_key): r for r in LoadedRecord.objects.filter(model__in=labels)}
    # Practices and their links arrive row by row; the search index owner re-indexes each
    # practice written once, when this transaction commits (practices.search.indexing).
    with reversion.create_revision():
        reversion.set_comment("Loaded from the seed fixtures")
        for index, record in enumerate(records, start=1):
            label = record["model"]
            model = apps.get_model(label)
            fields = record["fields"]
            key = natural_key_of(label, fields)
            key_text = json.dumps(list(key), ensure_ascii=False)
            wanted = digest(fields)
            loaded = remembered.get((label, key_text))
            try:
                existing = model._default_manager.get_by_natural_key(*key)
            except model.DoesNotExist:
                existing = None

            if existing is None and loaded is not None and not force:
                outcome = "kept-deleted"  # a curator deleted it: respect that
            elif existing is None:
                _write(record, None)
                outcome = "created"
            else:
                present = digest(current_fields(existing, list(fields)))
                if loaded is None and present != wanted and not force:
                    outcome = "kept-existing"  # made by hand before any load
                elif loaded is not None and present != loaded.digest and present != wanted and not force:
                    outcome = "kept"  # changed in the admin since the last load
                elif present == wanted:
                    outcome = "unchanged"
                else:
                    _write(record, existing)
                    outcome = "updated"
            if outcome in {"created", "updated", "unchanged"} and (loaded is None or loaded.digest != wanted):
                LoadedRecord.objects.update_or_create(
                    model=label, natural_key=key_text, defaults={"digest": wanted}
                )
            report.add(label, outcome, key_text)
            remembered.pop((label, key_text), None)
            if progress and index % 250 == 0:
                progress(index, len(records))
    report.dropped = sorted(remembered)
    # The seed publishes through the same rules as curators (practices.rules): a fixture
    # that would publish a practice without its citation, objective, summary or countries
    # is refused whole (this function is one transaction).
    broken = list(
        Practice.objects.published().breaking_publication_rules().values_list("slug", flat=True)[:10]
    )
    if broken:
        raise ValueError(
            "These practices would be published without what publishing needs (a summary, a "
            f"citation, a GCM objective, countries for their scope): {', '.join(broken)}"
        )
    return report


def _write(record, existing):
    """Save a fixture record through the model's own save(), then its many-to-many sets."""
    (deserialised,) = serializers.deserialize("json", json.dumps([record]), ignorenonexistent=False)
    incoming = deserialised.object
    instance = existing or incoming
    if existing is not None:
        for name in record["fields"]:
            field_object = instance._meta.get_field(name)
            if not field_object.many_to_many:
                setattr(instance, field_object.attname, getattr(incoming, field_object.attname))
    instance.save()
    for name, pks in (deserialised.m2m_data or {}).items():
        getattr(instance, name).set(pks)
