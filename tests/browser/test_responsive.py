"""The layout on phones, tablets and desktops.

On every public page type, at 320, 375, 768 and 1280 px, nothing is wider than the screen and
the main column uses the screen; axe-core finds no serious violation in either layout. Phone
widths are emulated as a phone (touch, 2x pixels): Chromium then widens its layout viewport to
fit overflowing content, so overflow is measured as the document's scroll width against the
width asked for, never against innerWidth.

The sweep runs on the seed knowledge base, loaded once: its long URLs, long titles and the
wide coverage table are what broke the layout before.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from practices.loading import load_knowledge_base
from practices.models import Citation, Country, GcmObjective, Meeting, Organisation, Practice
from tests.browser.conftest import is_csp_violation
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
WIDTHS = [320, 375, 768, 1280]
NARROW = 700  # below this the site is one column, and the browser is a phone
AXE_WIDTHS = {375, 1280}  # axe-core once per layout
MAIN_SHARE = 0.85  # of the screen, for the main column of a phone layout


def new_context(browser, live_server, width, **options):
    phone = width < NARROW
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        **options,
    )
    violations = []
    context.on(
        "console", lambda message: violations.append(message.text) if is_csp_violation(message) else None
    )
    return context, violations


@pytest.fixture
def seed_pages():
    """The seed knowledge base, committed for the live server, and a URL of each page type
    with the selector of its main column. (The transactional test empties it afterwards.)"""
    load_knowledge_base(FIXTURES / "knowledge_base.json")
    load_knowledge_base(FIXTURES / "thesaurus.json")
    practice = Practice.objects.get(slug="seasonal-agricultural-workers-program-canada-mexico")
    other = Practice.objects.get(slug="2030-agenda-sustainable-development-target-10-7")
    # The document whose notes hold long URLs, opened at a cited passage.
    citation = Citation.objects.filter(
        source__slug="gfmd-2010-roundtable-1-1-background-paper", practice__status="published"
    ).first()
    meeting = max(Meeting.objects.all(), key=lambda meeting: meeting.practices.count())
    organisation = max(Organisation.objects.all(), key=lambda organisation: len(organisation.name))
    return {
        "home": ("/", ".hero"),
        "search": ("/practices/?q=seasonal+workers&country=MEX", ".results"),
        "practice": (practice.get_absolute_url(), ".practice-main"),
        "reader": (citation.get_absolute_url(), ".document-text"),
        "coverage": ("/coverage/", ".table-scroll"),
        "country": (Country.objects.get(iso3="MEX").get_absolute_url(), "main h1"),
        "objective": (GcmObjective.objects.get(number=5).get_absolute_url(), "main h1"),
        "meeting": (meeting.get_absolute_url(), "main h1"),
        "organisation": (organisation.get_absolute_url(), "main h1"),
        "sources": ("/sources/", "main h1"),
        "thesaurus": ("/thesaurus/", "main h1"),
        "brief": (f"/practices/brief/?practice={practice.slug}&practice={other.slug}", ".brief-cover"),
    }


def width_problems(page, width, column):
    """What is wrong with the page's width at this screen width."""
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        widest = page.evaluate(
            """width => [...document.querySelectorAll('body *')]
                .filter(element => element.getBoundingClientRect().right > width + 1)
                .slice(0, 3).map(element => element.tagName.toLowerCase() + '.' + element.className)""",
            width,
        )
        problems.append(f"the page is {scroll_width}px wide ({widest})")
    if width < NARROW:
        box = page.locator(column).first.bounding_box() if page.locator(column).count() else None
        used = box["width"] if box else 0
        if used < MAIN_SHARE * width:
            problems.append(f"the main column ({column}) is only {used:.0f}px wide")
    return problems


def practice_problems(page, width, url):
    # On a phone the labels sit above their values, which keep the whole width.
    values = [value for value in page.locator(".facts dd").all() if value.is_visible()]
    if width < NARROW and any(value.bounding_box()["width"] < MAIN_SHARE * width for value in values):
        return ["a value sits beside its label"]
    return []


def reader_problems(page, width, url):
    # Followed from a practice, the passage is in view; on a phone the list of cited passages
    # is behind its button, beside the text otherwise.
    problems = []
    passage = page.locator(f"#{url.split('#')[1]}")
    box = passage.bounding_box()
    if not passage.evaluate("element => element.matches(':target')") or not box or not 0 <= box["y"] < 800:
        problems.append("the cited passage is not on the screen")
    if page.locator(".passages-toc ol").is_visible() == (width < NARROW):
        problems.append("the list of cited passages is " + ("open" if width < NARROW else "hidden"))
    return problems


