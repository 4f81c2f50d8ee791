"""The lexical backends: full text over practices, the same behaviour on PostgreSQL and SQLite.

``apply(queryset, query)`` filters and ranks, ``best()`` gives the best few,
``matching_bits()`` finds every match unranked and ``suggest()`` corrects typos; ``query`` is
anything with ``clauses`` (terms ORed within, clauses ANDed) and ``excluded``: a parsed
``SearchQuery`` or a view of a compiled one (``practices.search.compiler``). This module is
the one place that chooses by ``connection.vendor``, and imports no model (models import
it; the models it needs come with the querysets it is given):

- PostgreSQL: the weighted, GIN-indexed ``Practice.search_vector`` (kept by a trigger),
  ``ts_rank`` for relevance, pg_trgm for typo suggestions.
- SQLite: the FTS5 table ``practices_practice_fts`` (kept by triggers), ``bm25()`` with
  the same column weights, and difflib for typo suggestions.

Snippets are made in Python for both (``practices.search.snippets``).

Both get the same query semantics because the query is parsed in Python
(``practices.search.query``), not by the database, and compiled here to each database's own
safe form: no user text reaches either parser as syntax.
"""

import difflib
import functools
import operator
import sys
from array import array

from django.contrib.postgres.search import SearchQuery as PgQuery
from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import F, FloatField, Func, Value
from django.db.models.functions import Length
from django.db.models.sql import Query as SqlQuery

from practices.search import english
from practices.search.bits import bitset, is_member

# Relative weights of title+aliases, summary, description+results, related text.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}


def is_postgresql():
    return connection.vendor == "postgresql"


def _pg_term(term):
    """One term as a tsquery: its spellings ORed, as a phrase when it has several words;
    several words that are not a phrase must all occur, anywhere."""
    if len(term.words) > 1 and not term.phrase:
        return functools.reduce(operator.and_, [_pg_term(part) for part in term.parts])
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


def _fts5_term(term):
    if len(term.words) > 1 and not term.phrase:  # every word, anywhere
        return ["(" + " AND ".join(_fts5_terms([part]) for part in term.parts) + ")"]
    return [_fts5_phrase(alt) for alt in term.alternatives]


