"""Time the search page at scale, in a throwaway database (issue 4, "Scale")."""

import os
import platform
import tempfile
import time
from io import StringIO

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from practices.management import benchmarking as benchmark


class Command(BaseCommand):
    help = (
        "Benchmark the search page: create a throwaway database with Django's test-database "
        "machinery (never the real one), load the knowledge base, fill synthetic practices of "
        "realistic shape up to each size, and time typical search requests through the test "
        "Client (middleware, view, facet counts, templates): p50, p95, SQL query count, and "
        "where the slowest request's time goes. PostgreSQL is the target (run it under "
        "tests/with_postgres.sh); on SQLite (DATABASE_URL unset) it runs the same for comparison, "
        "in a temporary file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            nargs="+",
            type=int,
            default=[10_000, 100_000],
            help="Total practices to measure at, ascending; each size adds to the previous one.",
        )
        parser.add_argument(
            "--repeat", type=int, default=20, help="Timed runs per request (after a warm-up)."
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the benchmark database afterwards (its name is printed).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed of the synthetic practices.")

    def handle(self, *args, sizes, repeat, keep, seed, **options):
        sizes = sorted(set(sizes))
        old_name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            # A file, like production SQLite (the test default is an in-memory database).
            path = os.path.join(tempfile.gettempdir(), "gfmd_kb_benchmark.sqlite3")
            connection.settings_dict["TEST"]["NAME"] = path
        began = time.perf_counter()
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        # One persistent connection while measuring: no reconnection every CONN_MAX_AGE seconds.
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = None
        try:
            self.stdout.write(f"Benchmark database {test_name} created and migrated.")
            call_command("load_knowledge_base", stdout=StringIO())
            self.stdout.write(
                f"Knowledge base loaded ({time.perf_counter() - began:.1f} s in all): "
                f"{benchmark.Practice.objects.count()} real practices."
            )
            self.header(sizes, repeat)
            for size in sizes:
                self.run_size(size, repeat, seed)
        finally:
            if keep:
                self.stdout.write(f"Kept the benchmark database: {test_name}")
            else:
                connection.creation.destroy_test_db(old_name, verbosity=0)

    def header(self, sizes, repeat):
        write = self.stdout.write
        write("")
        write("=" * 100)
        write("Search page benchmark (server side: test Client through middleware, view and templates)")
        write(f"  Database:  {benchmark.database_description()}")
        write(f"  Machine:   {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}")
        write(f"  Software:  Python {platform.python_version()}, Django {django.get_version()}")
        write(f"  Settings:  {os.environ.get('DJANGO_SETTINGS_MODULE')} (DEBUG={settings.DEBUG})")
        write(f"  Sizes:     {', '.join(f'{s:,}' for s in sizes)} practices; {repeat} timed runs per request")
        write("=" * 100)

    def run_size(self, size, repeat, seed):
        write = self.stdout.write
        write("")
        write(f"--- {size:,} practices " + "-" * 70)
        last = [0.0]

        def progress(done, total):
            if time.perf_counter() - last[0] > 15 or done == total:
                last[0] = time.perf_counter()
                write(f"  filled {done:,}/{total:,}")
                self.stdout.flush()

        report = benchmark.fill(size, seed=seed, progress=progress)
        rate = report.created / report.seconds if report.seconds else 0
        write(f"Fill: {report.created:,} synthetic practices in {report.seconds:.1f} s ({rate:,.0f}/s)")
        for phase, seconds in report.phases.items():
            write(f"  {phase:<38} {seconds:8.1f} s")
        count, seconds = benchmark.time_refresh_search_index()
        if count:
            write(
                f"  (for comparison, indexing.refresh() on {count:,} practices: "
                f"{seconds:.1f} s, i.e. ~{seconds / count * report.created:,.0f} s for this fill)"
            )
        write(
            f"Facet index build (the first search after an edit pays it, once per process): "
            f"{benchmark.time_facet_index_build() * 1000:,.0f} ms"
        )
        costs = benchmark.semantic_costs()
        write(
            f"Meaning: embedding a query p50 {costs['embed_p50_ms']:.2f} ms, "
            f"p95 {costs['embed_p95_ms']:.2f} ms; "
            f"matrix of {costs['vectors']:,} vectors built in {costs['build_ms']:,.0f} ms "
            f"({costs['matrix_mb']:.1f} MB); lookup p50 {costs['lookup_p50_ms']:.2f} ms, "
            f"p95 {costs['lookup_p95_ms']:.2f} ms"
        )
        shape = benchmark.shape()
        write(
            "Shape (sample of {sampled:,}): ".format(**shape)
            + ", ".join(
                f"{k} {v:.0%}" if v <= 1 and "per" not in k and "words" not in k else f"{k} {v:.1f}"
                for k, v in shape.items()
                if k != "sampled"
            )
        )

        load_before = os.getloadavg()[0]
        rows = benchmark.measure(repeat=repeat)
        write("")
        write(
            f"{'request':<42} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'queries':>8} {'results':>8}"
            f" {'warm p50':>9}"
        )
        for row in rows:
            note = "  (did-you-mean retry)" if row.corrected else ""
            write(
                f"{row.label:<42} {row.p50:8.1f} {row.p95:8.1f} {min(row.times):8.1f} "
                f"{row.queries:8d} {row.results:8,} {row.warm_p50:9.1f}{note}"
            )
        write(
            "(p50, p95, min: the words' matches found afresh for each request; warm p50: kept from "
            "the previous request, as when a facet is ticked or a page turned)"
        )
        write(
            f"Machine load (1-min average) before/after measuring: {load_before:.2f} / "
            f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work on the machine inflates p95)"
        )
        cold, warm = benchmark.card_rendering_costs()
        write(
            f"Result cards (two words, 25 results): p50 {cold:.1f} ms rendered afresh (the first "
            f"search after an edit), {warm:.1f} ms with their rendered parts kept (as measured above)"
        )
        started, searched = benchmark.serving_process_memory()
        write(
            f"Memory of a fresh serving process: {started:,.0f} MB once started, {searched:,.0f} MB after "
            f"its first search (model, facet index, matrix, matchers: +{searched - started:,.0f} MB)"
        )
        target = 50 if size <= 10_000 else 150
        over = [row.label for row in rows if row.p95 > target]
        write(f"p95 target {target} ms: {'all within' if not over else 'over for ' + '; '.join(over)}")

        slowest = sorted(rows, key=lambda r: r.p95, reverse=True)[:2]
        for row in slowest:
            self.where_time_goes(row)

    def where_time_goes(self, row):
        write = self.stdout.write
        profile = benchmark.profile(row.params)
        other = profile.total_ms - profile.sql_ms - (profile.render_ms - profile.render_sql_ms)
        write("")
        write(f"Where the time goes: {row.label} (one run of {profile.total_ms:.1f} ms)")
        write(f"  SQL, {len(profile.queries)} statements{'':<14} {profile.sql_ms:8.1f} ms")
        write(f"    of which during template rendering{'':<4} {profile.render_sql_ms:8.1f} ms")
        write(f"  template rendering (without its SQL)   {profile.render_ms - profile.render_sql_ms:8.1f} ms")
        write(f"  other Python (middleware, view, facets) {other:7.1f} ms")
        write("  Top statements by time:")
        for ms, sql, _, _ in profile.top(6):
            write(f"    {ms:8.1f} ms  {' '.join(sql.split())[:160]}")
        ms, sql, params, _ = profile.top(1)[0]
        write(f"  Plan of the slowest statement ({ms:.1f} ms):")
        write("    " + " ".join(sql.split())[:2000])
        for line in benchmark.explain(sql, params):
            write(f"    | {line}")
