"""Hostile requests over every public URL answer something other than a 5xx.

Property-based (Hypothesis): each public route gets a bounded number of generated
requests, derandomized so that a failure in CI reproduces locally. `manage.py fuzz_site`
runs the same strategies for as long as you want.
"""

import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings

from practices.management import fuzzing
from practices.opendata.shapes import VOCABULARIES

pytestmark = pytest.mark.django_db

ROUTES = fuzzing.public_routes()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "80"))
# Pages that read no parameter and have no path argument: a few requests prove that.
PARAMETERLESS = {
    "home",
    "practices:coverage",
    "practices:thesaurus",
    "sources:list",
    # Contributors' pages: for an anonymous visitor, a redirect to sign in whatever is sent.
    "contributions:submit",
    "contributions:mine",
    "contributions:logout",
    "contributions:sign-up",
    "contributions:login",
    "opendata:data",
    "opendata:sitemap",
    "opendata:robots",
    "opendata:api-schema",
    "opendata:api-docs",
    *(f"opendata:api-{name}" for name in VOCABULARIES),  # any parameter: a 400
}
# Routes that read their parameters as one fuzzed in full does (exports, the brief), then
# only write another format: fewer requests prove that.
SAME_PARAMETERS = {
    "practices:export-ris",
    "practices:export-bib",
    "practices:brief-ris",
    "practices:brief-bib",
}


def test_every_public_route_is_fuzzed():
    names = {route.name for route in ROUTES}
    assert {"home", "practices:list", "practices:feed", "practices:pick", "sources:detail"} <= names
    assert not any(name and name.startswith("admin") for name in names)


@pytest.fixture(autouse=True, scope="module")
def printing_stood_in():
    with fuzzing.printing_stood_in():
        yield


@pytest.fixture(scope="module")
def real(knowledge_base, django_db_blocker):
    with django_db_blocker.unblock():
        Client().get("/practices/", {"q": "warm up"})  # what a process builds once, not timed
        return fuzzing.real_values()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_no_input_gets_a_server_error(route, real):
    client = Client()

    @settings(
        max_examples=EXAMPLES // 8 if route.name in PARAMETERLESS | SAME_PARAMETERS else EXAMPLES,
        # No deadline: timings belong to `manage.py fuzz_site`, which prints the slowest
        # requests; a test timed on a shared machine fails for the machine, not the code.
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(fuzzing.requests_for(route, real))
    def check(request):
        path, params = request
        outcome = fuzzing.send(client, route, path, params)
        assert outcome.status < 500, f"{route.method} {path} {params!r} answered {outcome.status}"

    check()
