"""The query compiler and the matchers: pure Python, no database."""

import pytest

from practices.search.compiler import Named, Thesaurus, Vocabulary, compile_query
from practices.search.page import at_least
from practices.search.query import QueryError, parse, stem

THESAURUS = Thesaurus(
    [
        ("equivalent", ["irregular migrant", "undocumented migrant", "migrant without papers"], []),
        (
            "one_way",
            ["without papers", "undocumented", "no papers"],
            ["irregular situation", "irregular status"],
        ),
        ("one_way", ["legal status"], ["regularisation", "amnesty"]),
        ("one_way", ["cheaper money transfers"], ["remittance costs"]),
        ("one_way", ["transfers home", "send money"], ["remittances"]),
        ("one_way", ["foreign workers"], ["migrant workers"]),
        ("one_way", ["know your rights"], ["information for migrants"]),
    ]
)
MEXICO = Named("country", ("MEX",), "Country: Mexico")
USA = Named("country", ("USA",), "Country: United States")
LAC = Named("country", ("ARG", "MEX"), "Countries of Latin America and the Caribbean")
OBJECTIVE_6 = Named("objective", ("6",), "GCM objective 6: Fair recruitment and decent work")
OBJECTIVE_13 = Named("objective", ("13",), "GCM objective 13: Alternatives to detention")
VOCABULARY = Vocabulary(
    names=[
        ("Mexico", MEXICO),
        ("mexican", MEXICO),
        ("america", USA),
        ("latin america", LAC),
        ("Alternatives to detention", OBJECTIVE_13),
    ],
    titles=[
        (
            "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
            OBJECTIVE_6,
        ),
        (
            "Use migration detention only as a measure of last resort and work towards alternatives",
            OBJECTIVE_13,
        ),
        ("Save lives and establish coordinated international efforts on missing migrants", None),
        ("Strengthen international cooperation on migration", None),
    ],
)


def concepts(text):
    return compile_query(parse(text), THESAURUS, VOCABULARY).concepts


def test_words_a_thesaurus_term_covers_become_one_concept_with_its_related_terms():
    found = concepts("legal status for people without papers")
    assert [c.label for c in found] == ["legal status", "people", "without papers"]
    assert found[0].expansions == ("regularisation", "amnesty")
    assert set(found[2].expansions) == {"irregular situation", "irregular status"}
    # The words as typed stay an alternative: all of them, anywhere.
    assert found[0].terms[0].words == ("legal", "status") and not found[0].terms[0].phrase


def test_words_that_only_phrase_a_request_are_no_concept_of_it():
    # "still", "actually", "possible" matched two or three practices each: as concepts they
    # counted among those a result must have, and pushed aside the practices on the need.
    assert [c.label for c in concepts("is it still possible to actually get legal status")] == [
        "legal status"
    ]
    # So do the function words of a query in Spanish or French; "UN" is not one of them.
    assert [c.label for c in concepts("remesas para las familias")] == ["remesas", "familias"]
    assert [c.label for c in concepts("droits des travailleurs et des familles")] == [
        "droits",
        "travailleurs",
        "familles",
    ]
    assert [c.label for c in concepts("un treaty")] == ["un", "treaty"]
    # "versus" joins the sides of a comparison into alternatives, each still a name.
    found = concepts("I’m comparing Mexico versus America, like it or not")
    assert [c.label for c in found] == ["comparing", "Mexico or America"]
    assert found[1].named == (MEXICO, USA)
    # Quoted, a phrase is taken as typed; and a thesaurus term holding such a word is found.
    assert [c.label for c in concepts('"still possible"')] == ["still possible"]
    assert [c.label for c in concepts('"still" possible')] == ["still"]
    found = concepts("do they still know your rights?")
    assert [c.expansions for c in found] == [("information for migrants",)]
    assert [c.label for c in found] == ["know your rights"]  # as typed, as the page says it
    # Nothing but such words, or punctuation, is a clear message, not a page of everything.
    for text in ("— – …", "is it actually possible?"):
        with pytest.raises(QueryError, match="no word to look for"):
            parse(text)


def test_a_stop_word_a_term_needs_is_kept_for_the_term_only():
    # "no" is a stop word, yet "no papers" is what people type for undocumented.
    people, papers = concepts("people with no papers")
    assert papers.label == "no papers" and "irregular status" in papers.expansions
    assert papers.terms[0].words == ("papers",)  # the practices need not say "no"
    # Alone, or as an alternative, it is left out, as before.
    assert [c.label for c in concepts("No detention")] == ["detention"]
    assert [c.label for c in concepts("detention yes or no")] == ["detention", "yes"]
    assert concepts("People with No papers")[1].terms[0].words == ("papers",)


