"""Picking practices one by one, and the printable brief they make."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from practices import picks
from practices.slugs import record_slug_change
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

PICK = reverse("practices:pick")
BRIEF = reverse("practices:brief")


def pick(client, practice, action="add", **extra):
    return client.post(PICK, {"practice": getattr(practice, "slug", practice), "action": action, **extra})


def titles_in_brief(html):
    """The practice titles of the brief's pages, in print order."""
    return re.findall(r'<h2 id="title-[^"]+">([^<]+)</h2>', html)


def test_picks_are_kept_in_a_cookie_and_make_the_brief_in_order(client):
    first, second, third = (PracticeFactory(title=title) for title in ("Zeta", "Alpha", "Mu"))
    for practice in (first, second, third):
        assert pick(client, practice).status_code == 302
    assert pick(client, second, action="remove").status_code == 302

    html = client.get(BRIEF).text

    assert titles_in_brief(html) == ["Zeta", "Mu"]
    assert "Brief: 2 migration practices" in html
    assert "Practices picked one by one" in html
    assert 'href="#practice-' + first.slug + '"' in html  # table of contents


def test_pick_button_shows_whether_a_practice_is_picked(client):
    practice = PracticeFactory(title="Rabat Process")
    page = client.get(practice.get_absolute_url()).text
    assert 'Add<span class="visually-hidden"> “Rabat Process”</span> to brief' in page

    response = pick(client, practice, next=practice.get_absolute_url())
    assert response["Location"] == practice.get_absolute_url()
    page = client.get(practice.get_absolute_url()).text
    assert 'Remove<span class="visually-hidden"> “Rabat Process”</span> from brief' in page
    assert "“Rabat Process” is in your brief." in page  # the confirmation
    assert re.search(r"Brief <span class=\"count-badge\">1<", page)  # the header counts picks


def test_list_cards_carry_the_pick_button(client):
    PracticeFactory(title="Listed practice")
    assert (
        'Add<span class="visually-hidden"> “Listed practice”</span> to brief'
        in client.get(reverse("practices:list")).text
    )


def test_picking_needs_post_and_a_csrf_token():
    practice = PracticeFactory()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(PICK, {"practice": practice.slug, "action": "add"}).status_code == 403
    assert strict.get(PICK).status_code == 405


@pytest.mark.parametrize(
    "data, status",
    [
        ({"practice": "no-such-practice", "action": "add"}, 404),
        ({"practice": "x" * 5000, "action": "add"}, 404),
        ({"practice": "anything", "action": "explode"}, 400),
        ({}, 400),
    ],
)
def test_bad_picks_get_a_clear_answer_not_an_error(client, data, status):
    response = client.post(PICK, data)
    assert response.status_code == status


def test_drafts_cannot_be_picked_or_printed(client):
    draft = PracticeFactory(status="draft", title="Draft practice")
    assert pick(client, draft).status_code == 404
    html = client.get(BRIEF, {"practice": draft.slug}).text
    assert "Draft practice" not in html
    assert "Not found among published practices: " + draft.slug in html


def test_next_must_stay_on_this_site(client):
    practice = PracticeFactory()
    response = pick(client, practice, next="https://evil.example/")
    assert response["Location"] == BRIEF


def test_brief_of_practices_named_in_the_address_follows_renamed_ones(client):
    renamed = PracticeFactory(title="Renamed", slug="new-name")
    record_slug_change(renamed, "old-name")
    other = PracticeFactory(title="Other")

    html = client.get(BRIEF + f"?practice={other.slug}&practice=old-name&practice=%3Cscript%3E").text

    assert titles_in_brief(html) == ["Other", "Renamed"]
    assert "Practices chosen by address" in html
    assert "&lt;script&gt;" in html and "<script>" not in html.split("</main>")[0].split("<main")[1]


def test_brief_is_capped_with_a_clear_message(client):
    practices = PracticeFactory.create_batch(picks.MAX_PRACTICES + 2)
    query = "&".join(f"practice={practice.slug}" for practice in practices)

    html = client.get(f"{BRIEF}?{query}").text

    assert len(titles_in_brief(html)) == picks.MAX_PRACTICES
    assert f"the first {picks.MAX_PRACTICES} of {picks.MAX_PRACTICES + 2} practices" in html


def test_picks_stop_at_the_cap(client):
    for practice in PracticeFactory.create_batch(picks.MAX_PRACTICES):
        pick(client, practice)
    one_more = PracticeFactory(title="One too many")
    page = client.get(pick(client, one_more, next="/practices/")["Location"]).text
    assert f"already holds {picks.MAX_PRACTICES} practices" in page
    assert "One too many" not in client.get(BRIEF).text


def test_empty_brief_explains_how_to_fill_it(client):
    html = client.get(BRIEF).text
    assert "This brief is empty" in html
    assert pick(client, "anything", action="clear").status_code == 302


def test_brief_prints_what_a_meeting_needs(client):
    practice = PracticeFactory(title="Seasonal workers", results="20,000 workers a year.")
    html = client.get(BRIEF, {"practice": practice.slug}).text
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Mexico (origin)" in page
    assert "5. Enhance availability and flexibility of pathways for regular migration primary" in page
    assert "Stated results 20,000 workers a year." in page
    assert "Seasonal Agricultural Workers Program (SAWP)" in page  # the excerpt
    assert f"http://testserver/practices/{practice.slug}/" in page  # permanent link
    assert "http://testserver/sources/" in page  # where each excerpt comes from


def test_brief_query_count_is_constant(
    uncached, client, django_assert_max_num_queries, django_assert_num_queries
):
    few = PracticeFactory.create_batch(2)
    many = PracticeFactory.create_batch(20)
    with django_assert_max_num_queries(12) as queries:
        client.get(BRIEF, {"practice": [practice.slug for practice in few]})
    with django_assert_num_queries(len(queries)):
        response = client.get(BRIEF, {"practice": [practice.slug for practice in many]})
    assert len(titles_in_brief(response.text)) == 20


def test_showing_picks_costs_no_query_at_all(uncached, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practices = PracticeFactory.create_batch(3)
    client.get(reverse("practices:list"))  # builds this process's facet index
    with CaptureQueriesContext(connection) as without_picks:
        client.get(reverse("practices:list"))
    pick(client, practices[0])
    with CaptureQueriesContext(connection) as with_picks:
        response = client.get(reverse("practices:list"))

    assert 'class="count-badge">1<' in response.text
    assert len(with_picks) == len(without_picks)


def test_an_anonymous_brief_leaves_no_session_row(client):
    from django.contrib.sessions.models import Session

    for practice in PracticeFactory.create_batch(3):
        pick(client, practice, next="/practices/")
    html = client.get(BRIEF).text
    assert len(titles_in_brief(html)) == 3
    assert not Session.objects.exists()


def test_a_forged_or_garbled_picks_cookie_is_an_empty_brief(client):
    from django.core import signing

    practice = PracticeFactory()
    for value in [
        "garbage",
        signing.dumps([practice.slug], salt="another purpose"),
        signing.dumps("x", salt=picks.SALT),
    ]:
        client.cookies[picks.COOKIE] = value
        html = client.get(BRIEF).text
        assert titles_in_brief(html) == []
