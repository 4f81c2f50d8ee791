"""Search that understands researchers: most words, vocabularies, the thesaurus, meaning,
and no dead ends. On whichever database runs the suite."""

import logging

import pytest
from django.urls import reverse

from practices.models import Country, GcmObjective, Practice, PracticeObjective, ThesaurusEntry
from practices.search import semantic
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("practices:list")


@pytest.fixture
def embedding_model():
    """For tests of meaning: skipped where the model is not installed."""
    if not semantic.available():
        pytest.skip("the embedding model is not installed")


def titles(response):
    return [practice.title for practice in response.context["practices"]]


def test_most_words_when_no_practice_has_them_all_and_the_page_says_which_are_missing(client):
    PracticeFactory(title="Zorblax corridors", summary="Quuxly transfers for families.")
    PracticeFactory(title="Zorblax bonds", summary="Savings of emigrants.")
    PracticeFactory(title="Harvest visas", summary="Seasonal frobnitz permits.")
    # A word no practice has is left out, and the page says so; the others are all required
    # since a practice has them all.
    response = client.get(SEARCH, {"q": "zorblax quuxly zyxwv"})
    assert titles(response) == ["Zorblax corridors"]
    body = response.content.decode()
    assert "left out: <strong>zyxwv</strong>" in body
    assert "No practice has all of your words" not in body
    # No practice has all three words: those with two of them (at least half) match by
    # their words (others may come by meaning, after them).
    response = client.get(SEARCH, {"q": "zorblax quuxly frobnitz"})
    assert titles(response)[0] == "Zorblax corridors"
    assert lexically_found(response) == {"Zorblax corridors"}
    assert "No practice has all of your words" in response.content.decode()
    response = client.get(SEARCH, {"q": "zorblax frobnitz"})  # one of two: each practice with either
    assert lexically_found(response) == {"Zorblax corridors", "Zorblax bonds", "Harvest visas"}


def test_a_long_query_asks_for_most_of_its_words_those_with_all_first(client):
    """A need described in four or more words rarely shares every one with the practice
    that meets it: three of four will do, after those with all four."""
    PracticeFactory(title="Zorblax quuxly frobnitz", summary="Wibble grants.")
    PracticeFactory(title="Zorblax quuxly permits", summary="Frobnitz only.")
    PracticeFactory(title="Zorblax quuxly visas", summary="Plain.")  # two of four: not enough
    response = client.get(SEARCH, {"q": "zorblax quuxly frobnitz wibble"})
    assert lexically_found(response) == {"Zorblax quuxly frobnitz", "Zorblax quuxly permits"}
    assert titles(response)[:2] == ["Zorblax quuxly frobnitz", "Zorblax quuxly permits"]
    assert "Practices with all of your words come first" in response.content.decode()
    # Asked for exactness (quotes, "or", -word): every word, as typed.
    exact = client.get(SEARCH, {"q": "zorblax quuxly frobnitz wibble -visas"})
    assert lexically_found(exact) == {"Zorblax quuxly frobnitz"}
    # Three words: all are required when a practice has them all.
    assert lexically_found(client.get(SEARCH, {"q": "zorblax quuxly wibble"})) == {"Zorblax quuxly frobnitz"}


def lexically_found(response):
    bits = response.context["search"].lexical_bits
    ids = [pk for pk in range(bits.bit_length()) if bits >> pk & 1]
    return set(Practice.objects.filter(pk__in=ids).values_list("title", flat=True))


def test_exact_words_outrank_words_that_only_share_a_stem(client):
    PracticeFactory(title="Regular pathways for workers", summary="Regular channels, regularly used.")
    PracticeFactory(title="Regularisation of farm workers", summary="An amnesty for workers.")
    assert titles(client.get(SEARCH, {"q": "regularisation"}))[0] == "Regularisation of farm workers"


def test_a_query_naming_an_objective_finds_what_is_classified_under_it(client):
    detention = GcmObjective.objects.get(number=13)
    practice = PracticeFactory(title="Community case management", summary="Families live in the community.")
    PracticeObjective.objects.create(practice=practice, objective=detention)
    PracticeFactory(title="Seasonal harvest scheme")
    response = client.get(SEARCH, {"q": detention.short_label.lower()})
    assert titles(response) == ["Community case management"]
    offers = response.context["search"].vocabulary_offers()
    assert [(o.label, o.count) for o in offers] == [(f"GCM objective 13: {detention.short_label}", 1)]
    assert "objective=13" in offers[0].querystring and "q=" not in offers[0].querystring
    assert f"GCM objective 13: {detention.short_label}</a>, 1 practice" in response.content.decode()


