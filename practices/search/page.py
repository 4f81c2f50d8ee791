"""One search, assembled: what the search page, its exports, feed and brief all show.

``SearchPage(request.GET)`` compiles the query once (thesaurus and vocabulary, from
``practices.search.vocabulary``), then:

1. **Matches, as sets.** Each concept's practices (``lexical.matching_bits`` plus the
   vocabulary values it names) become a bitset of the facet index, kept per concept since
   ticking a facet or turning a page asks for the same words again. Practices matching every
   concept are the results; when no practice matches them all, practices matching most of
   them are (at least half, more first), and the page says which words were not found, as
   Meilisearch's matching strategy and Elasticsearch's ``minimum_should_match`` do. Meaning
   matches (``semantic``) above a similarity threshold join them.
2. **Counts.** The total, every facet's counts and the decades are set arithmetic on the
   facet index (``facets.FacetIndex.count``), with each facet counted under the *other*
   filters.
3. **Order.** By relevance, the first ``WINDOW`` results are ranked in Python: by how much
   of the query a practice matches (concepts weighted by rarity), then by reciprocal rank
   fusion of the database's full-text rank (its best ``WINDOW``, filters applied in SQL)
   and the semantic similarity, with a bonus for the words as typed (so "regularisation"
   puts regularisation programmes above "regular pathways", which only share its stem).
   Further results follow in the database's rank order, then the rest. Every other sort
   reads the page off the index.
4. **No dead ends.** A word not found is corrected against the indexed words if a close
   one exists; a page with nothing offers what would find something, each with its count.
"""

import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.http import QueryDict

from practices.filters import REGIONS, PracticeFilter
from practices.models import (
    Practice,
    PracticeScope,
    PracticeType,
    SearchIndexVersion,
    SearchWord,
    facet_key,
)
from practices.search import english, indexing, lexical, semantic, snippets
from practices.search.bits import bitset, is_member
from practices.search.compiler import Clauses, compile_query
from practices.search.facets import FacetIndex
from practices.search.query import QueryError, parse, spelling_variants
from practices.search.vocabulary import Matchers

WINDOW = 100  # results fused and ranked in Python; further ones follow the database's rank
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al. 2009)
SEMANTIC_WEIGHT = 1.0  # the meaning list's share in the fusion, as the words' (plain RRF)
# ... and the words' share when no practice has all the words of any concept, so that single
# words rank it (a weaker sign: "response" and "strengthen" say little on their own).
WORDS_WEIGHT = 0.4
EXACT_BONUS = 0.012  # for each concept whose words appear as typed in the title, aliases or summary
# A meaning match without any of the words must be at least this similar (cosine) to count:
# calibrated on the seed knowledge base, where unrelated questions ("banana bread recipe")
# stay below 0.30 and paraphrases of a practice reach 0.45 and more.
SEMANTIC_THRESHOLD = 0.42
# Meaning matches that also match some word rank by the fusion at any similarity above this.
SEMANTIC_FLOOR = 0.2
# When no practice has even half of the query's concepts, those with fewer count if at least
# this similar: below SEMANTIC_THRESHOLD, since they also share some of the words.
RELAXED_CLOSE = 0.35
# When some words are in no practice, those the others find must be at least this similar:
# far below SEMANTIC_THRESHOLD (a floor, not a match), calibrated on the query sets, where it
# empties 4 of 40 nothing-queries' pages and drops 1 of 400 relevant practices; at 0.3, a
# query with relevant practices ("doing consulate paperwork over the internet") found none.
LOOSELY_RELATED = 0.25
COVERAGE_STEPS = 3
# A query of this many concepts or more asks for MOST of them (Elasticsearch's
# minimum_should_match "3<75%"), those matching all first.
MANY_CONCEPTS = 4
MOST = 0.75
# A concept matched by more than this share of the practices does not rank them (if rarer ones do).
COMMON_SHARE = 0.3
# Alternatives of a concept the database ranks by: the words typed and the shortest related
# terms (single words before phrases). Ranking costs what the query's terms times the
# matches cost (a widened need at 100,000 practices: 210 ms with all of them); the coverage
# and the meaning count them all. Three rather than four: the 20-word need's ranking at
# 10,000 practices took 3.5 instead of 5.0 ms, and the quality sets' MRR rose or held.
RANKING_TERMS = 3
RANKING_CONCEPTS = 6
WORD = re.compile(r"\w+")


