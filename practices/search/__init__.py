"""Search over practices: one package, dependencies pointing one way.

- ``query``: what was typed, parsed (pure Python, no database).
- ``compiler``: the query's concepts, widened by the thesaurus and the vocabularies' names
  (pure Python; the matchers are built from the database by ``vocabulary``).
- ``lexical``: the full-text backends, the one place that chooses by ``connection.vendor``.
- ``semantic``: meaning vectors (a static embedding model shipped in its wheel) and the
  per-process matrix that searches them.
- ``bits``: sets of practices as bitsets (ints), which every step below speaks.
- ``facets``: the published practices' facets as in-memory bitsets.
- ``indexing``: the single owner of everything derived for search; writes mark practices
  dirty and they are re-indexed once per transaction.
- ``english``: which words are everyday English (a word list shipped in its wheel).
- ``page``: one search assembled (matches, counts, order, offers) for the page, exports,
  feed and brief.

``practices.models`` imports ``query`` and ``lexical`` (which, like ``bits``, import no
model); the other modules import the models. Nothing here is imported back through a function-local import.
"""
