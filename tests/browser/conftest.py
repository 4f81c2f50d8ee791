"""Browser tests: Playwright driving Debian's headless Chromium against pytest-django's live server.

`make test` installs Chromium (apt) and axe-core (npm) first; Playwright's own browser
download is never used. A missing browser fails the run rather than skipping it.

Every page opened through the `page` fixture runs under the site's real Content Security
Policy, and a test fails if Chromium reports a violation (an inline script or style, an
on*= handler, a resource from elsewhere): what the policy blocks is a broken page.
"""

import os
from importlib import import_module
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; Django's ORM refuses to run
# while a loop exists unless told that this (single-threaded test) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these Chromium keeps dialling out.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The live server needs committed data, so browser tests are transactional, and a
    transactional test empties every table when it ends: the reference vocabularies that
    migration 0002 wrote (countries, GCM objectives, principles) too. Put them back, so a
    browser test may run after another. (serialized_rollback did not survive Playwright's
    event loop reliably.)"""
    from django.apps import apps

    from practices.models import Country

    if not Country.objects.exists():
        import_module("practices.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_csp_violation(message):
    return "Content Security Policy" in message.text


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if is_csp_violation(message) else None)
    yield page
    context.close()
    assert violations == [], "Chromium reported Content Security Policy violations"


@pytest.fixture
def serious_axe_violations():
    """Return axe-core's serious and critical violations on the page, as readable strings."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make browser-deps` (npm ci).")

    def check(page):
        # Evaluated through the DevTools protocol, which the page's Content Security Policy
        # does not govern; add_script_tag would insert an inline <script>, rightly refused.
        page.evaluate(AXE_SCRIPT.read_text())
        # Only violations are read: axe then spares itself collecting every passing node.
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check
