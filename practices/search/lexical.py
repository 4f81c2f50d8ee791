"""Full-text search over practices, the same behaviour on PostgreSQL and SQLite.

Callers see three things: ``parse(text)`` turns what a researcher typed into a
``SearchQuery`` (websearch syntax: ``"exact phrase"``, ``or``, ``-exclude``), and
``PracticeQuerySet.search(query)`` / ``with_snippets()`` / ``suggest()`` run it. This module
is the one place that chooses by ``connection.vendor``:

- PostgreSQL: the weighted, GIN-indexed ``Practice.search_vector`` (kept by a trigger),
  ``ts_rank`` for relevance, ``ts_headline`` for snippets, pg_trgm for typo suggestions.
- SQLite: the FTS5 table ``practices_practice_fts`` (kept by triggers), ``bm25()`` with
  the same column weights, ``snippet()``, and difflib for typo suggestions.

Both get the same query semantics because the query is parsed here, not by the database:
every word also matches its British/American spelling (labour/labor,
regularisation/regularization), English stop words are dropped outside phrases, and the
query is compiled to each database's own safe form (no user text reaches either parser
as syntax).
"""

import difflib
import functools
import html
import operator
import re
import sys
from array import array
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchRank, SearchVectorField
from django.contrib.postgres.search import SearchQuery as PgQuery
from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, TextField, Value, When
from django.db.models.functions import Length, NullIf
from django.db.models.lookups import GreaterThan
from django.db.models.sql import Query as SqlQuery

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Marks the database puts around matched words; turned into <mark> after HTML-escaping.
START_MARK, STOP_MARK = "\ue000", "\ue001"
# Relative weights of title+aliases, summary, description+results, related text.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}

# PostgreSQL's English stop words, dropped from unquoted words on both databases so that
# "labour migration in Asia" behaves the same everywhere.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves""".split()
)


class QueryError(ValueError):
    """A query we cannot run; the message is shown to the researcher as is."""


# --- British and American spellings ------------------------------------------------

