import re

import pytest

from practices.models import Country, GcmObjective
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def count_of(page, input_id):
    return int(page.locator(f"label[for='{input_id}'] .count").first.inner_text().split()[0])


def test_a_researcher_searches_filters_removes_a_chip_opens_a_practice_and_comes_back(
    page, serious_axe_violations
):
    mexico, ecuador = Country.objects.get(iso3="MEX"), Country.objects.get(iso3="ECU")
    regular, fair = GcmObjective.objects.get(number=5), GcmObjective.objects.get(number=6)
    PracticeFactory(
        title="Harvest workers in Mexico",
        summary="Farm workers travel north for the harvest season.",
        country=mexico,
        objective=regular,
    )
    PracticeFactory(title="Harvest recruitment", country=mexico, objective=fair)
    PracticeFactory(title="Harvest workers in Ecuador", country=ecuador, objective=regular)
    PracticeFactory(title="Diaspora bonds", country=ecuador, objective=fair)

    page.goto("/")
    page.get_by_label("Search the practices").fill("harvest")
    page.get_by_label("Search the practices").press("Enter")
    page.wait_for_url(re.compile(r"q=harvest"))
    assert page.get_by_role("heading", name=re.compile("3 practices")).is_visible()
    assert page.locator("mark").first.is_visible()
    assert serious_axe_violations(page) == []

    # Tick Mexico (inside the collapsed Americas list): the page reloads with it applied.
    page.locator("summary", has_text="Countries in Americas").click()
    page.get_by_label(re.compile("^Mexico")).check()
    page.wait_for_url(re.compile(r"country=MEX"))
    assert page.get_by_role("heading", name=re.compile("2 practices")).is_visible()
    assert count_of(page, "f-country-ecu") == 1  # Ecuador stays, with its own count
    assert count_of(page, "f-objective-5") == 1
    assert page.evaluate("document.activeElement.id") == "f-country-mex"  # focus comes back

    page.get_by_label(re.compile("^5. Regular pathways")).check()
    page.wait_for_url(re.compile(r"objective=5"))
    assert page.get_by_role("heading", name=re.compile("1 practice")).is_visible()
    assert count_of(page, "f-country-ecu") == 1  # Ecuador under objective 5
    assert count_of(page, "f-objective-6") == 1  # objective 6 within Mexico

    page.get_by_role("link", name=re.compile("Country: Mexico")).click()
    page.wait_for_url(lambda url: "country=" not in url)
    assert page.get_by_role("heading", name=re.compile("2 practices")).is_visible()

    page.get_by_role("link", name="Harvest workers in Ecuador").click()
    assert page.get_by_role("heading", level=1, name="Harvest workers in Ecuador").is_visible()
    page.go_back()
    assert "objective=5" in page.url and "q=harvest" in page.url
    assert page.get_by_role("heading", name=re.compile("2 practices")).is_visible()


def test_the_search_page_works_without_javascript(browser, live_server):
    PracticeFactory(title="Harvest workers in Mexico")
    PracticeFactory(title="Diaspora bonds", country=Country.objects.get(iso3="ECU"))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/practices/")
    page.locator("summary", has_text="Countries in Americas").click()
    page.get_by_label(re.compile("^Ecuador")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=ECU"))
    assert page.get_by_role("heading", name=re.compile("^1 practice")).is_visible()
    context.close()


def test_words_typed_on_the_search_page_come_back_ranked_not_alphabetical(page):
    PracticeFactory(title="Alpha scheme", summary="Visas for farm work.", description="Some harvest help.")
    PracticeFactory(title="Zeta harvest workers", summary="Harvest workers come each harvest season.")
    page.goto("/practices/")
    assert page.get_by_label("Sort by").input_value() == "relevance"
    titles = page.locator(".result h3").all_inner_texts()
    assert titles == sorted(titles)  # without words, relevance is title order

    page.get_by_label("Search the practices").fill("harvest")
    page.get_by_label("Search the practices").press("Enter")
    page.wait_for_url(re.compile(r"q=harvest"))
    assert page.locator(".result h3").all_inner_texts() == ["Zeta harvest workers", "Alpha scheme"]
    assert page.get_by_label("Sort by").input_value() == "relevance"
