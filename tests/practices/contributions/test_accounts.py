"""Contributor accounts: sign-up by email confirmation, sign-in throttled, no admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGN_UP = reverse("contributions:sign-up")
SIGN_IN = reverse("contributions:login")


def sign_up(client, username="lena", email="lena@example.org", password="a-long-pass-phrase-9"):
    return client.post(
        SIGN_UP, {"username": username, "email": email, "password1": password, "password2": password}
    )


def test_sign_up_sends_a_link_that_confirms_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert "Check your email" in response.text
    user = get_user_model().objects.get(username="lena")
    assert not user.is_active and not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Contributors"]
    assert user.user_permissions.count() == 0 and user.groups.get().permissions.count() == 0
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/account/confirm/\S+/)", message.body).group(1)
    # Not active yet: cannot sign in.
    client.post(SIGN_IN, {"username": "lena", "password": "a-long-pass-phrase-9"})
    assert "_auth_user_id" not in client.session
    response = client.get(link, follow=True)
    assert "Your address is confirmed" in response.text
    assert response.request["PATH_INFO"] == reverse("contributions:submit")
    user.refresh_from_db()
    assert user.is_active
    client.logout()
    assert client.get(link).status_code == 400  # used: it works once


def test_sign_ups_from_one_address_are_limited_so_the_form_cannot_send_mail_in_bulk(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SIGN_UPS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            assert sign_up(client, f"user{number}", f"user{number}@example.org").status_code == 200
        refused = sign_up(client, "user2", "user2@example.org")
    assert refused.status_code == 429
    assert "Too many sign-ups from your address" in refused.text
    assert len(mail.outbox) == 2
    assert not get_user_model().objects.filter(username="user2").exists()


@pytest.mark.parametrize(
    "link",
    ["/account/confirm/MQ/bad-token/", "/account/confirm/%FF%FE/x/", "/account/confirm/ZZZZZZZZZZ/1-2/"],
)
def test_a_bad_confirmation_link_is_refused_plainly(client, link):
    response = client.get(link)
    assert response.status_code in (400, 404)


def test_sign_up_refuses_an_address_already_used(client, contributor):
    response = sign_up(client, username="other", email="AMINA@example.org")
    assert "An account already uses this address" in response.text
    assert not mail.outbox


def test_a_contributor_signs_in_here_and_never_reaches_the_admin(client, contributor):
    response = client.post(SIGN_IN, {"username": "amina", "password": "contrib-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("contributions:mine")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # The admin's sign-in refuses them too (not staff).
    client.logout()
    response = client.post(
        reverse("admin:login"), {"username": "amina", "password": "contrib-pass-123", "next": "/admin/"}
    )
    assert response.status_code == 200 and "staff account" in response.text


def test_contributor_sign_in_is_throttled_like_the_admins(client, contributor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": "amina", "password": "wrong"})
    response = client.post(SIGN_IN, {"username": "amina", "password": "contrib-pass-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_staff_create_accounts_with_a_command(monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "a-long-pass-phrase-9")
    call_command("create_account", "rev", "--role", "reviewer", "--email", "rev@example.org")
    call_command("create_account", "con", "--role", "contributor", "--email", "con@example.org")
    users = get_user_model().objects
    assert users.get(username="rev").is_staff and users.get(username="rev").groups.get().name == "Reviewers"
    con = users.get(username="con")
    assert not con.is_staff and con.is_active and con.groups.get().name == "Contributors"