def test_a_query_stating_an_objective_in_other_words_finds_what_is_classified_under_it(
    client, embedding_model
):
    fair_reporting = PracticeFactory(
        title="Media workshops", summary="Journalists learn to cover newcomers fairly."
    )
    PracticeObjective.objects.create(practice=fair_reporting, objective=GcmObjective.objects.get(number=17))
    PracticeFactory(title="Harvest permits", summary="Seasonal farm work.")
    # None of these words is in either practice, nor names objective 17 ("Eliminate all forms
    # of discrimination and promote evidence-based public discourse..."): its meaning does.
    response = client.get(
        SEARCH, {"q": "end discrimination against migrants and base public debate on evidence"}
    )
    assert titles(response) == ["Media workshops"]
    body = response.content.decode()
    assert "Your search reads like <strong>GCM objective 17: " in body
    offers = response.context["search"].vocabulary_offers()
    assert [(o.label[:16], o.count) for o in offers] == [("GCM objective 17", 1)]
    assert "objective=17" in offers[0].querystring and "q=" not in offers[0].querystring
    # A query about something else names no objective.
    assert not client.get(SEARCH, {"q": "seasonal farm work"}).context["search"].meant


def test_a_country_adjective_names_the_country(client):
    mexican = PracticeFactory(title="Farm jobs abroad", summary="Seasonal jobs.")  # the factory's Mexico
    PracticeFactory(
        title="Farm jobs in Asia", summary="Seasonal jobs.", country=Country.objects.get(iso3="PHL")
    )
    response = client.get(SEARCH, {"q": "Mexican farm jobs"})
    assert titles(response)[0] == mexican.title  # Asia's only by meaning, if at all: after
    # Named twice, offered once.
    offers = response.context["search"].vocabulary_offers()
    assert [o.label for o in offers] == ["Country: Mexico"]
    offers = client.get(SEARCH, {"q": "Mexican farm jobs in Mexico"}).context["search"].vocabulary_offers()
    assert [o.label for o in offers] == ["Country: Mexico"]


def test_a_capital_names_its_country_as_the_press_names_a_government(client):
    french = PracticeFactory(
        title="Concerted agreements", summary="Deals on legal entry.", country=Country.objects.get(iso3="FRA")
    )
    other = PracticeFactory(title="Other agreements", summary="Deals on legal entry.")  # Mexico's
    response = client.get(SEARCH, {"q": "Paris deals on legal entry"})
    assert titles(response) == [french.title, other.title]  # no practice says "Paris"
    assert [o.label for o in response.context["search"].vocabulary_offers()] == ["Country: France"]


def test_a_group_of_countries_named_as_researchers_name_it(client):
    """ "The Gulf" is no UN region: it names the six GCC states, not all of Western Asia."""
    PracticeFactory(
        title="Contract work cycle", summary="Temporary jobs.", country=Country.objects.get(iso3="ARE")
    )
    PracticeFactory(
        title="Contract work rules", summary="Temporary jobs.", country=Country.objects.get(iso3="ISR")
    )
    response = client.get(SEARCH, {"q": "temporary jobs in the Gulf"})
    assert titles(response) == ["Contract work cycle"]
    assert "Countries of the Gulf (GCC)" in response.content.decode()


def test_a_thesaurus_entry_takes_effect_at_once_and_the_page_says_so(client):
    PracticeFactory(title="Regularisation of long-term residents", summary="Permits for those who stay.")
    assert client.get(SEARCH, {"q": "legal status"}).context["total"] == 0
    ThesaurusEntry.objects.create(
        slug="legal-status", kind="one_way", terms="legal status\nright to stay", expansions="regularisation"
    )
    response = client.get(SEARCH, {"q": "legal status"})
    assert titles(response) == ["Regularisation of long-term residents"]
    assert "“legal status” → regularisation" in response.content.decode()
    # Equivalent terms find each other, both ways.
    PracticeFactory(title="Services for undocumented children", summary="Schools.")
    ThesaurusEntry.objects.create(slug="irregular", kind="equivalent", terms="irregular\nundocumented")
    assert titles(client.get(SEARCH, {"q": "irregular children"})) == ["Services for undocumented children"]
    assert "thesaurus" in client.get(reverse("practices:thesaurus")).content.decode()


