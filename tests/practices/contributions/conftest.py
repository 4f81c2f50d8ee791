import pytest
from django.contrib.auth import get_user_model

from practices.contributions.accounts import create_contributor
from practices.contributions.groups import reviewers_group
from tests.factories import SourceDocumentFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def contributor(db):
    return create_contributor("amina", "amina@example.org", "contrib-pass-123")


@pytest.fixture
def other_contributor(db):
    return create_contributor("bruno", "bruno@example.org", "contrib-pass-456")


def make_reviewer(name):
    user = get_user_model().objects.create_user(
        name, email=f"{name}@example.org", password="review-pass-123", is_staff=True
    )
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def reviewers(db):
    return make_reviewer("rita"), make_reviewer("sam")


@pytest.fixture
def source_document(db):
    return SourceDocumentFactory(title="Irregular Migration Report")
