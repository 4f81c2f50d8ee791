"""The admin under the site's Content Security Policy: a curator logs in through the form and
the widgets that run on JavaScript (autocomplete, the two-box selector, the calendar, the
inlines) still work. The `page` fixture fails the test on any violation Chromium reports."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Error as PlaywrightError

from practices.curators import ensure_curators_group
from tests.browser.conftest import is_csp_violation
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(page):
    user = get_user_model().objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(ensure_curators_group())
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("curator-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_the_practice_change_form_works_under_the_policy(logged_in):
    page = logged_in
    practice = PracticeFactory(title="Seasonal workers programme")

    page.goto(f"/admin/practices/practice/{practice.pk}/change/")

    assert page.get_by_role("heading", name="Change practice").is_visible()
    # Autocomplete (select2), the two-box selector and the inlines' "add another" are scripts.
    assert page.locator(".select2-container").first.is_visible()
    assert page.locator(".selector-available").first.is_visible()
    group = page.locator(".inline-group").first
    total = group.locator("input[name$='-TOTAL_FORMS']")
    before = int(total.input_value())
    group.locator(".add-row a").click()
    assert int(total.input_value()) == before + 1


def test_the_calendar_and_the_date_hierarchy_work_under_the_policy(logged_in):
    page = logged_in

    page.goto("/admin/practices/meeting/add/")
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}", page.locator("#id_start_date").input_value())
    page.locator(".date-icon").first.click()
    assert page.locator(".calendarbox").first.is_visible()

    page.goto("/admin/practices/meeting/")
    assert page.get_by_role("heading", name=re.compile("Select meeting to change")).is_visible()


def test_a_policy_violation_is_what_the_browser_tests_catch(browser, live_server):
    """The `page` fixture fails a test on Chromium's console message about a violation: here,
    in a page of its own, the message comes and is recognised."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message) if is_csp_violation(message) else None)
    page.goto("/")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected") is None
    assert len(violations) == 1
    context.close()