def test_thesaurus_entries_are_checked_before_they_are_saved():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as ring:
        ThesaurusEntry(slug="x", kind="equivalent", terms="irregular").full_clean()
    assert "at least two terms" in str(ring.value)
    with pytest.raises(ValidationError) as one_way:
        ThesaurusEntry(slug="y", kind="one_way", terms="legal status").full_clean()
    assert "at least one expansion" in str(one_way.value)
    with pytest.raises(ValidationError) as stop_words:
        ThesaurusEntry(slug="z", kind="equivalent", terms="the\nundocumented").full_clean()
    assert "“the” has no word search can use" in str(stop_words.value)


def test_meaning_matches_join_the_words_and_nonsense_finds_nothing(client, embedding_model):
    PracticeFactory(
        title="Remittance transfers treated as an essential service",
        summary="Money sent home by migrant workers kept flowing to their families during lockdowns.",
    )
    PracticeFactory(title="Border guard training", summary="Courses for officers at land crossings.")
    response = client.get(SEARCH, {"q": "sending money to families"})
    assert titles(response)[0] == "Remittance transfers treated as an essential service"
    assert client.get(SEARCH, {"q": "banana bread recipe"}).context["total"] == 0


def test_when_most_words_are_in_no_practice_the_rest_must_be_close_in_meaning(client, embedding_model):
    """“Traditional Mexican cooking recipes” shares "traditional" and Mexico with practices
    that are not about cooking: the page says nothing was found rather than list them."""
    PracticeFactory(
        title="Traditional leaders mediate land disputes of returnees",
        summary="Village elders help returning migrants recover their land.",
    )
    PracticeFactory(
        title="Protecting people smuggled across the desert",
        summary="Shelters and medical care for migrants abandoned by smugglers.",
    )
    nonsense = client.get(SEARCH, {"q": "traditional cooking recipes"})
    assert nonsense.context["total"] == 0
    assert "cooking" in nonsense.content.decode() and "recipes" in nonsense.content.decode()
    # Half the words unknown, but what is left is what the researcher means: found.
    need = client.get(SEARCH, {"q": "cracking down on smugglers"})
    assert titles(need) == ["Protecting people smuggled across the desert"]
    # ... and only what has those words: a practice close in meaning alone (cosine 0.55)
    # would be a guess at a query that is mostly about something else.
    PracticeFactory(
        title="Migration route monitoring in the Sahel",
        summary="Officials record the migration route travellers take north.",
    )
    PracticeFactory(
        title="Migrants travelling north through Central America",
        summary="Shelters along the journey of migrants heading north.",
    )
    butterflies = client.get(SEARCH, {"q": "monarch butterfly migration route"})
    assert titles(butterflies) == ["Migration route monitoring in the Sahel"]


def test_when_no_practice_has_half_the_words_those_with_fewer_must_be_close_in_meaning(
    client, embedding_model
):
    """Each word of "exploitation of housemaids overseas" is in some practice, but no two in
    the same one: practices with one of them are listed if close in meaning (RELAXED_CLOSE)."""
    PracticeFactory(
        title="Labour inspections against exploitation on farms",
        summary="Inspectors visit farms where migrant workers are exploited and underpaid.",
    )
    PracticeFactory(title="First aid courses for housemaids", summary="Evening classes in first aid.")
    PracticeFactory(title="Postal voting from overseas", summary="Citizens vote by post from consulates.")
    response = client.get(SEARCH, {"q": "exploitation of housemaids overseas"})
    # The housemaids' courses are close in meaning (cosine 0.52); the farms (0.26) and the
    # voting (0.11) are not.
    assert titles(response) == ["First aid courses for housemaids"]
    assert "No practice has even half of your words" in response.content.decode()
    # Words that only meet by chance: nothing, and offers of what would find something.
    chance = client.get(SEARCH, {"q": "evening farms consulates"})
    assert chance.context["total"] == 0
    assert chance.context["search"].alternatives


def test_a_topic_the_knowledge_base_lacks_is_not_answered_with_its_commonplace_words(client):
    """ "Dual citizenship for emigrants": the thesaurus knows the term, no practice has it,
    and "emigrants" is in most practices: listing those would answer another question."""
    ThesaurusEntry.objects.create(slug="dual", kind="equivalent", terms="dual citizenship\ndual nationality")
    # Close in meaning (cosine 0.74), but not about holding two citizenships.
    PracticeFactory(
        title="Citizenship and voting rights for emigrants",
        summary="Emigrants keep their nationality and vote from abroad.",
    )
    PracticeFactory(title="Savings accounts for emigrants", summary="Banks open accounts for emigrants.")
    PracticeFactory(title="Consular registers", summary="Consulates count emigrants abroad.")
    PracticeFactory(title="Return grants", summary="Grants for emigrants who come back.")
    PracticeFactory(title="Emigrant associations", summary="Emigrants fund schools at home.")
    absent = client.get(SEARCH, {"q": "dual citizenship for emigrants"})
    assert absent.context["total"] == 0
    assert "No practice has <strong>dual citizenship</strong>." in absent.content.decode()
    # What the other words alone would find is offered, the researcher to judge.
    offers = [(o.label, o.count) for o in absent.context["search"].alternatives()]
    assert offers == [("“emigrants” alone", 5)]
    # With a word that says more than "emigrants", the practice having it comes first.
    savings = client.get(SEARCH, {"q": "dual citizenship for emigrants' savings"})
    assert titles(savings)[0] == "Savings accounts for emigrants"


