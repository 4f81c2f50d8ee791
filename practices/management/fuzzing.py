"""Hostile requests over every public URL, shared by the test suite (bounded) and
``manage.py fuzz_site`` (as long as you like). The site never imports this module.

Every route of the URL configuration outside the admin is found by walking the resolver,
so a new page is fuzzed without anyone remembering to add it. Path arguments are real
values from the database (so the view gets past its 404) or hostile text; parameters
are the search page's filters and every other name a view reads, with values drawn from
what breaks web applications: control characters, NUL bytes, lone surrogates and invalid
UTF-8, Unicode digits, huge numbers, over-long and repeated values.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, quote_from_bytes

from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import strategies as st

from practices.filters import PracticeFilter

# Names views read besides the filters, and a few they do not.
PARAMETERS = [
    *PracticeFilter.base_filters,
    "page",
    "practice",
    "next",
    "action",
    "format",
    "title",
    "meeting_name",
    "paper",
    "utm_source",
]

EDGE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e5",
    "99999999999999999999999",
    "²",
    "①",
    "٣",
    "NaN",
    "\x00",
    "a\x00b",
    "\x01",
    "\x0c",
    "\x1f",
    "\x7f",
    "\u0085",
    "\ud800",
    "\ufffe",
    "\u202e",
    '"',
    '""',
    "'",
    "(",
    "*",
    "-",
    "or",
    "AND OR NOT",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "x" * 5000,
    "MEX",
    "mex",
    "AUT",
    "americas",
    "workers",
    "/practices/",
    "//example.org/",
    "javascript:alert(1)",
]

# Values a view understands, so that hostile characters reach code past the first check.
REAL_VALUES = ["MEX", "americas", "6", "2010", "relevance", "25", "2", "workers", "decent work", "add"]
HOSTILE_CHARACTERS = "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\ud800\udfff\ufeff\ufffe\uffff²①٣\u202e"

hostile_text = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Nd", "No", "Zs", "Po"]), max_size=12),
)
# A real value with a hostile character in it: "MEX\x1f", "wor\x00kers", "2²".
spoiled = st.builds(
    lambda value, at, character: value[:at] + character + value[at:],
    st.sampled_from(REAL_VALUES),
    st.integers(0, 12),
    st.sampled_from(HOSTILE_CHARACTERS),
)
hostile_value = st.one_of(
    st.sampled_from(REAL_VALUES), spoiled, spoiled, hostile_text, st.binary(max_size=20)
)
known_name = st.sampled_from(PARAMETERS)
# One parameter a view reads, most often spoiled, then a few anything-goes ones.
parameters = st.builds(
    lambda first, rest: [first, *rest],
    st.tuples(known_name, st.one_of(spoiled, spoiled, hostile_value)),
    st.lists(st.tuples(st.one_of(known_name, known_name, hostile_text), hostile_value), max_size=5),
)


def encode(value):
    """``value`` percent-encoded as it would travel in a URL (bytes as they are, so invalid
    UTF-8 travels too; text with lone surrogates passes them through as their code units)."""
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # e.g. "practices/<slug:slug>/"
    converters: dict  # {argument: converter name}
    method: str = "GET"

    def path(self, arguments):
        path = self.route
        for argument, converter in self.converters.items():
            path = path.replace(f"<{converter}:{argument}>", encode(arguments[argument]))
        return "/" + path


# Views that only answer POST (forms); everything else is fetched with GET.
POST_ONLY = {"practices:pick"}


@contextmanager
def printing_stood_in():
    """Brief PDFs "printed" by a stand-in while fuzzing: what is fuzzed is how the view
    takes what it is sent (it still renders the brief it would print). Chromium's printing
    takes seconds a brief, one at a time, and is tested on its own
    (tests/browser/test_brief_pdf.py)."""
    from practices import brief_pdf

    real = brief_pdf.available, brief_pdf.print_brief
    brief_pdf.available = lambda: True
    brief_pdf.print_brief = lambda html, url, contents, anchors, paper: b"%PDF-1.4\n% stand-in\n%%EOF\n"
    try:
        yield
    finally:
        brief_pdf.available, brief_pdf.print_brief = real


def public_routes():
    """Every route outside the admin, with its path converters."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = {
                    argument: CONVERTER_NAMES[type(converter).__name__]
                    for argument, converter in pattern.pattern.converters.items()
                }
                yield Route(name, route, converters, "POST" if name in POST_ONLY else "GET")

    return list(walk(get_resolver().url_patterns, "", None))


CONVERTER_NAMES = {
    "StringConverter": "str",
    "SlugConverter": "slug",
    "IntConverter": "int",
    "PathConverter": "path",
}


def real_values():
    """{route name: {argument: values the database holds}} so fuzzed paths reach real pages."""
    from practices.filters import REGIONS
    from practices.models import Country, GuidingPrinciple, Meeting, Organisation, Practice, Theme
    from sources.models import SourceDocument

    def some(queryset, field):
        return [str(v) for v in queryset.values_list(field, flat=True)[:5]]

    practice = {"slug": some(Practice.objects.published(), "slug")}
    return {
        "practices:detail": practice,
        "practices:cite_ris": practice,
        "practices:cite_bib": practice,
        "practices:meeting": {"slug": some(Meeting.objects.all(), "slug")},
        "practices:organisation": {"slug": some(Organisation.objects.all(), "slug")},
        "practices:country": {"iso3": [*some(Country.objects.all(), "iso3"), "mex", "Mex"]},
        "practices:region": {"slug": [*(region.lower() for region in REGIONS), "Africa", "EUROPE"]},
        "practices:principle": {"slug": some(GuidingPrinciple.objects.all(), "slug")},
        "practices:theme": {"slug": some(Theme.objects.all(), "slug")},
        "practices:objective": {"number": ["1", "6", "13", "23", "24", "0"]},
        "sources:detail": {"slug": some(SourceDocument.objects.all(), "slug")},
    }


def requests_for(route, real):
    """A strategy of (path, [(parameter, value)]) for ``route``; ``real`` from real_values()."""
    known = real.get(route.name, {})
    arguments = st.fixed_dictionaries(
        {
            argument: st.one_of(st.sampled_from(known[argument]), hostile_value)
            if known.get(argument)
            else hostile_value
            for argument in route.converters
        }
    )
    return st.tuples(arguments.map(route.path), parameters)


@dataclass
class Outcome:
    status: int
    seconds: float


def send(client, route, path, params, **extra):
    """One request as a browser would send it: the status, and how long the site took."""
    encoded = "&".join(f"{encode(name)}={encode(value)}" for name, value in params)
    started = time.perf_counter()
    if route.method == "POST":
        response = client.post(path, data=encoded, content_type="application/x-www-form-urlencoded", **extra)
    else:
        response = client.get(path, QUERY_STRING=encoded, **extra)
    return Outcome(response.status_code, time.perf_counter() - started)
