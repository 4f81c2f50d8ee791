"""The reader's view of a document: its paragraphs cut into segments at every boundary of
a cited passage or a search match, so each can be marked without touching the text.

The text is never changed: every character of ``document.text`` inside a paragraph is in
exactly one segment, in order, and whitespace between paragraphs is what separates them.
Passages may overlap, share a start, or run across paragraphs: a segment knows every
passage it belongs to, and each passage's anchor (``id="passage-<start>"``, the address
citations link to) sits on the first segment of text it covers.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# A paragraph that reads as a heading: one short line, not a sentence, numbered ("2.",
# "3.1", "II.", "A.") or in capitals ("GUIDING PRINCIPLES"). Rendering it as a heading
# changes the markup only, never the text.
HEADING_MAX_LENGTH = 90
NUMBERED_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-H]\.)\s+\S")
SUBSECTION_HEADING = re.compile(r"^\d+\.\d+")

WHITESPACE = re.compile(r"\s+")
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100


@dataclass
class Passage:
    """A stretch of the text cited once or more (citations with the same start and end)."""

    start: int
    end: int
    citations: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"passage-{self.start}"

    @property
    def excerpt(self):
        return self.citations[0].excerpt

    @property
    def labels(self):
        return sorted({citation.label for citation in self.citations if citation.label})

    @property
    def practices(self):
        """The citing practices, once each, in citation order."""
        seen = {}
        for citation in self.citations:
            seen.setdefault(citation.practice_id, citation.practice)
        return list(seen.values())


@dataclass
class Segment:
    text: str
    passages: list  # the Passages this stretch belongs to (several where they overlap)
    anchors: list  # ids to place here: passages that start (or first show) here
    match: int | None  # number of the search match this stretch belongs to
    match_anchor: str | None  # "match-<n>" on the match's first segment

    @property
    def passage_starts(self):
        return " ".join(dict.fromkeys(str(passage.start) for passage in self.passages))


@dataclass
class Block:
    start: int
    kind: str  # "p", "h3" or "h4"
    segments: list
    passages_starting: list  # passages whose anchor is in this block: "cited by" goes after it

    def cited_by(self):
        """What the "Cited by" note after the block says: [(practices, labels)], one line per
        set of labels (the practices citing passages with those labels, each once), and lines
        with the same practices joined. Several passages often start in one paragraph, cited
        by the same practices under the same section: that is said once."""
        by_labels = {}
        for passage in self.passages_starting:
            practices = by_labels.setdefault(tuple(passage.labels), {})
            for practice in passage.practices:
                practices.setdefault(practice.pk, practice)
        by_practices = {}
        for labels, practices in by_labels.items():
            entry = by_practices.setdefault(frozenset(practices), (list(practices.values()), []))
            entry[1].extend(label for label in labels if label not in entry[1])
        return list(by_practices.values())

    def html(self):
        """The block as HTML, its text escaped: built here rather than in the template, whose
        tag-by-tag loop over thousands of segments was four fifths of the reader's time."""
        parts = [f'<{self.kind} id="offset-{self.start}">']
        for segment in self.segments:
            parts.extend(f'<span id="{extra}"></span>' for extra in segment.anchors[1:])
            if segment.passages:
                overlap = " overlap" if len(segment.passages) > 1 else ""
                anchor = f' id="{segment.anchors[0]}"' if segment.anchors else ""
                parts.append(
                    f'<mark class="passage{overlap}"{anchor} data-passages="{segment.passage_starts}">'
                )
            if segment.match:
                anchor = f' id="{segment.match_anchor}"' if segment.match_anchor else ""
                parts.append(f'<mark class="match"{anchor}>')
            parts.append(escape(segment.text))
            if segment.match:
                parts.append("</mark>")
            if segment.passages:
                parts.append("</mark>")
        parts.append(f"</{self.kind}>\n")
        if self.passages_starting:
            cited = []
            for practices, labels in self.cited_by():
                links = "; ".join(
                    format_html('<a href="{}">{}</a>', practice.get_absolute_url(), practice.title)
                    for practice in practices
                )
                # An em dash, not parentheses: labels such as "Section 4 d)" end in one.
                cited.append(f"Cited by {links}" + (f" — {escape(', '.join(labels))}" if labels else ""))
            parts.append(f'<p class="cited-by">{"<br>".join(cited)}</p>\n')
        return mark_safe("".join(parts))  # every piece of text above is escaped