def test_words_no_practice_has_are_not_answered_by_meaning_alone(client, embedding_model):
    """Some words in no practice and the others matching nothing together: a practice that
    is merely close in meaning is a guess, not an answer."""
    # Close in meaning (cosine 0.58), without any of the query's words.
    PracticeFactory(
        title="Biometric records of refugee claimants",
        summary="Refugee claimants give finger scans stored in a shared register.",
    )
    assert client.get(SEARCH, {"q": "fingerprint database for asylum applicants"}).context["total"] == 0
    # Words it has still find it.
    assert titles(client.get(SEARCH, {"q": "biometric records of claimants"})) == [
        "Biometric records of refugee claimants"
    ]


def test_words_met_by_chance_beside_a_missing_word_find_nothing(client, embedding_model):
    """ "integration by parts calculus": "calculus" is in no practice, and a practice that
    has "integration" and "parts" about something else (cosine 0.17) is no answer."""
    PracticeFactory(
        title="Welcome committees for refugee families",
        summary="Volunteers in all parts of the country help refugee families' integration into schools.",
    )
    chance = client.get(SEARCH, {"q": "integration by parts calculus"})
    assert chance.context["total"] == 0
    assert "calculus" in chance.content.decode()
    # Related in meaning (0.71), the words find it beside a missing one.
    assert titles(client.get(SEARCH, {"q": "refugee families integration qwertz"})) == [
        "Welcome committees for refugee families"
    ]


def test_without_the_model_search_is_lexical_and_the_log_says_why(client, monkeypatch, caplog):
    PracticeFactory(title="Remittance corridors", summary="Cheaper transfers for families.")
    monkeypatch.setattr(semantic, "_model", None)
    monkeypatch.setattr(semantic, "_model_failed", False)

    def broken(*args, **kwargs):
        raise OSError("weights missing")

    monkeypatch.setattr("wordllama.WordLlama.load", broken)
    with caplog.at_level(logging.WARNING, logger="practices.search.semantic"):
        response = client.get(SEARCH, {"q": "remittance"})
    assert titles(response) == ["Remittance corridors"]
    assert "Semantic search is off" in caplog.text


def test_a_page_with_nothing_offers_what_would_find_something(client):
    PracticeFactory(title="Remittance corridors")  # Mexico
    response = client.get(SEARCH, {"q": "remittance", "country": "MEX", "type": "law"})
    assert response.context["total"] == 0
    offers = {o.label: o.count for o in response.context["search"].alternatives()}
    assert offers["“remittance” without the filters"] == 1
    assert offers["Without “Type: law”"] == 1
    body = response.content.decode()
    assert "These would find something" in body and "Without “Type: law”</a>: 1 practice" in body
    # A phrase that is not there: the same words without quotes.
    response = client.get(SEARCH, {"q": '"corridors remittance"'})
    offers = {o.label: o.count for o in response.context["search"].alternatives()}
    assert offers == {"“corridors remittance”, without quotes or exclusions": 1}


def test_a_correction_is_made_when_it_finds_more_of_the_words(client):
    PracticeFactory(title="Remittance corridors", summary="Cheaper transfers for families.")
    response = client.get(SEARCH, {"q": "remitance zyxwv"})
    search = response.context["search"]
    # "zyxwv" stays unknown, but the corrected word finds the practice.
    assert search.corrected_from == "remitance zyxwv" and search.total == 1
    body = response.content.decode()
    assert "Showing results for <strong>“remittance zyxwv”</strong>" in body
    assert "left out: <strong>zyxwv</strong>" in body


