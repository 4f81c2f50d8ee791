"""Search at scale: synthetic practices of realistic shape, and the search page timed.

Used by ``manage.py benchmark_search`` (which runs it in a throwaway database) and by its
test (which runs it small, on the test database). Two parts:

- ``fill(size)`` adds synthetic practices until there are ``size`` practices in all. Their
  text is cut from the source documents' own text in runs of consecutive words, so the
  vocabulary, word frequencies and common phrases are those of the real corpus ("migration"
  is in about 90 % of practices). Links follow the shapes of PERF-NOTES: 1-4 countries
  (Mexico, the Philippines and India in about 10 % each), 1-3 GCM objectives (one primary),
  0-3 organisations, 1-3 verbatim citations; meetings, principles and themes are drawn from
  the real knowledge base's own usage. Rows go in with ``bulk_create``; the search text
  taken from related rows (``Practice.search_related``) is computed as the rows are built,
  the same text ``refresh_search_index()`` would write, so the database's search trigger
  indexes each row once.
- ``measure(requests, repeat)`` times the search page through Django's test ``Client``
  (middleware, view, facet counts, template rendering: the server-side time), warm, and
  ``profile(params)`` shows where one request's time goes.
"""

import json
import math
import os
import random
import re
import statistics
import string
import subprocess
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from unittest import mock
from urllib.parse import quote

import markdown
import nh3
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count, Q
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from gfmd_kb.garbage import freeze_after_first_request
from practices import rendering
from practices.filters import PracticeFilter
from practices.models import (
    Citation,
    Country,
    CountryRole,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeEmbedding,
    PracticeObjective,
    PracticeStatus,
    SearchIndexVersion,
    SearchWord,
    Theme,
    facet_key,
)
from practices.search import indexing, semantic
from practices.search.bits import bitset
from practices.search.facets import FacetIndex
from practices.search.indexing import WORD_RE, meaning_text, practice_listing, practice_related_text
from sources.models import SourceDocument

SLUG_PREFIX = "synthetic-"
BATCH_SIZE = 1000

API = "API: "  # a label starting so asks /api/v1/practices/ rather than the search page
# (label, GET parameters): the typical requests of issue 4 and PERF-NOTES.
REQUESTS = [
    ("broad word: migration", {"q": "migration"}),
    ("two words: seasonal workers", {"q": "seasonal workers"}),
    ('rare phrase: "Casas del Migrante"', {"q": '"Casas del Migrante"'}),
    ("typo: seasonal workrs", {"q": "seasonal workrs"}),
    ("no query, country=MEX", {"country": "MEX"}),
    ("labour + country=MEX + objective=6", {"q": "labour", "country": "MEX", "objective": "6"}),
    ("3 facets: PHL + objective 5 + programme", {"country": "PHL", "objective": "5", "type": "programme"}),
    ("no query, no filter", {}),
    # What the researchers' searches add: the thesaurus, relaxed matching, names, meaning.
    ("need: legal status for people without papers", {"q": "legal status for people without papers"}),
    ("names: Mexico decent work", {"q": "Mexico decent work"}),
    ("relaxed: cheaper money transfers home", {"q": "cheaper money transfers home"}),
    (
        "long need: 20 words",
        {
            "q": "our ministry wants to help citizens working abroad as domestic workers get fair "
            "contracts, decent pay and a safe way to send money home to their families"
        },
    ),
    # The JSON API's list (practices.opendata): the same search, serialised instead of rendered.
    (f"{API}labour + country=MEX + objective=6", {"q": "labour", "country": "MEX", "objective": "6"}),
    (f"{API}need: legal status for people without papers", {"q": "legal status for people without papers"}),
]

