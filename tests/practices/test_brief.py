"""Picking practices one by one, and the printable brief they make."""

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from practices import picks
from practices.models import GcmObjective
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
    assert "Practices chosen one by one" in html
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


def test_the_search_pages_pick_button_posts_with_its_own_csrf_token():
    practice = PracticeFactory(title='Fish & <b>"chips"</b>')
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(reverse("practices:list"), {"q": "fish"}).text
    form = re.search(rf'<form class="pick no-print" id="pick-{practice.slug}".*?</form>', page).group()
    assert "&lt;b&gt;&quot;chips&quot;&lt;/b&gt;" in form  # the title escaped
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["action"] == "add" and fields["practice"] == practice.slug
    response = strict.post(PICK, {**fields, "next": "/practices/?q=fish"})
    assert response.status_code == 302
    assert f'id="pick-{practice.slug}"' in strict.get(BRIEF).text


def test_the_pick_button_renders_without_the_picks_context():
    # A template rendered without a request (no context processors) still gets a working form.
    practice = PracticeFactory(title="Rabat Process")
    template = Template("{% load practice_tags %}{% pick_button practice %}")
    html = template.render(Context({"practice": practice}))
    assert f'action="{PICK}"' in html and 'value="add"' in html
    assert "csrfmiddlewaretoken" not in html


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
    assert "Practices chosen one by one" in html
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


# --- The cover: names, a title and meeting, a link that makes the same brief ----------