def heading_level(paragraph):
    """ "h3"/"h4" if the paragraph reads as a heading, else None."""
    line = paragraph.strip()
    if "\n" in line or len(line) > HEADING_MAX_LENGTH or line.endswith((".", ",", ";", ":")):
        return None
    if line.startswith(("•", "-", "–", "(")):
        return None
    if NUMBERED_HEADING.match(line):
        return "h4" if SUBSECTION_HEADING.match(line) else "h3"
    letters = [character for character in line if character.isalpha()]
    if len(letters) >= 4 and all(character.isupper() for character in letters):
        return "h3"
    return None


def group_passages(citations):
    """Citations grouped into passages, ordered by where they start (then end)."""
    passages = {}
    for citation in citations:
        key = (citation.start, citation.start + len(citation.excerpt))
        passages.setdefault(key, Passage(*key)).citations.append(citation)
    return [passages[key] for key in sorted(passages)]


def search_pattern(query):
    """A case-insensitive pattern for the words of ``query`` in order, any whitespace
    between them (so a phrase matches across a line break); None if no words."""
    words = query.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


@dataclass
class Match:
    number: int
    start: int
    end: int
    before: str
    text: str
    after: str

    @property
    def anchor(self):
        return f"match-{self.number}"


def find_matches(text, query, context=60):
    pattern = search_pattern(query)
    if pattern is None:
        return []
    matches = []
    for number, found in enumerate(pattern.finditer(text), start=1):
        start, end = found.span()
        before = text[max(0, start - context) : start]
        after = text[end : end + context]
        if start > context:  # do not show a word cut in half
            before = before.split(maxsplit=1)[-1] if " " in before.strip() else before
        if end + context < len(text):
            after = after.rsplit(maxsplit=1)[0] if " " in after.strip() else after
        # Whitespace collapsed, but kept where it touches the match ("dialogue|s" vs "dialogue| and").
        before, after = WHITESPACE.sub(" ", before).lstrip(), WHITESPACE.sub(" ", after).rstrip()
        matches.append(Match(number, start, end, before, found.group(), after))
    return matches


def blocks(paragraphs, passages, matches=()):
    """The paragraphs ([(start, text)]) as Blocks of Segments marking passages and matches."""
    anchored, placed = set(), set()
    result = []
    for start, paragraph in paragraphs:
        end = start + len(paragraph)
        here = [passage for passage in passages if passage.start < end and passage.end > start]
        found = [match for match in matches if match.start < end and match.end > start]
        cuts = {start, end}
        for item in (*here, *found):
            cuts.update(position for position in (item.start, item.end) if start < position < end)
        cuts = sorted(cuts)
        segments, starting = [], []
        for cut_start, cut_end in zip(cuts, cuts[1:], strict=False):
            inside = [passage for passage in here if passage.start < cut_end and passage.end > cut_start]
            anchors = []
            for passage in inside:
                if id(passage) not in placed:
                    placed.add(id(passage))
                    starting.append(passage)
                if passage.anchor not in anchored:  # passages that share a start share it
                    anchored.add(passage.anchor)
                    anchors.append(passage.anchor)
            match = next((m for m in found if m.start < cut_end and m.end > cut_start), None)
            match_anchor = None
            if match is not None and match.anchor not in anchored:
                anchored.add(match.anchor)
                match_anchor = match.anchor
            segments.append(
                Segment(
                    text=paragraph[cut_start - start : cut_end - start],
                    passages=inside,
                    anchors=anchors,
                    match=match.number if match else None,
                    match_anchor=match_anchor,
                )
            )
        result.append(Block(start, heading_level(paragraph) or "p", segments, starting))
    return result