# Whole words whose other spelling no suffix rule finds.
SPELLING_PAIRS = {
    "programme": "program",
    "programmes": "programs",
    "labour": "labor",
    "labours": "labors",
    "labourers": "laborers",
    "labourer": "laborer",
    "neighbour": "neighbor",
    "neighbours": "neighbors",
    "neighbouring": "neighboring",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "favour": "favor",
    "favourable": "favorable",
    "honour": "honor",
    "harbour": "harbor",
    "endeavour": "endeavor",
    "endeavours": "endeavors",
    "centre": "center",
    "centres": "centers",
    "catalogue": "catalog",
    "defence": "defense",
    "licence": "license",
    "offence": "offense",
    "offences": "offenses",
    "practise": "practice",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "judgement": "judgment",
    "ageing": "aging",
    "travelling": "traveling",
    "counselling": "counseling",
    "modelling": "modeling",
    "cancelled": "canceled",
}
SPELLING_PAIRS |= {american: british for british, american in SPELLING_PAIRS.items()}
# -isation/-ization, -ise/-ize and their inflections (organisation, recognised, utilise).
SUFFIX_RULES = [
    (re.compile(r"(\w{3,})is(ation|ations|e|es|ed|ing|er|ers)$"), r"\1iz\2"),
    (re.compile(r"(\w{3,})iz(ation|ations|e|es|ed|ing|er|ers)$"), r"\1is\2"),
    (re.compile(r"(\w{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"(\w{2,})yz(e|es|ed|ing)$"), r"\1ys\2"),
]
# Words the -ise rule would wrongly respell (rise -> rize is harmless, but these are common).
NOT_RESPELLED = frozenset({"otherwise", "precise", "concise", "premises", "promise", "promised", "wise"})


def spelling_variants(word):
    """The word and its other English spelling(s), lower-case: labour -> (labour, labor)."""
    word = word.lower()
    variants = [word]
    if word in SPELLING_PAIRS:
        variants.append(SPELLING_PAIRS[word])
    elif word not in NOT_RESPELLED:
        for pattern, replacement in SUFFIX_RULES:
            if pattern.fullmatch(word):
                variants.append(pattern.sub(replacement, word))
                break
    return tuple(dict.fromkeys(variants))


# --- Parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word or quoted phrase, with its spelling variants; ``words`` as typed."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False

    @property
    def alternatives(self):
        """Each spelling of the term, as text: a phrase varies word by word only if one word."""
        if len(self.words) == 1:
            return spelling_variants(self.words[0])
        return (" ".join(self.words).lower(),)


@dataclass
class SearchQuery:
    """A parsed query: clauses ANDed together, each clause the terms ORed within it."""

    text: str
    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def __bool__(self):
        return bool(self.clauses or self.excluded)

    @property
    def key(self):
        """What decides which practices match: the terms, whatever spacing they were typed with."""
        return repr((self.clauses, self.excluded))

    @property
    def words(self):
        """Unquoted, wanted words: the ones a typo correction may replace."""
        return [t.words[0] for clause in self.clauses for t in clause if not t.phrase and len(t.words) == 1]

    def replace_words(self, corrections):
        """The query text with misspelt words replaced, keeping the rest as typed."""

        def fix(match):
            word = match.group(0)
            return corrections.get(word.lower(), word)

        # Only outside quotes: split on quoted parts and fix the others.
        parts = re.split(r'("[^"]*")', self.text)
        return "".join(part if part.startswith('"') else re.sub(r"[^\W\d_]+", fix, part) for part in parts)


TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
WORDS_RE = re.compile(r"\w+(?:['’]\w+)*")


def parse(text):
    """Parse websearch syntax into a SearchQuery; raise QueryError with a readable message."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"Your search is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}. "
            "Use a few distinctive words, or filters."
        )
    query = SearchQuery(text=text)
    clause, pending_or = [], False
    for match in TOKEN_RE.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            pending_or = bool(clause)
            continue
        if quoted is not None:
            words = tuple(WORDS_RE.findall(quoted))
            phrase = len(words) > 1
        else:
            negated = bare.startswith("-") and len(bare) > 1
            words = tuple(WORDS_RE.findall(bare))
            phrase = len(words) > 1  # co-operation, ILO's: keep the parts together
            if len(words) == 1 and words[0].lower() in STOP_WORDS:
                continue
        if not words:
            continue
        term = Term(words=words, phrase=phrase, negated=bool(negated))
        if term.negated:
            query.excluded.append(term)
        elif pending_or and clause:
            clause.append(term)
        else:
            if clause:
                query.clauses.append(clause)
            clause = [term]
        pending_or = False
    if clause:
        query.clauses.append(clause)
    if text and not query:
        raise QueryError(
            "Your search has no word to look for: punctuation and common words such as "
            "“the” or “or” are left out. Type a word or a name, or use the filters."
        )
    if len(query.clauses) + len(query.excluded) > MAX_TERMS:
        raise QueryError(
            f"Your search has {len(query.clauses) + len(query.excluded)} terms; the limit is "
            f"{MAX_TERMS}. Keep the most distinctive words, or use filters."
        )
    return query


# --- Running a query -------------------------------------------------------------------


def is_postgresql():
    return connection.vendor == "postgresql"


def _pg_term(term):
    """One term as a tsquery: its spellings ORed, as a phrase when it has several words."""
    kind = "phrase" if term.phrase else "plain"
    return functools.reduce(
        operator.or_, [PgQuery(alt, config="english", search_type=kind) for alt in term.alternatives]
    )


def _pg_full_query(query):
    wanted = [functools.reduce(operator.or_, [_pg_term(t) for t in clause]) for clause in query.clauses]
    unwanted = [~_pg_term(t) for t in query.excluded]
    return functools.reduce(operator.and_, wanted + unwanted)


def _fts5_phrase(text):
    return '"' + text.replace('"', '""') + '"'


def _fts5_terms(terms):
    alternatives = [_fts5_phrase(alt) for term in terms for alt in term.alternatives]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _fts5_expression(query):
    """The FTS5 MATCH expression of the wanted part, and that of the excluded part (or None)."""
    wanted = " AND ".join(_fts5_terms(clause) for clause in query.clauses) or None
    unwanted = _fts5_terms(query.excluded) if query.excluded else None
    return wanted, unwanted


def apply(queryset, query):
    """Filter to practices matching the query, with ``rank`` (higher is better) as an alias."""
    if is_postgresql():
        pg_query = _pg_full_query(query)
        weights = [WEIGHTS[w] for w in "DCBA"]
        return queryset.filter(search_vector=pg_query).alias(
            rank=SearchRank(F("search_vector"), pg_query, weights=weights)
        )
    wanted, unwanted = _fts5_expression(query)
    if unwanted:
        from practices.models import PracticeSearchIndex

        queryset = queryset.exclude(
            pk__in=PracticeSearchIndex.objects.filter(document__match=unwanted).values("practice_id")
        )
    if not wanted:
        return queryset.alias(rank=Value(0.0, output_field=FloatField()))
    # bm25() is lower for better matches; negate it so that both databases sort rank descending.
    bm25 = Func(
        F("search_index__document"),
        *[Value(WEIGHTS[w]) for w in "ABCD"],
        function="bm25",
        output_field=FloatField(),
    )
    return queryset.filter(search_index__document__match=wanted).alias(rank=-bm25)


def matching_ids(query):
    """The ids of every practice matching ``query``, published or not, unranked, as an
    array: what the facet counts need.

    PostgreSQL finds them without reading the practice rows and sends them packed into one
    value (``practices_matching()``, migrations 0008 and 0009): a broad word matches ~90,000
    practices at 100,000, and one row each costs more to send and convert than to find.
    SQLite reads them from the FTS5 table.
    """
    from practices.models import Practice

    if is_postgresql():
        outer = SqlQuery(Practice)
        tsquery, params = outer.get_compiler(connection=connection).compile(
            _pg_full_query(query).resolve_expression(outer)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT practices_matching({tsquery})", params)
            (packed,) = cursor.fetchone()
        ids = array("q", bytes(packed or b""))
        if sys.byteorder == "little":
            ids.byteswap()  # int8send() writes big-endian
        return ids
    return array("q", apply(Practice.objects.all(), query).order_by().values_list("pk", flat=True))


def with_snippets(queryset, query, words=36):
    """Annotate ``headline``: where each practice matched ``query``, with the database's
    marks around the matched words (``marked()`` makes it HTML), or no marks at all.

    For a page of results: ``queryset`` must already be filtered by ``query``
    (``PracticeQuerySet.search()``), since SQLite's ``snippet()`` reads the match, and
    should hold few rows. On PostgreSQL, ``ts_headline()`` costs what parsing the text
    costs, so it must not run for every match.
    """
    if is_postgresql():
        pg_query = _pg_full_query(query)

        def words_weighted(weight):
            return Func(
                F("search_vector"),
                Value(f"{{{weight}}}"),  # a "char"[] literal: {b}
                function="ts_filter",
                output_field=SearchVectorField(),
            )

        def joined(*fields):
            # One concat_ws() rather than Concat()'s nested pairs: cheaper to compile. It
            # skips NULLs, so empty parts (a practice without a description) become NULL
            # rather than a "… …" in the snippet.
            parts = [NullIf(field, Value("")) for field in fields]
            return Func(Value(" … "), *parts, function="concat_ws", output_field=TextField())

        # The snippet comes from the summary when it matches, else from the description
        # (with the results), else from all the text, as on SQLite. The vector's weight-B
        # part is the summary's words and its C part the description's, so which one
        # matches is known without parsing either.
        quoted = Case(
            When(summary_words=pg_query, then=F("summary")),
            When(description_words=pg_query, then=joined("description", "results")),
            default=joined("summary", "description", "search_related"),
            output_field=TextField(),
        )
        return queryset.alias(
            summary_words=words_weighted("b"),
            description_words=words_weighted("c"),
        ).annotate(
            headline=SearchHeadline(
                quoted,
                pg_query,
                config="english",
                start_sel=START_MARK,
                stop_sel=STOP_MARK,
                max_words=words,
                min_words=words // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )

    wanted, _ = _fts5_expression(query)
    if not wanted:  # only excluded words: nothing matched to show
        return queryset.annotate(headline=Value(None, output_field=TextField()))

    def snippet(column):
        """FTS5's snippet of one column: 1 summary, 2 description (+results), 3 related text."""
        return Func(
            F("search_index__document"),
            Value(column),
            Value(START_MARK),
            Value(STOP_MARK),
            Value(" … "),
            Value(words // 2),
            function="snippet",
            output_field=TextField(),
        )

    def has_marks(text):
        return GreaterThan(Func(text, Value(START_MARK), function="instr", output_field=IntegerField()), 0)

    return queryset.annotate(
        headline=Case(
            When(has_marks(snippet(1)), then=snippet(1)),
            When(has_marks(snippet(2)), then=snippet(2)),
            default=snippet(3),
        )
    )


def marked(headline):
    """A ``with_snippets()`` headline as HTML with <mark>ed words, or None without a match."""
    if not headline or START_MARK not in headline:
        return None
    return _mark(headline)


MARKDOWN_NOISE = re.compile(r"\*\*|__|`|^#+\s|^[-*]\s", re.MULTILINE)
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _mark(text):
    """Escape the snippet for HTML, then turn the database's marks into <mark> elements."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = MARKDOWN_NOISE.sub("", text)
    text = " ".join(text.split())
    return html.escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")


# At most this many words equally similar by trigrams are compared by difflib.
TRIGRAM_TIES = 10


def suggest(query):
    """A corrected query text if some wanted words are unknown and a close known word exists."""
    from practices.models import SearchWord

    words = {w.lower() for w in query.words if len(w) >= 4 and w.isalpha()}
    if not words:
        return None
    spellings = {w: spelling_variants(w) for w in words}
    known = set(
        SearchWord.objects.filter(word__in=[v for vs in spellings.values() for v in vs]).values_list(
            "word", flat=True
        )
    )
    unknown = [w for w in sorted(words) if not known.intersection(spellings[w])]
    corrections = {}
    for word in unknown:
        replacement = _closest_word(word)
        if replacement:
            corrections[word] = replacement
    if not corrections:
        return None
    return query.replace_words(corrections)


def _closest_word(word):
    from practices.models import SearchWord

    if is_postgresql():
        # pg_trgm: the indexed % operator narrows, similarity() orders. Among the words
        # most similar by trigrams, difflib's ratio decides: "work" and "workers" share as
        # many trigrams with "workrs", and "workers" (one letter missing) is meant.
        rows = list(
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(
                similarity=Func(F("word"), Value(word), function="similarity", output_field=FloatField())
            )
            .order_by("-similarity", "word")
            .values_list("word", "similarity")[:TRIGRAM_TIES]
        )
        closest = [candidate for candidate, similarity in rows if similarity == rows[0][1]]
        return max(closest, key=lambda c: difflib.SequenceMatcher(None, word, c).ratio(), default=None)
    candidates = list(
        SearchWord.objects.annotate(length=Length("word"))
        .filter(word__startswith=word[0], length__range=(len(word) - 2, len(word) + 2))
        .values_list("word", flat=True)
    )
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else None
