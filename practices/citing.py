"""“Cite this practice”: a formatted reference, and the same reference as RIS and BibTeX;
and what a practice's dates mean.

A practice has two dates worth telling a reader:

- **when its sources were published** (``source_dates``): what it says is as of then. An
  undated document is dated by the meeting it was prepared for, and says so;
- **when a curator last changed it** (``last_changed``: ``Practice.edited_at``, set by the
  admin's saves of the practice or its citations). Loading or refreshing the seed fixtures
  is not a change: a seed practice nobody has edited has no such date. (``updated_at`` moves
  with every write of the row, the loader's included, so it says when a database was
  built, which differs from one installation to the next.)

A practice is cited as a web page of the knowledge base: its title, the knowledge base's
name, a date, its permanent URL (old slugs redirect to it, see ``practices.slugs``) and the
date it was accessed. Citation managers take the date of a web page to be when its content
was published or last updated (Zotero's "Date", APA's "(2027, January 14)"). So the date is
the last change by a curator; for a practice unchanged since it was drawn from its sources,
its content is theirs, and the date is the latest source's publication (its year in BibTeX's
``year`` and RIS's ``PY``), which is the same on every installation. The note field says
which of the two it is. With neither, the reference says "n.d.", as style guides do.
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
    """When a curator last changed the practice or its citations; None if nobody has since
    it was drawn from its sources (the seed loader does not count)."""
    return practice.edited_at


@dataclass(frozen=True)
class SourceDate:
    """When a cited document was published. ``exact`` is False for an undated document dated
    by the (latest dated) meeting it was prepared for: then only its month is meant."""

    source: object
    date: date
    exact: bool = True

    @property
    def text(self):
        if self.exact:
            return f"published {format_date(self.date, 'j F Y')}"
        return f"undated, for a meeting in {format_date(self.date, 'F Y')}"


def source_date(source):
    """A document's ``SourceDate``, or None if neither it nor its meetings are dated (uses
    prefetched meetings)."""
    if source.publication_date:
        return SourceDate(source, source.publication_date)
    dated = [meeting.start_date for meeting in source.meetings.all() if meeting.start_date]
    return SourceDate(source, max(dated), exact=False) if dated else None


def source_dates(practice):
    """The ``SourceDate`` of each document the practice cites, latest first, each once
    (uses prefetched citations, their sources and the sources' meetings)."""
    sources = {citation.source_id: citation.source for citation in practice.citations.all()}
    dates = [found for source in sources.values() if (found := source_date(source))]
    return sorted(dates, key=lambda found: found.date, reverse=True)


def plain_text(html_fragment):
    """Rendered Markdown as one line of plain text."""
    return " ".join(html.unescape(strip_tags(html_fragment)).split())


@dataclass(frozen=True)
class Reference:
    title: str
    url: str
    accessed: date
    key: str
    changed: date | None = None  # the last change by a curator
    sources: tuple = ()  # the SourceDates of its documents, latest first
    abstract: str = ""
    keywords: tuple = ()

    @classmethod
    def for_practice(cls, practice, url, accessed):
        changed = last_changed(practice)
        return cls(
            title=practice.title,
            url=url,
            accessed=accessed,
            key=practice.slug,
            changed=changed.date() if changed else None,
            sources=tuple(source_dates(practice)),
            abstract=plain_text(practice.summary_html),
            keywords=tuple(theme.name for theme in practice.themes.all()),
        )

    @property
    def issued(self):
        """The reference's date (see the module docstring): the last change by a curator,
        else the latest source's publication; None if there is neither."""
        if self.changed:
            return self.changed
        return self.sources[0].date if self.sources else None

    @property
    def source_years(self):
        """“2010”, or “2004–2011” for sources of several years."""
        years = sorted({found.date.year for found in self.sources})
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"

    def dated(self):
        """The date as the formatted reference gives it."""
        if self.changed:
            return f"last changed {format_date(self.changed, 'j F Y')}"
        if self.sources:
            plural = "s" if len(self.sources) > 1 else ""
            return f"drawn from its source{plural} of {self.source_years}"
        return "n.d."

    def note(self):
        if self.changed:
            return f"Last changed by a curator {self.changed.isoformat()}"
        if self.sources:
            return f"Drawn from sources published {self.source_years}; not changed since"
        return ""

    def text(self):
        return (
            f"“{self.title}”. {KNOWLEDGE_BASE}, {self.dated()}. "
            f"{self.url} (accessed {format_date(self.accessed, 'j F Y')})."
        )

    def _exact_date(self):
        """The issued date when it is a day (a change, or a dated document), else None."""
        if self.changed or (self.sources and self.sources[0].exact):
            return self.issued
        return None

    def ris(self):
        """RIS (Research Information Systems), the format reference managers import."""
        issued, exact = self.issued, self._exact_date()
        lines = [
            ("TY", "ELEC"),
            ("TI", self.title),
            ("T2", KNOWLEDGE_BASE),
            ("PB", KNOWLEDGE_BASE),
            ("PY", str(issued.year) if issued else ""),
            ("DA", exact.strftime("%Y/%m/%d") if exact else ""),
            ("Y2", self.accessed.strftime("%Y/%m/%d")),
            ("UR", self.url),
            *(("KW", keyword) for keyword in self.keywords),
            ("N1", self.note()),
            ("AB", self.abstract),
        ]
        # One line per tag, "TG  - value", CRLF line ends, ER closes the record.
        body = "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines if value)
        return body + "ER  - \r\n"

    def bibtex(self):
        issued, exact = self.issued, self._exact_date()
        fields = [
            ("title", "{" + bibtex_escape(self.title) + "}"),  # double braces keep the capitals
            ("howpublished", bibtex_escape(KNOWLEDGE_BASE)),
            ("organization", bibtex_escape(KNOWLEDGE_BASE)),
            ("year", str(issued.year) if issued else ""),
            # biblatex's ISO date: the day, or the month of an undated document's meeting.
            ("date", exact.isoformat() if exact else issued.strftime("%Y-%m") if issued else ""),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", bibtex_escape(self.note())),
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


# --- Metadata for machines: Highwire tags and schema.org JSON-LD --------------------------

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def highwire_tags(reference):
    """The practice page's Highwire Press ``citation_*`` meta tags, as (name, content): what
    Zotero's embedded-metadata translator and Google Scholar read. The author is the
    knowledge base, an institution (its editors write the text); the date is the
    reference's (see the module docstring), a day when known, else a year, in Highwire's
    YYYY/MM/DD."""
    exact = reference._exact_date()
    issued = reference.issued
    date_text = exact.strftime("%Y/%m/%d") if exact else str(issued.year) if issued else ""
    tags = [
        ("citation_title", reference.title),
        ("citation_author", KNOWLEDGE_BASE),
        ("citation_publication_date", date_text),
        ("citation_publisher", KNOWLEDGE_BASE),
        ("citation_public_url", reference.url),
        ("citation_abstract_html_url", reference.url),
        ("citation_language", "en"),
        ("citation_abstract", reference.abstract),
        *(("citation_keywords", keyword) for keyword in reference.keywords),
    ]
    return [(name, one_line(value)) for name, value in tags if value]


def schema_org(practice, url, absolute):
    """The practice as a schema.org ``CreativeWork`` (JSON-LD): ``isBasedOn`` its source
    documents and ``about`` its countries and GCM objectives (uses the page's prefetches).
    ``absolute`` turns a path into a URL."""
    documents = {citation.source_id: citation.source for citation in practice.citations.all()}
    work = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": practice.title,
        "abstract": plain_text(practice.summary_html),
        "inLanguage": "en",
        "license": LICENCE_URL,
        "isAccessibleForFree": True,
        "publisher": {"@type": "Organization", "name": KNOWLEDGE_BASE},
        "author": {"@type": "Organization", "name": KNOWLEDGE_BASE},
        "genre": practice.get_practice_type_display(),
        "keywords": [theme.name for theme in practice.themes.all()],
        "isBasedOn": [
            {
                "@type": "CreativeWork",
                "@id": absolute(document.get_absolute_url()),
                "url": absolute(document.get_absolute_url()),
                "name": document.title,
                "publisher": {"@type": "Organization", "name": document.publisher},
                **(
                    {"datePublished": document.publication_date.isoformat()}
                    if document.publication_date
                    else {}
                ),
            }
            for document in documents.values()
        ],
        "about": [
            {
                "@type": "Country",
                "@id": absolute(link.country.get_absolute_url()),
                "name": link.country.name,
                "identifier": link.country.iso3,
            }
            for link in practice.country_links.all()
        ]
        + [
            {
                "@type": "DefinedTerm",
                "@id": absolute(link.objective.get_absolute_url()),
                "name": f"GCM objective {link.objective.number}: {link.objective.title}",
                "termCode": str(link.objective.number),
                "inDefinedTermSet": "Global Compact for Safe, Orderly and Regular Migration: objectives",
            }
            for link in practice.objective_links.all()
        ],
    }
    if practice.alias_list:
        work["alternateName"] = practice.alias_list
    if practice.published_at:
        work["datePublished"] = practice.published_at.date().isoformat()
    if practice.edited_at:
        work["dateModified"] = practice.edited_at.date().isoformat()
    if practice.start_year:
        end = practice.end_year or ".."
        work["temporalCoverage"] = f"{practice.start_year}/{end}"
    return work
