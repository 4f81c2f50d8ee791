"""Hostile requests over every public URL, for as long as you like (the suite runs a few
thousand): ``manage.py fuzz_site --examples 2000``. Run it on a copy of the site's database:
picking practices for a brief writes sessions."""

import collections
import statistics

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Send generated hostile requests to every public page; report 5xx answers and slow pages."

    def add_arguments(self, parser):
        parser.add_argument("--examples", type=int, default=500, help="requests per route (default 500)")
        parser.add_argument("--route", action="append", default=[], help="only these route names")
        parser.add_argument("--slowest", type=float, default=2.0, help="seconds a page may take (default 2)")

    def handle(self, examples, route, slowest, **options):
        try:
            import hypothesis  # noqa: F401

            from practices.management import fuzzing
        except ImportError as error:
            raise CommandError(
                f"{error}: install the development extras (pip install -e '.[dev]')."
            ) from None

        routes = [r for r in fuzzing.public_routes() if not route or r.name in route]
        if not routes:
            raise CommandError(f"No public route is named {', '.join(route)}.")
        self.real = fuzzing.real_values()
        self.slowest = slowest
        self.statuses = collections.Counter()
        self.seconds = []
        self.problems = []
        with (
            override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]),
            fuzzing.printing_stood_in(),
        ):
            self.client = Client(raise_request_exception=False)
            self.client.get("/practices/", {"q": "warm up"}, secure=True)
            for one in routes:
                self.fuzz(fuzzing, one, examples)
                self.stdout.write(f"{one.name}: {examples} requests")

        seconds = sorted(self.seconds)
        self.stdout.write(
            f"{len(seconds)} requests: "
            + ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
            + f"; median {statistics.median(seconds) * 1000:.0f} ms, slowest {seconds[-1] * 1000:.0f} ms"
        )
        for problem in self.problems[:50]:
            self.stdout.write(problem)
        if self.problems:
            raise CommandError(f"{len(self.problems)} requests answered 5xx or took {slowest} s or more.")

    def fuzz(self, fuzzing, route, examples):
        from hypothesis import HealthCheck, given
        from hypothesis import settings as hypothesis_settings

        @hypothesis_settings(
            max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(fuzzing.requests_for(route, self.real))
        def check(request):
            path, params = request
            outcome = fuzzing.send(self.client, route, path, params, secure=True)
            self.statuses[outcome.status] += 1
            self.seconds.append(outcome.seconds)
            if outcome.status >= 500 or outcome.seconds >= self.slowest:
                self.problems.append(
                    f"{outcome.status} {outcome.seconds:.2f} s {route.method} {path} {params!r}"
                )

        check()
