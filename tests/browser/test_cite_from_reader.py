"""A curator selects a passage in the reader and cites it for a practice, with the keyboard
once the passage is selected, under the site's Content Security Policy (the `page` fixture
fails on any violation)."""

import pytest

from practices.models import Practice
from tests.browser.test_admin import logged_in  # noqa: F401 (a fixture)
from tests.factories import PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSAGE = "Brazil’s 2009 amnesty regularized 41,816 migrants"

SELECT = """(passage) => {
  const block = [...document.querySelectorAll('.document-text [id^=offset-]')]
    .find(b => b.textContent.includes(passage));
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.textContent.includes(passage)) {}
  const at = node.textContent.indexOf(passage);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + passage.length);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
}"""


def test_a_curator_cites_a_selected_passage_from_the_reader(logged_in, serious_axe_violations):  # noqa: F811
    page = logged_in
    document = SourceDocumentFactory(title="Irregular Migration Report")
    practice = PracticeFactory(title="Brazil’s amnesty of 2009", citation=document, status="draft")

    page.goto(document.get_absolute_url())
    button = page.get_by_role("button", name="Cite for practice…")
    assert button.is_disabled()
    page.evaluate(SELECT, PASSAGE)
    page.locator("#cite-open:not([disabled])").wait_for()

    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cite this passage")
    dialog.wait_for()
    assert dialog.locator("#cite-preview").inner_text() == PASSAGE
    page.keyboard.type("amnesty")  # focus starts in the search field
    page.locator("#cite-practice option", has_text="Brazil’s amnesty of 2009").wait_for(state="attached")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Practice", exact=True).input_value() == str(practice.pk)
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Cite", exact=True).click()
    page.locator("#cite-result.ok").wait_for()
    assert "Cited for “Brazil’s amnesty of 2009”" in page.locator("#cite-result").inner_text()

    citation = Practice.objects.get(pk=practice.pk).citations.get(excerpt=PASSAGE)
    assert document.text[citation.start : citation.end] == PASSAGE
    # Escape closes the dialog; the passage's link to the admin is there.
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
