"""“Cite this practice”: a formatted reference, and the same reference as RIS and BibTeX.

A practice is cited as a web page of the knowledge base: its title, the knowledge base's
name, the date of its last change (its own row or any of its citations, whichever is
latest) and its permanent URL (old slugs redirect to it, see ``practices.slugs``).
"""

import html
import re
from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags

from gfmd_kb.safe_input import printable

KNOWLEDGE_BASE = "Migration Practices Knowledge Base"


def last_changed(practice):
    """When the practice or one of its citations last changed (uses prefetched citations)."""
    return max([practice.updated_at, *(citation.updated_at for citation in practice.citations.all())])


def plain_text(html_fragment):
    """Rendered Markdown as one line of plain text."""
    return " ".join(html.unescape(strip_tags(html_fragment)).split())


@dataclass(frozen=True)
class Reference:
    title: str
    url: str
    changed: date
    accessed: date
    key: str
    abstract: str = ""
    keywords: tuple = ()

    @classmethod
    def for_practice(cls, practice, url, accessed):
        return cls(
            title=practice.title,
            url=url,
            changed=last_changed(practice).date(),
            accessed=accessed,
            key=practice.slug,
            abstract=plain_text(practice.summary_html),
            keywords=tuple(theme.name for theme in practice.themes.all()),
        )

    def text(self):
        return (
            f"“{self.title}”. {KNOWLEDGE_BASE}, last changed {format_date(self.changed, 'j F Y')}. "
            f"{self.url} (accessed {format_date(self.accessed, 'j F Y')})."
        )

    def ris(self):
        """RIS (Research Information Systems), the format reference managers import."""
        lines = [
            ("TY", "ELEC"),
            ("TI", self.title),
            ("T2", KNOWLEDGE_BASE),
            ("PB", KNOWLEDGE_BASE),
            ("PY", str(self.changed.year)),
            ("DA", self.changed.strftime("%Y/%m/%d")),
            ("Y2", self.accessed.strftime("%Y/%m/%d")),
            ("UR", self.url),
            *(("KW", keyword) for keyword in self.keywords),
            ("AB", self.abstract),
        ]
        # One line per tag, "TG  - value", CRLF line ends, ER closes the record.
        body = "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines if value)
        return body + "ER  - \r\n"

    def bibtex(self):
        fields = [
            ("title", "{" + bibtex_escape(self.title) + "}"),  # double braces keep the capitals
            ("howpublished", bibtex_escape(KNOWLEDGE_BASE)),
            ("organization", bibtex_escape(KNOWLEDGE_BASE)),
            ("year", str(self.changed.year)),
            ("date", self.changed.isoformat()),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", f"Last changed {self.changed.isoformat()}"),
            ("abstract", bibtex_escape(self.abstract)),
            ("keywords", bibtex_escape(", ".join(self.keywords))),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        return f"@misc{{{bibtex_key(self.key)},\n{body}\n}}\n"


def one_line(value):
    """``value`` on one line, without control characters (RIS and BibTeX are line-based)."""
    return " ".join(printable(str(value)).split())


def bibtex_key(slug):
    return "kb:" + re.sub(r"[^A-Za-z0-9_:-]", "", slug)


BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(value):
    """Escape TeX's special characters; other Unicode is left to biber/BibTeX 8-bit input."""
    return "".join(BIBTEX_SPECIALS.get(character, character) for character in one_line(value))