def test_overlapping_terms_make_one_concept_rather_than_leave_a_word_required():
    # "transfers home" overlaps "cheaper money transfers": "home" must not become a word
    # every result has to contain (it cut the remittance practices from the results).
    (concept,) = concepts("cheaper money transfers home")
    assert concept.label == "cheaper money transfers home"
    assert set(concept.expansions) == {"remittance costs", "remittances"}
    # A word no overlapping term covers still stands on its own.
    assert [c.label for c in concepts("cheaper money transfers abroad")] == [
        "cheaper money transfers",
        "abroad",
    ]


def test_a_term_is_found_with_one_word_more_inside_it_in_any_order():
    # "send money" with "migrants" between, reversed, as people word it.
    money, help_ = concepts("does the money migrants send home help?")[:2]
    assert money.label == "money migrants send"
    assert money.expansions == ("remittances",)
    assert help_.label == "home"  # only the word inside the term is taken in
    # Side by side, the words keep the term's order: these workers are not foreign.
    assert [c.label for c in concepts("workers for foreign companies")] == ["workers", "foreign", "companies"]
    assert [c.label for c in concepts("foreign workers")][0] == "foreign workers"
    # A typo is no word inside a term: it stays a word of its own, for the correction to find.
    assert [c.label for c in concepts("the money migrnts send")] == ["money", "migrnts", "send"]
    # Two words apart is no term: "money" and "send" stay words every result must have.
    assert [c.label for c in concepts("money for schools and clinics to send")] == [
        "money",
        "schools",
        "clinics",
        "send",
    ]


def test_equivalent_terms_find_each_other_and_inflections_match():
    (concept,) = concepts("undocumented migrants")
    assert {"irregular migrant", "migrant without papers"} <= set(concept.expansions)
    assert "undocumented migrant" not in concept.expansions  # the term itself, not a related one


def test_names_are_matched_whole_and_the_longest_first():
    assert [n.label for c in concepts("Mexican seasonal workers") for n in c.named] == ["Country: Mexico"]
    assert [n for c in concepts("Latin America remittances") for n in c.named] == [LAC]  # not the USA
    assert [n for c in concepts("detention alternatives") for n in c.named] == [OBJECTIVE_13]


def test_two_words_of_an_objective_title_name_it_if_one_is_rare():
    assert [n for c in concepts("fair recruitment") for n in c.named] == [OBJECTIVE_6]
    assert [n for c in concepts("Mexico decent work") for n in c.named] == [MEXICO, OBJECTIVE_6]
    # "work" and "migration" are in several titles: they name nothing.
    assert [n for c in concepts("migration work") for n in c.named] == []


def test_operators_keep_their_meaning():
    compiled = compile_query(parse('"legal status" or amnesty -smuggling'), THESAURUS, VOCABULARY)
    assert [c.label for c in compiled.concepts] == ["legal status or amnesty"]
    assert compiled.concepts[0].expansions == ()  # an OR-group is taken as typed
    assert [t.words for t in compiled.excluded] == [("smuggling",)]


def test_light_stemming_folds_inflections_not_derivations():
    assert stem("Migrants") == stem("migrant") and stem("transfers") == stem("transfer")
    # Possessives: "their homeland's development" names the homeland.
    assert stem("homeland's") == stem("homeland") and stem("migrants’") == stem("migrant")
    assert stem("regularization") == stem("regularisation")
    assert stem("nationality") != stem("national") and stem("regular") != stem("regularisation")


def test_at_least_k_of_several_bitsets():
    sets = [0b0111, 0b0110, 0b1100]
    assert at_least(sets, 1) == 0b1111
    assert at_least(sets, 2) == 0b0110
    assert at_least(sets, 3) == 0b0100


def test_a_year_or_decade_names_the_practices_started_then():
    def periods(text):
        return {c.label: c.period for c in compile_query(parse(text)).concepts if c.period}

    assert periods("regularisation in the 2000s") == {"in the 2000s": (2000, 2009)}
    assert periods("labour agreements since 2015") == {"since 2015": (2015, None)}
    assert periods("after 2015") == {"after 2015": (2016, None)}
    assert periods("detention before the 1990s") == {"before the 1990s": (None, 1989)}
    assert periods("returns until 2010") == {"until 2010": (None, 2010)}
    assert periods("what did states say in 2022") == {"in 2022": (2022, 2022)}
    assert periods("2015 agreements") == {"2015": (2015, 2015)}
    # "since" stood for the period only: it is no word to look for.
    assert [c.label for c in compile_query(parse("agreements since 2015")).concepts] == [
        "agreements",
        "since 2015",
    ]
    # Numbers that are no years, and years inside a term or quotes, stay words.
    assert periods("resolution 1325 and convention 189") == {}
    assert periods('"2015 agreements"') == {}
    assert periods('agreements "2015"') == {}
