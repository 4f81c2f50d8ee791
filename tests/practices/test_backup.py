"""Backup and restore: export_knowledge_base and import_knowledge_base.

A small knowledge base built with the factories (fast); the seed knowledge base's round
trip, with the searches of the issue, is in test_knowledge_base.py, which loads the seed.
"""

import gzip
import json

import pytest
import reversion
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.http import QueryDict
from reversion.models import Version

from practices import backup
from practices.models import (
    Country,
    FormerSlug,
    GuidingPrinciple,
    LoadedRecord,
    Practice,
    PracticeEmbedding,
    SearchIndexVersion,
    SearchWord,
    Theme,
    ThesaurusEntry,
)
from practices.search import indexing
from practices.search.page import SearchPage
from tests.factories import MeetingFactory, OrganisationFactory, PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db

SEARCHES = [
    "q=workers&country=MEX",  # the example: a naive restore found every practice of Mexico
    "q=workers",
    "q=money+transfers",  # through the thesaurus entry
    "country=PHL",
    "q=shelters&sort=title",
    "theme=labour-migration",
    "organisation=labour-ministry",
]


@pytest.fixture
def knowledge(curator):
    """Practices in two countries, with every kind of link, a thesaurus entry, the loader's
    bookkeeping and a curator's edit in the history; indexed as a commit would index them."""
    mexico, philippines = Country.objects.get(iso3="MEX"), Country.objects.get(iso3="PHL")
    source = SourceDocumentFactory()
    ministry = OrganisationFactory(
        name="Ministry of Labour", slug="labour-ministry", acronym="STPS", country=mexico
    )
    meeting = MeetingFactory(country=mexico)
    meeting.source_documents.add(source)
    meeting.host_countries.add(mexico)
    theme = Theme.objects.create(slug="labour-migration", name="Labour migration")
    seasonal = PracticeFactory(title="Seasonal agricultural workers programme", citation=source)
    PracticeFactory(
        title="Temporary foreign workers scheme",
        summary="Contracts for workers recruited abroad.",
        country=philippines,
        citation=source,
    )
    PracticeFactory(title="Casas del Migrante", summary="Shelters for people in transit.", citation=source)
    PracticeFactory(
        title="Remittance price comparison",
        summary="A website comparing what sending money home costs.",
        country=philippines,
        citation=source,
    )
    PracticeFactory(title="Draft on domestic workers", status=Practice.Status.DRAFT, citation=source)
    seasonal.organisations.add(ministry)
    seasonal.meetings.add(meeting)
    seasonal.themes.add(theme)
    seasonal.principles.add(GuidingPrinciple.objects.order_by("position").first())
    FormerSlug.objects.create(practice=seasonal, slug="seasonal-workers-old")
    ThesaurusEntry.objects.create(
        slug="remittances", terms="remittances\nmoney transfers\nsending money home"
    )
    LoadedRecord.objects.create(
        model="practices.practice", natural_key=f'["{seasonal.slug}"]', digest="0" * 64
    )
    with reversion.create_revision():
        reversion.set_user(curator)
        reversion.set_comment("Summary made clearer")
        seasonal.summary = "Farm workers from Mexico work in Canada for the season."
        seasonal.save()
    indexing.flush()
    return seasonal


def state():
    """Rows per model (derived tables included), what search derived, and what it finds."""
    counts = {label: apps.get_model(label)._default_manager.count() for label in backup.LABELS}
    counts["searchword"] = SearchWord.objects.count()
    counts["embedding"] = PracticeEmbedding.objects.count()
    derived = sorted(Practice.objects.values_list("pk", "search_related", "facet_keys", "listing"))
    searches = {}
    for querystring in SEARCHES:
        page = SearchPage(QueryDict(querystring))
        searches[querystring] = (page.total, page.ordered_ids(20))
    return counts, derived, searches


def forget_id_sequences():
    """PostgreSQL: the knowledge base tables' id sequences back at 1, as in a database fresh
    from migrate (without the restore setting them, the next row added collides)."""
    tables = [
        {"table": apps.get_model(label)._meta.db_table, "column": "id"}
        for label, keyed in backup.MODELS
        if keyed == backup.BY_ID
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), tables):
            cursor.execute(statement)


def test_the_backup_holds_the_knowledge_base_by_id_and_nothing_derived(knowledge, tmp_path):
    path = tmp_path / "kb.json.gz"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert (document["format"], document["version"]) == ("gfmd-kb-backup", 1)
    assert document["counts"] == {
        label: apps.get_model(label)._default_manager.count() for label in backup.LABELS
    }
    assert document["counts"]["practices.practice"] == 5
    assert "0012_practice_heads" in document["migrations"]["practices"]
    models = {row["model"] for row in document["objects"]}
    assert not models & {
        "practices.searchword",
        "practices.practiceembedding",
        "practices.searchindexversion",
    }
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    practice = next(row for row in document["objects"] if row["fields"].get("slug") == knowledge.slug)
    assert practice["pk"] == knowledge.pk
    assert not {"search_related", "search_vector", "facet_keys", "listing"} & set(practice["fields"])
    assert practice["fields"]["organisations"] == [knowledge.organisations.get().pk]
    # Content types, accounts and groups, numbered differently in each database, by name.
    version = next(row for row in document["objects"] if row["model"] == "reversion.version")
    assert version["fields"]["content_type"] == ["practices", "practice"]
    user = next(row for row in document["objects"] if row["model"] == "auth.user")
    assert "pk" not in user and user["fields"]["username"] == "curator"
    assert user["fields"]["password"].startswith("md5$")  # the hash: logins come back
    assert user["fields"]["groups"] == [["Curators"]]


