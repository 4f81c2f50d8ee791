"""The source reader: the full text, cited passages highlighted and anchored, search."""

import re
from types import SimpleNamespace

import pytest

from practices.models import Country, Practice
from sources import reader
from tests.factories import CitationFactory, MeetingFactory, PracticeFactory, SourceDocumentFactory

TEXT = (
    "1. Introduction\n\n"
    "Mexico and Canada run a seasonal programme. It began in 1974.\n\n"
    "GUIDING PRINCIPLES\n\n"
    "3.1 Concepts and definitions\n\n"
    "Workers return home after the season. Employers pay the flights.\n\n"
    "This sentence ends with a full stop.\n"
)


def citation(text, excerpt, label="", practice_id=1):
    start = text.index(excerpt)
    practice = SimpleNamespace(pk=practice_id, title=f"Practice {practice_id}")
    return SimpleNamespace(
        start=start, excerpt=excerpt, label=label, practice_id=practice_id, practice=practice
    )


def document_blocks(citations, query=""):
    paragraphs = SourceDocumentFactory.build(text=TEXT).paragraphs()
    return reader.blocks(paragraphs, reader.group_passages(citations), reader.find_matches(TEXT, query))


def rebuilt(blocks):
    return "\n\n".join("".join(segment.text for segment in block.segments) for block in blocks)


def test_segments_keep_the_text_exactly_whatever_is_marked():
    citations = [
        citation(TEXT, "Canada run a seasonal programme. It began"),
        citation(TEXT, "seasonal programme", practice_id=2),  # inside the first
        citation(TEXT, "It began in 1974.\n\nGUIDING", practice_id=3),  # across paragraphs
    ]
    blocks = document_blocks(citations, query="season")
    assert rebuilt(blocks) == TEXT
    assert [block.start for block in blocks] == [start for start, _ in reader_paragraphs()]


def reader_paragraphs():
    return SourceDocumentFactory.build(text=TEXT).paragraphs()


def test_overlapping_and_spanning_passages_each_get_one_anchor_and_are_all_marked():
    outer = citation(TEXT, "Canada run a seasonal programme. It began")
    inner = citation(TEXT, "seasonal programme", practice_id=2)
    spanning = citation(TEXT, "It began in 1974.\n\nGUIDING", practice_id=3)
    blocks = document_blocks([outer, inner, spanning])

    segments = [segment for block in blocks for segment in block.segments]
    anchors = [anchor for segment in segments for anchor in segment.anchors]
    assert sorted(anchors) == sorted(f"passage-{c.start}" for c in (outer, inner, spanning))
    marked = "".join(segment.text for segment in segments if segment.passages)
    assert "Canada run a seasonal programme. It began in 1974." in marked
    assert "GUIDING" in marked
    assert [segment.text for segment in segments if len(segment.passages) == 2] == [
        "seasonal programme",
        "It began",
    ]
    # "Cited by" follows the paragraph where each passage starts.
    second = blocks[1]
    assert {passage.start for passage in second.passages_starting} == {
        outer.start,
        inner.start,
        spanning.start,
    }


def test_passages_sharing_a_start_share_one_anchor():
    short = citation(TEXT, "Workers return home")
    long = citation(TEXT, "Workers return home after the season.", practice_id=2)
    blocks = document_blocks([short, long])
    anchors = [anchor for block in blocks for segment in block.segments for anchor in segment.anchors]
    assert anchors == [f"passage-{short.start}"]
    assert len(blocks[4].passages_starting) == 2


PARAGRAPH = (
    "The FMTF was created in 2008. It lets workers from Guatemala and Belize work in "
    "Chiapas. The card is valid for one year and can be renewed."
)


def cited(excerpt, label, practice):
    return SimpleNamespace(
        start=PARAGRAPH.index(excerpt),
        excerpt=excerpt,
        label=label,
        practice_id=practice.pk,
        practice=practice,
    )


def linked_practice(pk, title):
    return SimpleNamespace(pk=pk, title=title, get_absolute_url=lambda: f"/practices/p{pk}/")


def cited_by_html(citations):
    (block,) = reader.blocks([(0, PARAGRAPH)], reader.group_passages(citations))
    html = str(block.html())
    return html[html.index('<p class="cited-by">') :]


def test_passages_of_one_paragraph_cited_by_the_same_practice_say_so_once():
    card = linked_practice(1, "Card for Frontier Workers")
    citations = [
        cited("The FMTF was created in 2008.", "Section 4 d)", card),
        cited("It lets workers from Guatemala and Belize", "Section 4 d)", card),
        cited("The card is valid for one year", "Section 4 d)", card),
    ]
    html = cited_by_html(citations)
    assert html.count("Cited by") == 1
    assert html == (
        '<p class="cited-by">Cited by <a href="/practices/p1/">Card for Frontier Workers</a>'
        " — Section 4 d)</p>\n"
    )
    assert "))" not in html


def test_cited_by_lines_join_practices_under_one_label_and_labels_of_one_practice():
    card, programme, other = (
        linked_practice(1, "Card"),
        linked_practice(2, "Programme"),
        linked_practice(3, "Other & more"),
    )
    citations = [
        cited("The FMTF was created in 2008.", "Section 4 d)", card),
        cited("It lets workers from Guatemala and Belize", "Section 4 d)", programme),
        cited("It lets workers from Guatemala and Belize", "Section 4 d)", card),
        cited("The card is valid for one year", "Note [4]", other),
        cited("valid for one year and can be renewed.", "Note [5]", other),
        cited("and can be renewed.", "", card),
    ]
    lines = cited_by_html(citations).removeprefix('<p class="cited-by">').removesuffix("</p>\n").split("<br>")
    assert lines == [
        'Cited by <a href="/practices/p1/">Card</a>; <a href="/practices/p2/">Programme</a> — Section 4 d)',
        'Cited by <a href="/practices/p3/">Other &amp; more</a> — Note [4], Note [5]',
        'Cited by <a href="/practices/p1/">Card</a>',
    ]


