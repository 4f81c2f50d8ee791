"""What a researcher typed, parsed: pure Python, no database.

``parse(text)`` reads websearch syntax (``"exact phrase"``, ``or``, ``-exclude``) into a
``SearchQuery``: clauses ANDed together, each clause the terms ORed within it. Every word
also matches its British/American spelling (labour/labor, regularisation/regularization)
and English stop words are dropped outside phrases, the same on both databases because the
query is parsed here and compiled to each database's own safe form by ``lexical``.

``stem()`` is the light English stemmer (inflections only) the thesaurus and vocabulary
matchers compare words with.
"""

import functools
import re
from dataclasses import dataclass, field

# A need described at length, as researchers do, is searched ("our labour ministry wants a
# standing council where ministries, unions and employers shape migration rules" is 20
# terms); the bounds keep the worst case within the page's time (a 30-term query: 100 ms
# at 100,000 practices).
MAX_QUERY_LENGTH = 400
MAX_TERMS = 40

# Stop words that thesaurus terms need ("no papers", "convention no 97"): parsed as request
# words (FILLER_WORDS), which the compiler keeps only inside a term, and never searched for.
TERM_ONLY_WORDS = frozenset({"no"})
# PostgreSQL's English stop words, dropped from unquoted words on both databases so that
# "labour migration in Asia" behaves the same everywhere (but for TERM_ONLY_WORDS).
STOP_WORDS = (
    frozenset(
        """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves""".split()
    )
    - TERM_ONLY_WORDS
)


# Words that phrase a request rather than name its topic ("is it still possible to…",
# "governments genuinely delivering…", "help workers get fair contracts"). As concepts
# they were words a result had to match; so the compiler leaves one out unless a thesaurus
# term or name holds it ("know your rights", "get papers"). Parsed as words.
FILLER_WORDS = (
    frozenset(
        """actually really still also even please possible possibly want wants wanted looking
    trying know anyone someone something anything kind sort thing things whether would could
    might must genuinely truly basically simply like i'm i've i'd we're we've don't doesn't
    can't get gets getting got""".split()
        # Spanish and French function words, in a query typed in those languages ("remesas
        # más baratas para las familias"): as concepts, "para" and "las" matched the practices
        # with a Spanish name. Not "un", which is also the UN.
        + """de del la las el los y en para por con que una al les des du et au aux pour sur
    dans avec par""".split()
    )
    | TERM_ONLY_WORDS
)
# Words that join the terms either side into alternatives: "or", and the "versus" of a
# comparison ("Danish vs Belgian schemes" wants either country's, not practices of both).
ALTERNATIVE_WORDS = frozenset({"or", "vs", "vs.", "versus"})


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
    def parts(self):
        """Each word as a term of its own (several words not a phrase must all occur)."""
        return [Term(words=(word,)) for word in self.words]

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
    # Positions in ``clauses`` of the unquoted request words (FILLER_WORDS) typed alone.
    request_words: frozenset[int] = frozenset()
    # (start, end) in ``text`` of each clause, as typed: what a concept of several clauses
    # is called on the page ("know your rights", with the words parsing left out).
    spans: list[tuple[int, int]] = field(default_factory=list)

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
    clause, pending_or, span = [], False, None
    request_words = set()  # ids of those Terms: a quoted "still" is an equal Term
    for match in TOKEN_RE.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() in ALTERNATIVE_WORDS:
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
        if quoted is None and len(words) == 1 and words[0].lower().replace("’", "'") in FILLER_WORDS:
            request_words.add(id(term))
        if term.negated:
            query.excluded.append(term)
        elif pending_or and clause:
            clause.append(term)
            span = (span[0], match.end())
        else:
            if clause:
                query.clauses.append(clause)
                query.spans.append(span)
            clause, span = [term], match.span()
        pending_or = False
    if clause:
        query.clauses.append(clause)
        query.spans.append(span)
    query.request_words = frozenset(
        n for n, clause in enumerate(query.clauses) if len(clause) == 1 and id(clause[0]) in request_words
    )
    if text and (not query or len(query.request_words) == len(query.clauses) and not query.excluded):
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


def _light_stem(word):
    """Inflections only (plurals, -ing, -ed), as Harman's S-stemmer and a little more: a
    thesaurus term or a name must not match a merely related word, as a full stemmer
    would make it ("regularisation" and "regular", "nationality" and "national")."""
    if word.endswith("'s"):  # a possessive: "homeland's" is "homeland", not "homeland'"
        word = word[:-2]
    elif word.endswith("s'"):  # "migrants'"
        word = word[:-1]
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz" or word.endswith(("ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=20_000)
def stem(word):
    """The word's inflectional stem, lower-case, its British and American spellings folded."""
    word = word.lower().replace("’", "'")
    return _light_stem(min(spelling_variants(word)))


def content_words(text):
    """The words of ``text`` a matcher compares: lower-case, stop words left out."""
    return [w.lower() for w in WORDS_RE.findall(text) if w.lower() not in STOP_WORDS]


def stems(text):
    """The stems of ``text``'s content words, in order."""
    return tuple(stem(w) for w in content_words(text))