class SearchPage:
    """A search as the page runs it, from the request's GET parameters."""

    suggestion = None  # a spelling correction offered rather than made (an Offer)

    def __init__(self, data, queryset=None, request=None, *, _of=None):
        self.data = data
        self.request = request
        if _of is None:
            indexing.flush()  # this transaction's own writes, if any, before reading the index
            self.token = SearchIndexVersion.current_token()
            self.index = FacetIndex.current(self.token, PracticeFilter.SORT_FIELDS)
            self.matchers = Matchers.current(self.token)
            self.base_queryset = queryset if queryset is not None else Practice.objects.published()
        else:  # a variant reads the same version of the index as the page it varies
            self.token, self.index, self.matchers = _of.token, _of.index, _of.matchers
            self.base_queryset = _of.base_queryset
        self.filterset = PracticeFilter(
            data, queryset=self.base_queryset, request=request, known=self.index.known_values
        )
        self.query = compile_query(self.filterset.query, self.matchers.thesaurus, self.matchers.vocabulary)
        self.corrected_from = None
        self._similar = {}  # {threshold: bitset} of _similar_bits()

    def variant(self, changes):
        """This search with ``changes`` to its parameters ({name: [values]}), as a page."""
        data = self.data.copy()
        for name, values in changes.items():
            data.setlist(name, values)
        return SearchPage(data, request=self.request, _of=self)

    @classmethod
    def run(cls, data, queryset=None, request=None):
        """The page for ``data``; if some words are unknown and a close known word exists,
        the page for the corrected words (``corrected_from`` is then the query as typed)."""
        page = cls(data, queryset, request)
        if page.query and page.not_found:
            # The words of the concepts found nowhere: single words (a known term that finds
            # nothing, "dual citizenship", is no typo).
            unknown = [c.terms[0].words[0] for c in page.not_found if len(c.terms[0].words) == 1]
            corrected, corrections = lexical.suggest(page.query.query, SearchWord.objects.all(), unknown)
            if corrected and corrected != page.query.text:
                # Typos are corrected if that finds more of the words ("smuglers" of
                # "prosecuting migrant smuglers", where "prosecuting" is in no practice
                # either). An English word is no typo ("children crossing borders alone" is
                # not about "along", nor "readmitted" about "admitted"): its correction is
                # only offered. Nor is a word with accents, in a query in Spanish or French
                # ("signés" is not "signs").
                typos = {
                    word: c for word, c in corrections.items() if word.isascii() and not english.is_word(word)
                }
                retry = page.variant({"q": [page.query.query.replace_words(typos)]}) if typos else None
                if retry is not None and len(retry.not_found) < len(page.not_found) and retry.total:
                    retry.corrected_from = page.query.text
                    return retry
                # Offered: every correction (the same page as the retry if all were typos);
                # but an everyday word replaced by another ("planner" by "planned") is no
                # help beside results.
                everyday = all(english.is_common_word(word) for word in corrections)
                offered = retry if typos == corrections else page.variant({"q": [corrected]})
                if offered.total and not (everyday and page.total):
                    page.suggestion = Offer(
                        f"“{corrected}”", offered.total, offered._with({"q": [corrected]})
                    )
        return page

    # --- what the request asks for ----------------------------------------------------

    @property
    def sort_key(self):
        return self.filterset.sort_key

    @property
    def page_size(self):
        return self.filterset.page_size

    @property
    def operators(self):
        """Whether the researcher asked for exactness: a quoted phrase or ``-word``. An ``or``
        is no sign of it: it joins alternatives into one concept, as the thesaurus does, and
        a need written as a sentence often has one ("move abroad temporarily, or only
        professionals?", "visit family or shop")."""
        query = self.query.query
        return '"' in query.text or bool(query.excluded)

    @property
    def _alternatives_typed(self):
        return any(len(clause) > 1 for clause in self.query.query.clauses)

    # --- matches, as sets -------------------------------------------------------------

    def _ids(self, clauses):
        return self.index.matched(clauses.key, lambda: lexical.matching_bits(Practice.objects.all(), clauses))

    @cached_property
    def concept_bits(self):
        """[bitset] of each concept: its words, their related terms, the values it names,
        the practices started in the period it names."""
        concepts = self.query.concepts
        clauses = [self.query.one(concept) for concept in concepts]
        words = self.index.matched_many(
            [c.key for c in clauses],
            lambda missing: lexical.matching_bits_many(Practice.objects.all(), [clauses[n] for n in missing]),
        )
        return [
            bits
            | self.index.having(concept.facet_keys)
            | (self.index.started_between(*concept.period) if concept.period else 0)
            for concept, bits in zip(concepts, words, strict=True)
        ]

    @cached_property
    def found(self):
        return [c for c, bits in zip(self.query.concepts, self.concept_bits, strict=True) if bits]

    @cached_property
    def found_bits(self):
        """[bitset] of the concepts found, in the order of ``found``."""
        return [bits for bits in self.concept_bits if bits]

    @cached_property
    def not_found(self):
        """The concepts (words as typed) no published practice matches."""
        return [c for c, bits in zip(self.query.concepts, self.concept_bits, strict=True) if not bits]

    @cached_property
    def matching_all(self):
        """The published practices matching every concept found."""
        bits = self.index.everything
        for concept_bits in self.found_bits:
            bits &= concept_bits
        return bits

    @cached_property
    def required(self):
        """How many concepts a practice must match: all of those found; but at least half of
        them when no practice matches them all, and most of them (MOST) when the query has
        many (MANY_CONCEPTS): a long description of a need rarely shares every word with
        the practice that meets it, and those matching all still rank first."""
        found = len(self.found)
        if not found:
            return 0
        if not self.matching_all:
            return max(1, math.ceil(found / 2))
        if found >= MANY_CONCEPTS and not self.operators:  # quotes, -word: as typed
            return math.ceil(found * MOST)
        return found

    @cached_property
    def unknown_everyday_words(self):
        """The concepts no published practice matches that are everyday English words (a name
        or a string of letters the knowledge base lacks says less)."""
        return [c for c in self.not_found if any(english.is_common_word(w) for w in c.terms[0].words)]

    @property
    def mostly_unknown(self):
        """Whether half or more of the query's concepts are everyday words no practice has.
        What is left may be the heart of the need ("smugglers" of "cracking down on
        smugglers") or a coincidence ("traditional Mexican" of "traditional Mexican cooking
        recipes"): the words then find something only if some practice is also close in
        meaning."""
        unknown = self.unknown_everyday_words
        return bool(unknown) and len(unknown) >= len(self.found)

    @cached_property
    def absent_topic(self):
        """Whether the query names something the knowledge base has nothing on (a thesaurus
        term or vocabulary value no practice matches: "dual citizenship") and its other
        words are ones many practices have ("emigrants"): listing those would say nothing."""
        everything = self.index.everything.bit_count()
        return any(c.expansions or c.named for c in self.not_found) and all(
            bits.bit_count() > COMMON_SHARE * everything for bits in self.found_bits
        )

    @property
    def relaxed(self):
        """Whether some of the words are not required of every result."""
        return bool(self.query.concepts) and (bool(self.not_found) or self.required < len(self.found))

    @cached_property
    def matching_required(self):
        """The published practices matching ``required`` of the concepts found."""
        if self.required == len(self.found):
            return self.matching_all
        return at_least(self.found_bits, self.required)

    @cached_property
    def few_but_close(self):
        """When no practice has even half of the concepts ("exploitation of domestic workers
        abroad": two practices on exploitation, one on domestic work, none on both), those
        with the most of them that are also close in meaning (RELAXED_CLOSE); words that
        meet by chance in a query about something else still find nothing."""
        if self.operators or self.required < 2:
            return 0
        for fewer in range(self.required - 1, 0, -1):
            if some := at_least(self.found_bits, fewer):
                return some & self._similar_bits(RELAXED_CLOSE)
        return 0

    @cached_property
    def excluded_bits(self):
        if not self.query.excluded:
            return 0
        return self._ids(Clauses([list(self.query.excluded)]))

    @cached_property
    def lexical_bits(self):
        """The published practices matching enough of the concepts (excluded words out)."""
        if not self.query.concepts:
            return self.index.everything & ~self.excluded_bits if self.query else self.index.everything
        if not self.found:
            return 0
        if self.absent_topic:
            return 0
        matching = self.matching_required or self.few_but_close
        if self.unknown_everyday_words and self.semantic is not None and not self.operators:
            # Everyday words no practice has: the query may be about something else, its
            # other words meeting by chance ("integration" and "parts" of "integration by
            # parts calculus exercises"), so what they find must be at least loosely related
            # in meaning. (A string of letters or a rare name says nothing either way.)
            matching &= self._similar_bits(LOOSELY_RELATED)
        if self.mostly_unknown and self.semantic is not None:
            if not matching & self._similar_bits(SEMANTIC_THRESHOLD):
                return 0
        return matching & ~self.excluded_bits

    @cached_property
    def typed_vector(self):
        """The meaning of the words as typed (None without words, with operators or without
        the model)."""
        if not self.query.concepts or self.operators:
            return None
        vectors = semantic.embed([self.query.text])
        return None if vectors is None else vectors[0]

    @cached_property
    def query_vector(self):
        """The query's meaning: its words and the thesaurus's related terms."""
        related = [t for _, terms in self.query.expansions for t in terms]
        if not related or self.typed_vector is None:
            return self.typed_vector
        vectors = semantic.embed([" ".join([self.query.text, *related])])
        return None if vectors is None else vectors[0]

    @cached_property
    def semantic(self):
        """(matrix, similarity of each of its practices to the query), or None without a
        query or the model."""
        if self.query_vector is None:
            return None
        matrix = semantic.SemanticIndex.current(self.token)
        return matrix, matrix.similarities(self.query_vector)

    def _similar_bits(self, threshold):
        """The published practices at least ``threshold`` similar to the query (cosine)."""
        if threshold not in self._similar:
            self._similar[threshold] = self._find_similar(threshold)
        return self._similar[threshold]

    def _find_similar(self, threshold):
        if self.semantic is None:
            return 0
        matrix, scores = self.semantic
        ids = matrix.ids[scores >= threshold]
        if not len(ids):
            return 0
        return bitset(ids, max(self.index.size, int(ids.max()) + 1)) & self.index.everything

    @cached_property
    def semantic_bits(self):
        """Practices matching by meaning alone: similar enough (SEMANTIC_THRESHOLD)."""
        return self._similar_bits(SEMANTIC_THRESHOLD) & ~self.excluded_bits

    def semantic_order(self, member, count):
        """The ids among ``member`` (a bitset's bytes) most similar in meaning (above
        SEMANTIC_FLOOR), best first."""
        if self.semantic is None:
            return []
        matrix, scores = self.semantic
        return matrix.best(scores, member, count, SEMANTIC_FLOOR)

    @cached_property
    def meant(self):
        """[Named] GCM objectives the query states in other words, as a whole (its meaning
        clearly closest to the objective's title: ``semantic.NamedByMeaning``), unless
        its words already name them."""
        # The words as typed: related terms widen a query's meaning, away from any one title.
        named = self.matchers.by_meaning.closest(self.typed_vector)
        return [named] if named is not None and named not in self.query.named else []

    @cached_property
    def meant_bits(self):
        """The practices classified under what the query means (``meant``)."""
        return self.index.having([key for named in self.meant for key in named.keys]) & ~self.excluded_bits

    @cached_property
    def base(self):
        """Every result before the facet filters."""
        if not self.query:
            return self.index.everything
        if self.not_found and (self.mostly_unknown or not self.lexical_bits):
            # Some words no practice has, and the others find nothing together ("fingerprint
            # database for asylum applicants") or are the lesser part of the query ("monarch
            # butterfly migration route"): a match by meaning alone would be a guess, but
            # the query restating an objective as a whole is not.
            return self.lexical_bits | self.meant_bits
        return self.lexical_bits | self.semantic_bits | self.meant_bits

    # --- counts -------------------------------------------------------------------------

    @cached_property
    def filter_bits(self):
        """{filter group: the practices passing it} of each facet and year filter in use
        (region and country as one group, "place"; both years as "years")."""
        filters = {group: self.index.having(keys) for group, keys in self.filterset.selected.items()}
        low, high = self.filterset.cleaned("year_from"), self.filterset.cleaned("year_to")
        if low is not None or high is not None:
            filters["years"] = self.index.started_between(low, high)
        return filters

    def passing(self, bits, but=None):
        """``bits`` narrowed by every filter in use except the group ``but``."""
        for group, practices in self.filter_bits.items():
            if group != but:
                bits &= practices
        return bits

    @cached_property
    def tally(self):
        """The total, this page's ids, every facet's counts and the decades."""
        index = self.index
        matching, counts = index.count(self.base, self.filter_bits, groups=PracticeFilter.GROUPS)
        total = matching.bit_count()
        size = self.page_size
        # Past the end (a stale link): the last page, as Paginator.get_page() does.
        number = min(self._page_number(), max(1, -(-total // size)))
        start = (number - 1) * size
        if self.sort_key != "relevance":
            page_ids = index.page(matching, self.sort_key, start, size)
        else:
            page_ids = self.ranked(matching, start + size)[start : start + size]
        return Tally(total=total, page_ids=page_ids, counts=counts, page_number=number, matching=matching)

    @property
    def total(self):
        return self.tally.total

    def _page_number(self):
        number = str(self.data.get("page", "1")) if self.filterset.is_bound else "1"
        valid = number.isascii() and number.isdigit() and 0 < len(number) <= 6 and int(number) > 0
        return int(number) if valid else 1

    # --- order --------------------------------------------------------------------------

    def ranked(self, matching, count):
        """The first ``count`` ids of ``matching`` by relevance.

        The first WINDOW are fused (words, meaning, words as typed) and ordered by how much
        of the query they match; after them come the other full-text matches in the
        database's rank order, then the rest (named by a vocabulary value, or close in
        meaning) by how much of the query they match, then by title. Each part is the
        same whatever the page asked for, so pages never overlap or skip."""
        if not matching:
            return []
        member = self.index.bytes_of(matching)
        coverage = self._coverage()
        lexical_rows, weight = self._lexical_window(WINDOW, member)
        scores = {}
        for position, pk in enumerate((row[0] for row in lexical_rows if is_member(member, row[0])), start=1):
            scores[pk] = weight / (RRF_K + position)
        for position, pk in enumerate(self.semantic_order(member, WINDOW), start=1):
            scores[pk] = scores.get(pk, 0) + SEMANTIC_WEIGHT / (RRF_K + position)
        exact = self._exact_forms()
        for pk, title, aliases, summary in lexical_rows:
            if pk in scores and exact:
                texts = (f"{title}\n{aliases}".lower(), summary.lower())
                words = [set(WORD.findall(text)) for text in texts]
                found = [
                    next(
                        (
                            bonus
                            for bonus, single, pattern, at, needs in forms
                            if not single.isdisjoint(words[at])
                            or (pattern and not needs.isdisjoint(words[at]) and pattern.search(texts[at]))
                        ),
                        0,
                    )
                    for forms in exact
                ]
                scores[pk] += sum(found) / len(exact)
        order = sorted(scores, key=lambda pk: (-coverage(pk), -scores[pk], pk))[:WINDOW]
        if len(order) >= count:
            return order[:count]
        seen = set(order)
        if self.found and len(lexical_rows) == WINDOW:  # deeper in the full-text ranking
            for pk, *_ in self._lexical_window(count + WINDOW, member)[0]:
                if pk not in seen and is_member(member, pk):
                    order.append(pk)
                    seen.add(pk)
        if len(order) < count:
            rest = [pk for pk in self.index.ids if is_member(member, pk) and pk not in seen]
            rest.sort(key=lambda pk: -coverage(pk))  # stable: title order within
            order += rest
        return order[:count]

    def _coverage(self):
        """A function giving how much of the query a practice matches, in COVERAGE_STEPS.

        Each concept weighs by its rarity (inverse document frequency), so that "money"
        counts for more than "migrants", which nearly every practice has; in coarse steps,
        so that the fusion orders practices matching about as much."""
        everything = self.index.everything.bit_count() + 1
        weighted = [
            (self.index.bytes_of(bits), math.log(everything / (bits.bit_count() + 1)) + 0.1)
            for bits in self.found_bits
        ]
        if weighted and len(self.found) > 1:
            # Being about what the query means counts as much as its rarest concept, so that
            # "climate" alone outranks "people" and "moving" of "people moving because of
            # global warming" in a practice about climate migration.
            close = self._similar_bits(SEMANTIC_THRESHOLD)
            if close:
                weighted.append((self.index.bytes_of(close), max(weight for _, weight in weighted)))
        if self.meant_bits:  # so does being classified under the objective the query states
            weight = max((weight for _, weight in weighted), default=1.0)
            weighted.append((self.index.bytes_of(self.meant_bits), weight))
        total_weight = sum(weight for _, weight in weighted) or 1

        def coverage(pk):
            share = sum(weight for data, weight in weighted if is_member(data, pk)) / total_weight
            return round(share * COVERAGE_STEPS)

        return coverage

    def _lexical_window(self, window, member):
        """(rows, weight): (id, title, aliases, summary) of the best full-text matches among
        ``member`` (the results' bitset bytes), and the weight of their ranking in the fusion."""
        if not self.found:
            return [], 1.0
        every = self.required == len(self.found)
        ranking = [
            replace(c, terms=(c.terms[0], *sorted(c.terms[1:], key=lambda t: len(t.words)))[:RANKING_TERMS])
            for c in self._ranking_concepts(any_of=not every)
        ]
        if every:
            clauses = self.query.all_of(ranking)  # some practices have every concept: rank those
        else:  # any concept, each as the words typed (all of them) or a related term
            clauses = self.query.any_of(ranking)
        rows = self._ranked_rows(clauses, window, member)
        if rows:
            return rows, 1.0
        # No practice has all the words of any concept: rank by single words, a weaker sign.
        return self._ranked_rows(self.query.any_word(ranking), window, member), WORDS_WEIGHT

    def _ranking_concepts(self, any_of=False):
        """The concepts the database ranks by: those found, but a concept nearly every practice
        matches ("people", "migration" beside rarer words) is left to the coverage, which
        counts it anyway: ranking it would read the vector of most practices for little.

        Ranked by ``any_of`` more than RANKING_CONCEPTS of them (a long description of a
        need, which no practice matches in full), the rarest, as long as the practices they
        match together stay below COMMON_SHARE: the database reads the vector of every
        practice matching any of them. Ranking by all thirty concepts of one took 220 ms at
        100,000 practices; the coverage, first in the order, counts them all."""
        everything = self.index.everything.bit_count()
        counted = [
            (bits.bit_count(), n, c)
            for n, (c, bits) in enumerate(zip(self.query.concepts, self.concept_bits, strict=True))
            if bits
        ]
        rare = [(count, n, c) for count, n, c in counted if count <= COMMON_SHARE * everything]
        if not rare:
            return self.found
        if any_of and len(rare) > RANKING_CONCEPTS:
            kept, matched = [], 0
            for count, n, c in sorted(rare)[:RANKING_CONCEPTS]:
                if kept and matched + count > COMMON_SHARE * everything:
                    break
                kept.append((count, n, c))
                matched += count  # at most: the concepts' practices overlap
            rare = sorted(kept, key=lambda row: row[1])  # in the query's order
        return [c for _, _, c in rare]

    def _ranked_rows(self, clauses, window, member):
        queryset = self.filterset.filtered(skip={"q"})
        fields = ("pk", "title", "aliases", "summary")
        return lexical.best(queryset, clauses, window, fields, among=member, narrowed=bool(self.filter_bits))

    def _exact_forms(self):
        """Per concept, (bonus, single, pattern, text, words) options, the largest bonus
        first: its words as typed and their spellings earn the whole EXACT_BONUS, its related
        terms half, so that among practices matching a concept those with the researcher's
        own words come first; either in the summary (text 1) rather than the title or
        aliases (text 0), half as much. A row earns the first that it matches (a hundred
        rows are searched, for each concept). A form of one word (``single``) is found in
        the text's set of words; the ``pattern`` of the others (phrases, "ILO's") is only
        tried on a text holding one of their ``words``."""
        concepts = []
        for concept in self.found:
            typed, related = set(), set()
            for position, term in enumerate(concept.terms):
                if len(term.words) == 1 or not term.phrase:
                    forms = {v for word in term.words for v in spelling_variants(word)}
                else:
                    forms = {" ".join(term.words).lower()}
                (typed if position == 0 else related).update(forms)
            options = []
            for forms, bonus in ((typed, EXACT_BONUS), (related - typed, EXACT_BONUS / 2)):
                if not forms:
                    continue
                single = frozenset(f for f in forms if WORD.fullmatch(f))
                several = sorted(forms - single, key=len, reverse=True)
                pattern = None
                if several:
                    pattern = re.compile(rf"\b(?:{'|'.join(re.escape(f) for f in several)})\b")
                needs = frozenset(word for form in several for word in WORD.findall(form))
                options += [(bonus, single, pattern, 0, needs), (bonus / 2, single, pattern, 1, needs)]
            concepts.append(sorted(options, key=lambda option: -option[0]))
        return concepts

    def ordered_ids(self, limit):
        """The ids of the first ``limit`` results in the page's order (exports, briefs)."""
        matching = self.tally.matching
        if self.sort_key == "relevance":
            return self.ranked(matching, limit)[:limit]
        return self.index.page(matching, self.sort_key, 0, limit)

    def newest_ids(self, limit):
        return self.index.page(self.tally.matching, "added", 0, limit)

    def practices(self):
        """This page's practices, in order, each with its ``snippet`` (HTML, or None).

        One query: the page's rows carry what a result shows of their relations
        (``Practice.listing``) and, with words, the texts the snippets quote."""
        ids = list(self.tally.page_ids)
        if not ids:
            return []
        # Unordered (the order is ``ids``): sorting the wide rows by title cost the database
        # more than reading them. The description and results are read as text for the
        # snippets, never shown as HTML in a list.
        queryset = self.base_queryset.filter(pk__in=ids).order_by()
        pattern = None
        if self.found:
            queryset = queryset.defer(None).defer(
                "search_vector", "outside_facts", "description_html", "results_html"
            )
            pattern = snippets.highlighter(term for concept in self.found for term in concept.terms)
        rows = {practice.pk: practice for practice in queryset}
        practices = [rows[pk] for pk in ids if pk in rows]
        for practice in practices:
            practice.snippet = None
            if pattern is not None:
                texts = [
                    practice.summary,
                    f"{practice.description}\n{practice.results}",
                    practice.search_related,
                ]
                practice.snippet = snippets.snippet(texts, pattern)
        return practices

    # --- facets -------------------------------------------------------------------------

    @cached_property
    def active(self):
        return bool(self.query) or bool(self.filterset.active_filters())

    def facets(self):
        """Every facet with its values, counts (other filters applied) and selection."""
        counts, labels = self.tally.counts, self.index.labels
        return [
            self._place_facet(counts, labels["country"]),
            self._facet("objective", labels["objective"], counts),
            self._facet("theme", labels["theme"], counts, by_count=True),
            self._facet("principle", labels["principle"], counts),
            self._facet("meeting", labels["meeting"], counts, by_count=True),
            self._facet("source", labels["source"], counts, by_count=True),
            self._facet("organisation", labels["organisation"], counts, by_count=True),
            self._facet("type", PracticeType.choices, counts),
            self._facet("scope", PracticeScope.choices, counts),
        ]

    def decades(self):
        """Practices by decade of their start, other filters applied (the period facet)."""
        return sorted((int(decade), n) for decade, n in self.tally.counts.get("decade", {}).items())

    def _facet(self, name, rows, counts, by_count=False):
        number = counts.get(name, {})
        rows = list(rows)
        if not self.active:  # nothing narrows: the values with a count are all there is to show
            rows = [(key, label) for key, label in rows if key in number]
        if by_count:
            rows.sort(key=lambda row: (-number.get(row[0], 0), row[1].lower()))
        selected = set(self.filterset.cleaned(name, []))
        return Facet.build(self.filterset.filters[name], name, rows, number, selected)

    def _place_facet(self, counts, countries):
        """Regions, each with its countries nested: two facets shown as one tree."""
        selected_regions = {v.lower() for v in self.filterset.cleaned("region", [])}
        selected_countries = {v.upper() for v in self.filterset.cleaned("country", [])}
        region_counts, country_counts = counts.get("region", {}), counts.get("country", {})
        by_region = {region: [] for region in REGIONS}
        active = self.active
        for iso3, name, region in countries:
            count = country_counts.get(iso3, 0)
            if active or count:
                by_region.setdefault(region, []).append(
                    FacetValue(iso3, name, count, iso3 in selected_countries)
                )
        regions = [
            FacetValue(
                region.lower(),
                region,
                region_counts.get(region.lower(), 0),
                region.lower() in selected_regions,
                children=by_region[region],
            )
            for region in REGIONS
            if by_region.get(region) or region_counts.get(region.lower())
        ]
        known = {r.lower() for r in REGIONS}
        return Facet(
            name="region",
            label="Region and country",
            values=regions,
            unknown=sorted(selected_regions - known)
            + sorted(selected_countries - {c.value for r in regions for c in r.children}),
        )

    def described_filters(self):
        """[(label, [value names])] of the filters in use, in the form's order: what the
        brief's cover and the feed's title say, with names rather than codes ("Country",
        ["Mexico"]; "GCM objective", ["6. Fair recruitment and decent work"]). Values the
        search ignored (``ignored``) are left out; the year filters say their year."""
        labels = self.index.labels
        names = {
            "region": {region.lower(): region for region in REGIONS},
            "country": {iso3: name for iso3, name, _ in labels["country"]},
            "type": dict(PracticeType.choices),
            "scope": dict(PracticeScope.choices),
            **{facet: dict(labels[facet]) for facet in labels if facet != "country"},
        }
        described = []
        for name, label, value in self.filterset.active_filters():
            if name in PracticeFilter.YEARS:
                described.append((label, [str(int(value))]))
                continue
            shown = [names[name].get(facet_key(name, one).partition(":")[2]) for one in value]
            if shown := [one for one in shown if one]:
                described.append((label, shown))
        return described

    # --- what the page says about the query -----------------------------------------

    @cached_property
    def ignored(self):
        """The parts of the request the search could not use, as the page says beside each
        facet and above the results: [(parameter, label, [values], reason)]. Exports refuse
        to pretend otherwise (``usable_querystring`` is the same search without them)."""
        filterset = self.filterset
        if not filterset.is_bound:
            return []
        ignored = []
        filterset.form.is_valid()
        for name, errors in filterset.form.errors.items():
            if name in filterset.filters and name != "per_page":
                values = [v for v in self.data.getlist(name) if v != ""]
                ignored.append((name, filterset.filters[name].label, values, " ".join(errors)))
        for name, values in filterset.unknown().items():
            reason = (
                "No published practice has this value."
                if len(values) == 1
                else ("No published practice has these values.")
            )
            ignored.append((name, filterset.filters[name].label, values, reason))
        return ignored

    def usable_querystring(self):
        """This search's parameters without the ones it ignored (and without the page)."""
        data = QueryDict(mutable=True)
        dropped = {(name, value) for name, _, values, _ in self.ignored for value in values}
        for key, values in self.data.lists():
            kept = [v for v in values if v != "" and (key, v) not in dropped]
            if key != "page" and kept:
                data.setlist(key, kept)
        return data.urlencode()

    def _with(self, changes, drop=()):
        """The search URL's parameters with ``changes`` ({name: [values]}) and without ``drop``."""
        data = QueryDict(mutable=True)
        for key, values in self.data.lists():
            if key not in drop and key != "page" and key not in changes:
                data.setlist(key, [v for v in values if v != ""])
        for key, values in changes.items():
            data.setlist(key, values)
        return data.urlencode()

    def vocabulary_offers(self):
        """Vocabulary values the query names, each as a one-click filter:
        [(label, count, querystring)], the words that named it taken out of the query."""
        offers, offered = [], set()
        passing = self.passing(self.index.everything)
        for concept in self.query.concepts:
            for named in concept.named:
                if named in offered:  # named twice ("health needs ... national health policies")
                    continue
                offered.add(named)
                selected = set(self.filterset.cleaned(named.facet, []) or [])
                if set(named.values) <= {str(v) for v in selected}:
                    continue
                count = (self.index.having(named.keys) & passing).bit_count()
                if not count:
                    continue
                rest = _without_words(self.query.text, concept.label)
                changes = {named.facet: sorted({*selected, *named.values}), "q": [rest] if rest else []}
                offers.append(
                    Offer(label=named.label, count=count, querystring=self._with(changes, drop=("q",)))
                )
            if concept.period and "years" not in self.filter_bits:  # no years ticked yet
                first, last = concept.period
                count = (self.index.started_between(first, last) & passing).bit_count()
                if count:
                    rest = _without_words(self.query.text, concept.label)
                    years = {"year_from": [] if first is None else [str(first)]}
                    years["year_to"] = [] if last is None else [str(last)]
                    changes = {**years, "q": [rest] if rest else []}
                    querystring = self._with(changes, drop=("q",))
                    offers.append(Offer(label=concept.period_label, count=count, querystring=querystring))
        for named in self.meant:  # the whole query stands for it: the filter replaces the words
            selected = set(self.filterset.cleaned(named.facet, []) or [])
            count = (self.meant_bits & passing).bit_count()
            if count and not set(named.values) <= selected:
                changes = {named.facet: sorted({*selected, *named.values})}
                offers.append(
                    Offer(label=named.label, count=count, querystring=self._with(changes, drop=("q",)))
                )
        return offers

    def alternatives(self):
        """For a page with nothing: what would find something, each with its count."""
        if self.total:
            return []
        offers = [self.suggestion] if self.suggestion else []
        passing = self.passing(self.index.everything)
        if self.query and (self.operators or self._alternatives_typed):
            # The same words without quotes, "or" and exclusions.
            words = " ".join(c.label.replace(" or ", " ") for c in self.query.concepts)
            if words and words != self.query.text:
                looser = self.variant({"q": [words]})
                if looser.total:
                    offers.append(
                        Offer(f"“{words}”, without quotes or exclusions", looser.total, looser._with({}))
                    )
        if self.query and self.not_found and self.found and not self.operators:
            # The words some practice has, without those none has ("emigrants" of "dual
            # citizenship for emigrants"): the researcher judges whether they are enough.
            words = " ".join(c.label for c in self.found)
            looser = self.variant({"q": [words]})
            if looser.total:
                offers.append(Offer(f"“{words}” alone", looser.total, looser._with({})))
        offers += self.vocabulary_offers()
        if self.query and self.filterset.active_filters():
            # The words without the filters.
            count = self.base.bit_count()
            if count:
                offers.append(
                    Offer(
                        f"“{self.query.text}” without the filters",
                        count,
                        self._with({"q": [self.query.text]}, drop=[n for n in self.data if n != "q"]),
                    )
                )
        if self.query:
            count = passing.bit_count()
            if count and self.filterset.active_filters():
                offers.append(Offer("The same filters without the words", count, self._with({}, drop=("q",))))
        # Each filter removed in turn.
        counts_without = self._counts_without_each_filter()
        for name, label, value, count in counts_without:
            if count:
                offers.append(Offer(f"Without “{label}: {value}”", count, self._with({}, drop=(name,))))
        return offers

    def _counts_without_each_filter(self):
        rows = []
        for name, label, value in self.filterset.active_filters():
            group = "years" if name in PracticeFilter.YEARS else PracticeFilter.GROUPS.get(name, name)
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
            rows.append((name, label, shown, self.passing(self.base, but=group).bit_count()))
        return rows


def at_least(bitsets, k):
    """The bits set in at least ``k`` of ``bitsets`` (a bit-sliced counter)."""
    # counters[i] holds the bits seen at least i+1 times.
    counters = [0] * k
    for bits in bitsets:
        for i in range(k - 1, 0, -1):
            counters[i] |= counters[i - 1] & bits
        counters[0] |= bits
    return counters[k - 1]


def _without_words(text, words):
    """``text`` with the words of ``words`` taken out (whole words, any case), or "" if no
    word to search for is left (only "to", "the" and the like)."""
    rest = text
    for word in words.split():
        rest = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", rest, flags=re.IGNORECASE)
    rest = " ".join(rest.split())
    try:
        return rest if parse(rest) else ""
    except QueryError:
        return ""


@dataclass
class Offer:
    label: str
    count: int
    querystring: str


@dataclass
class Tally:
    total: int
    page_ids: list  # in order
    counts: dict  # {facet: {value: practices}}, and "decade"
    page_number: int
    matching: int  # the bitset of every result


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    children: list = field(default_factory=list)


@dataclass
class Facet:
    name: str
    label: str
    values: list
    unknown: list = field(default_factory=list)

    @classmethod
    def build(cls, filter_, name, rows, counts, selected):
        values = [FacetValue(key, label, counts.get(key, 0), key in selected) for key, label in rows]
        return cls(
            name=name,
            label=filter_.label,
            values=values,
            unknown=sorted(selected - {v.value for v in values}),
        )

    SHOWN = 8

    @property
    def shown(self):
        """The values listed at first: the first few, plus any selected further down."""
        if len(self.values) <= self.SHOWN + 2:
            return self.values
        return self.values[: self.SHOWN] + [v for v in self.values[self.SHOWN :] if v.selected]

    @property
    def more(self):
        """The values behind "show all"."""
        shown = {id(value) for value in self.shown}
        return [value for value in self.values if id(value) not in shown]

    @property
    def selected_values(self):
        return [v for v in self.values if v.selected] + [
            c for v in self.values for c in v.children if c.selected
        ]