def _fts5_terms(terms):
    alternatives = [alt for term in terms for alt in _fts5_term(term)]
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
        fts_table = queryset.model._meta.get_field("search_index").related_model
        queryset = queryset.exclude(
            pk__in=fts_table.objects.filter(document__match=unwanted).values("practice_id")
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


# Both databases rank this many times the rows asked for in their narrow tables, before
# the caller's filters keep the ones it wants.
OVERFETCH = 3


def best(queryset, query, limit, fields, among=None, narrowed=False):
    """The ``limit`` practices of ``queryset`` that best match ``query``, best first, as
    tuples of ``fields`` (values_list, the id first).

    ``among`` is the bytes of a bitset of the practices wanted (the search page's results,
    ``FacetIndex.bytes_of()``). Each database then ranks in a narrow table of its own. On
    PostgreSQL, a facet filter (``narrowed``) is applied in SQL instead, which a selective
    filter makes cheap. Without ``among``, ``queryset`` is ranked in SQL.

    - PostgreSQL ranks the practices whose head vector (title, aliases, summary) matches,
      by ``ts_rank`` over it, among the wanted ones, and returns their rows in the same
      statement (``practices_best_among()``, migrations 0012 and 0017): a few hundred bytes
      per practice, where ranking the practice rows reads ~4 KB each (90,000 of them for a
      broad word at 100,000 practices). Practices matching only elsewhere rank after them
      anyway.
    - SQLite ranks by ``bm25()`` in the FTS5 table, which runs in C over its own rows (a
      third of the cost of ranking while joined to the practices, and far less than
      filtering by facet keys there), takes the best ``OVERFETCH`` times ``limit`` and
      keeps those wanted; if too few are (a relaxed query, a narrow filter), it ranks them all.
    """
    wanted, unwanted = _fts5_expression(query)
    if among is None or unwanted or not wanted or (narrowed and is_postgresql()):
        return list(apply(queryset, query).order_by("-rank", "title", "pk").values_list(*fields)[:limit])
    if is_postgresql():
        return _best_rows_among(queryset, query, limit, fields, among)
    ranked = _best_ids(queryset, query, limit * OVERFETCH)
    kept = [pk for pk in ranked if is_member(among, pk)][:limit]
    if len(kept) < limit and len(ranked) == limit * OVERFETCH:
        kept = [pk for pk in _best_ids(queryset, query, None) if is_member(among, pk)][:limit]
    return _rows(queryset.model, kept, fields)


def _best_rows_among(queryset, query, limit, fields, among):
    """PostgreSQL: the rows of the ``limit`` best head matches among ``among``, in one statement."""
    meta = queryset.model._meta
    quote = connection.ops.quote_name
    columns = _columns(meta, fields, table="p")
    tsquery, params = _pg_tsquery_sql(queryset.model, query)
    sql = (
        f"SELECT {columns} FROM practices_best_among({tsquery}, %s, %s) WITH ORDINALITY AS b(id, n) "
        f"JOIN {quote(meta.db_table)} p ON p.{quote(meta.pk.column)} = b.id ORDER BY b.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, bytes(among)])
        return cursor.fetchall()


def _rows(model, ids, fields):
    """The rows of ``ids``, as tuples of ``fields``, in that order: plain SQL, since the
    ORM's compiling of the statement cost more than running it (a hundred rows each search)."""
    if not ids:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    columns = _columns(meta, fields)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"SELECT {columns} FROM {meta.db_table} WHERE {quote(meta.pk.column)} IN ({placeholders})"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = {row[0]: row for row in cursor.fetchall()}
    return [rows[pk] for pk in ids if pk in rows]


def _columns(meta, fields, table=None):
    """The SQL column list of ``fields`` ("pk" or field names) of a model, quoted, each
    prefixed with ``table.`` if given."""
    quote = connection.ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + quote((meta.pk if f == "pk" else meta.get_field(f)).column) for f in fields)


def _pg_tsquery_sql(model, query):
    """(SQL, params) of ``query`` as one PostgreSQL tsquery, for statements written by hand."""
    outer = SqlQuery(model)
    return outer.get_compiler(connection=connection).compile(_pg_full_query(query).resolve_expression(outer))


def _best_ids(queryset, query, count):
    """SQLite: the ids of the ``count`` best matches (all of them if None), in the FTS5 table."""
    fts_table = queryset.model._meta.get_field("search_index").related_model._meta.db_table
    weights = ", ".join(str(WEIGHTS[w]) for w in "ABCD")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s "
            f"ORDER BY bm25({fts_table}, {weights}), rowid LIMIT %s",
            [_fts5_expression(query)[0], -1 if count is None else count],
        )
        return [row[0] for row in cursor.fetchall()]