def test_a_restore_with_replace_gives_back_every_row_and_the_same_search_results(
    knowledge, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    before = state()
    assert before[2]["q=workers&country=MEX"][0] == 2  # published, in Mexico, "workers" (or the citation)
    path = tmp_path / "kb.json"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    refreshed = []
    real_refresh = indexing.refresh
    monkeypatch.setattr(indexing, "refresh", lambda ids: refreshed.append(set(ids)) or real_refresh(ids))
    token = SearchIndexVersion.current_token()
    indexing.flush()
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_knowledge_base", str(path), replace=True, stdout=open("/dev/null", "w"))
    assert state() == before
    # Every practice re-indexed once, not once per row written, nor again at the commit.
    assert refreshed == [set(Practice.objects.values_list("pk", flat=True))]
    assert SearchIndexVersion.current_token() != token  # every process rebuilds its indexes
    # The curator's edit is still in the practice's history, with its author.
    latest = Version.objects.get_for_object(Practice.objects.get(pk=knowledge.pk)).first()
    assert latest.revision.comment == "Summary made clearer"
    assert latest.revision.user.username == "curator"
    assert "Farm workers from Mexico" in latest.serialized_data


def test_a_database_fresh_from_migrate_gets_the_knowledge_base_and_the_curators_logins(knowledge, tmp_path):
    before = state()
    path = tmp_path / "kb.json.gz"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    # What migrate leaves: the reference vocabularies, the Curators group, no accounts.
    for label, keyed in reversed(backup.MODELS):
        if keyed == backup.BY_ID and label not in backup.REFERENCE:
            apps.get_model(label)._default_manager.all().delete()
    get_user_model().objects.all().delete()
    forget_id_sequences()
    call_command("import_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    assert state() == before
    curator = get_user_model().objects.get(username="curator")
    assert curator.check_password("curator-pass-123") and curator.groups.filter(name="Curators").exists()
    assert Version.objects.get_for_object(knowledge).first().revision.user == curator
    # New rows take ids after the restored ones (PostgreSQL's sequences were set).
    added = PracticeFactory()
    assert added.pk > knowledge.pk
    assert SearchPage(QueryDict("q=workers&country=MEX")).total == 3  # and it is indexed


def test_a_database_holding_a_knowledge_base_is_left_alone_without_replace(knowledge, tmp_path):
    path = tmp_path / "kb.json"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    before, token = state(), SearchIndexVersion.current_token()
    with pytest.raises(
        CommandError, match=r"already holds a knowledge base \(.*practices.practice: 5.*--replace"
    ):
        call_command("import_knowledge_base", str(path))
    assert state() == before and SearchIndexVersion.current_token() == token


def test_a_backup_that_does_not_fit_restores_nothing(knowledge, tmp_path):
    path = tmp_path / "kb.json"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    document = json.loads(path.read_text())
    citation = next(row for row in document["objects"] if row["model"] == "practices.citation")
    citation["fields"]["practice"] = 999_999  # a practice the backup does not have
    path.write_text(json.dumps(document))
    before = state()
    with pytest.raises(CommandError, match="does not fit this database, nothing was restored"):
        call_command("import_knowledge_base", str(path), replace=True)
    assert state() == before


def backup_document(**changes):
    document = {"format": "gfmd-kb-backup", "version": 1, "migrations": {}, "counts": {}, "objects": []}
    return json.dumps({**document, **changes}).encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON"),
        (b"\x00\xff\xfe garbage", "not JSON"),
        (b'{"format": "gfmd-kb-backup", "version": 1, "objects": [', "not JSON"),
        (gzip.compress(b"[]")[:12], "damaged gzip file"),
        (b'[{"model": "practices.practice", "pk": 1, "fields": {}}]', "not a knowledge base backup"),
        (backup_document(format="something-else"), "not a knowledge base backup"),
        (
            backup_document(version=2),
            r"newer version of the site \(backup format 2; this one reads format 1\)",
        ),
        (backup_document(version="1"), "unknown backup format version"),
        (backup_document(objects={}), "damaged"),
        (backup_document(counts={"practices.practice": 3}), "incomplete or altered"),
        (
            backup_document(objects=[{"model": "auth.permission", "pk": 1, "fields": {}}]),
            "auth.permission, which a knowledge base backup never holds",
        ),
        (backup_document(migrations={"practices": ["0099_from_the_future"]}), "newer version of the site"),
    ],
)
def test_a_file_that_is_not_a_backup_this_version_reads_is_refused_with_a_message(tmp_path, content, message):
    path = tmp_path / "file.json.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_knowledge_base", str(path))


def test_a_missing_file_or_folder_is_a_message(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_knowledge_base", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_knowledge_base", str(tmp_path / "no" / "such" / "folder.json"))
    assert list(tmp_path.iterdir()) == []