# Shapes (value: weight). Countries: these three each in about 10 % of practices.
FREQUENT_COUNTRIES = {"MEX": 0.10, "PHL": 0.10, "IND": 0.10}
COUNTRIES_PER_PRACTICE = {1: 40, 2: 30, 3: 18, 4: 12}
OBJECTIVES_PER_PRACTICE = {1: 40, 2: 40, 3: 20}
ORGANISATIONS_PER_PRACTICE = {0: 35, 1: 40, 2: 18, 3: 7}
CITATIONS_PER_PRACTICE = {1: 50, 2: 35, 3: 15}
MEETINGS_PER_PRACTICE = {1: 65, 2: 35}
PRINCIPLES_PER_PRACTICE = {0: 10, 1: 45, 2: 35, 3: 10}
THEMES_PER_PRACTICE = {2: 20, 3: 45, 4: 35}
ALIASES_PER_PRACTICE = {0: 50, 1: 35, 2: 15}
ROLES = {
    CountryRole.ORIGIN: 35,
    CountryRole.DESTINATION: 30,
    CountryRole.PARTNER: 20,
    CountryRole.IMPLEMENTING: 12,
    CountryRole.TRANSIT: 3,
}
STATUSES = {PracticeStatus.PUBLISHED: 90, PracticeStatus.IN_REVIEW: 5, PracticeStatus.DRAFT: 5}
# As in the real knowledge base.
TYPES = {
    "instrument": 34,
    "programme": 22,
    "policy": 21,
    "dialogue": 15,
    "partnership": 15,
    "tool": 15,
    "agreement": 14,
    "initiative": 11,
    "service": 10,
    "institution": 9,
    "regularisation": 3,
    "law": 1,
}
SCOPES = {"global": 62, "national": 34, "regional": 31, "bilateral": 20, "inter_regional": 19, "local": 4}
TITLE_WORDS = (5, 12)
SUMMARY_WORDS = (40, 80)
DESCRIPTION_WORDS = (150, 400)
EXCERPT_WORDS = (20, 60)
CHUNK_WORDS = (4, 20)  # runs of consecutive words the synthetic text is made of

HAS_LETTER = re.compile(r"[^\W\d_]")
TOKEN = re.compile(r"\S+")
MIGRATION = re.compile(r"\bmigrations?\b", re.IGNORECASE)


