"""Reading a contributor's PDF: is it one, what text does it hold, is the passage there.

A file is a PDF when it starts with ``%PDF-`` *and* pypdf can read its pages: the name and
the browser's content type are the sender's word only. The text is extracted with pypdf
and cleaned by ``sources.cleaning`` (the seed documents' cleaner), which is what a source
document made from it will hold.
"""

import io
import logging
import re

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from sources.cleaning import clean_text

log = logging.getLogger(__name__)

MAGIC = b"%PDF-"
MAX_PAGES = 500


class NotAPdf(ValueError):
    """The upload is refused; the message says why, in plain words."""


def max_bytes():
    return settings.SUBMISSION_MAX_UPLOAD_MB * 1024 * 1024


def read_pdf(upload):
    """The cleaned text of an uploaded PDF, or NotAPdf."""
    if upload.size > max_bytes():
        raise NotAPdf(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{settings.SUBMISSION_MAX_UPLOAD_MB} MB. Send the address of the document instead."
        )
    upload.seek(0)
    head = upload.read(len(MAGIC))
    if head != MAGIC:
        raise NotAPdf("This file is not a PDF (it does not start as one). Upload a PDF document.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotAPdf("This PDF is password-protected; upload one that opens without a password.")
        if len(reader.pages) > MAX_PAGES:
            raise NotAPdf(f"This PDF has more than {MAX_PAGES} pages; send its address instead.")
        raw = "\n".join(page.extract_text() or "" for page in reader.pages)
    except NotAPdf:
        raise
    except (
        PdfReadError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
    ) as error:
        log.info("Unreadable PDF upload: %s", error)
        raise NotAPdf("This PDF could not be read (it may be damaged). Upload another copy.") from None
    text = clean_text(raw.replace("\x00", "")) if raw.strip() else ""
    if not text.strip():
        raise NotAPdf(
            "No text could be read from this PDF (a scan without a text layer?). Upload a PDF "
            "whose text can be selected."
        )
    return text


_SPACE = re.compile(r"\s+")
_SOFT = "\u00ad"


def find_quoted(text, passage):
    """Where ``passage`` is in ``text``: (start, end) of the text's own words, or None.

    Exact first (``SourceDocument.find_passage``'s rule); then with any run of white space
    matching any other and soft hyphens ignored, which is what copying from a PDF changes.
    """
    passage = (passage or "").strip()
    if not passage:
        return None
    start = text.find(passage)
    if start != -1:
        return start, start + len(passage)
    words = [re.escape(word) for word in _SPACE.split(passage.replace(_SOFT, "")) if word]
    if not words:
        return None
    match = re.search(r"\s+".join(words), text.replace(_SOFT, " "))
    return (match.start(), match.end()) if match else None
