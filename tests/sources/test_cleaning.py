"""Unit tests for sources.cleaning.clean_text (pure Python, no database)."""

from pathlib import Path

import pytest

from sources.cleaning import clean_text

# A wrapped-paragraph body (pdftotext style needs enough lines to measure the wrap width).
FILLER = (
    "This sentence is only here to give the document a realistic hard-wrapped body of\n"
    "lines that all end close to the same width, the way pdftotext prints a page of a\n"
) * 12


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# --- paragraphs and line joining ---------------------------------------------------------


def test_paragraphs_are_single_lines_separated_by_one_blank_line():
    out = clean_text("First line\nof a paragraph\n\n\n\nSecond paragraph.\n")
    assert out == "First line of a paragraph\n\nSecond paragraph."


def test_lines_cut_mid_sentence_are_joined_with_one_space():
    raw = FILLER + "The actions of fraudulent migration agents who advertise false offers and\n"
    raw += "opportunities can also exploit vulnerabilities.\n"
    out = clean_text(raw)
    assert "advertise false offers and opportunities can also" in out
    assert "\n" not in out


def test_page_break_mid_sentence_is_repaired():
    out = clean_text("The actions of fraudulent migration\n\nintermediaries/agents who advertise.")
    assert out == "The actions of fraudulent migration intermediaries/agents who advertise."


def test_blank_line_after_a_full_sentence_is_a_paragraph_break():
    out = clean_text("It ended.\n\nthe next one starts lower-case.")
    assert paragraphs(out) == ["It ended.", "the next one starts lower-case."]


def test_short_line_after_sentence_end_starts_a_new_paragraph_in_wrapped_text():
    raw = FILLER + "and this paragraph ends here.\nNew paragraph starts here and goes on.\n"
    out = clean_text(raw)
    assert "ends here.\n\nNew paragraph starts" in out


def test_line_ending_in_a_function_word_is_never_a_break():
    out = clean_text("Working Session on: Addressing irregular migration and\nDevelopment")
    assert out == "Working Session on: Addressing irregular migration and Development"


def test_open_parenthesis_keeps_the_paragraph_together():
    out = clean_text(FILLER + "integration processes (e.g.\nMERCOSUR, EU, ASEAN) have added.\n")
    assert "processes (e.g. MERCOSUR, EU, ASEAN) have added." in out


def test_unwrapped_markdown_lines_are_separate_paragraphs():
    out = clean_text("Population Division  \nDepartment of Economic and Social Affairs  \n")
    assert paragraphs(out) == ["Population Division", "Department of Economic and Social Affairs"]


def test_runs_of_single_word_lines_are_one_line():
    out = clean_text("e.g.\nFacilitating\nLabour\nMigration\nbetween\nMauritius\n\nNext.")
    assert paragraphs(out)[0] == "e.g. Facilitating Labour Migration between Mauritius"


def test_spaces_and_tabs_are_collapsed_and_trailing_spaces_stripped():
    assert clean_text("One  \t two   three   \n") == "One two three"


# --- headings ----------------------------------------------------------------------------


def test_numbered_heading_split_over_lines_becomes_one_paragraph():
    out = clean_text("3.1\n\nConcepts and definitions\n\nThe current Chair in Office.")
    assert paragraphs(out) == ["3.1 Concepts and definitions", "The current Chair in Office."]


def test_numbered_heading_keeps_its_printed_dot():
    out = clean_text("1.\n\nIntroduction\n\nText.")
    assert paragraphs(out)[0] == "1. Introduction"


def test_detached_enumerator_joins_its_item():
    out = clean_text("i)\n\nIrregular migration, like regular migration, is a strategy.")
    assert out == "i) Irregular migration, like regular migration, is a strategy."


def test_markdown_heading_marks_and_bold_are_removed():
    out = clean_text("## **A. ICMPD activities**\n\nText.")
    assert paragraphs(out) == ["A. ICMPD activities", "Text."]