_MARKDOWN = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def render_markdown(text):
    """practices.rendering.render_markdown's output, reusing one parser (twice as fast)."""
    if not text:
        return ""
    return nh3.clean(
        _MARKDOWN.reset().convert(text),
        tags=rendering.ALLOWED_TAGS,
        attributes=rendering.ALLOWED_ATTRIBUTES,
        url_schemes=rendering.ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def pick(rng, weights):
    """One key of ``weights`` ({value: weight}), drawn at random."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_distinct(rng, population, weights, k):
    """``k`` distinct items of ``population``, drawn by weight without replacement."""
    items, weights = list(population), list(weights)
    chosen = []
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


class Corpus:
    """The source documents' words, for text whose vocabulary and phrases are the corpus's own."""

    def __init__(self, sources):
        self.sources = list(sources)
        if not self.sources:
            raise ValueError("No source documents: load the knowledge base first.")
        # Words with at least one letter, per document, in text order (page numbers and
        # stray bullets of the extracted PDFs left out).
        self.words = [[w for w in TOKEN.findall(s.text) if HAS_LETTER.search(w)] for s in self.sources]
        self.word_weights = [len(words) for words in self.words]
        # Word boundaries of each text, for verbatim excerpts: (start, end) offsets.
        self.spans = [[(m.start(), m.end()) for m in TOKEN.finditer(s.text)] for s in self.sources]

    def text(self, rng, count):
        """``count`` words in runs of consecutive words of the documents."""
        out = []
        while len(out) < count:
            words = rng.choices(self.words, weights=self.word_weights)[0]
            run = min(rng.randint(*CHUNK_WORDS), count - len(out))
            start = rng.randrange(max(1, len(words) - run))
            out.extend(words[start : start + run])
        return " ".join(out)

    def title(self, rng):
        words = self.text(rng, rng.randint(*TITLE_WORDS)).split()
        words = [w.strip(string.punctuation + "“”‘’•–—") or w for w in words]
        title = " ".join(words)
        return title[:1].upper() + title[1:]

    def excerpt(self, rng):
        """(source, excerpt, start): 20-60 consecutive words, verbatim, at their offset."""
        index = rng.choices(range(len(self.sources)), weights=[len(s) for s in self.spans])[0]
        spans, source = self.spans[index], self.sources[index]
        count = min(rng.randint(*EXCERPT_WORDS), len(spans))
        first = rng.randrange(len(spans) - count + 1)
        start, end = spans[first][0], spans[first + count - 1][1]
        return source, source.text[start:end], start


def acronym(rng, title):
    """An acronym-like alias: the initials of some title words, or an invented one."""
    initials = "".join(w[0] for w in title.split() if w[:1].isalpha()).upper()
    if len(initials) >= 3 and rng.random() < 0.6:
        first = rng.randrange(max(1, len(initials) - 2))
        return initials[first : first + rng.randint(3, 6)]
    return "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 6)))


@dataclass
class FillReport:
    size: int
    created: int
    seconds: float
    phases: dict = field(default_factory=dict)


class Vocabulary:
    """What the synthetic practices link to, weighted by the real knowledge base's usage."""

    def __init__(self):
        def usage(model, practice_path):
            # Weights from the real practices only, so each step up keeps the same shape.
            real = ~Q(**{f"{practice_path}__slug__startswith": SLUG_PREFIX})
            rows = list(model.objects.annotate(n=Count(practice_path, filter=real)).values_list("pk", "n"))
            return [pk for pk, _ in rows], [n + 1 for _, n in rows]

        countries = dict(Country.objects.values_list("iso3", "pk"))
        self.frequent = {countries[iso3]: p for iso3, p in FREQUENT_COUNTRIES.items() if iso3 in countries}
        # Other countries: a long tail, Zipf-like over a fixed random order.
        others = [pk for pk in countries.values() if pk not in self.frequent]
        random.Random(4).shuffle(others)
        self.other_countries = others
        self.other_weights = [1 / (rank + 3) for rank in range(len(others))]
        self.country_names = {pk: name for pk, name in Country.objects.values_list("pk", "name")}
        self.country_iso3 = {pk: iso3 for iso3, pk in countries.items()}
        self.objectives, self.objective_weights = usage(GcmObjective, "practice_links__practice")
        self.objective_rows = {
            pk: (number, title)
            for pk, number, title in GcmObjective.objects.values_list("pk", "number", "title")
        }
        self.objective_labels = dict(GcmObjective.objects.values_list("pk", "short_label"))
        self.theme_names = dict(Theme.objects.values_list("pk", "name"))
        self.organisations, self.organisation_weights = usage(Organisation, "practices")
        self.meetings, self.meeting_weights = usage(Meeting, "practices")
        self.principles, self.principle_weights = usage(GuidingPrinciple, "practices")
        self.themes, self.theme_weights = usage(Theme, "practices")
        self.organisation_names = {
            pk: (name, acronym)
            for pk, name, acronym in Organisation.objects.values_list("pk", "name", "acronym")
        }
        # Each linked row's facet keys, as the index owner (practices.search.indexing) writes them.
        self.facet_keys = {
            "country": {
                pk: [facet_key("region", region), facet_key("country", iso3)]
                for pk, iso3, region in Country.objects.values_list("pk", "iso3", "region")
            },
        }
        for facet, model, value in [
            ("objective", GcmObjective, "number"),
            ("organisation", Organisation, "slug"),
            ("meeting", Meeting, "slug"),
            ("principle", GuidingPrinciple, "slug"),
            ("theme", Theme, "slug"),
        ]:
            self.facet_keys[facet] = {
                pk: [facet_key(facet, v)] for pk, v in model.objects.values_list("pk", value)
            }
        if not self.objectives:
            raise ValueError("No GCM objectives: migrate first.")

    def countries(self, rng):
        count = pick(rng, COUNTRIES_PER_PRACTICE)
        chosen = [pk for pk, share in self.frequent.items() if rng.random() < share]
        rng.shuffle(chosen)
        chosen = chosen[:count]
        chosen += pick_distinct(rng, self.other_countries, self.other_weights, count - len(chosen))
        return chosen


def _practice(rng, corpus, number, now):
    title = corpus.title(rng)
    aliases = [acronym(rng, title) for _ in range(pick(rng, ALIASES_PER_PRACTICE))]
    summary = corpus.text(rng, rng.randint(*SUMMARY_WORDS))
    description = corpus.text(rng, rng.randint(*DESCRIPTION_WORDS))
    status = pick(rng, STATUSES)
    start_year = end_year = None
    ongoing = False
    if rng.random() < 0.85:
        start_year = max(1950, 2023 - int(rng.expovariate(1 / 12)))
        roll = rng.random()
        if roll < 0.3:
            ongoing = True
        elif roll < 0.7:
            end_year = min(2024, start_year + rng.randint(0, 10))
    return Practice(
        title=title[:300],
        slug=f"{SLUG_PREFIX}{number}",
        aliases="\n".join(dict.fromkeys(aliases)),
        summary=summary,
        description=description,
        summary_html=render_markdown(summary),
        description_html=render_markdown(description),
        practice_type=pick(rng, TYPES),
        scope=pick(rng, SCOPES),
        start_year=start_year,
        end_year=end_year,
        ongoing=ongoing,
        status=status,
        published_at=now - timedelta(days=rng.randint(0, 3650))
        if status == PracticeStatus.PUBLISHED
        else None,
    )


def fill(size, seed=0, batch_size=BATCH_SIZE, progress=None):
    """Add synthetic practices until there are ``size`` in all; a FillReport of the work."""
    began = time.perf_counter()
    existing = Practice.objects.count()
    synthetic = Practice.objects.filter(slug__startswith=SLUG_PREFIX).count()
    to_create = max(0, size - existing)
    rng = random.Random(f"{seed}-{synthetic}")  # reproducible, and fresh for each step up
    corpus = Corpus(SourceDocument.objects.all())
    vocabulary = Vocabulary()
    phases = Counter()
    now = timezone.now()
    words = set()
    done = 0
    while done < to_create:
        count = min(batch_size, to_create - done)
        with transaction.atomic():
            phases_batch = _fill_batch(rng, corpus, vocabulary, synthetic + done, count, now, words)
        phases.update(phases_batch)
        done += count
        if progress:
            progress(done, to_create)
    tick = time.perf_counter()
    new_words = words - set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(new_words)], ignore_conflicts=True, batch_size=batch_size
    )
    phases["vocabulary (SearchWord)"] += time.perf_counter() - tick
    tick = time.perf_counter()
    analyze()
    phases["VACUUM ANALYZE"] += time.perf_counter() - tick
    SearchIndexVersion.bump()  # bulk_create() saves no practice: tell the facet index
    return FillReport(size=size, created=to_create, seconds=time.perf_counter() - began, phases=dict(phases))


