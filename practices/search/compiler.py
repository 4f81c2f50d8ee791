"""From what a researcher typed to what search looks for: pure Python, no database.

A parsed query's clauses become *concepts*. Consecutive words that a thesaurus entry or a
vocabulary name covers ("without papers", "alternatives to detention", "Mexican") become one
concept, whose alternatives are the words as typed (as a phrase), the thesaurus's related
terms and the vocabulary values named (facet keys such as "objective:13", "country:MEX").
A practice matches a concept if it contains any alternative or is classified under any of
its values. The page then asks for practices matching all concepts, or, when none does,
most of them (``practices.search.page``).

``Thesaurus`` and ``Vocabulary`` are built from data (``ThesaurusEntry`` rows, the
vocabularies' names) by ``practices.search.vocabulary``; here they are plain matchers.
"""

import re
from dataclasses import dataclass, field, replace

from practices.search import english
from practices.search.query import TERM_ONLY_WORDS, WORDS_RE, SearchQuery, Term, stems

MAX_SPAN = 6  # words one thesaurus term or vocabulary name may cover
MAX_ALTERNATIVES = 16  # per concept, so that a query stays small for the database


def term_of(text):
    """A thesaurus term or name as a search Term: a phrase if it has several words."""
    words = tuple(WORDS_RE.findall(text))
    return Term(words=words, phrase=len(words) > 1) if words else None


class Thesaurus:
    """Related terms by the stems of the words that call them up."""

    def __init__(self, rules=()):
        self.related = {}  # {stems: {related term text, ...}}
        for kind, terms, expansions in rules:
            targets = terms if kind == "equivalent" else expansions
            for term in terms:
                key = stems(term)
                if key:
                    others = [t for t in targets if stems(t) != key]
                    self.related.setdefault(key, {}).update(dict.fromkeys(others))
        self.longest = max((len(key) for key in self.related), default=0)
        # Terms of several words by their words in any order, for lookup_loosely().
        self.unordered = {}
        for key in self.related:
            if len(set(key)) == len(key) > 1:
                self.unordered.setdefault(tuple(sorted(key)), key)

    def __len__(self):
        return len(self.related)

    def lookup(self, key):
        return list(self.related.get(key, {}))

    def lookup_loosely(self, key, may_skip=lambda position: True):
        """The related terms of a term of several words that ``key`` holds with one word
        more between its first and last, in any order: people word a need freely ("money
        migrants send home" holds "sending money home"). Side by side, the words must come
        in the term's order (lookup()): "workers for foreign companies" are no "foreign
        workers"."""
        if len(key) < 3 or len(set(key)) < len(key):
            return []
        for skipped in range(1, len(key) - 1):
            candidate = key[:skipped] + key[skipped + 1 :]
            term = self.unordered.get(tuple(sorted(candidate)))
            if term is not None and may_skip(skipped):  # asked only of a term found
                return self.lookup(term)
        return []


@dataclass(frozen=True)
class Named:
    """A vocabulary value a query names: facet keys it stands for and how the page shows it."""

    facet: str  # the filter it offers: "objective", "country", "theme", ...
    values: tuple  # the filter's values ("13",) or several countries for a sub-region
    label: str  # "GCM objective 13: Alternatives to detention"

    @property
    def keys(self):
        return tuple(f"{self.facet}:{value}" for value in self.values)