def cover_of(html):
    cover = html[html.index('<section class="brief-cover"') : html.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", cover).split())


def share_link(html):
    (url,) = re.findall(r'<p class="brief-link">[^<]*<a href="([^"]+)"', html)
    return url.replace("&amp;", "&")


def test_a_search_brief_names_what_chose_it_not_codes(client):
    PracticeFactory(title="Seasonal workers", objective=GcmObjective.objects.get(number=6))
    html = client.get(
        BRIEF,
        {"q": "seasonal", "country": "mex", "objective": "6", "type": "programme", "region": "Americas"},
    ).text
    cover = cover_of(html)
    for expected in [
        "Selection Search results",
        "Search “seasonal”",
        "Region Americas",
        "Country Mexico",
        "GCM objective 6. Fair recruitment and decent work",
        "Type Programme",
        "Sorted by Relevance",
    ]:
        assert expected in cover, expected
    assert "MEX" not in cover.split("Search page")[0]
    assert titles_in_brief(html) == ["Seasonal workers"]


def test_title_and_meeting_go_on_the_cover_escaped_and_cut_to_length(client):
    practice = PracticeFactory(title="Rabat Process")
    html = client.get(
        BRIEF,
        {
            "practice": practice.slug,
            "title": "  Mobility <script>alert(1)</script>\n & rights  " + "x" * 300,
            "meeting_name": "GFMD Roundtable 1.1, Puerto Vallarta",
        },
    ).text
    main = html.split("<main")[1].split("</main>")[0]
    assert "<script>" not in main
    title = re.search(r'<h1 id="brief-title">([^<]*)</h1>', html).group(1)
    assert title.startswith("Mobility &lt;script&gt;alert(1)&lt;/script&gt; &amp; rights xxx")
    assert len(title.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) == 120
    assert '<p class="brief-meeting">GFMD Roundtable 1.1, Puerto Vallarta</p>' in html
    assert "<title>Mobility &lt;script&gt;" in html
    assert "A brief of 1 migration practice from the Migration Practices Knowledge Base" in html
    # The form that sets them keeps the practices chosen and says how long they may be.
    form = html[html.index('<form class="brief-heading-form"') :].split("</form>")[0]
    assert f'<input type="hidden" name="practice" value="{practice.slug}">' in form
    assert 'name="title" value="Mobility &lt;script&gt;' in form and 'maxlength="120"' in form
    assert 'name="meeting_name" value="GFMD Roundtable 1.1, Puerto Vallarta" maxlength="150"' in form


def test_a_brief_of_picks_prints_a_link_that_makes_the_same_brief_for_anyone(client):
    renamed = PracticeFactory(title="Renamed", slug="new-name")
    record_slug_change(renamed, "old-name")
    first, last = PracticeFactory(title="Zeta"), PracticeFactory(title="Alpha")
    for practice in (first, renamed, last):
        pick(client, practice)
    client.cookies[picks.COOKIE] = client.cookies[picks.COOKIE].value  # as picked

    html = client.get(BRIEF, {"title": "For the meeting", "meeting_name": "Rabat, May 2027"}).text

    url = share_link(html)
    assert url == (
        "http://testserver/practices/brief/?practice="
        + first.slug
        + "&practice=new-name&practice="
        + last.slug
        + "&title=For+the+meeting&meeting_name=Rabat%2C+May+2027"
    )
    assert titles_in_brief(html) == ["Zeta", "Renamed", "Alpha"]
    # The title form of a brief of picks keeps it a brief of picks (its remove buttons work).
    form = html[html.index('<form class="brief-heading-form"') :].split("</form>")[0]
    assert 'type="hidden"' not in form
    # Someone else, without the cookie, gets the same brief.
    other = Client()
    again = other.get(url.removeprefix("http://testserver")).text
    assert titles_in_brief(again) == ["Zeta", "Renamed", "Alpha"]
    assert '<h1 id="brief-title">For the meeting</h1>' in again
    assert '<p class="brief-meeting">Rabat, May 2027</p>' in again
    assert share_link(again) == url


def test_a_search_brief_links_to_its_practices_and_to_its_search(client):
    practices = [PracticeFactory(title=f"Programme {n}") for n in range(3)]
    html = client.get(BRIEF, {"type": "programme", "sort": "title", "country": "ATLANTIS"}).text
    slugs = "&".join(f"practice={practice.slug}" for practice in practices)
    assert share_link(html) == f"http://testserver/practices/brief/?{slugs}"
    # The search page without what it ignored, and the brief's form keeps the search.
    assert 'href="http://testserver/practices/?type=programme&amp;sort=title"' in html
    form = html[html.index('<form class="brief-heading-form"') :].split("</form>")[0]
    assert '<input type="hidden" name="type" value="programme">' in form
    assert '<input type="hidden" name="sort" value="title">' in form


def test_a_search_brief_costs_the_same_queries_for_many_practices(
    uncached, client, django_assert_num_queries
):
    PracticeFactory.create_batch(2)
    client.get(BRIEF, {"type": "programme"})  # builds the facet index
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(BRIEF, {"type": "programme", "title": "A title"})
    few = len(captured)  # now: the next request clears the connection's query log
    PracticeFactory.create_batch(12)
    client.get(BRIEF, {"type": "programme"})  # rebuilds the index after the edit
    with django_assert_num_queries(few):
        response = client.get(BRIEF, {"type": "programme", "title": "A title"})
    assert len(titles_in_brief(response.text)) == 14


def test_the_pdf_links_keep_the_brief_and_the_pdf_refuses_what_it_cannot_print(client, settings):
    practice = PracticeFactory()
    html = client.get(BRIEF, {"practice": practice.slug, "title": "T"}).text
    links = re.findall(r'href="(/practices/brief/pdf/[^"]+)"', html)
    assert [link.replace("&amp;", "&") for link in links] == [
        f"/practices/brief/pdf/?practice={practice.slug}&title=T&paper=a4",
        f"/practices/brief/pdf/?practice={practice.slug}&title=T&paper=letter",
    ]
    pdf = reverse("practices:brief-pdf")
    assert client.get(pdf, {"practice": practice.slug, "paper": "a3"}).status_code == 400
    assert client.get(pdf, {"practice": "no-such-practice"}).status_code == 404

    settings.BRIEF_PDF_CHROMIUM = ""  # a server without Chromium: no PDF, and no link to one
    response = client.get(pdf, {"practice": practice.slug})
    assert response.status_code == 503
    assert "print the brief from your browser" in response.text
    assert "/practices/brief/pdf/" not in client.get(BRIEF, {"practice": practice.slug, "title": "U"}).text
