import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from practices.curators import ensure_curators_group


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
