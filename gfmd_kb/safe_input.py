"""What the site accepts as text, in one place: request parameters and curators' text.

Control characters have no meaning in a search, a slug or a title. They come from
fuzzers, from broken links and from text pasted out of PDFs (form feeds, vertical tabs),
and they break what the text later goes into: XML refuses them (the Atom feed answered
500 to every visitor once a title held a form feed), PostgreSQL refuses NUL bytes, and
Excel acts on some of them. So:

- ``SafeInputMiddleware`` removes them from every GET parameter (and from public POST
  forms) before a view sees it, caps over-long and over-repeated values, and answers 404
  for a path that holds one (no page has such an address);
- ``CuratorTextMixin`` makes the admin refuse them in any text a curator saves, with a
  message beside the field, rather than stripping what a curator typed;
- ``printable()`` is what every writer of XML, CSV, RIS and BibTeX calls on stored text,
  for rows saved before the admin refused them or written by other means, and
  ``spreadsheet_cell()`` also keeps a CSV cell from being run as a formula.

Tab, line feed and carriage return are text and are always kept.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict

# C0 controls except tab, LF and CR; DEL; C1 controls; and the non-characters XML refuses.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Longer than any search, slug or number the site understands; the views explain what
# they do not understand, but none needs more than this to do it.
MAX_VALUE_LENGTH = 1000
# Values beyond this for one parameter are dropped (a facet takes 50 at most).
MAX_VALUES_PER_PARAMETER = 100
# POSTs whose fields are curators' text: the admin validates and explains (CuratorTextMixin),
# and so does the reader's cite tool (practices.curation_views), whose selected passage may
# well be longer than MAX_VALUE_LENGTH and must not be cut.
CURATOR_PATHS = ("/admin/", "/curation/")


def printable(text):
    """``text`` without control characters (tab and line breaks kept)."""
    return CONTROL.sub("", text) if text else text


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"); a leading apostrophe makes it text and is not shown.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """``value`` for a CSV cell: printable, and never read as a formula."""
    text = printable(str(value))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def has_control_characters(text):
    return bool(text) and CONTROL.search(text) is not None


def clean_parameters(data):
    """A copy of the QueryDict ``data``: control characters removed from names and values,
    values cut to MAX_VALUE_LENGTH, at most MAX_VALUES_PER_PARAMETER values per name.
    ``None`` when nothing needed cleaning (the common case keeps the original)."""
    if not any(
        has_control_characters(key)
        or len(values) > MAX_VALUES_PER_PARAMETER
        or any(len(v) > MAX_VALUE_LENGTH or has_control_characters(v) for v in values)
        for key, values in data.lists()
    ):
        return None
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(
            printable(key),
            [printable(v[:MAX_VALUE_LENGTH]) for v in values[:MAX_VALUES_PER_PARAMETER]],
        )
    cleaned._mutable = False
    return cleaned


class SafeInputMiddleware:
    """Cleans what a request carries before any view sees it (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path):
            raise Http404("No page has an address with control characters.")
        cleaned = clean_parameters(request.GET)
        if cleaned is not None:
            request.GET = cleaned
        if request.method == "POST" and not request.path.startswith(CURATOR_PATHS):
            cleaned = clean_parameters(request.POST)
            if cleaned is not None:
                request.POST = cleaned
        return self.get_response(request)


def no_control_characters(value):
    """Validator: refuse text with control characters, saying where the first one is."""
    match = CONTROL.search(value or "")
    if match:
        before = value[max(0, match.start() - 30) : match.start()].rsplit("\n", 1)[-1]
        raise ValidationError(
            "This text holds an invisible control character (code %(code)s) after “%(before)s”, "
            "often left by copying from a PDF. Delete it (retype the text around it) and save again.",
            code="control_characters",
            params={"code": f"U+{ord(match.group()):04X}", "before": before},
        )


class CuratorTextMixin:
    """For ModelAdmin and inlines: every text field a curator fills refuses control
    characters (Django's forms already refuse NUL; this refuses the rest)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.CharField):
            formfield.validators.append(no_control_characters)
        return formfield