def matching_bits(queryset, query):
    """Every practice matching ``query``, published or not, unranked, as a bitset
    (``practices.search.bits``): what the facet counts need.

    PostgreSQL reads the words' posting bitmaps (``practices_word_postings``, migration
    0016) and combines them here, already a bitset; a query with a phrase, which needs word positions, and
    one that only excludes words go to the GIN index instead, which finds them without
    reading the practice rows and sends them packed into one value
    (``practices_matching()``, migrations 0008 and 0009). SQLite reads them straight from
    the FTS5 table, without joining the practice rows.
    """
    if is_postgresql():
        return matching_bits_many(queryset, [query])[0]
    fts_table = queryset.model._meta.get_field("search_index").related_model._meta.db_table
    wanted, unwanted = _fts5_expression(query)
    if not wanted:  # only exclusions: every practice but those
        sql, params = f"SELECT id FROM {queryset.model._meta.db_table}", []
    else:
        sql, params = f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s", [wanted]
    if unwanted:
        excluded = f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s"
        sql += f" {'AND' if wanted else 'WHERE'} rowid NOT IN ({excluded})"
        params.append(unwanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bitset([row[0] for row in cursor.fetchall()])


def matching_bits_many(queryset, queries):
    """``matching_bits()`` of each of ``queries``, in order. On PostgreSQL, those the posting
    bitmaps answer (a search's concepts, usually) are looked up in one statement rather
    than one each (fifteen for a long description of a need)."""
    if not is_postgresql():
        return [matching_bits(queryset, query) for query in queries]
    plain = [query for query in queries if _plain(query)]
    answers = dict(zip(map(id, plain), _posting_bits_many(plain), strict=True)) if plain else {}
    found = []
    for query in queries:
        bits = answers.get(id(query))
        found.append(bitset(_gin_ids(queryset, query)) if bits is None else bits)
    return found


def _gin_ids(queryset, query):
    tsquery, params = _pg_tsquery_sql(queryset.model, query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT practices_matching({tsquery})", params)
        (packed,) = cursor.fetchone()
    ids = array("q", bytes(packed or b""))
    if sys.byteorder == "little":
        ids.byteswap()  # int8send() writes big-endian
    return ids


# --- PostgreSQL's posting bitmaps (migration 0016) ------------------------------------------

BLOCK_BYTES = 1024 // 8  # a row of practices_word_postings holds the bits of 1,024 ids
# bit(n) values are sent first bit first (the high bit of each byte); bitsets here number
# bits from the low bit of each byte (practices.search.bits).
_REVERSED_BITS = bytes(int(f"{byte:08b}"[::-1], 2) for byte in range(256))

POSTINGS_SQL = """
WITH lexemes AS (
    SELECT typed.n, unnest(tsvector_to_array(to_tsvector('english'::regconfig, typed.text))) AS lexeme
    FROM unnest(%s::text[]) WITH ORDINALITY AS typed(text, n)
)
SELECT n, lexeme, NULL::integer, NULL::bytea FROM lexemes
UNION ALL
SELECT NULL, lexeme, block, bit_send(bits) FROM practices_word_postings
WHERE lexeme = ANY(ARRAY(SELECT lexeme FROM lexemes))
"""


def _plain(query):
    """Whether the query can be answered from posting bitmaps: some wanted words, and no
    phrase (a phrase needs positions, which only the GIN index's recheck reads)."""
    return bool(query.clauses) and not any(term.phrase for term in _terms(query))


def _posting_bits_many(queries):
    """The bitset of the practices matching each of ``queries`` (each ``_plain``), from the
    posting bitmaps of their words' lexemes: one statement stems every spelling of all of
    them and reads their bitmaps (a search's concepts are looked up together), and each
    query is evaluated here as PostgreSQL evaluates the same tsquery (a spelling that
    stems to nothing, a stop word, drops out of its AND or OR). None for a query with only
    excluded words left, which the GIN index answers."""
    texts = sorted({text for query in queries for term in _terms(query) for text in _spellings(term)})
    with connection.cursor() as cursor:
        cursor.execute(POSTINGS_SQL, [texts])
        rows = cursor.fetchall()
    lexemes_of = [set() for _ in texts]
    blocks = {}
    for n, lexeme, block, data in rows:
        if n is not None:
            lexemes_of[n - 1].add(lexeme)
        else:
            blocks.setdefault(lexeme, []).append((block, bytes(data)[4:]))  # after its bit count
    lexeme_bits = {lexeme: _bitmap(parts) for lexeme, parts in blocks.items()}
    spelling_bits = {
        text: _all([lexeme_bits.get(lexeme, 0) for lexeme in lexemes]) if lexemes else None
        for text, lexemes in zip(texts, lexemes_of, strict=True)
    }

    def term_bits(term):
        if len(term.words) > 1:  # not a phrase (_plain): every word, anywhere
            return _all([term_bits(part) for part in term.parts])
        return _any([spelling_bits[text] for text in term.alternatives])

    def query_bits(query):
        wanted = _all([_any([term_bits(term) for term in clause]) for clause in query.clauses])
        unwanted = _any([term_bits(term) for term in query.excluded])
        if wanted is None:
            return None if unwanted is not None else 0
        if unwanted is not None:
            wanted &= ~unwanted
        return wanted

    return [query_bits(query) for query in queries]


def _terms(query):
    return [term for clause in query.clauses for term in clause] + list(query.excluded)


def _spellings(term):
    if len(term.words) > 1:
        return [text for part in term.parts for text in part.alternatives]
    return term.alternatives


def _all(bits):
    """AND of the bitsets, None (an empty tsquery) left out; None if all are."""
    present = [b for b in bits if b is not None]
    return functools.reduce(operator.and_, present) if present else None


def _any(bits):
    present = [b for b in bits if b is not None]
    return functools.reduce(operator.or_, present) if present else None


def _bitmap(parts):
    """The bitset of one lexeme from its (block, bytes) rows."""
    data = bytearray(BLOCK_BYTES * (max(block for block, _ in parts) + 1))
    for block, bits in parts:
        data[block * BLOCK_BYTES : (block + 1) * BLOCK_BYTES] = bits.translate(_REVERSED_BITS)
    return int.from_bytes(data, "little")


# At most this many words equally similar by trigrams are compared by difflib.
TRIGRAM_TIES = 10


def max_typos(word):
    """Typos a correction may fix in a word, as Meilisearch's typo tolerance allows: none
    below 5 letters, one up to 8, two from 9 ("workrs" -> "workers", not "cheaper" ->
    "chapter")."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def edit_distance(a, b):
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def suggest(query, vocabulary, unknown):
    """(corrected query text, {word: its correction}) if some of the ``unknown`` words (of
    ``query``, known to match nothing) have a close known word, else (None, {}).

    ``vocabulary`` is the queryset of known words (``SearchWord``)."""
    unknown = sorted({w.lower() for w in unknown if max_typos(w) and w.isalpha()})
    corrections = {}
    for word in unknown:
        replacement = _closest_word(vocabulary, word)
        if not (replacement and edit_distance(word, replacement) <= max_typos(word)):
            # No word of the knowledge base is that close, but an English word may be that
            # another inflection or the thesaurus finds ("smuglers": the practices say
            # "smuggling", the thesaurus knows "smugglers").
            replacement = english.correction(word)
        if replacement and replacement != word and edit_distance(word, replacement) <= max_typos(word):
            corrections[word] = replacement
    if not corrections:
        return None, {}
    return query.replace_words(corrections), corrections


def _closest_word(vocabulary, word):
    if is_postgresql():
        # pg_trgm: the indexed % operator narrows, similarity() orders. Among the words
        # most similar by trigrams, difflib's ratio decides: "work" and "workers" share as
        # many trigrams with "workrs", and "workers" (one letter missing) is meant.
        rows = list(
            vocabulary.filter(word__trigram_similar=word)
            .annotate(
                similarity=Func(F("word"), Value(word), function="similarity", output_field=FloatField())
            )
            .order_by("-similarity", "word")
            .values_list("word", "similarity")[:TRIGRAM_TIES]
        )
        closest = [candidate for candidate, similarity in rows if similarity == rows[0][1]]
        return max(closest, key=lambda c: difflib.SequenceMatcher(None, word, c).ratio(), default=None)
    candidates = list(
        vocabulary.annotate(length=Length("word"))
        .filter(word__startswith=word[0], length__range=(len(word) - 2, len(word) + 2))
        .values_list("word", flat=True)
    )
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else None