@pytest.mark.parametrize(
    "paragraph, level",
    [
        ("1 Executive Summary", "h3"),
        ("2. Objectives", "h3"),
        ("3.1 Concepts and definitions", "h4"),
        ("II. Elements for a social perspective on international migration", "h3"),
        ("A. ICMPD activities that could contribute to preparations for the 2013 HLD", "h3"),
        ("GUIDING PRINCIPLES", "h3"),
        ("1. In September 2002, the Secretary-General indicated that migration mattered.", None),
        ("Thematic meetings:", None),
        ("Human rights", None),
        ("• 23 objectives and associated commitments", None),
        ("New York, 9-10 February 2012", None),
        ("EU", None),
    ],
)
def test_headings_are_recognised_conservatively(paragraph, level):
    assert reader.heading_level(paragraph) == level


def test_search_matches_words_across_line_breaks_case_insensitively():
    matches = reader.find_matches(
        "The Seasonal\nProgramme, and the seasonal programme.", "seasonal programme"
    )
    assert [match.text for match in matches] == ["Seasonal\nProgramme", "seasonal programme"]
    assert reader.find_matches("text", "   ") == []
    assert reader.find_matches("a+b (c)", "+b (c") != []  # special characters are literal


# --- The page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_reader_highlights_every_public_passage_with_its_anchor_and_practices(client):
    source = SourceDocumentFactory(text=TEXT, title="Seasonal work report", publisher="GFMD")
    first = PracticeFactory(title="Seasonal programme", citation=False)
    second = PracticeFactory(title="Return scheme", citation=False)
    draft = PracticeFactory(title="Secret draft", status="draft", citation=False)
    one = CitationFactory(practice=first, source=source, excerpt="seasonal programme. It began in 1974.")
    two = CitationFactory(practice=second, source=source, excerpt="Workers return home", label="p. 2")
    CitationFactory(practice=draft, source=source, excerpt="Employers pay the flights.")
    meeting = MeetingFactory(name="GFMD 2010 Roundtable")
    meeting.source_documents.add(source)

    response = client.get(source.get_absolute_url())
    html = response.text

    assert response.status_code == 200
    for cited in (one, two):
        assert re.search(rf'<mark class="passage[^"]*" id="passage-{cited.start}"', html)
        assert f'href="#passage-{cited.start}"' in html  # table of contents
    assert f'<a href="{first.get_absolute_url()}">Seasonal programme</a>' in html
    assert f'<a href="{second.get_absolute_url()}">Return scheme</a>' in html
    assert "Secret draft" not in html
    assert "the season. Employers pay the flights." in html  # the draft's passage is not marked
    assert "GFMD 2010 Roundtable" in html
    assert "2 passages, by 2 practices" in html
    assert '<h3 id="offset-0">1. Introduction</h3>' in html
    # Every word of the text is on the page, in order.
    page_text = re.sub(r"<[^>]+>", "", html)
    for paragraph in TEXT.split("\n\n"):
        assert paragraph.strip() in page_text


@pytest.mark.django_db
def test_search_within_the_document_counts_and_highlights_without_javascript(client):
    source = SourceDocumentFactory(text=TEXT)
    html = client.get(source.get_absolute_url(), {"q": "SEASON"}).text
    assert "<strong>2</strong> matches for “SEASON”" in html
    assert html.count('<mark class="match" id="match-') == 2
    assert 'href="#match-2"' in html
    assert 'value="SEASON"' in html

    none = client.get(source.get_absolute_url(), {"q": "tractor"}).text
    assert "<strong>0</strong> matches for “tractor”" in none


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [("a", "at least 2 characters"), ("x" * 500, "limited to 100 characters"), ("<script>", "0</strong>")],
)
def test_odd_searches_get_a_message_not_an_error(client, query, message):
    source = SourceDocumentFactory(text=TEXT)
    response = client.get(source.get_absolute_url(), {"q": query})
    assert response.status_code == 200
    assert message in response.text
    assert "<script>" not in response.text.split("<main")[1].split("</main>")[0]


@pytest.mark.django_db
def test_reader_query_count_is_constant(
    uncached, client, django_assert_max_num_queries, django_assert_num_queries
):
    text = "\n\n".join(f"Paragraph {n} of the document, cited by someone." for n in range(40))
    small = SourceDocumentFactory(text=text)
    large = SourceDocumentFactory(text=text)
    CitationFactory(source=small, excerpt="Paragraph 1 of", practice=PracticeFactory(citation=False))
    for n in range(30):
        practice = PracticeFactory(citation=False, country=Country.objects.get(iso3="CAN"))
        CitationFactory(source=large, excerpt=f"Paragraph {n} of the document", practice=practice)
    MeetingFactory.create_batch(3)[0].source_documents.add(large)

    with django_assert_max_num_queries(3) as queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(queries)):
        response = client.get(large.get_absolute_url(), {"q": "document"})
    assert response.text.count('class="passage') >= 30
    assert Practice.objects.count() == 31
