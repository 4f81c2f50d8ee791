"""Index maintenance, with a single owner: this module.

What search reads besides the practice row itself is derived here and nowhere else: the
related text (``Practice.search_related``: citation excerpts, organisation names and
acronyms, country names), the facet keys, the listing a result shows, the known words for
typo correction, each practice's meaning vector (``PracticeEmbedding``) and the token that
tells every process its in-memory indexes (facets, semantic matrix, thesaurus and
vocabulary) are stale.

Writes only *mark* practices dirty: the receivers below catch every write path (admin
forms and inlines, many-to-many changes from either side, renames of the vocabularies,
``loaddata``, scripts) and collect the ids per thread. The dirty practices are re-indexed
once, when the transaction commits (``transaction.on_commit``), or earlier if the same
transaction reads the search index first (``flush()``, called by the readers), so a
transaction always sees its own writes. An admin save that writes a practice, five links
and three citations refreshes that practice once and changes the token once.

The database derives the full-text index itself from each practice row (a trigger on
PostgreSQL, FTS5 triggers on SQLite), including ``search_related`` once written here.
Rows changed behind the ORM's back (``QuerySet.update()``, raw SQL) send no signal: call
``refresh()`` with their ids.
"""

import logging
import re
import threading
from collections import defaultdict
from datetime import date

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save

from practices.models import (
    Citation,
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeEmbedding,
    PracticeObjective,
    SearchIndexVersion,
    SearchWord,
    Theme,
    ThesaurusEntry,
    facet_key,
)
from practices.search import semantic
from sources.models import SourceDocument

log = logging.getLogger(__name__)

WORD_RE = re.compile(r"[^\W\d_]{3,40}")
BATCH_SIZE = 1000


# --- What a practice's index holds ------------------------------------------------------


def practice_listing(countries, objectives, sources):
    """A ``Practice.listing`` from the practice's links, given in any order: countries as
    (iso3, name), objectives as (number, title, is_primary), cited sources as (slug, title,
    publication date), once per citation. Sorted here, the same on every database."""
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


def practice_related_text(excerpts, organisations, countries):
    """A ``Practice.search_related`` from the practice's links: its citation excerpts first,
    then organisation names and acronyms, then country names and codes, each part once. A
    snippet drawn from it then quotes a passage rather than a list of names."""
    return "\n".join(dict.fromkeys(part for part in [*excerpts, *organisations, *countries] if part))


def meaning_text(practice, labels=()):
    """What a practice's meaning vector is made from: its own words, then the names of what
    it is classified under (objectives, themes), which say what it is about."""
    parts = [practice.title, practice.aliases, practice.summary, practice.description, *labels]
    return "\n".join(part for part in parts if part)


# --- Refreshing -----------------------------------------------------------------------------


