"""The world map in a real browser: its countries are links a keyboard reaches, and the
browse pages have no serious accessibility violation."""

import pytest

from practices.models import Country
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practices():
    canada, mexico = Country.objects.get(iso3="CAN"), Country.objects.get(iso3="MEX")
    PracticeFactory(title="Canadian pathways", country=canada)
    PracticeFactory(title="Mexican pathways", country=mexico)
    PracticeFactory(title="Mexican recruitment", country=mexico)
    PracticeFactory(title="Global compact", country=False, scope="global")


def test_map_countries_are_focusable_links_to_their_search(page, practices):
    page.goto("/")
    countries = page.locator("svg.world-map a")
    assert countries.count() == 2
    assert countries.first.get_attribute("aria-label") == "Canada: 1 practice"

    # From the last link before the map, Tab reaches the first country, then the next.
    page.get_by_role("link", name="Curators' admin").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Canada: 1 practice"
    # Focus is visible: the focused country is filled with the focus colour.
    fill = page.evaluate("getComputedStyle(document.activeElement.querySelector('path')).fill")
    assert fill == "rgb(245, 166, 35)"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Mexico: 2 practices"

    page.keyboard.press("Enter")
    page.wait_for_url("**/practices/?country=MEX")
    assert page.get_by_role("link", name="Mexican recruitment").is_visible()


def test_map_table_gives_the_same_counts(page, practices):
    page.goto("/")
    page.get_by_text("Table of the map").click()
    table = page.locator("details.map-table table")
    assert table.is_visible()
    assert table.get_by_role("link", name="Mexico: 2 practices, in search").is_visible()
    assert page.get_by_text("practice has no country").is_visible()


@pytest.mark.parametrize("url", ["/", "/regions/americas/", "/countries/MEX/", "/coverage/", "/browse/"])
def test_browse_pages_have_no_serious_accessibility_violation(page, practices, serious_axe_violations, url):
    page.goto(url)
    assert page.get_by_role("heading", level=1).is_visible()
    assert serious_axe_violations(page) == []
