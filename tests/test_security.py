"""Security headers on every kind of page, and no inline script or style for them to forbid."""

import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gfmd_kb.middleware import CrossOriginResourcePolicyMiddleware
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def public_pages(db):
    """One page of each kind a visitor (or an attacker) reaches without logging in."""
    practice = PracticeFactory(title="Seasonal workers programme")
    source = practice.citations.get().source
    return {
        "home": reverse("home"),
        "search": reverse("practices:list") + "?q=seasonal",
        "practice": practice.get_absolute_url(),
        "reader": source.get_absolute_url() + "?q=workers",
        "brief": reverse("practices:brief") + f"?practice={practice.slug}",
        "admin login": reverse("admin:login"),
        "open data": reverse("opendata:data"),
        "api docs": reverse("opendata:api-docs"),
    }


PAGES = ["home", "search", "practice", "reader", "brief", "admin login", "open data", "api docs"]


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_page_has_a_tight_content_security_policy(client, public_pages, name):
    response = client.get(public_pages[name])

    assert response.status_code == 200
    assert policy(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_page_denies_browser_features_and_embedding_by_other_sites(client, public_pages, name):
    response = client.get(public_pages[name])

    permissions = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert permissions[feature] == "()"
    assert set(permissions.values()) == {"()"}  # nothing is allowed, not even to this origin
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_cannot_be_embedded_by_other_sites_either():
    # WhiteNoise answers static files itself; the middleware before it still marks them.
    response = Client().get(settings.STATIC_URL + "js/search.js")

    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@override_settings(SECURE_CROSS_ORIGIN_RESOURCE_POLICY="same-orign")
def test_a_misspelt_resource_policy_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="SECURE_CROSS_ORIGIN_RESOURCE_POLICY"):
        CrossOriginResourcePolicyMiddleware(lambda request: None)


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' would block, as found in one page."""

    def __init__(self):
        super().__init__()
        self.scripts = []  # (attributes, text) of each <script>
        self.style_elements = 0
        self.style_attributes = []
        self.handlers = []
        self.javascript_urls = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = [attrs, ""]
            self.scripts.append(self._in_script)
        if tag == "style":
            self.style_elements += 1
        if "style" in attrs:
            self.style_attributes.append(tag)
        self.handlers += [f"{tag} {name}" for name in attrs if name.startswith("on")]
        self.javascript_urls += [
            value for value in attrs.values() if value and value.strip().lower().startswith("javascript:")
        ]

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser


def assert_nothing_inline_but_nonced_scripts(response):
    found = inline_code(response.text)
    assert found.style_elements == 0
    assert found.style_attributes == []
    assert found.handlers == []
    assert found.javascript_urls == []
    script_src = policy(response)["script-src"]
    for attrs, text in found.scripts:
        if "src" in attrs:
            # From this origin: a static file, or the admin's /admin/jsi18n/.
            assert attrs["src"].startswith("/") and not attrs["src"].startswith("//"), attrs["src"]
            assert text.strip() == ""
        elif attrs.get("type") in ("application/json", "application/ld+json"):
            pass  # data (json_script, schema.org JSON-LD), never executed
        else:
            # An inline script runs only with the nonce of this very response.
            assert "nonce" in attrs, f"inline script without a nonce: {text[:80]!r}"
            assert f"'nonce-{attrs['nonce']}'" in script_src


@pytest.mark.parametrize("name", PAGES)
def test_no_page_relies_on_inline_script_or_style(client, public_pages, name):
    assert_nothing_inline_but_nonced_scripts(client.get(public_pages[name]))


def test_the_admin_pages_curators_use_need_nothing_inline(curator_client):
    practice = PracticeFactory()
    for url in (
        reverse("admin:index"),
        reverse("admin:practices_practice_changelist"),
        reverse("admin:practices_practice_add"),
        reverse("admin:practices_practice_change", args=[practice.pk]),
        reverse("admin:practices_practice_history", args=[practice.pk]),
    ):
        response = curator_client.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert_nothing_inline_but_nonced_scripts(response)


INLINE_IN_TEMPLATES = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def test_no_template_has_an_inline_script_style_or_handler():
    """The page tests above see the pages they render; this sees every template."""
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE_IN_TEMPLATES.finditer(path.read_text())
    ]
    assert found == []


# Admin sign-in throttling (django-axes), through the real login form.

