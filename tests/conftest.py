from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from reversion.models import Revision, Version

from practices.curators import ensure_curators_group
from practices.loading import load_knowledge_base
from practices.models import (
    Citation,
    LoadedRecord,
    Meeting,
    Organisation,
    Practice,
    SearchWord,
    Theme,
    ThesaurusEntry,
)
from sources.models import SourceDocument
from tests.snapshot import TableSnapshot, primary_keys

KNOWLEDGE_BASE = Path(settings.BASE_DIR) / "fixtures" / "knowledge_base.json"
THESAURUS = Path(settings.BASE_DIR) / "fixtures" / "thesaurus.json"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (whole pages are cached; see gfmd_kb.page_cache)."""
    caches["default"].clear()


@pytest.fixture
def uncached(settings):
    """For tests that count what rendering a page costs: every request renders."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def curator(db):
    user = get_user_model().objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(ensure_curators_group())
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def staff_without_group(db):
    return get_user_model().objects.create_user("visitor", password="visitor-pass-123", is_staff=True)


@pytest.fixture
def curators_group(db):
    return Group.objects.get(name="Curators")


_seed = {}  # {"report": the first load's LoadReport, "snapshot": the rows it added}


@pytest.fixture(scope="module")
def knowledge_base(django_db_setup, django_db_blocker):
    """The real fixture, loaded for this module (the first one loads it, later ones get a
    copy of the same rows: tests/snapshot.py); each test's own changes roll back."""
    with django_db_blocker.unblock():
        if "snapshot" in _seed:
            _seed["snapshot"].restore()
        else:
            before = primary_keys()
            _seed["report"] = load_knowledge_base(KNOWLEDGE_BASE)
            load_knowledge_base(THESAURUS)
            _seed["snapshot"] = TableSnapshot.take(before)
    yield _seed["report"]
    with django_db_blocker.unblock():
        Citation.objects.all().delete()
        Practice.objects.all().delete()
        for model in (
            Meeting,
            Organisation,
            Theme,
            SourceDocument,
            LoadedRecord,
            SearchWord,
            ThesaurusEntry,
            Version,
            Revision,
        ):
            model.objects.all().delete()