def test_bold_title_wrapped_over_lines_is_one_heading():
    out = clean_text("**TENTH COORDINATION MEETING ON  \nINTERNATIONAL MIGRATION**\n\nText.")
    assert paragraphs(out)[0] == "TENTH COORDINATION MEETING ON INTERNATIONAL MIGRATION"


# --- lists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["- Item text", "* Item text", "• Item text", "•Item text", "- •Item text", "  - Item text"],
)
def test_bullet_styles_are_normalised(raw):
    assert clean_text(raw) == "• Item text"


def test_detached_bullet_glyphs_mark_the_following_items():
    raw = "Objectives were:\n•\n•\n To discuss causes.\nTo exchange information.\nKey Issues\n"
    out = clean_text(raw)
    assert paragraphs(out) == [
        "Objectives were:",
        "• To discuss causes.",
        "• To exchange information.",
        "Key Issues",
    ]


def test_lone_dash_is_a_bullet_glyph():
    out = clean_text("Partnerships:\n-\n\nDenmark – India Labour Mobility Partnership.")
    assert paragraphs(out)[1] == "• Denmark – India Labour Mobility Partnership."


def test_bullets_inside_an_item_split_by_a_page_do_not_break_the_item():
    raw = (
        FILLER
        + "Mexico offers a good model for replication that other governments follow (see the"
        + " Puerto\n"
        " •\n\n•\n Vallarta GFMD). El Salvador passed a law.\nRegularizing status helped.\n"
    )
    out = clean_text(raw)
    assert "(see the Puerto Vallarta GFMD). El Salvador passed a law." in out
    assert "• Regularizing status helped." in out


def test_enumerated_items_keep_their_labels_and_are_not_bulleted():
    out = clean_text("Questions:\na) Establish a dialogue.\nb) Encourage countries.")
    assert paragraphs(out) == ["Questions:", "a) Establish a dialogue.", "b) Encourage countries."]


# --- de-hyphenation ----------------------------------------------------------------------


def test_hyphen_at_line_end_is_removed_when_the_word_is_known_unhyphenated():
    raw = "Human development matters.\n\nThe develop-\nment of skills."
    assert paragraphs(clean_text(raw))[1] == "The development of skills."


def test_real_compound_keeps_its_hyphen():
    raw = "Enhanced inter-\nregional cooperation is needed."
    assert clean_text(raw) == "Enhanced inter-regional cooperation is needed."


def test_dash_between_spaces_is_not_a_broken_word():
    assert clean_text("Regular and irregular -\nmovements.") == "Regular and irregular - movements."


# --- furniture ---------------------------------------------------------------------------


def test_page_numbers_rules_and_form_feeds_are_removed():
    raw = "First paragraph.\n\n12\n\f\n---\n\n|9\n\nSecond paragraph.\n-0-0-0-0-\n"
    assert paragraphs(clean_text(raw)) == ["First paragraph.", "Second paragraph."]


def test_image_placeholders_are_removed():
    raw = "Title\n\n $\\Omega$ \n\n![](slide3.png)\n\nText."
    assert paragraphs(clean_text(raw)) == ["Title", "Text."]


def test_dotted_leader_contents_block_is_dropped():
    raw = (
        "CONTENTS\n\n\t<i>Pages</i>\nI. Introduction.....\t3\n"
        "1. Public perceptions of migration\t4\n(i) A decent work.....\t6\n"
        "Annex. Summary.....\t1-4\n\nI. Introduction\n\n1. In September 2002, it began."
    )
    assert paragraphs(clean_text(raw)) == ["I. Introduction", "1. In September 2002, it began."]


# --- markup ------------------------------------------------------------------------------


def test_html_and_markdown_markup_is_stripped_but_words_kept():
    raw = (
        "The *adopted* text, <i>italic</i>, <u>underlined</u>, a<br>break, A&nbsp;B &amp; C,"
        ' <a href="https://x.org">https://x.org</a>, <http://y.org>, [site](http://z.org),'
        " US\\$10 and WCMS\\_229015, the 3<sup>rd</sup> meeting."
    )
    assert clean_text(raw) == (
        "The adopted text, italic, underlined, a break, A B & C, https://x.org, http://y.org,"
        " site, US$10 and WCMS_229015, the 3rd meeting."
    )