def refresh(ids):
    """Re-derive everything search holds for these practices, then change the token once.

    Ids of deleted practices are fine (nothing to derive; the token still changes)."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH_SIZE):
        _refresh_batch(ids[start : start + BATCH_SIZE])
    SearchIndexVersion.bump()


def refresh_all():
    """Re-derive everything for every practice (a restore, rows edited behind the ORM's back).

    This covers whatever this thread had marked dirty, so the commit has nothing left to
    refresh: a restore that wrote every row refreshes once, not twice."""
    _pending.ids, _pending.changed = set(), False
    refresh(Practice.objects.values_list("pk", flat=True))


def _refresh_batch(ids):
    related = defaultdict(lambda: ([], [], []))  # practice_related_text()'s three parts
    keys = defaultdict(list)
    links = defaultdict(lambda: ([], [], []))  # practice_listing()'s countries, objectives, sources
    labels = defaultdict(list)  # meaning_text()'s labels
    for practice_id, excerpt, source, title, published in Citation.objects.filter(
        practice__in=ids
    ).values_list("practice_id", "excerpt", "source__slug", "source__title", "source__publication_date"):
        related[practice_id][0].append(excerpt)
        keys[practice_id].append(facet_key("source", source))
        links[practice_id][2].append((source, title, published))
    for practice_id, name, acronym, slug in Practice.organisations.through.objects.filter(
        practice__in=ids
    ).values_list("practice_id", "organisation__name", "organisation__acronym", "organisation__slug"):
        related[practice_id][1].extend([name, acronym])
        keys[practice_id].append(facet_key("organisation", slug))
    for practice_id, name, iso3, region in PracticeCountry.objects.filter(practice__in=ids).values_list(
        "practice_id", "country__name", "country__iso3", "country__region"
    ):
        related[practice_id][2].extend([name, iso3])
        keys[practice_id] += [facet_key("region", region), facet_key("country", iso3)]
        links[practice_id][0].append((iso3, name))
    for practice_id, number, title, label, primary in PracticeObjective.objects.filter(
        practice__in=ids
    ).values_list(
        "practice_id", "objective__number", "objective__title", "objective__short_label", "is_primary"
    ):
        keys[practice_id].append(facet_key("objective", number))
        links[practice_id][1].append((number, title, primary))
        labels[practice_id].append(label)
    for facet, through, value in [
        ("principle", Practice.principles.through.objects, "guidingprinciple__slug"),
        ("meeting", Practice.meetings.through.objects, "meeting__slug"),
    ]:
        for practice_id, key in through.filter(practice__in=ids).values_list("practice_id", value):
            keys[practice_id].append(facet_key(facet, key))
    for practice_id, slug, name in Practice.themes.through.objects.filter(practice__in=ids).values_list(
        "practice_id", "theme__slug", "theme__name"
    ):
        keys[practice_id].append(facet_key("theme", slug))
        labels[practice_id].append(name)

    changed, words, meanings = [], set(), {}
    for practice in Practice.objects.filter(pk__in=ids).only(
        "title",
        "aliases",
        "summary",
        "description",
        "results",
        "search_related",
        "practice_type",
        "scope",
        "facet_keys",
        "listing",
    ):
        text = practice_related_text(*related[practice.pk])
        facet_keys = sorted({*practice.own_facet_keys(), *keys[practice.pk]})
        listing = practice_listing(*links[practice.pk])
        if (practice.search_related, practice.facet_keys, practice.listing) != (text, facet_keys, listing):
            practice.search_related = text
            practice.facet_keys = facet_keys
            practice.listing = listing
            changed.append(practice)
        for field in (practice.title, practice.aliases, practice.summary, practice.description, text):
            words.update(WORD_RE.findall(field.lower()))
        meanings[practice.pk] = meaning_text(practice, labels[practice.pk])
    Practice.objects.bulk_update(changed, ["search_related", "facet_keys", "listing"])
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True, batch_size=1000
    )
    _write_embeddings(meanings)


def _write_embeddings(meanings):
    """Store each practice's meaning vector; without the model, leave them as they are."""
    vectors = semantic.embed(list(meanings.values()))
    if vectors is None:
        return
    PracticeEmbedding.objects.filter(practice_id__in=list(meanings)).delete()
    PracticeEmbedding.objects.bulk_create(
        [
            PracticeEmbedding(practice_id=pk, model=semantic.MODEL_NAME, vector=semantic.to_bytes(vector))
            for pk, vector in zip(meanings, vectors, strict=True)
        ],
        batch_size=1000,
    )


# --- Dirty practices, refreshed once per transaction -------------------------------------


class _Pending(threading.local):
    def __init__(self):
        self.ids = set()
        self.changed = False  # something the token covers changed (a vocabulary row, a deletion)


_pending = _Pending()


def mark_dirty(ids=(), *, using=DEFAULT_DB_ALIAS):
    """Note practices whose index must be re-derived (and/or that the token must change)."""
    _pending.ids.update(ids)
    _pending.changed = True
    connection = connections[using]
    # One callback per transaction: a rolled-back savepoint drops its callbacks, hence the
    # check against what is registered now rather than a flag of our own.
    if not any(callback is flush for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(flush, using=using)


def flush():
    """Re-index what this thread marked dirty, once; nothing to do if nothing is pending.

    Runs when the transaction commits, and is called by the search readers so that a
    transaction reads its own writes."""
    if not _pending.changed:
        return
    ids, _pending.ids, _pending.changed = _pending.ids, set(), False
    refresh(ids)


def current_token():
    """The knowledge base's version token, counting this transaction's own writes."""
    flush()
    return SearchIndexVersion.current_token()


# --- Who marks what -----------------------------------------------------------------------

LINKS = (PracticeCountry, PracticeObjective, Citation)
VOCABULARIES = (Country, Organisation, Meeting, GuidingPrinciple, SourceDocument, GcmObjective, Theme)
LINKED_BY_M2M = (Practice.organisations, Practice.principles, Practice.meetings, Practice.themes)


def _practice_written(sender, instance, **kwargs):
    mark_dirty([instance.pk])


def _link_written(sender, instance, **kwargs):
    # A practice deleted with its links: its row is gone, the token change covers it.
    mark_dirty([instance.practice_id])


def _vocabulary_saved(sender, instance, created, **kwargs):
    """Names, acronyms, slugs and regions feed their practices' search text, facet keys,
    listing and meaning; a new row only changes what the facet index lists."""
    if created:
        mark_dirty()
    elif sender is SourceDocument:
        cited = Citation.objects.filter(practice=OuterRef("pk"), source=instance)
        mark_dirty(Practice.objects.filter(Exists(cited)).values_list("pk", flat=True))
    else:
        mark_dirty(instance.practices.values_list("pk", flat=True))


def _token_only(sender, **kwargs):
    """The thesaurus, a vocabulary row gone: the in-memory indexes are rebuilt."""
    mark_dirty()


def _m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Organisations, principles, meetings and themes linked or unlinked, from either side."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            mark_dirty([instance.pk])
        return
    if action == "pre_clear":  # which practices lose the link is only known before
        side = next(f.name for f in sender._meta.get_fields() if f.related_model is type(instance))
        mark_dirty(sender.objects.filter(**{side: instance}).values_list("practice_id", flat=True))
    elif action in ("post_add", "post_remove"):
        mark_dirty(pk_set)


def connect():
    """Connect the receivers (``PracticesConfig.ready()``)."""
    uid = "practices.search.indexing"
    post_save.connect(_practice_written, sender=Practice, dispatch_uid=f"{uid}.practice.save")
    post_delete.connect(_practice_written, sender=Practice, dispatch_uid=f"{uid}.practice.delete")
    for model in LINKS:
        post_save.connect(_link_written, sender=model, dispatch_uid=f"{uid}.{model.__name__}.save")
        post_delete.connect(_link_written, sender=model, dispatch_uid=f"{uid}.{model.__name__}.delete")
    for model in VOCABULARIES:
        post_save.connect(_vocabulary_saved, sender=model, dispatch_uid=f"{uid}.{model.__name__}.save")
        post_delete.connect(_token_only, sender=model, dispatch_uid=f"{uid}.{model.__name__}.delete")
    for signal in (post_save, post_delete):
        signal.connect(_token_only, sender=ThesaurusEntry, dispatch_uid=f"{uid}.thesaurus.{signal}")
    # A vocabulary's own many-to-many links (a meeting's hosts, a document's meetings) show
    # on public pages, whose cache is keyed by the token.
    for model in VOCABULARIES:
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(_token_only, sender=through, dispatch_uid=f"{uid}.{through.__name__}.token")
    for descriptor in LINKED_BY_M2M:
        through = descriptor.through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}.{through.__name__}")
