"""Turn a raw seed extraction (pdftotext output, markdown-ish PDF/slide conversion)
into the stable "cleaned full text" that the knowledge base stores.

Output shape: paragraphs separated by exactly one blank line, each paragraph on a single
line, list items as their own paragraphs starting with "• ", footnote markers written as
"[n]" right after the text they belong to, and footnote bodies gathered at the end under a
"Notes" heading ("[n] text", one paragraph each).

The cleaner never rewrites words: no spelling fixes, no quote normalisation. It only
removes page furniture and markup, joins lines that the extraction cut, and moves
footnote bodies. It is deterministic: same input, same output, byte for byte.

Pure standard library on purpose, so that it can be used and tested without Django.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "BULLET", "NOTES_HEADING"]

BULLET = "• "
NOTES_HEADING = "Notes"

# ---------------------------------------------------------------------------------------
# Regular expressions
# ---------------------------------------------------------------------------------------

# Bullet glyphs that PDF / slide extraction leaves behind ("•", "▪", "", "◦", ...).
_GLYPHS = "•●▪■◦○‣⁃∙·\uf0b7\uf0a7\uf076\uf0d8"
# A line that is nothing but a bullet glyph (or a lone dash used as one).
_LONE_BULLET_RE = re.compile(rf"^(?:[{_GLYPHS}]|[-–*])$")
# A bullet at the start of a line: markdown "- " / "* " (possibly followed by a glyph),
# or a glyph directly followed by text ("•The right to leave").
_BULLET_START_RE = re.compile(rf"^(?:[-*+] +(?:[{_GLYPHS}] *)?|[{_GLYPHS}] *)(?=\S)")
# A nested circle bullet that the extraction turned into the letter "o"/"O"
# ("- O It Takes a Community"); only recognised right after a list marker.
_LETTER_O_BULLET_RE = re.compile(r"^[oO] (?=[A-Z])")

# Horizontal rules and slide separators: "---", "***", "___", "-0-0-0-0-".
_RULE_RE = re.compile(r"^(?:[-*_=~]\s*){3,}$|^-?(?:0-){2,}0?-?$")
# A page number alone on a line (optionally decorated: "|9", "- 3 -", "Page 4").
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?[|\-–]?\s*\d{1,3}\s*[|\-–]?$", re.IGNORECASE)
# Stray image / formula placeholders: "$\Omega$", "![](img.png)", "<img ...>", "[image]".
_PLACEHOLDER_RE = re.compile(
    r"^(?:\$[^$]*\$|!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>|\[(?:image|figure|picture)[^\]]*\])$",
    re.IGNORECASE,
)
# A table-of-contents entry: dotted leaders or a tab before a page reference.
# (Tabs are spaces by then, so inside a contents block "Title 4" also counts.)
_TOC_ENTRY_RE = re.compile(r"(?:\.{3,}|…|\s)\s*(?:\d+(?:-\d+)?|[ivxlc]+)$")
_TOC_HEADING_RE = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)

# A line holding only a section number or a list enumerator: "1.", "3.1", "3.2.", "iv)",
# "(b)". It belongs to the text on the next non-blank line.
_ENUM_ONLY_RE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|\(?[ivxlc]{1,6}\)|\(?[a-z]\)|\(?[ivxlc]{1,6}\.)$")
# A list item / numbered heading at the start of a line, followed by a capital letter:
# "a) Establish", "(iii) Access", "1. Introduction", "3.1 Concepts", "12) Item".
_ENUM_START_RE = re.compile(
    r"^(?:\(?[ivxlc]{1,6}\)|\(?[a-z]\)|\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?)\s*[\"“‘(]?[A-Z]"
)
# "e.g." opening a line followed by a capital letter: an example entry in a list.
_EG_START_RE = re.compile(r"^e\.g\.\s+[\"“A-Z]")

# Sentence-final punctuation, allowing closing quotes/brackets and footnote markers after it.
_TERMINAL_RE = re.compile(r"[.!?:;…][\"”’')\]]*(?:\[\d+\])*$")
# Abbreviations whose final period does not end a sentence.
_ABBREVIATIONS = frozenset(["e.g.", "(e.g.", "i.e.", "(i.e.", "cf.", "(cf.", "vs.", "art.", "no."])
# Words after which a line can never end a paragraph (the title or sentence goes on).
_FUNCTION_WORDS = frozenset(
    "a an and as at by for from in into of on or the to with nor but than that via".split()
)

# Markup that is not words.
_HTML_TAG_RE = re.compile(r"</?(?:i|b|em|strong|u|span|font|small|big|s|mark)\b[^>]*>", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ANCHOR_RE = re.compile(r"<a\b[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_SUP_RE = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^>\s]+|www\.[^>\s]+|mailto:[^>\s]+)>")
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((?:https?://|www\.|mailto:)[^)\s]*\)")
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__", re.DOTALL)
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_HEADING_RE = re.compile(r"^#{1,6}\s+")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$&<>|~])")
_ENTITIES = {
    "&nbsp;": " ",
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&apos;": "'",
}
_NUM_ENTITY_RE = re.compile(r"&#(x[0-9a-fA-F]+|\d+);")

# Footnotes.
_SUP_BODY_RE = re.compile(r"^\[\^?(\d{1,3})\]:?\s+(.*)$")  # after <sup>n</sup> -> [n]
_BRACKET_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_BARE_NUMBER_RE = re.compile(r"^\d{1,3}$")


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def clean_text(raw: str, *, fixups: tuple[tuple[str, str], ...] = ()) -> str:
    """Return the cleaned full text of one raw seed document.

    ``fixups`` is an optional sequence of literal ``(old, new)`` replacements applied to
    the raw text before cleaning. It exists for layout damage that no general rule can
    repair safely (e.g. a footnote number printed after its footnote body); each ``old``
    must occur in the text, so a stale fixup fails loudly instead of silently.

    The result ends without a trailing newline; writers add one.
    """
    text = _normalise(raw)
    for old, new in fixups:
        if old not in text:
            raise ValueError(f"fixup does not apply: {old!r}")
        text = text.replace(old, new)
    text = _join_bold_spans(text)
    lines = [_Line.from_raw(line) for line in text.split("\n")]
    lines = _drop_contents_block(lines)
    lines = [line.with_markup_stripped() for line in lines]
    lines = _drop_furniture(lines)
    lines, notes = _extract_footnotes(lines)
    lines = _merge_enumerators(lines)
    # Bare numbers that neither number a footnote nor a heading are page numbers.
    lines = [line for line in lines if not _BARE_NUMBER_RE.match(line.text)]
    lines = _join_single_word_runs(lines)
    paragraphs = _assemble_paragraphs(lines)
    vocabulary = _vocabulary(paragraphs)
    if notes:
        # The source's own notes heading ("#### NOTES") would now head nothing.
        if paragraphs and paragraphs[-1].lower() in ("notes", "footnotes", "endnotes"):
            paragraphs.pop()
        paragraphs.append(NOTES_HEADING)
        paragraphs.extend(f"[{n}] {body}" for n, body in notes)
    paragraphs = [_tidy(resolve_hyphenation(p, vocabulary)) for p in paragraphs]
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------------------------------
# Line model
# ---------------------------------------------------------------------------------------


class _Line:
    """One physical line: its text (stripped) and its indentation in the raw input."""

    __slots__ = ("text", "indent")

    def __init__(self, text: str, indent: int) -> None:
        self.text = text
        self.indent = indent

    @classmethod
    def from_raw(cls, raw: str) -> _Line:
        stripped = raw.strip(" ")
        return cls(stripped, len(raw) - len(raw.lstrip(" ")) if stripped else 0)

    @property
    def blank(self) -> bool:
        return not self.text

    def with_markup_stripped(self) -> _Line:
        return _Line(_strip_markup(self.text), self.indent)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Line({self.text!r}, indent={self.indent})"


_BLANK = _Line("", 0)


# ---------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------


def _normalise(raw: str) -> str:
    # One newline convention; a form feed is a page break, i.e. a line break.
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    # NFC so that the same visible text is always the same code points (determinism);
    # this does not change any typographic character (’ “ ” – … stay as they are).
    text = unicodedata.normalize("NFC", text)
    # Tabs and no-break spaces are just spacing; runs are collapsed later.
    text = text.replace("\t", " ").replace("\u00a0", " ").replace("\u202f", " ")
    # Zero-width characters and soft hyphens are invisible extraction noise.
    text = re.sub("[\u200b\u200c\u200d\ufeff\u00ad]", "", text)
    # Trailing spaces (incl. markdown's two-space hard break) carry no meaning.
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _join_bold_spans(text: str) -> str:
    # A bold title wrapped over several lines ("**TENTH ... ON\nINTERNATIONAL ...**") is
    # one phrase: join its lines before the markers are stripped and the hint is lost.
    def repl(match: re.Match[str]) -> str:
        inner = match.group(0)
        if "\n\n" in inner:
            return inner
        return re.sub(r" *\n *", " ", inner)

    return re.sub(r"\*\*(?=\S)[^*]+?(?<=\S)\*\*", repl, text)


def _strip_markup(text: str) -> str:
    """Remove Markdown/HTML markup from one line, keeping the words."""
    if not text:
        return text
    # Markdown heading marks ("## Title") are layout, the title is the words.
    text = _HEADING_RE.sub("", text)
    # Footnote markers in <sup> become "[n]"; other superscripts ("3<sup>rd</sup>")
    # are just the letters.
    text = _SUP_RE.sub(lambda m: f"[{m.group(1)}]" if m.group(1).isdigit() else m.group(1), text)
    text = _ANCHOR_RE.sub(r"\1", text)
    text = _BR_RE.sub(" ", text)
    text = _HTML_TAG_RE.sub("", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _BOLD_RE.sub(lambda m: m.group(1) or m.group(2), text)
    text = _ITALIC_RE.sub(r"\1", text)
    # Backslash escapes ("US\$10", "WCMS\_229015") are markdown syntax, not text.
    text = _MD_ESCAPE_RE.sub(r"\1", text)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    text = _NUM_ENTITY_RE.sub(
        lambda m: chr(int(m.group(1)[1:], 16) if m.group(1)[0] == "x" else int(m.group(1))),
        text,
    )
    # Leftover emphasis markers that opened on one line and closed on another.
    text = re.sub(r"^\*\*|\*\*$", "", text).strip()
    return text


def _drop_contents_block(lines: list[_Line]) -> list[_Line]:
    # A table of contents duplicates the headings with page numbers and would make
    # citations ambiguous: drop the "CONTENTS" heading and all its entries.
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        if _TOC_HEADING_RE.match(lines[i].text):
            j = i + 1
            entries = 0
            while j < len(lines):
                t = lines[j].text
                plain = _strip_markup(t)
                if not t or plain.lower() in ("page", "pages"):
                    j += 1
                elif _TOC_ENTRY_RE.search(t) or _TOC_ENTRY_RE.search(plain):
                    entries += 1
                    j += 1
                else:
                    break
            if entries >= 2:
                i = j
                continue
        out.append(lines[i])
        i += 1
    return out


def _drop_furniture(lines: list[_Line]) -> list[_Line]:
    # Rules, placeholders and page numbers are not text. Bare numbers that are footnote
    # numbers are kept here (the footnote step needs them) and judged there.
    out: list[_Line] = []
    for line in lines:
        t = line.text
        if t and (_RULE_RE.match(t) or _PLACEHOLDER_RE.match(t)):
            out.append(_BLANK)
            continue
        if t and not _BARE_NUMBER_RE.match(t) and _PAGE_NUMBER_RE.match(t):
            continue  # decorated page number like "|9": drop without leaving a break
        out.append(line)
    return out


# --- footnotes ---------------------------------------------------------------------------


def _marker_patterns(n: int) -> list[re.Pattern[str]]:
    d = str(n)
    return [
        # Glued to a word, closing bracket/quote, or to punctuation after a word:
        # "partnerships,1 responsible", "México.3", "(FMTF)4", "Partnerships7".
        re.compile(rf"(?:(?<=[^\W\d_][.,;:])|(?<=[^\W\d_])|(?<=[)”\"’]))({d})(?=[\s.,;:)]|$)"),
        # Spaced after the end of a sentence: "accepted definition. 2 It is".
        re.compile(rf"(?<=[.!?”\"’])( {d})(?= [A-Z“\"])"),
        # Spaced at the end of a (heading) line: "Cluster II Summary Report 1".
        re.compile(rf"(?<=[^\W\d_])( {d})$|(?<=\d{{4}})( {d})$"),
    ]


def _extract_footnotes(lines: list[_Line]) -> tuple[list[_Line], list[tuple[int, str]]]:
    """Turn footnote markers into "[n]" and move footnote bodies out of the text.

    Markup documents mark footnotes explicitly (<sup>n</sup>, already "[n]" here), with
    bodies as lines starting with the marker. In pdftotext output the marker is a bare
    number glued to the text and the body is a bare number line followed by the note at
    the bottom of the page. Bare numbers are only taken as markers in sequence (1, 2, 3,
    ...) and only kept when a body with the same number is found after them; everything
    else stays as it is, so years, amounts and list numbers are not touched.
    """
    sup_style = any(_SUP_BODY_RE.match(line.text) for line in lines)

    texts = [line.text for line in lines]
    seen: set[int] = set()
    notes: list[tuple[int, list[str]]] = []
    have_body: set[int] = set()
    in_body = [False] * len(lines)
    # Tentative plain-number markers: (line index, start, end, n).
    tentative: list[tuple[int, int, int, int]] = []
    next_marker = 1

    i = 0
    while i < len(lines):
        t = texts[i]
        if sup_style:
            # Markup style: "[n] text" on its own line is the body of footnote n.
            m = _SUP_BODY_RE.match(t)
            if m:
                notes.append((int(m.group(1)), [m.group(2)]))
                in_body[i] = True
            i += 1
            continue

        # pdftotext style: a bare number line whose marker was already seen opens a body.
        if _BARE_NUMBER_RE.match(t) and int(t) in seen and int(t) not in have_body:
            n = int(t)
            j = i + 1
            while j < len(lines) and lines[j].blank:
                j += 1
            body: list[str] = []
            start = j
            while j < len(lines):
                cur = lines[j]
                if cur.blank or _BARE_NUMBER_RE.match(cur.text):
                    break
                if j > start and cur.indent == 1:  # pdftotext: the next page starts here
                    break
                body.append(cur.text)
                j += 1
            if body:
                notes.append((n, body))
                have_body.add(n)
                for k in range(i, j):
                    in_body[k] = True
                i = j
                continue

        # Explicit markers ("[2]" written by a fixup) count as seen and advance the sequence.
        for m in _BRACKET_MARKER_RE.finditer(t):
            seen.add(int(m.group(1)))
            next_marker = max(next_marker, int(m.group(1)) + 1)
        # Plain markers, strictly in sequence.
        pos = 0
        while True:
            found = None
            for k, pattern in enumerate(_marker_patterns(next_marker)):
                m = pattern.search(t, pos)
                if not m:
                    continue
                following = lines[i + 1].text if i + 1 < len(lines) else ""
                if k == 2 and _starts_lower(following) and not _is_list_start(following):
                    continue  # "an estimated 4 / million": a number, not a marker
                span = m.span(1) if m.group(1) is not None else m.span(2)
                if found is None or span[0] < found[0]:
                    found = span
            if found is None:
                break
            tentative.append((i, found[0], found[1], next_marker))
            seen.add(next_marker)
            pos = found[1]
            next_marker += 1
        i += 1

    # Apply the confirmed plain markers (right to left within a line keeps offsets valid).
    new_texts = list(texts)
    for idx, start, end, n in sorted(tentative, key=lambda x: (x[0], -x[1])):
        if n in have_body:
            s = new_texts[idx]
            new_texts[idx] = s[:start] + f"[{n}]" + s[end:]

    out = [_Line(new_texts[k], line.indent) for k, line in enumerate(lines) if not in_body[k]]
    return out, [(n, _join_body(body)) for n, body in notes]


def _join_body(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("/") and not part.startswith(("http", "www")):
            text += part  # a URL wrapped after a slash
        else:
            text = _join_pair(text, part)
    return text


# --- structure ---------------------------------------------------------------------------


def _merge_enumerators(lines: list[_Line]) -> list[_Line]:
    # "3.1" / "" / "Concepts and definitions" and "i)" / "" / "Irregular migration, ..."
    # are one heading / one list item whose number the extraction put on its own line.
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _ENUM_ONLY_RE.match(line.text):
            j = i + 1
            while j < len(lines) and (lines[j].blank or _LONE_BULLET_RE.match(lines[j].text)):
                j += 1
            nxt = lines[j].text if j < len(lines) else ""
            # A bare "1" only numbers a heading (short, unpunctuated); else it is a page
            # number, dropped below.
            heading_like = len(nxt) < 60 and not _TERMINAL_RE.search(nxt)
            if (
                nxt
                and not _ENUM_ONLY_RE.match(nxt)
                and j - i <= 3
                and (not _BARE_NUMBER_RE.match(line.text) or heading_like)
            ):
                # Keep any lone bullets between them in front (they are list furniture).
                out.extend(x for x in lines[i + 1 : j] if not x.blank)
                out.append(_Line(f"{line.text} {lines[j].text}", line.indent))
                i = j + 1
                continue
        out.append(line)
        i += 1
    return out


def _join_single_word_runs(lines: list[_Line]) -> list[_Line]:
    # Justified text sometimes comes out one word per line ("e.g." / "Facilitating" /
    # "Labour" / ...). Three or more such lines in a row are one line of text.
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _single_word(lines[j].text):
            j += 1
        if j - i >= 3:
            out.append(_Line(" ".join(x.text for x in lines[i:j]), lines[i].indent))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def _single_word(text: str) -> bool:
    return (
        bool(text)
        and " " not in text
        and len(text) <= 20
        and not _LONE_BULLET_RE.match(text)
        and not _BARE_NUMBER_RE.match(text)
    )


def _wrap_width(lines: list[_Line]) -> float | None:
    """Width at which the document was hard-wrapped, or None if it was not wrapped.

    pdftotext output has most lines close to one width; markdown conversions have one
    line per paragraph. A line break is a paragraph break in the latter, but only a
    hint in the former.
    """
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 20)
    if len(lengths) < 20:
        return None
    p90 = lengths[int(len(lengths) * 0.9)]
    if p90 > 140:
        return None
    near = [n for n in lengths if n >= p90 * 0.85]
    return max(n for n in near if n <= p90 * 1.1)


def _assemble_paragraphs(lines: list[_Line]) -> list[str]:
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    current: str | None = None
    current_last_line = ""
    pending_bullets = 0
    saw_blank = False

    def flush() -> None:
        nonlocal current
        if current is not None and current.strip():
            paragraphs.append(current.strip())
        current = None

    after_bullets = False
    for line in lines:
        t = line.text
        if not t:
            if not after_bullets:  # blanks inside a run of lone bullets are layout
                saw_blank = True
            continue
        if _LONE_BULLET_RE.match(t):
            # Detached bullet glyphs: each one marks the start of one of the next items.
            # They can sit mid-item when a list item runs over a page break, so they do
            # not break the running text by themselves.
            pending_bullets += 1
            after_bullets = True
            continue

        bullet_match = _BULLET_START_RE.match(t)
        is_bullet = bool(bullet_match)
        if is_bullet:
            t = t[bullet_match.end() :]
            o = _LETTER_O_BULLET_RE.match(t)
            if o:
                t = t[o.end() :]

        if current is None:
            new_para = True
        elif is_bullet:
            new_para = True
        elif saw_blank:
            new_para = not _continues_after_blank(current_last_line, t)
        elif after_bullets and _TERMINAL_RE.search(current_last_line):
            new_para = True
        else:
            new_para = _breaks(current_last_line, t, line.indent, width, current)

        saw_blank = False
        after_bullets = False
        if new_para:
            flush()
            if is_bullet:
                current = BULLET + t
            elif pending_bullets > 0:
                current = BULLET + t
                pending_bullets -= 1
            else:
                current = t
        else:
            current = _join_pair(current, t)
        current_last_line = t
    flush()
    return paragraphs


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _last_word(text: str) -> str:
    return text.rsplit(" ", 1)[-1]


def _is_list_start(text: str) -> bool:
    return bool(_ENUM_START_RE.match(text) or _EG_START_RE.match(text))


def _starts_lower(text: str) -> bool:
    first = text.lstrip("(\"“‘'")[:1]
    return first.islower()


def _continues_after_blank(prev: str, nxt: str) -> bool:
    # A blank line is a paragraph break, except where a page break fell mid-sentence:
    # the text before has no closing punctuation and the text after starts lower-case.
    return (
        not _TERMINAL_RE.search(prev)
        and _starts_lower(nxt)
        and not _BULLET_START_RE.match(nxt)
        and not _is_list_start(nxt)
    )


def _breaks(prev: str, nxt: str, indent: int, width: float | None, para: str = "") -> bool:
    """Decide whether a line break between two non-blank lines ends a paragraph.

    ``prev`` is the previous line, ``para`` the paragraph built so far.
    """
    if _is_list_start(nxt):
        return True
    if prev.endswith("-") and prev[-2:-1].isalpha() and nxt[:1].isalpha():
        return False  # word broken at the line end
    if _last_word(prev).lower() in _FUNCTION_WORDS or prev.endswith(("(", "–", "/")):
        return False  # the sentence visibly goes on
    if _last_word(prev).lower() in _ABBREVIATIONS:
        return False  # "(e.g." / "MERCOSUR, ...": an abbreviation, not a sentence end
    if para.count("(") > para.count(")"):
        return False  # inside an open parenthesis
    if _starts_lower(nxt):
        return False
    if width is None:
        # Not hard-wrapped: a line break is a paragraph break unless the line ends with a
        # comma or the next line is an indented continuation of a list item.
        return indent < 2 and not prev.endswith(",")
    # Count a footnote marker "[12]" as the "12" that was printed.
    room = width - len(_BRACKET_MARKER_RE.sub(r"\1", prev))
    # Proportional fonts make character counts approximate: demand a little slack.
    fits = len(_first_word(nxt)) + 1 <= room - 2
    if _TERMINAL_RE.search(prev):
        # The sentence ended and the next word would have fitted on this line.
        return fits
    # No closing punctuation: only a clearly short line or a title ends here.
    return len(prev) < width * 0.6 or _title_like(prev)


def _title_like(line: str) -> bool:
    # "e.g. Temporary and Circular Labor Migration between Spain and Colombia": most
    # longer words capitalised and no comma, so a heading rather than a line of prose.
    if "," in line:
        return False
    words = [w for w in line.split() if len(w) > 3]
    capitalised = [w for w in words if w[:1].isupper()]
    return len(capitalised) >= 3 and len(capitalised) >= 0.7 * len(words)


_HYPHEN_END_RE = re.compile(r"([^\W\d_]+)-$")
_WORD_START_RE = re.compile(r"^([^\W\d_]+)")


def _join_pair(left: str, right: str) -> str:
    """Join two pieces of one paragraph, repairing a word hyphenated at the line end."""
    m = _HYPHEN_END_RE.search(left)
    w = _WORD_START_RE.match(right)
    if m and w and not left.endswith(" -"):
        return left[:-1] + _HYPH + right
    return f"{left} {right}"


def _tidy(paragraph: str) -> str:
    # Collapse runs of spaces (layout, not text).
    return re.sub(r" {2,}", " ", paragraph).strip()


_HYPH = "\u0000HYPH\u0000"  # placeholder for a hyphen found at a line end


def _vocabulary(paragraphs: list[str]) -> set[str]:
    """Lower-cased words the document spells somewhere (line-end hyphens excluded)."""
    words: set[str] = set()
    for p in paragraphs:
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", p.replace(_HYPH, " ")))
    return words


def resolve_hyphenation(text: str, vocabulary: set[str]) -> str:
    """Decide every hyphen that stood at a line end (marked while joining lines).

    Rule: "develop-" + "ment" becomes "development" only when the document itself spells
    the joined word without a hyphen somewhere else; otherwise the hyphen is kept
    ("inter-" + "regional" stays "inter-regional"), because a wrong join corrupts a real
    compound while a kept hyphen at worst keeps the printed form.
    """
    if _HYPH not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        joined = left + right
        return joined if joined.lower() in vocabulary else f"{left}-{right}"

    return re.sub(rf"([^\W\d_]+){_HYPH}([^\W\d_]+)", repl, text)
