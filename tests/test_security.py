"""Security headers on every kind of page, and no inline script or style for them to forbid."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

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
    }


PAGES = ["home", "search", "practice", "reader", "brief", "admin login"]


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
        elif attrs.get("type") == "application/json":
            pass  # data for a script (json_script), never executed
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