def _fill_batch(rng, corpus, vocabulary, offset, count, now, words):
    phases = Counter()
    tick = time.perf_counter()
    practices, links, meanings = [], [], []
    for i in range(count):
        practice = _practice(rng, corpus, offset + i + 1, now)
        country_ids = vocabulary.countries(rng)
        objective_ids = pick_distinct(
            rng, vocabulary.objectives, vocabulary.objective_weights, pick(rng, OBJECTIVES_PER_PRACTICE)
        )
        organisation_ids = pick_distinct(
            rng,
            vocabulary.organisations,
            vocabulary.organisation_weights,
            pick(rng, ORGANISATIONS_PER_PRACTICE),
        )
        citations = [corpus.excerpt(rng) for _ in range(pick(rng, CITATIONS_PER_PRACTICE))]
        citations = list(
            {(source.pk, start): (source, excerpt, start) for source, excerpt, start in citations}.values()
        )
        practice.search_related = practice_related_text(
            [excerpt for _, excerpt, _ in sorted(citations, key=lambda c: (c[0].pk, c[2]))],
            [part for pk in organisation_ids for part in vocabulary.organisation_names[pk]],
            [
                part
                for pk in sorted(country_ids, key=vocabulary.country_names.get)
                for part in (vocabulary.country_names[pk], vocabulary.country_iso3[pk])
            ],
        )
        meeting_ids = pick_distinct(
            rng, vocabulary.meetings, vocabulary.meeting_weights, pick(rng, MEETINGS_PER_PRACTICE)
        )
        principle_ids = pick_distinct(
            rng, vocabulary.principles, vocabulary.principle_weights, pick(rng, PRINCIPLES_PER_PRACTICE)
        )
        theme_ids = pick_distinct(
            rng, vocabulary.themes, vocabulary.theme_weights, pick(rng, THEMES_PER_PRACTICE)
        )
        keys = set(practice.own_facet_keys())
        keys.update(facet_key("source", source.slug) for source, _, _ in citations)
        for facet, ids in [
            ("country", country_ids),
            ("objective", objective_ids),
            ("organisation", organisation_ids),
            ("meeting", meeting_ids),
            ("principle", principle_ids),
            ("theme", theme_ids),
        ]:
            keys.update(key for pk in ids for key in vocabulary.facet_keys[facet][pk])
        practice.facet_keys = sorted(keys)
        practice.listing = practice_listing(
            [(vocabulary.country_iso3[pk], vocabulary.country_names[pk]) for pk in country_ids],
            [(*vocabulary.objective_rows[pk], position == 0) for position, pk in enumerate(objective_ids)],
            [(source.slug, source.title, source.publication_date) for source, _, _ in citations],
        )
        for text in (
            practice.title,
            practice.aliases,
            practice.summary,
            practice.description,
            practice.search_related,
        ):
            words.update(WORD_RE.findall(text.lower()))
        practices.append(practice)
        links.append(
            {
                "countries": country_ids,
                "objectives": objective_ids,
                "organisations": organisation_ids,
                "citations": citations,
                "meetings": meeting_ids,
                "principles": principle_ids,
                "themes": theme_ids,
            }
        )
        meanings.append(
            meaning_text(
                practice,
                [vocabulary.objective_labels[pk] for pk in objective_ids]
                + [vocabulary.theme_names[pk] for pk in theme_ids],
            )
        )
    phases["generate text (Python)"] += time.perf_counter() - tick

    tick = time.perf_counter()
    Practice.objects.bulk_create(practices, batch_size=250)
    phases["insert practices (+ search trigger)"] += time.perf_counter() - tick

    tick = time.perf_counter()
    vectors = semantic.embed(meanings)
    if vectors is not None:
        PracticeEmbedding.objects.bulk_create(
            [
                PracticeEmbedding(
                    practice=practice, model=semantic.MODEL_NAME, vector=semantic.to_bytes(vector)
                )
                for practice, vector in zip(practices, vectors, strict=True)
            ],
            batch_size=1000,
        )
    phases["meaning vectors (embed + insert)"] += time.perf_counter() - tick

    tick = time.perf_counter()
    country_links, objective_links, citation_rows = [], [], []
    organisation_rows, meeting_rows, principle_rows, theme_rows = [], [], [], []
    through = Practice.organisations.through, Practice.meetings.through
    principle_through, theme_through = Practice.principles.through, Practice.themes.through
    for practice, link in zip(practices, links, strict=True):
        for pk in link["countries"]:
            country_links.append(PracticeCountry(practice=practice, country_id=pk, role=pick(rng, ROLES)))
        for position, pk in enumerate(link["objectives"]):
            objective_links.append(
                PracticeObjective(practice=practice, objective_id=pk, is_primary=position == 0)
            )
        for source, excerpt, start in link["citations"]:
            citation_rows.append(
                Citation(
                    practice=practice,
                    source=source,
                    excerpt=excerpt,
                    start=start,
                    label=f"p. {1 + start // 3000}",
                )
            )
        organisation_rows += [
            through[0](practice=practice, organisation_id=pk) for pk in link["organisations"]
        ]
        meeting_rows += [through[1](practice=practice, meeting_id=pk) for pk in link["meetings"]]
        principle_rows += [
            principle_through(practice=practice, guidingprinciple_id=pk) for pk in link["principles"]
        ]
        theme_rows += [theme_through(practice=practice, theme_id=pk) for pk in link["themes"]]
    # Citation.save() checks each excerpt is verbatim; bulk_create skips it (they were cut
    # from the text at their offset), and skips the per-row search refresh (done above).
    for model, rows in [
        (PracticeCountry, country_links),
        (PracticeObjective, objective_links),
        (Citation, citation_rows),
        (through[0], organisation_rows),
        (through[1], meeting_rows),
        (principle_through, principle_rows),
        (theme_through, theme_rows),
    ]:
        model.objects.bulk_create(rows, batch_size=1000)
    phases["insert links and citations"] += time.perf_counter() - tick
    return phases


