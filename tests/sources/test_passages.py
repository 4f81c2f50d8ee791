"""Locating excerpts pasted from PDFs (sources.passages): pure functions, no database."""

from pathlib import Path

import pytest
from django.conf import settings

from sources import passages

TEXT = (
    "3.1 Concepts\n\n"
    "The Chair in Office has proposed shared responsibility as a key element for this year’s "
    "discussions. Brazil’s 2009 amnesty regularized 41,816 migrants – a record. Spain’s "
    "regularisation of 2005 was the largest; self-employment rose after it.\n\n"
    "The “final” report follows. The Chair in Office has proposed shared responsibility again.\n"
)


def found_text(excerpt, near=None, text=TEXT):
    found = passages.locate(text, excerpt, near=near)
    return None if found is None else text[found.start : found.end]


def test_a_verbatim_excerpt_is_found_exactly():
    found = passages.locate(TEXT, "Brazil’s 2009 amnesty")
    assert found.exact
    assert TEXT[found.start : found.end] == "Brazil’s 2009 amnesty"


@pytest.mark.parametrize(
    "pasted",
    [
        "Brazil's 2009 amnesty regularized 41,816 migrants - a record.",  # straight quote, hyphen
        "Brazil’s 2009\namnesty regularized\r\n41,816 migrants — a record.",  # line breaks, em dash
        "Brazil’s  2009 amnesty\u00a0regularized 41,816\tmigrants – a record.",  # spaces, NBSP, tab
        "Brazil’s 2009 am\u00adnesty regu\u00adlarized 41,816 migrants – a record.",  # soft hyphens
        "  Brazil’s 2009 amnesty regularized 41,816 migrants – a record.\n",  # around it
    ],
)
def test_what_a_pdf_copy_changes_is_tolerated_and_the_documents_text_is_returned(pasted):
    found = passages.locate(TEXT, pasted)
    assert found.exact is (pasted.strip() == TEXT[found.start : found.end])
    assert TEXT[found.start : found.end] == "Brazil’s 2009 amnesty regularized 41,816 migrants – a record."


def test_a_word_hyphenated_at_a_line_end_is_joined_or_kept_as_the_document_has_it():
    assert found_text("Spain’s regulari-\nsation of 2005") == "Spain’s regularisation of 2005"
    assert found_text("largest; self-\nemployment rose") == "largest; self-employment rose"
    # A hyphen inside a line is not a line-end break: "regulari-sation" is another word.
    assert found_text("Spain’s regulari-sation of 2005") is None


def test_ligatures_are_spelled_out_on_both_sides():
    text = "The ﬁnal ﬂow of eﬀort."
    assert found_text("The final flow of effort.", text=text) == text
    assert found_text("The “ﬁnal” report", text=TEXT) == "The “final” report"
    assert found_text('The "final" report') == "The “final” report"


def test_words_and_case_still_count():
    assert passages.locate(TEXT, "Brazil’s 2010 amnesty") is None
    assert passages.locate(TEXT, "brazil’s 2009 amnesty") is None
    assert passages.locate(TEXT, "") is None
    assert passages.locate(TEXT, " \u00ad\n") is None


def test_of_several_occurrences_the_one_nearest_the_stored_position_wins():
    excerpt = "The Chair in Office has proposed shared responsibility"
    first = TEXT.index(excerpt)
    second = TEXT.index(excerpt, first + 1)
    assert passages.locate(TEXT, excerpt).start == first
    assert passages.locate(TEXT, excerpt, near=second - 3).start == second
    assert passages.locate(TEXT, excerpt.replace(" ", "\n"), near=second).start == second


def test_fold_maps_every_character_back_to_the_document():
    folded, offsets = passages.fold("a\u00adb  “c”\u00a0ﬁ")
    assert folded == 'ab "c" fi'
    assert len(offsets) == len(folded)
    assert offsets == [0, 2, 3, 5, 6, 7, 8, 9, 9]


def test_the_closest_passage_is_quoted_with_where_it_parts_from_the_excerpt():
    divergence = passages.closest(
        TEXT, "Brazil’s 2009 amnesty regularised 41,816 undocumented migrants – a record."
    )
    assert divergence.document_says.startswith("regularized")
    assert divergence.excerpt_says.startswith("regularised")
    assert "Brazil’s 2009 amnesty" in divergence.same  # the document's own characters
    text = divergence.as_text()
    assert "«regularized" in text and "«regularised" in text
    html = divergence.as_html()
    assert "<mark>regularized" in html and "<mark>regularised" in html
    assert TEXT[divergence.start :].startswith("Brazil’s 2009 amnesty")


def test_extra_words_in_the_excerpt_are_what_it_has_and_the_document_does_not():
    divergence = passages.closest(TEXT, "The Chair in Office has firmly proposed shared responsibility")
    assert divergence.excerpt_says == "firmly"
    assert divergence.document_says == ""
    assert "The Chair in Office has" in divergence.same
    assert "«[nothing]»" in divergence.as_text()


def test_html_of_the_divergence_escapes_the_text():
    divergence = passages.closest(
        "Alpha beta gamma delta <b>epsilon</b>.", "Alpha beta gamma delta <i>x</i>."
    )
    assert "<i>" not in divergence.as_html()
    assert "&lt;i&gt;" in divergence.as_html()


def test_nothing_resembling_the_excerpt_gives_no_divergence():
    assert passages.closest(TEXT, "Penguins eat krill in Antarctic waters") is None
    assert passages.closest(TEXT, "Brazil’s 2009 amnesty") is None  # it is there: nothing parts


def test_the_largest_seed_document_is_searched_through():
    path = max(
        (Path(settings.BASE_DIR) / "fixtures" / "source_texts").glob("*.txt"), key=lambda p: p.stat().st_size
    )
    text = path.read_text()
    middle = len(text) // 2
    start = text.index(" ", middle) + 1
    original = text[start : start + 300]
    pasted = original.replace(" ", "\n", 5)
    found = passages.locate(text, pasted)
    assert found is not None and text[found.start : found.end] == original.strip()
    words = original.split()
    words[20] = "zzzz"
    divergence = passages.closest(text, " ".join(words))
    assert divergence is not None and divergence.excerpt_says.startswith("zzzz")