def search_problems(page, width, url):
    # On a phone the results come first (their heading on the first screen, the facets behind
    # the Filters button); wider, the facets are a sidebar.
    results = page.locator("#results-heading").bounding_box()["y"]
    facets_shown = page.locator("#facet-region").is_visible()
    if width < NARROW and (facets_shown or results > 800):
        return [f"the results do not come first ({results:.0f}px down)"]
    if width >= NARROW and not facets_shown:
        return ["the filters are not beside the results"]
    return []


PAGE_CHECKS = {"practice": practice_problems, "reader": reader_problems, "search": search_problems}


def test_every_page_fits_the_screen_at_every_width(browser, live_server, seed_pages, serious_axe_violations):
    problems = []

    def check(page, name, width, column, found):
        found = width_problems(page, width, column) + found
        if width in AXE_WIDTHS:
            found += serious_axe_violations(page)
        problems.extend(f"{name} at {width}px: {problem}" for problem in found)

    for width in WIDTHS:
        context, csp_violations = new_context(browser, live_server, width)
        page = context.new_page()
        for name, (url, column) in seed_pages.items():
            page.goto(url)
            own = PAGE_CHECKS.get(name)
            check(page, name, width, column, own(page, width, url) if own else [])
            if name == "search" and width < NARROW:
                # The same page with the filters panel open.
                toggle = page.locator("#filters > summary")
                if toggle.is_visible():
                    toggle.click()
                shown = page.locator("#facet-region").is_visible()
                check(page, "search with filters open", width, "#filters", [] if shown else ["no filters"])
        context.close()
        problems += [f"at {width}px: {violation}" for violation in csp_violations]
    assert not problems, "\n".join(problems)


def text_of(locator):
    return " ".join(locator.text_content().split())


@pytest.fixture
def three_practices():
    mexico, ecuador = Country.objects.get(iso3="MEX"), Country.objects.get(iso3="ECU")
    PracticeFactory(title="Harvest workers in Mexico", country=mexico)
    PracticeFactory(title="Harvest recruitment in Mexico", country=mexico)
    PracticeFactory(title="Diaspora bonds in Ecuador", country=ecuador)


def test_on_a_phone_the_filters_open_over_the_results_and_close_again(browser, live_server, three_practices):
    context, csp_violations = new_context(browser, live_server, 375)
    page = context.new_page()
    page.goto("/practices/?country=MEX")

    toggle = page.locator("#filters > summary")
    results = page.get_by_role("heading", name=re.compile("^2 practices"))
    assert text_of(toggle) == "Filters (1 active)"  # "Filters (1)" on screen
    assert results.is_visible() and not page.locator("#facet-region").is_visible()
    assert toggle.bounding_box()["y"] < results.bounding_box()["y"]

    toggle.click()
    # The panel covers the screen; the page behind it is out of reach.
    panel = page.locator("#filters").bounding_box()
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 375, 800)
    assert page.locator("#facet-region").is_visible()
    assert page.evaluate("document.activeElement === document.querySelector('#filters > summary')")
    assert page.evaluate("document.getElementById('search-form').closest('[inert]') !== null")

    # Ticking a country (its region's list is open: Mexico is ticked) applies it; the panel is
    # open again on the new page, and focus on the box.
    page.get_by_label(re.compile("^Ecuador")).check()
    page.wait_for_url(re.compile(r"country=ECU"))
    assert page.evaluate("document.activeElement.id") == "f-country-ecu"
    assert page.locator("#filters").evaluate("panel => panel.open && panel.classList.contains('is-overlay')")
    assert text_of(toggle) == "Filters (2 active)"

    # Escape closes it, focus back on the button, the page usable again.
    page.keyboard.press("Escape")
    assert not page.locator("#facet-region").is_visible()
    assert page.evaluate("document.activeElement === document.querySelector('#filters > summary')")
    assert page.evaluate("document.querySelector('[inert]') === null")
    assert page.get_by_role("heading", name=re.compile("^3 practices")).is_visible()

    # "Show 3 practices" closes it too.
    toggle.click()
    page.get_by_role("button", name="Show 3 practices").click()
    assert not page.locator("#facet-region").is_visible()
    assert page.evaluate("document.activeElement === document.querySelector('#filters > summary')")
    context.close()
    assert csp_violations == []


def test_on_a_phone_without_javascript_the_filters_open_in_place(browser, live_server, three_practices):
    context, _ = new_context(browser, live_server, 375, java_script_enabled=False)
    page = context.new_page()
    page.goto("/practices/")

    assert not page.locator("#facet-region").is_visible()
    page.get_by_text("Filters", exact=True).click()
    assert page.locator("#facet-region").is_visible()
    page.locator("summary", has_text="Countries in Americas").click()
    page.get_by_label(re.compile("^Ecuador")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=ECU"))
    assert page.get_by_role("heading", name=re.compile("^1 practice")).is_visible()
    assert text_of(page.locator("#filters > summary")) == "Filters (1 active)"
    context.close()
