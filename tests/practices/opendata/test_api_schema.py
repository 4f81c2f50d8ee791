"""The API fuzzed against its own OpenAPI schema (schemathesis): whatever the parameters,
no 5xx, and every response has a documented status, content type and shape.

Runs in process against Django's WSGI application (no server), on the test database of
either backend, a bounded number of examples per operation."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.specs.openapi.checks import positive_data_acceptance

from practices.models import Country, GcmObjective
from tests.factories import CitationFactory, MeetingFactory, OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 15  # per operation: 11 operations, about 170 requests


@pytest.fixture
def api_schema(db, monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # the Host schemathesis's WSGI client sends
    # Django's test Client does the same: a request must not close the test's connection
    # (its transaction holds the data below).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})
    practice = PracticeFactory(
        title="Seasonal Agricultural Workers Program", start_year=1974, ongoing=True, aliases="SAWP"
    )
    practice.organisations.add(OrganisationFactory(slug="ilo", acronym="ILO"))
    practice.meetings.add(MeetingFactory(slug="gfmd-2010"))
    PracticeFactory(
        title="Pre-departure orientation", country=Country.objects.get(iso3="PHL"), start_year=2003
    )
    PracticeFactory(title="Remittance prices", objective=GcmObjective.objects.get(number=20), country=False)
    CitationFactory(practice=practice, excerpt="Mexico and Canada")
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def generated_schema():
    """The schema /api/v1/schema/ serves (the same generator), made at collection: no
    database needed. (schemathesis's from_fixture does not run under pytest 9.)"""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    return loaded


schema = generated_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run, so that a failure in CI reproduces
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(api_schema, case):
    # Every check but "schema-valid data is accepted": a country code or slug no published
    # practice has is a well-formed string the API answers with a 400 naming it, on purpose
    # (as the JSON export does), since the values in use change with the data.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