class Vocabulary:
    """Names of countries, regions, objectives, principles, themes, organisations and
    meetings, matched against a query's words by stem.

    ``names`` are (name, Named) pairs: the whole name must be typed (in any order of its
    words). ``titles`` are (title, Named) pairs (the GCM objectives' full titles): two or more
    consecutive words of the query found in one title name it, if one of them is rare
    among the titles (so "fair recruitment" names objective 6, but "migration work" names none).
    """

    def __init__(self, names=(), titles=()):
        self.names = {}  # {frozenset of stems: [Named, ...]}
        for name, named in names:
            key = frozenset(stems(name))
            if key:
                self.names.setdefault(key, [])
                if named not in self.names[key]:
                    self.names[key].append(named)
        self.titles = [(frozenset(stems(title)), named) for title, named in titles]
        frequency = {}
        for key, _ in self.titles:
            for word in key:
                frequency[word] = frequency.get(word, 0) + 1
        # Rare: in at most a tenth of the titles (two of the 23 GCM objectives).
        self.rare = {word for word, n in frequency.items() if n <= max(1, len(self.titles) // 10)}

    def lookup(self, key):
        found = list(self.names.get(frozenset(key), []))
        if len(key) >= 2 and len(set(key)) == len(key):
            words = set(key)
            found += [named for title, named in self.titles if words <= title and words & self.rare]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Concept:
    label: str  # the words as typed
    terms: tuple  # Terms, ORed
    expansions: tuple = ()  # what the thesaurus added, as text
    named: tuple = ()  # Named vocabulary values
    period: tuple = ()  # (first, last) start years it names ("since 2015": (2015, None))

    @property
    def period_label(self):
        first, last = self.period
        if first == last:
            return f"Started in {first}"
        if last is None:
            return f"Started in {first} or later"
        if first is None:
            return f"Started in {last} or earlier"
        return f"Started {first}–{last}"

    @property
    def facet_keys(self):
        return tuple(key for named in self.named for key in named.keys)

    @property
    def key(self):
        return repr((self.terms, self.facet_keys))


@dataclass
class Clauses:
    """What the lexical backends run: clauses ANDed, terms ORed within (``lexical``)."""

    clauses: list
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.clauses or self.excluded)

    @property
    def key(self):
        return repr((self.clauses, self.excluded))


@dataclass
class CompiledQuery:
    query: SearchQuery
    concepts: list
    excluded: list

    def __bool__(self):
        return bool(self.query)

    @property
    def text(self):
        return self.query.text

    def all_of(self, concepts=None):
        return Clauses([list(c.terms) for c in (concepts or self.concepts)], self.excluded)

    def any_of(self, concepts=None):
        terms = list(dict.fromkeys(t for c in (concepts or self.concepts) for t in c.terms))
        return Clauses([terms] if terms else [], self.excluded)

    def any_word(self, concepts=None):
        """Every word and related term of the concepts, ORed: what ranks practices that
        match the concepts in different ways (several words as one concept included)."""
        terms = []
        for concept in concepts or self.concepts:
            for term in concept.terms:
                terms += term.parts if len(term.words) > 1 and not term.phrase else [term]
        return Clauses([list(dict.fromkeys(terms))] if terms else [], self.excluded)

    def one(self, concept):
        """The practices of one concept, as a set: its related terms of several words need
        all their words, not in sequence. A phrase's positions are only known from the
        practice's vector, which PostgreSQL's GIN scan would then fetch for every candidate
        (430 ms for one widened concept at 100,000 practices, against 20 without); the
        ranking still prefers the phrase. Words typed in quotes stay a phrase."""
        typed, *related = concept.terms
        loose = [Term(words=t.words) if t.phrase and len(t.words) > 1 else t for t in related]
        return Clauses([list(dict.fromkeys([typed, *loose]))])

    @property
    def expansions(self):
        """(typed words, [terms added]) of each concept the thesaurus widened."""
        return [(c.label, list(c.expansions)) for c in self.concepts if c.expansions]

    @property
    def named(self):
        return list(dict.fromkeys(n for c in self.concepts for n in c.named))


def compile_query(query, thesaurus=None, vocabulary=None):
    """The query's concepts, with thesaurus terms and vocabulary values."""
    thesaurus = thesaurus or Thesaurus()
    vocabulary = vocabulary or Vocabulary()
    # Units: clauses of one term that may join with neighbours; OR-groups stand alone.
    units = []
    for clause in query.clauses:
        mergeable = len(clause) == 1
        units.append((clause, stems(" ".join(clause[0].words)) if mergeable else None))

    def longest_match(i):
        """(end, related, named) of the longest term or name starting at unit ``i``."""
        if units[i][1] is None:
            return None
        for j in range(min(len(units), i + MAX_SPAN), i, -1):
            span = units[i:j]
            if any(key is None for _, key in span):
                continue
            key = tuple(word for _, unit_key in span for word in unit_key)
            related, named = thesaurus.lookup(key), vocabulary.lookup(key)
            if related or named:
                return j, related, named
        # Failing that, a thesaurus term with one word more inside it, in any order.
        for j in range(min(len(units), i + MAX_SPAN), i + 2, -1):
            span = units[i:j]
            if all(key is not None and len(key) == 1 for _, key in span):
                # The word inside must be an English one: a typo ("people smuglers by
                # boat") stays a word of its own, which the correction can then find.
                def english_word(position, span=span):
                    return english.is_word(span[position][0][0].words[0])

                if related := thesaurus.lookup_loosely(tuple(key[0] for _, key in span), english_word):
                    return j, related, []
        return None

    concepts, i = [], 0
    matched = None  # (start, end, related, named) of the last concept the thesaurus made
    while i < len(units):
        chosen = longest_match(i)
        if chosen is None and matched and matched[1] == i:
            # Terms may overlap: in "cheaper money transfers home", "transfers home" is a
            # term too. A word that only a term overlapping the previous one covers joins
            # that concept instead of standing as a word every result must have.
            for start in range(i - 1, matched[0], -1):
                overlap = longest_match(start)
                if overlap and overlap[0] > i:
                    start, _, related, named = matched
                    j = overlap[0]
                    chosen = (j, (*related, *overlap[1]), (*named, *overlap[2]))
                    concepts.pop()
                    i = start
                    break
        if chosen is None:
            clause = units[i][0]
            if len(clause) > 1:  # alternatives typed ("Danish or Belgian"): each as a term alone
                if alternatives := [term for term in clause if not _term_only(term)]:
                    concepts.append(_alternatives(alternatives, thesaurus, vocabulary))
            elif i not in query.request_words:  # a word that only phrases the request is no concept
                concepts.append(Concept(label=_label(clause), terms=tuple(clause)))
            matched = None
            i += 1
            continue
        j, related, named = chosen
        matched = (i, j, related, named)
        typed = [units[k][0][0] for k in range(i, j)]
        # A stop word a term holds ("no papers") is no word a practice must have.
        words = tuple(w for term in typed for w in term.words if w.lower() not in TERM_ONLY_WORDS)
        typed = [term for term in typed if not _term_only(term)] or typed
        # The words as typed keep their meaning: all of them, anywhere (as without the
        # thesaurus); the related terms and names are alternatives to them.
        own = typed[0] if len(typed) == 1 else Term(words=words, phrase=False)
        terms, expansions = _widened([own], related)
        concepts.append(
            Concept(
                label=_typed(query, i, j) or " ".join(words),
                terms=terms,
                expansions=expansions,
                named=tuple(dict.fromkeys(named)),  # overlapping terms may name the same value
            )
        )
        i = j
    return CompiledQuery(
        query=query, concepts=_with_periods(concepts, query.text), excluded=list(query.excluded)
    )


# A year or a decade, with the word that bounds it ("since 2015", "before the 1990s") or
# places something in it ("in the 2000s"): the concept's label.
# Stop words ("after", "before", "from", "until") are gone from the parsed query, hence
# the query's text is read.
PERIOD = re.compile(
    r"(?:\b(since|after|from|before|until|till|through|in|during)\s+(?:the\s+)?)?\b((?:18|19|20)\d\d)(s|’s|'s)?(?!\w)",
    re.IGNORECASE,
)


def _with_periods(concepts, text):
    """``concepts`` where a year or decade typed as a word also names the practices started
    then: researchers place a need in time ("regularisation in the 2000s", "agreements since
    2015") and the start year is what the knowledge base records of a practice's time. The
    words stay words too (a practice may say "in 2015" of something it did)."""
    for match in PERIOD.finditer(text):
        if '"' in (text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]):
            continue  # "2015" in quotes is the word as typed
        bound, year, decade = (match.group(1) or "").lower(), int(match.group(2)), bool(match.group(3))
        first, last = (year, year + 9) if decade else (year, year)
        if bound in ("since", "from"):
            last = None
        elif bound == "after":
            first, last = last + 1, None
        elif bound == "before":
            first, last = None, first - 1
        elif bound in ("until", "till", "through"):
            first = None
        typed = match.group(2) + (match.group(3) or "")
        for n, concept in enumerate(concepts):
            if concept.label.lower() == typed.lower() and not (
                concept.named or concept.expansions or concept.period
            ):
                concepts[n] = replace(concept, label=match.group(0), period=(first, last))
                if bound == "since" and n and concepts[n - 1].label.lower() == "since":
                    del concepts[n - 1]  # not a word to look for ("since" is no stop word)
                break
    return concepts