def test_a_typo_is_corrected_into_an_english_word_the_thesaurus_knows(client):
    """No word of the knowledge base is one edit from "smuglers" (the practices say
    "smuggling"), but the English "smugglers" is, and the thesaurus leads it there."""
    ThesaurusEntry.objects.create(slug="s", kind="one_way", terms="smugglers", expansions="smuggling")
    PracticeFactory(title="Protocol against the smuggling of migrants", summary="Criminalises smuggling.")
    PracticeFactory(title="Migrant support line", summary="Advice by telephone.")
    search = client.get(SEARCH, {"q": "migrant smuglers"}).context["search"]
    assert search.corrected_from == "migrant smuglers"
    assert search.query.text == "migrant smugglers"
    assert [p.title for p in search.practices()] == ["Protocol against the smuggling of migrants"]


def test_an_everyday_word_is_not_corrected_into_its_neighbour(client):
    """“alone” is no typo of “along”, though only “along” is in a practice: beside results,
    it is left alone; on an empty page, the researcher is asked, not overruled."""
    PracticeFactory(title="Border crossings along the river", summary="Officers posted along the river.")
    search = client.get(SEARCH, {"q": "crossings alone"}).context["search"]
    assert search.corrected_from is None and search.total == 0
    assert search.suggestion.label == "“crossings along”"
    search = client.get(SEARCH, {"q": "river border crossings alone"}).context["search"]
    assert search.corrected_from is None and search.total == 1
    assert search.suggestion is None
    typo = client.get(SEARCH, {"q": "crossings alongg"}).context["search"]
    assert typo.corrected_from == "crossings alongg" and typo.total == 1


def test_index_changes_made_in_a_rolled_back_savepoint_are_still_flushed_correctly(client):
    from django.db import transaction

    practice = PracticeFactory(title="Zorblax programme")
    try:
        with transaction.atomic():
            Practice.objects.filter(pk=practice.pk).update(title="Never committed")
            practice.title = "Never committed"
            practice.save()
            raise RuntimeError
    except RuntimeError:
        pass
    assert titles(client.get(SEARCH, {"q": "zorblax"})) == ["Zorblax programme"]


def test_a_year_or_decade_in_the_words_names_the_practices_started_then(client):
    PracticeFactory(title="Zorblax amnesty", summary="Status for long-term residents.", start_year=2009)
    PracticeFactory(title="Zorblax amnesty of old", summary="Status for residents.", start_year=1997)
    PracticeFactory(title="Quuxly permits", summary="Permits.", start_year=2004)
    # Neither says "2000s": the start year places them (the other amnesty may follow, close
    # in meaning).
    response = client.get(SEARCH, {"q": "zorblax amnesty in the 2000s"})
    assert titles(response)[0] == "Zorblax amnesty"
    offers = {o.label: o for o in response.context["search"].vocabulary_offers()}
    assert offers["Started 2000–2009"].count == 2
    assert offers["Started 2000–2009"].querystring == "year_from=2000&year_to=2009&q=zorblax+amnesty"
    assert "Started 2000–2009</a>, 2 practices" in response.content.decode()
    response = client.get(SEARCH, {"q": "zorblax amnesty before 2000"})
    assert titles(response)[0] == "Zorblax amnesty of old"
    # Ticked years are not offered again.
    response = client.get(SEARCH, {"q": "zorblax amnesty since 2005", "year_from": "2005"})
    assert not response.context["search"].vocabulary_offers()


def test_a_long_description_of_a_need_is_searched_not_refused(client):
    PracticeFactory(
        title="Tripartite migration council",
        summary="Ministries, unions and employers shape labour migration rules together.",
    )
    PracticeFactory(title="Remittance corridors", summary="Cheaper transfers.")
    need = (
        "our labour ministry wants a standing council where several ministries, trade unions and "
        "employer groups jointly shape immigration and labour migration rules"
    )
    response = client.get(SEARCH, {"q": need})
    assert "could not be used" not in response.content.decode()
    assert titles(response)[0] == "Tripartite migration council"


def test_an_or_in_a_sentence_joins_alternatives_without_making_the_query_exact(client):
    PracticeFactory(title="Zorblax quuxly wibbly grants", summary="Frobnitz.")
    PracticeFactory(title="Zorblax quuxly wibbly", summary="Frobnitz.")
    # Four concepts, "transfers or grants" one of them: most of them are asked for, as of
    # any long need, those with all of them first.
    response = client.get(SEARCH, {"q": "zorblax quuxly wibbly transfers or grants"})
    assert titles(response) == ["Zorblax quuxly wibbly grants", "Zorblax quuxly wibbly"]
    # Quotes and exclusions still mean "as typed": every concept.
    response = client.get(SEARCH, {"q": 'zorblax quuxly "wibbly" transfers or grants'})
    assert titles(response) == ["Zorblax quuxly wibbly grants"]
