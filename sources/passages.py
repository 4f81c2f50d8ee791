"""Locating an excerpt in a document's text, tolerating what copying from a PDF does to it.

A curator pastes a passage copied from a PDF viewer; the document's cleaned text has the same
words but not always the same characters: line breaks and runs of spaces where the text has
one space, soft hyphens (U+00AD), words hyphenated at the end of a line ("regulari-\\nsation"),
straight quotes for curly ones, hyphens for dashes, ligatures (ﬁ, ﬂ), non-breaking spaces.
``locate`` folds both texts the same way (``fold``), finds the excerpt in the folded
document, and maps the match back to the document's own offsets: the caller then stores the
document's text at that position, so what is kept is always verbatim.

When nothing matches, ``closest`` finds the stretch of the document that shares most of the
excerpt's words (in order) and says where the two part: the words they share, then the first
words that differ on each side.

Pure Python, no database: the model calls these with ``document.text``.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import format_html

# One character for one: quotes, dashes and the many spaces a PDF may hold.
ONE_TO_ONE = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        # Every whitespace character becomes a space; runs are collapsed below.
        **dict.fromkeys("\t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006", " "),
        **dict.fromkeys("\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\x85", " "),
    }
)
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# Characters that are not text: soft hyphen, zero-width spaces and joiners, byte-order mark.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
SPECIAL = re.compile(f" {{2,}}|[{INVISIBLE}]|[{''.join(LIGATURES)}]")
# A word broken at the end of a line: a letter, a hyphen, a line break, a letter.
LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t\u00a0]*\r?\n\s*(?=[^\W\d_])")
HYPHEN_BREAK = "\x00"  # stands for such a break in the folded excerpt (never in a text: see fold)
WORD = re.compile(r"\S+")


def fold(text):
    """(folded text, offsets): ``offsets[i]`` is where folded character ``i`` came from.

    Quotes, dashes and spaces are unified, whitespace runs become one space, invisible
    characters go and ligatures are spelled out. Case and words are kept: a different word
    is a different passage."""
    translated = text.translate(ONE_TO_ONE).replace(HYPHEN_BREAK, " ")
    pieces, offsets, last = [], [], 0
    for found in SPECIAL.finditer(translated):
        start, end = found.span()
        pieces.append(translated[last:start])
        offsets.extend(range(last, start))
        special = found.group()
        if special[0] == " ":
            pieces.append(" ")
            offsets.append(start)
        elif special in LIGATURES:
            pieces.append(LIGATURES[special])
            offsets.extend([start] * len(LIGATURES[special]))
        last = end  # invisible characters are dropped
    pieces.append(translated[last:])
    offsets.extend(range(last, len(translated)))
    return "".join(pieces), offsets


def fold_excerpt(excerpt):
    """The excerpt folded, each word break at a line end marked by HYPHEN_BREAK."""
    excerpt = LINE_END_HYPHEN.sub("-" + HYPHEN_BREAK, excerpt.strip())
    translated = excerpt.translate(ONE_TO_ONE)
    folded = SPECIAL.sub(lambda m: " " if m.group()[0] == " " else LIGATURES.get(m.group(), ""), translated)
    return folded.strip()


def excerpt_pattern(folded_excerpt):
    """A pattern for the folded excerpt: a line-end hyphen matches the word joined ("regulari-
    sation" finds "regularisation"), hyphenated ("self-employed") or broken as it was."""
    parts = [re.escape(part) for part in folded_excerpt.split("-" + HYPHEN_BREAK)]
    return re.compile("(?:- ?)?".join(parts))


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    exact: bool  # the excerpt was the document's text character for character


def locate(text, excerpt, near=None):
    """Where ``excerpt`` is in ``text``, as Found(start, end, exact), or None.

    Verbatim occurrences come first; otherwise the folded excerpt is looked for in the folded
    text. Of several occurrences, the one starting closest to ``near`` wins (so a stored
    position survives the same words appearing elsewhere)."""
    excerpt = excerpt.strip() if excerpt else ""
    if not excerpt:
        return None
    positions = []
    position = text.find(excerpt)
    while position != -1:
        positions.append((position, position + len(excerpt)))
        position = text.find(excerpt, position + 1)
    exact = bool(positions)
    if not positions:
        folded_excerpt = fold_excerpt(excerpt)
        if not folded_excerpt.replace(HYPHEN_BREAK, ""):
            return None
        folded_text, offsets = fold(text)
        for found in excerpt_pattern(folded_excerpt).finditer(folded_text):
            positions.append((offsets[found.start()], offsets[found.end() - 1] + 1))
    if not positions:
        return None
    start, end = positions[0] if near is None else min(positions, key=lambda span: abs(span[0] - near))
    return Found(start, end, exact)


@dataclass(frozen=True)
class Divergence:
    """The stretch of the document closest to an excerpt, and where the two part.

    ``same`` is what both say (the document's words), then the document has ``document_says``
    where the excerpt has ``excerpt_says``; ``after`` is a little of what follows."""

    start: int  # offset of the stretch in the document
    same: str
    document_says: str
    excerpt_says: str
    after: str
    shared_words: int
    excerpt_words: int

    def as_html(self):
        return format_html(
            "The closest passage (at character {}) reads: “{}<mark>{}</mark>{}”. Your excerpt has "
            "<mark>{}</mark> there.",
            f"{self.start:,}",
            self.same,
            self.document_says or "[nothing]",
            self.after,
            self.excerpt_says or "[nothing]",
        )

    def as_text(self):
        return (
            f"The closest passage (at character {self.start:,}) reads: “{self.same}"
            f"«{self.document_says or '[nothing]'}»{self.after}”. Your excerpt has "
            f"«{self.excerpt_says or '[nothing]'}» there."
        )


SHINGLE = 3  # words per shingle when aligning the excerpt with the text
SHOWN_WORDS = 12  # words of agreement quoted before the divergence
DIFFERING_WORDS = 6  # words quoted on each side of it
SLACK = 5  # words an alignment may shift by (words added or missing) and still count


def closest(text, excerpt):
    """The Divergence of the document's stretch nearest to ``excerpt``, or None if no three
    consecutive words of the excerpt are in the document (or the whole excerpt is).

    Fast on long documents: the excerpt's word triples vote for where it would start in the
    document (one pass over the text's words), then the two are walked word by word from
    there, and difflib measures only the few words after they part."""
    folded_text, offsets = fold(text)
    text_words = [(m.group(), m.start()) for m in WORD.finditer(folded_text)]
    words = [word for word, _ in text_words]
    excerpt_words = fold_excerpt(excerpt).replace("-" + HYPHEN_BREAK, "-").split()
    if not excerpt_words or not words:
        return None
    size = min(SHINGLE, len(excerpt_words))
    wanted = {}
    for index in range(len(excerpt_words) - size + 1):
        wanted.setdefault(tuple(excerpt_words[index : index + size]), []).append(index)

    def quoted(first_word, end_word):
        """The document's own text of words [first_word, end_word), whitespace collapsed."""
        end_word = min(end_word, len(text_words))
        if first_word >= end_word:
            return ""
        begin = offsets[text_words[first_word][1]]
        last, at = text_words[end_word - 1]
        return " ".join(text[begin : offsets[at + len(last) - 1] + 1].split())

    hits = []  # (text word, excerpt word) where a triple of the excerpt is in the text
    for index in range(len(words) - size + 1):
        for offset in wanted.get(tuple(words[index : index + size]), ()):
            hits.append((index, offset))
    if not hits:
        return None
    # Each hit puts the excerpt's first word at text word ``t - e``; words the excerpt adds
    # or lacks shift that a little, so alignments within SLACK words count together.
    votes = {}
    for t, e in hits:
        votes[t - e] = votes.get(t - e, 0) + 1
    support = {
        alignment: sum(votes.get(alignment + d, 0) for d in range(-SLACK, SLACK + 1)) for alignment in votes
    }
    best = max(sorted(support), key=support.get)  # the earliest of the best supported
    # Walk from the hit nearest the excerpt's start in that alignment.
    i, j = min((e, t) for t, e in hits if abs((t - e) - best) <= SLACK)
    first = j - i
    if i > 0:
        # The excerpt's first words are not in the document: it parts at once.
        excerpt_says = excerpt_words[:i][-DIFFERING_WORDS:]
        shown_from = max(j - min(i, DIFFERING_WORDS), 0)
        return Divergence(
            start=offsets[text_words[shown_from][1]],
            same="",
            document_says=quoted(shown_from, j),
            excerpt_says=" ".join(excerpt_says),
            after=" " + quoted(j, j + 5) + ("…" if j + 5 < len(words) else ""),
            shared_words=len(hits),
            excerpt_words=len(excerpt_words),
        )
    while i < len(excerpt_words) and j < len(words) and excerpt_words[i] == words[j]:
        i, j = i + 1, j + 1
    if i == len(excerpt_words):
        return None  # every word is there: nothing diverges
    # How far each side runs before they agree again (at most DIFFERING_WORDS each).
    ahead = difflib.SequenceMatcher(None, excerpt_words[i : i + 20], words[j : j + 20], autojunk=False)
    rejoin = next((block for block in ahead.get_matching_blocks() if block.size), None)
    excerpt_run, document_run = (rejoin.a, rejoin.b) if rejoin else (DIFFERING_WORDS, DIFFERING_WORDS)
    excerpt_says = excerpt_words[i : i + min(excerpt_run, DIFFERING_WORDS)]
    document_end = j + min(document_run, DIFFERING_WORDS)
    shown_from = max(max(first, 0), j - SHOWN_WORDS)
    after_from = document_end
    same = quoted(shown_from, j)
    start_word = shown_from if shown_from < len(text_words) else len(text_words) - 1
    stretch = words[max(first, 0) : max(first, 0) + len(excerpt_words)]
    matched = difflib.SequenceMatcher(None, excerpt_words, stretch, autojunk=False)
    return Divergence(
        start=offsets[text_words[start_word][1]],
        same=("…" if shown_from > max(first, 0) else "") + same + (" " if same else ""),
        document_says=quoted(j, document_end),
        excerpt_says=" ".join(excerpt_says),
        after=(" " + quoted(after_from, after_from + 5) + "…") if after_from < len(words) else "",
        shared_words=sum(block.size for block in matched.get_matching_blocks()),
        excerpt_words=len(excerpt_words),
    )