def _typed(query, first, end):
    """The text of clauses ``first`` to ``end`` (excluded) as typed, words parsing left out
    included ("know your rights"), without the punctuation around them; "" if they were
    not typed one after the other (a quoted phrase or an exclusion among them)."""
    if len(query.spans) != len(query.clauses):
        return ""
    text = query.text[query.spans[first][0] : query.spans[end - 1][1]]
    if '"' in text or re.search(r"(?<!\w)-\w", text):
        return ""
    return re.sub(r"^\W+|\W+$", "", text)


def _alternatives(clause, thesaurus, vocabulary):
    """The concept of an OR-clause: its terms, and what each word typed alone is a thesaurus
    term or name for ("Mexico or Guatemala" names both countries). A phrase in quotes is
    taken as typed."""
    related, named = [], []
    for term in clause:
        if len(term.words) == 1:
            key = stems(" ".join(term.words))
            related += thesaurus.lookup(key)
            named += vocabulary.lookup(key)
    terms, expansions = _widened(clause, related)
    return Concept(
        label=_label(clause), terms=terms, expansions=expansions, named=tuple(dict.fromkeys(named))
    )


def _widened(typed, related):
    """(terms, expansions): the ``typed`` terms, then the ``related`` texts as terms (none
    twice), within MAX_ALTERNATIVES; and the texts of those the thesaurus added."""
    extra = [t for t in map(term_of, related) if t is not None]
    terms = tuple(dict.fromkeys([*typed, *extra]))[: max(MAX_ALTERNATIVES, len(typed))]
    return terms, tuple(" ".join(t.words) for t in terms[len(typed) :])


def _term_only(term):
    """Whether ``term`` is only words kept for thesaurus terms ("no"), never searched for."""
    return {word.lower() for word in term.words} <= TERM_ONLY_WORDS


def _label(clause):
    return " or ".join(" ".join(term.words) for term in clause)