def test_typographic_characters_are_kept_exactly():
    raw = "The ‘pre-migration stage’ – “services for protection” […] and so on…"
    assert clean_text(raw) == raw


# --- footnotes ---------------------------------------------------------------------------


def test_pdftotext_footnotes_are_marked_and_moved_to_notes():
    raw = (
        "Cluster II Summary Report 1\n"
        "Irregular migration has no clear or universally accepted definition. 2 It is a complex\n"
        "issue affecting about 10-15% of some 214 million migrants in 2011.\n"
        "\n1\nThis Summary was prepared\nby a team.\n2\nSee the IOM Glossary.\n\n"
        "Introduction\n\nMore text.\n"
    )
    out = clean_text(raw)
    assert paragraphs(out) == [
        "Cluster II Summary Report[1]",
        "Irregular migration has no clear or universally accepted definition.[2] It is a "
        "complex issue affecting about 10-15% of some 214 million migrants in 2011.",
        "Introduction",
        "More text.",
        "Notes",
        "[1] This Summary was prepared by a team.",
        "[2] See the IOM Glossary.",
    ]


def test_glued_footnote_markers_are_bracketed():
    raw = (
        "This can involve partnerships,1 responsible actions. The Card (FMTF)2 is\n"
        "useful.\n\n1\nPartnerships are defined.\n2\nThe FMTF was created.\n"
    )
    out = clean_text(raw)
    assert paragraphs(out)[0] == (
        "This can involve partnerships,[1] responsible actions. The Card (FMTF)[2] is useful."
    )
    assert paragraphs(out)[-2:] == ["[1] Partnerships are defined.", "[2] The FMTF was created."]


def test_numbers_without_footnote_bodies_are_left_alone():
    raw = "About 10-15% of 214 million migrants in 2011 3 and Central America (CA4) 2 times.\n"
    assert clean_text(raw) == raw.strip()


def test_sup_footnotes_are_marked_and_moved_to_notes():
    raw = (
        "In Africa<sup>1</sup>. As a partner.<sup>2</sup>\n\n#### NOTES\n\n---\n\n"
        "<sup>1</sup> For more information, go to <http://www.icmpd.org/>\n\n"
        "<sup>2</sup> Second note.\n"
    )
    assert paragraphs(clean_text(raw)) == [
        "In Africa[1]. As a partner.[2]",
        "Notes",
        "[1] For more information, go to http://www.icmpd.org/",
        "[2] Second note.",
    ]


def test_fixups_are_applied_and_must_match():
    assert clean_text("in 20092.", fixups=(("20092.", "2009[2]."),)) == "in 2009[2]."
    with pytest.raises(ValueError):
        clean_text("text", fixups=(("absent", "x"),))


# --- determinism and stored texts --------------------------------------------------------


def test_same_input_gives_byte_identical_output():
    raw = FILLER + "•\nItem one.\n\n1\n\nNot a note.\n"
    assert clean_text(raw) == clean_text(raw)


def test_crlf_input_gives_the_same_output_as_lf():
    raw = "A line\nwrapped here.\n\nNext paragraph.\n"
    assert clean_text(raw.replace("\n", "\r\n")) == clean_text(raw)


BASE_DIR = Path(__file__).resolve().parents[2]
SEEDS_DIR = BASE_DIR.parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seed documents not available")
def test_stored_source_texts_match_the_cleaner():
    from sources.management.commands.clean_seed_texts import SEED_FIXUPS, SEED_SLUGS

    for name, slug in SEED_SLUGS.items():
        raw = (SEEDS_DIR / name).read_text(encoding="utf-8")
        stored = (BASE_DIR / "fixtures" / "source_texts" / f"{slug}.txt").read_text(encoding="utf-8")
        assert stored == clean_text(raw, fixups=SEED_FIXUPS.get(name, ())) + "\n", slug