def analyze():
    """The state autovacuum (PostgreSQL) or PRAGMA optimize would leave: fresh planner
    statistics and, on PostgreSQL, the table vacuumed, so that autovacuum's own pass over
    the rows just added does not run during the measurements."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:  # VACUUM cannot run inside a transaction (the command's own test runs in one)
            cursor.execute("ANALYZE")


def time_refresh_search_index(count=1000):
    """Seconds ``indexing.refresh()`` takes for ``count`` synthetic practices whose related
    text it must rewrite (blanked first): the index owner's own path, for comparison."""
    ids = list(
        Practice.objects.filter(slug__startswith=SLUG_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Practice.objects.filter(pk__in=ids).update(search_related="")
    began = time.perf_counter()
    indexing.refresh(ids)
    return len(ids), time.perf_counter() - began


def time_facet_index_build():
    """Seconds to build the in-memory facet index: what the first search after an edit pays."""

    began = time.perf_counter()
    FacetIndex.build(PracticeFilter.SORT_FIELDS)
    return time.perf_counter() - began


def card_rendering_costs(label="two words: seasonal workers", runs=20):
    """(p50 ms with every result rendered afresh, p50 ms with the results' rendered parts
    kept): the search page right after an edit, when no result has been shown yet in this
    version of the knowledge base, against a page of results shown before (the ``fragments``
    cache, which ``measure`` leaves warm as it leaves the facet index)."""
    params = dict(REQUESTS)[label]
    fragments = caches["fragments"]
    cold, warm = [], []
    with search_client() as client:
        _get(client, url_of(label), params)
        for _ in range(runs):
            for times, clear in ((cold, True), (warm, False)):
                if clear:
                    fragments.clear()
                began = time.perf_counter()
                _get(client, url_of(label), params)
                times.append((time.perf_counter() - began) * 1000)
    return statistics.median(cold), statistics.median(warm)


def semantic_costs(runs=200):
    """What meaning adds to a search: embedding a query, building the matrix of vectors (the
    first search after an edit, per process), looking it up, and the matrix's memory."""
    queries = [label.split(": ", 1)[-1] for label, _ in REQUESTS] * (runs // len(REQUESTS) + 1)
    semantic.embed(["warm up"])
    began = time.perf_counter()
    timings = []
    for text in queries[:runs]:
        tick = time.perf_counter()
        semantic.embed([text])
        timings.append((time.perf_counter() - tick) * 1000)
    tick = time.perf_counter()
    index = semantic.SemanticIndex.build()
    build_ms = (time.perf_counter() - tick) * 1000
    vector = semantic.embed(["legal status for people without papers"])[0]
    size = int(index.ids.max(initial=0)) + 1
    members = bitset(index.ids.tolist(), size).to_bytes(size // 8 + 1, "little")  # every practice
    lookups = []
    for _ in range(50):
        tick = time.perf_counter()
        scores = index.similarities(vector)
        index.best(scores, members, 200, 0.2)
        lookups.append((time.perf_counter() - tick) * 1000)
    return {
        "vectors": len(index.ids),
        "embed_p50_ms": statistics.median(timings),
        "embed_p95_ms": sorted(timings)[int(len(timings) * 0.95) - 1],
        "build_ms": build_ms,
        "lookup_p50_ms": statistics.median(lookups),
        "lookup_p95_ms": sorted(lookups)[int(len(lookups) * 0.95) - 1],
        "matrix_mb": index.nbytes / 1e6,
        "rss_mb": resident_mb(),
        "seconds": time.perf_counter() - began,
    }


# Run in a fresh process by serving_process_memory(): start Django, search once, report.
SERVING_PROCESS = """
import json, os
import django

def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_kb.settings")
django.setup()
started = resident()
from django.http import QueryDict
from practices.search.page import SearchPage
page = SearchPage.run(QueryDict("q=legal+status+for+people+without+papers"))
page.tally, page.practices(), page.facets()
print(json.dumps({"started": started, "searched": resident()}))
"""


def serving_process_memory():
    """(MB resident once started, MB after its first search) of a fresh process on this
    database: what a serving process holds (Django, the embedding model, the facet index,
    the matrix of meaning vectors, the matchers), without the benchmark's own allocations."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SERVING_PROCESS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"The serving process failed: {done.stderr[-2000:]}")
    numbers = json.loads(done.stdout.strip().splitlines()[-1])
    return numbers["started"], numbers["searched"]


def resident_mb():
    """This process's resident memory (Linux), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def shape(sample=2000):
    """Measured shape of the synthetic practices (a sample), to check against PERF-NOTES."""
    practices = list(
        Practice.objects.filter(slug__startswith=SLUG_PREFIX)
        .order_by("?")
        .values_list("pk", "summary", "description", "status")[:sample]
    )
    ids = [p[0] for p in practices]
    per = defaultdict(Counter)
    for model, key in [
        (PracticeCountry, "countries"),
        (PracticeObjective, "objectives"),
        (Citation, "citations"),
    ]:
        for practice_id, n in (
            model.objects.filter(practice__in=ids).values_list("practice").annotate(n=Count("pk")).order_by()
        ):
            per[key][practice_id] = n
    mex = set(
        PracticeCountry.objects.filter(practice__in=ids, country__iso3="MEX").values_list(
            "practice_id", flat=True
        )
    )
    n = len(practices) or 1
    return {
        "sampled": len(practices),
        "'migration' in text": sum(bool(MIGRATION.search(s + " " + d)) for _, s, d, _ in practices) / n,
        "published": sum(status == PracticeStatus.PUBLISHED for *_, status in practices) / n,
        "with Mexico": len(mex) / n,
        "countries per practice": sum(per["countries"].values()) / n,
        "objectives per practice": sum(per["objectives"].values()) / n,
        "citations per practice": sum(per["citations"].values()) / n,
        "description words": statistics.mean(len(d.split()) for _, _, d, _ in practices) if practices else 0,
    }


# --- Measuring -------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    params: dict
    times: list
    queries: int
    results: int
    corrected: bool = False
    warm_times: list = field(default_factory=list)  # the same words found again (kept matches)

    @property
    def p50(self):
        return statistics.median(self.times)

    @property
    def p95(self):
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def warm_p50(self):
        return statistics.median(self.warm_times)


@contextmanager
def search_client():
    """A test Client the project's settings accept (host, HTTPS redirect), with the page
    cache off: the benchmark measures searching and rendering, not the cache. The API's
    throttle, which would stop one client asking this often, is lifted."""
    from rest_framework.throttling import AnonRateThrottle

    rates = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**rates, "anon": None}
    try:
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], PAGE_CACHE_SECONDS=0):
            yield Client()
    finally:
        AnonRateThrottle.THROTTLE_RATES = rates


def url_of(label):
    return reverse("opendata:api-practices" if label.startswith(API) else "practices:list")


def _get(client, url, params):
    response = client.get(url, params, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} {params} answered {response.status_code}")
    return response


def result_count(params):
    """(total, corrected): what the page reports, from the view's own search."""
    from practices.views import PracticeSearchView

    view = PracticeSearchView()
    view.setup(RequestFactory().get(reverse("practices:list"), params))
    search = view.search
    return search.total, search.corrected_from is not None


def measure(requests=REQUESTS, repeat=20):
    """A Row per request: ``repeat`` timed GETs of the search page after one warm-up.

    The facet index keeps the last few searches' word matches; ``times`` are taken without
    them (as if the words were typed for the first time), ``warm_times`` with them (as when
    a facet is ticked or a page turned after a search).
    """

    rows = []

    def timed(label, params, cold):
        if cold:
            FacetIndex.forget_matches()
        began = time.perf_counter()
        _get(client, url_of(label), params)
        return (time.perf_counter() - began) * 1000

    freeze_after_first_request()  # the serving processes' policy (gfmd_kb.wsgi)
    queries = {}
    with search_client() as client:
        for label, params in requests:
            _get(client, url_of(label), params)  # warm: caches, plans, connection, facet index
            FacetIndex.forget_matches()
            with CaptureQueriesContext(connection) as captured:
                _get(client, url_of(label), params)
            queries[label] = len(captured)  # now: the next request clears the query log
        # Round after round of every request, rather than each request's runs in a row:
        # a busy spell on the machine then slows every request a little instead of all
        # the runs of one.
        times = {label: [] for label, _ in requests}
        warm_times = {label: [] for label, _ in requests}
        for _ in range(repeat):
            for label, params in requests:
                times[label].append(timed(label, params, cold=True))
        for _ in range(repeat):
            for label, params in requests:
                warm_times[label].append(timed(label, params, cold=False))
        for label, params in requests:
            total, corrected = result_count(params)
            rows.append(Row(label, params, times[label], queries[label], total, corrected, warm_times[label]))
    return rows


@dataclass
class Profile:
    total_ms: float
    render_ms: float  # template rendering, SQL run while rendering included
    queries: list  # [(ms, sql, params, during_render)]

    @property
    def sql_ms(self):
        return sum(q[0] for q in self.queries)

    @property
    def render_sql_ms(self):
        return sum(q[0] for q in self.queries if q[3])

    def top(self, n=5):
        return sorted(self.queries, key=lambda q: q[0], reverse=True)[:n]


def profile(params, runs=5):
    """Where one request's time goes: its SQL statements each timed, and template rendering.

    The run with the median total is kept.
    """
    url = reverse("practices:list")
    original_render = DjangoTemplate.render
    state = {}

    def timed(execute, sql, sql_params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, sql_params, many, context)
        finally:
            elapsed = (time.perf_counter() - began) * 1000
            state["queries"].append((elapsed, sql, sql_params, state["rendering"]))

    def render(self, *args, **kwargs):
        state["rendering"] = True
        began = time.perf_counter()
        try:
            return original_render(self, *args, **kwargs)
        finally:
            state["render_ms"] += (time.perf_counter() - began) * 1000
            state["rendering"] = False

    profiles = []
    with search_client() as client:
        _get(client, url, params)
        for _ in range(runs):
            FacetIndex.forget_matches()  # as measure() times it: the words found afresh
            state.update(rendering=False, render_ms=0.0, queries=[])
            with connection.execute_wrapper(timed), mock.patch.object(DjangoTemplate, "render", render):
                began = time.perf_counter()
                _get(client, url, params)
                total = (time.perf_counter() - began) * 1000
            profiles.append(Profile(total, state["render_ms"], state["queries"]))
    profiles.sort(key=lambda p: p.total_ms)
    return profiles[len(profiles) // 2]


def explain(sql, params):
    """The database's plan for one statement, run for real (EXPLAIN ANALYZE on PostgreSQL)."""
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [row[0] for row in rows]
    return [f"{'  ' * (row[1] and 1)}{row[-1]}" for row in rows]


def database_description():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0]
            knobs = []
            for knob in ("shared_buffers", "work_mem", "jit", "effective_cache_size"):
                cursor.execute(f"SHOW {knob}")
                knobs.append(f"{knob}={cursor.fetchone()[0]}")
        return f"{version.split(',')[0]} ({', '.join(knobs)})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (FTS5)"