LOGIN = reverse("admin:login")


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def signed_in(client):
    return client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def other_curator(db):
    return get_user_model().objects.create_user("second", password="second-pass-456", is_staff=True)


def lock_out(client, username="curator"):
    """Wrong passwords up to the limit; the last one is answered with the lockout page."""
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, username, f"wrong-password-{attempt}")
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200  # the login form again, with its error
            assert "Please enter the correct username and password" in response.text
    return response


def assert_lockout_page(response):
    assert response.status_code == 429
    assert "Signing in is paused" in response.text
    assert "Try again after" in response.text
    assert "ask the site's administrators" in response.text
    # A page of the site, under the same headers as every other.
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert_nothing_inline_but_nonced_scripts(response)


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(client, curator):
    assert settings.AXES_FAILURE_LIMIT == 5

    assert_lockout_page(lock_out(client))
    response = sign_in(client, "curator", "curator-pass-123")

    assert_lockout_page(response)
    assert not signed_in(client)


def test_the_lockout_page_says_when_to_try_again(client, curator):
    before = timezone.now()
    response = lock_out(client)

    retry_at = response.context["retry_at"]
    assert before + settings.AXES_COOLOFF_TIME <= retry_at <= timezone.now() + settings.AXES_COOLOFF_TIME
    assert f"{retry_at:%H:%M} UTC on {retry_at.day} {retry_at:%B %Y}" in response.text
    assert "5 failed attempts to sign in as <strong>curator</strong>" in response.text
    assert "paused for 1 hour." in response.text


def test_axes_reset_lifts_the_lockout(client, curator):
    lock_out(client)
    call_command("axes_reset", verbosity=0)

    response = sign_in(client, "curator", "curator-pass-123")

    assert response.status_code == 302
    assert signed_in(client)


def test_axes_reset_username_lifts_one_users_lockout(client, curator):
    lock_out(client)
    call_command("axes_reset_username", "curator", verbosity=0)

    assert sign_in(client, "curator", "curator-pass-123").status_code == 302


def test_another_user_from_the_same_address_is_not_locked_out(client, curator, other_curator):
    lock_out(client)

    response = sign_in(Client(), "second", "second-pass-456")

    assert response.status_code == 302


def test_the_same_user_from_another_address_is_not_locked_out(client, curator):
    lock_out(client)

    response = sign_in(Client(REMOTE_ADDR="198.51.100.7"), "curator", "curator-pass-123")

    assert response.status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(client, curator):
    lock_out(client)

    response = sign_in(client, "curator", "curator-pass-123", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert_lockout_page(response)


def test_a_success_before_the_limit_starts_the_count_again(client, curator):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "curator", f"wrong-{attempt}")
    assert sign_in(client, "curator", "curator-pass-123").status_code == 302
    client.logout()

    response = sign_in(client, "curator", "one-more-typo")

    assert response.status_code == 200  # a wrong password, not a lockout


def settings_from_environment(monkeypatch, **env):
    """gfmd_kb/settings.py as it reads this environment (run afresh, the live settings untouched)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "gfmd_kb" / "settings.py"))


IPWARE_SETTINGS = [
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "IPWARE_STRICT",
]


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_appended(monkeypatch, client, curator):
    behind_proxy = settings_from_environment(monkeypatch, TRUSTED_PROXY_COUNT="1")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request comes from the proxy
    with override_settings(**{name: behind_proxy[name] for name in IPWARE_SETTINGS}):
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            # The attacker writes a new address each time; the proxy appends the real one.
            response = sign_in(
                client, "curator", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.9", **proxy
            )
        assert_lockout_page(response)
        assert_lockout_page(
            sign_in(client, "curator", "curator-pass-123", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
        )

        # The curator at another address, through the same proxy, is not locked out.
        elsewhere = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
        assert sign_in(elsewhere, "curator", "curator-pass-123").status_code == 302


def test_without_a_trusted_proxy_only_remote_addr_counts(monkeypatch):
    direct = settings_from_environment(monkeypatch, TRUSTED_PROXY_COUNT="")
    assert direct["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("REMOTE_ADDR",)


@pytest.mark.parametrize(
    "env", [{"TRUSTED_PROXY_COUNT": "-1"}, {"AXES_COOLOFF_MINUTES": "0"}, {"AXES_FAILURE_LIMIT": "0"}]
)
def test_nonsense_throttling_settings_fail_loudly(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        settings_from_environment(monkeypatch, **env)
