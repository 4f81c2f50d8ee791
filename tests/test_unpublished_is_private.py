"""Anonymous readers get nothing of a practice that is not published, through any page.

Every public GET route in the URL resolver is requested with the values that would show
the unpublished practice (its slug, its country, objective, theme, meeting, organisation
and source, its words as a search, as a facet, in an export, feed or brief), once while it
exists (as a draft, in review, or with changes requested) and once after it is deleted:
the answers must be the same, byte for byte (CSRF tokens aside). Counts, maps, facets and
"did you mean" would all differ if the practice leaked into them.
"""

import re

import pytest
from django.test import Client

from practices.management import fuzzing
from practices.models import Country, GcmObjective, Practice, PracticeCountry, PracticeObjective
from tests.factories import (
    CitationFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db

TITLE_WORD = "Quokkaflux"
SUMMARY_WORD = "zorblatt"


@pytest.fixture
def world(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    from practices.models import Theme

    theme = Theme.objects.create(name="Seasonal work", slug="seasonal-work")
    meeting, organisation = MeetingFactory(), OrganisationFactory()
    source = SourceDocumentFactory(slug="irregular-migration-report")
    published = PracticeFactory(citation=source, country=Country.objects.get(iso3="MEX"))
    for practice in [published]:
        practice.themes.add(theme)
        practice.meetings.add(meeting)
        practice.organisations.add(organisation)
    return {
        "theme": theme,
        "meeting": meeting,
        "organisation": organisation,
        "source": source,
        "published": published,
    }


STATUSES = ["draft", "review", "changes"]
HIDDEN_SLUGS = [f"quokkaflux-{status}" for status in STATUSES]


def make_hidden(world, status):
    hidden = PracticeFactory(
        status=status,
        title=f"{TITLE_WORD} seasonal workers scheme ({status})",
        slug=f"quokkaflux-{status}",
        summary=f"A {SUMMARY_WORD} scheme for seasonal workers in Tanzania.",
        country=Country.objects.get(iso3="TZA"),
        objective=GcmObjective.objects.get(number=19),
        citation=False,
    )
    PracticeCountry.objects.create(
        practice=hidden, country=Country.objects.get(iso3="MEX"), role="destination"
    )
    PracticeObjective.objects.create(practice=hidden, objective=GcmObjective.objects.get(number=5))
    CitationFactory(
        practice=hidden, source=world["source"], excerpt="Brazil’s 2009 amnesty regularized 41,816 migrants"
    )
    hidden.themes.add(world["theme"])
    hidden.meetings.add(world["meeting"])
    hidden.organisations.add(world["organisation"])
    return hidden


def requests(world):
    """[(path, params)] for every public GET route, with the hidden practice's values."""
    values = {
        "slug": {
            "practices:detail": [*HIDDEN_SLUGS, world["published"].slug],
            "practices:cite_ris": HIDDEN_SLUGS,
            "practices:cite_bib": HIDDEN_SLUGS,
            "practices:meeting": [world["meeting"].slug],
            "practices:organisation": [world["organisation"].slug],
            "practices:theme": [world["theme"].slug],
            "practices:principle": ["national-sovereignty"],
            "practices:region": ["africa", "americas"],
            "sources:detail": [world["source"].slug],
        },
        "iso3": {"practices:country": ["TZA", "MEX"]},
        "number": {"practices:objective": ["19", "5"]},
    }
    searches = [
        {"q": SUMMARY_WORD},
        {"q": f"{TITLE_WORD.lower()}"},
        {"q": "seasonal workers"},
        {"country": "TZA"},
        {"objective": "19"},
        {"theme": world["theme"].slug},
        {"source": world["source"].slug},
        {},
    ]
    by_route = {
        "practices:list": searches,
        "practices:export-csv": searches,
        "practices:export-json": searches,
        "practices:feed": searches,
        "practices:brief": [{"practice": HIDDEN_SLUGS}, {"q": SUMMARY_WORD}, {"country": "TZA"}],
        "practices:brief-pdf": [{"practice": HIDDEN_SLUGS}, {"country": "TZA"}],
    }
    out = []
    for route in fuzzing.public_routes():
        if route.method != "GET":
            continue
        paths = [route.route]
        for argument, converter in route.converters.items():
            choices = values.get(argument, {}).get(route.name)
            if choices is None:
                choices = ["1"] if converter in ("int", "str") else ["x"]
            paths = [p.replace(f"<{converter}:{argument}>", c) for p in paths for c in choices]
        for path in paths:
            for params in by_route.get(route.name, [{}]):
                out.append((route.name, "/" + path, params))
    return out


CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+')
# When the export or feed was generated (the clock, not the knowledge base), and the brief
# PDF's random page markers.
NOW = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*(?:Z|[+-]\d\d:\d\d)|\[\[page [0-9a-f]{16}")


def fetch_all(reqs):
    client = Client()
    pages = {}
    for _name, path, params in reqs:
        response = client.get(path, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[(path, repr(sorted(params.items())))] = (
            response.status_code,
            NOW.sub(b"-", CSRF.sub(rb"\1-", body)),
        )
    return pages


def test_anonymous_readers_see_nothing_of_unpublished_practices(world, monkeypatch):
    from practices import brief_pdf

    # The brief PDF "printed" as its HTML, so that what it would print is compared too.
    monkeypatch.setattr(brief_pdf, "available", lambda: True)
    monkeypatch.setattr(brief_pdf, "print_brief", lambda html, url, contents, anchors, paper: html.encode())
    reqs = requests(world)
    names = {name for name, _, _ in reqs}
    assert {
        "practices:list",
        "practices:feed",
        "practices:brief",
        "sources:detail",
        "contributions:submit",
    } <= names
    hidden = [make_hidden(world, status) for status in STATUSES]
    with_hidden = fetch_all(reqs)
    for (path, params), (_code, body) in with_hidden.items():
        assert TITLE_WORD.encode() not in body, f"{path} {params} shows an unpublished practice"
    Practice.objects.filter(pk__in=[p.pk for p in hidden]).delete()
    without = fetch_all(reqs)
    for key, (code, body) in with_hidden.items():
        assert (code, body) == without[key], f"{key} differs while an unpublished practice exists"
