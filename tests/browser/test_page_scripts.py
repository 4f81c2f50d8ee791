"""The small scripts of the reader and the brief (static files, so that the Content Security
Policy needs no 'unsafe-inline'): they run and do their job."""

import pytest

from tests.factories import CitationFactory, PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = (
    "Mexico and Canada run a seasonal programme. It began in 1974.\n\n"
    "GUIDING PRINCIPLES\n\n"
    "Workers return home after the season. Employers pay the flights.\n"
)


def test_the_reader_marks_every_part_of_a_passage_that_spans_paragraphs(page):
    source = SourceDocumentFactory(text=TEXT)
    spanning = CitationFactory(source=source, excerpt="It began in 1974.\n\nGUIDING PRINCIPLES")
    other = CitationFactory(source=source, excerpt="Employers pay the flights.")

    page.goto(spanning.get_absolute_url())

    # :target reaches only the first <mark>; the script marks the second one too.
    current = page.locator("mark.passage.current")
    assert current.count() == 2
    assert "".join(current.all_inner_texts()) == "It began in 1974.GUIDING PRINCIPLES"

    page.evaluate(f"window.location.hash = '#passage-{other.start}'")
    page.wait_for_function("document.querySelectorAll('mark.passage.current').length === 1")
    assert current.all_inner_texts() == ["Employers pay the flights."]


def test_the_brief_shows_its_print_button_once_the_script_has_run(page):
    practice = PracticeFactory(title="Seasonal workers programme")

    page.goto(f"/practices/brief/?practice={practice.slug}")

    button = page.get_by_role("button", name="Print this brief")
    assert button.is_visible()
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed") is True
