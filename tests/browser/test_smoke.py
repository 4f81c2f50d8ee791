import pytest

from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_styled_and_accessible(page, serious_axe_violations):
    PracticeFactory(title="Seasonal agricultural workers programme")

    page.goto("/")

    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("link", name="Seasonal agricultural workers programme").is_visible()
    # The stylesheet is served (a missing CSS file would leave the body in the default serif).
    assert "serif" != page.evaluate("getComputedStyle(document.body).fontFamily")
    assert serious_axe_violations(page) == []
