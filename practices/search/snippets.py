"""Snippets: where a result matched, its matched words marked. Pure Python, no database.

A snippet quotes the summary when it matches, else the description (with the results),
else the related text (the cited passages first, then organisation and country names), and
marks every alternative of the query's concepts: the words as typed, in any form, and the
thesaurus's related terms, so a researcher sees why a practice was found.

Made here rather than by the databases (``ts_headline()``, FTS5's ``snippet()``): both
databases then quote alike, and the cost is that of the page's 25 rows, whatever the size
of the knowledge base. FTS5 evaluates a query of several words and phrases over their whole
posting lists even for 25 given rows (20 ms at 10,000 practices for a widened query, ten
times that at 100,000).

Words are compared by their Snowball stem as a prefix ("protect" finds protection and
protected), close to what both databases' English stemmers match.
"""

import functools
import html
import re

import snowballstemmer

from practices.search.query import spelling_variants

WORDS = 36  # of a snippet, at most
LEAD = 6  # words kept before the first match, when it is not near the start
# Marks put around matched words; turned into <mark> after HTML-escaping.
START_MARK, STOP_MARK = "\ue000", "\ue001"
MARKDOWN_EMPHASIS = ("**", "__", "`")  # taken out with str.replace(): a regex tries every position
MARKDOWN_LINE_MARK = re.compile(r"^(?:#+|[-*])\s", re.MULTILINE)  # headings, list bullets
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

_stemmer = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=4096)
def _word(word):
    """A pattern for every form of one word: each spelling, and its stem followed by letters."""
    forms = set()
    for variant in spelling_variants(word.lower()):
        forms.add(re.escape(variant))
        stem = _stemmer.stemWord(variant)
        if len(stem) >= 4:
            forms.add(re.escape(stem) + r"\w*")
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def highlighter(terms):
    """A compiled pattern finding any of ``terms`` (search Terms), or None without any."""
    parts = []
    for term in terms:
        if term.phrase and len(term.words) > 1:
            parts.append(r"\W+".join(_word(word) for word in term.words))
        else:  # a word, or several that need not be together: each on its own
            parts.extend(_word(word) for word in term.words)
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(dict.fromkeys(parts)) + r")(?!\w)", re.IGNORECASE)


def plain(text):
    """Markdown source as the words a reader sees, on one line."""
    text = text or ""
    if "](" in text:
        text = MARKDOWN_LINK.sub(r"\1", text)
    for mark in MARKDOWN_EMPHASIS:
        text = text.replace(mark, "")
    return " ".join(MARKDOWN_LINE_MARK.sub("", text).split())


def snippet(texts, pattern, words=WORDS):
    """The first of ``texts`` that ``pattern`` matches, cut to about ``words`` words around
    its first match, as HTML with <mark>ed matches; None if none matches."""
    if pattern is None:
        return None
    for text in texts:
        text = plain(text)
        first = pattern.search(text)
        if first is None:
            continue
        # plain() leaves one space between words: the words are text.split(" "), and the
        # one the match starts in is the number of spaces before it (no regex over the
        # whole description, which cost more than the rest of the snippet).
        tokens = text.split(" ")
        at = text.count(" ", 0, first.start())
        start = 0 if at < words - LEAD else at - LEAD
        end = min(len(tokens), start + words)
        quoted = pattern.sub(lambda m: f"{START_MARK}{m.group(0)}{STOP_MARK}", " ".join(tokens[start:end]))
        return ("… " if start else "") + _mark(quoted) + (" …" if end < len(tokens) else "")
    return None


def _mark(text):
    """Escape the text for HTML, then turn the marks into <mark> elements."""
    return html.escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")
