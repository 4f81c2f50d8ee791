"""The brief as a PDF whose contents give the page each practice starts on.

Chromium prints a brief well (the print style sheet: a cover, then one practice per page,
numbered pages) but does not support CSS's ``target-counter()``, the paged-media way to put
page numbers in a table of contents. And numbers worked out beforehand would be wrong for a
brief printed from the browser anyway: paper size, margins, scale and the browser's own
headers move its pages. So the site prints the PDF itself, with headless Chromium, twice:

1. the brief with every contents number set to 0, in a box of fixed width, so that the
   numbers filled in later move nothing; the page each practice starts on is read from
   the PDF (Chromium writes a named destination for every link target, and the contents
   link to ``#practice-<slug>``);
2. the brief with those numbers, checked the same way, and printed again (at most
   ``MAX_PASSES`` in all) should a page have moved.

A policy officer clicks *Download PDF* and gets the right numbers, whatever their browser.

Chromium is driven with Playwright (its Python client; ``playwright install`` is never
run: the browser is Debian's, ``settings.BRIEF_PDF_CHROMIUM``). It runs without
JavaScript, reaches nothing over the network (the page comes from memory, its style
sheets from the static files, every other request is refused), and in one thread of its
own per process: briefs are printed one at a time, at most ``MAX_WAITING`` wait their
turn, and more are refused (``PdfBusy``) rather than queued without end. The thread also
keeps Playwright's event loop away from the request's thread.
"""

import io
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

PAPERS = {"a4": "A4", "letter": "Letter"}
MAX_PASSES = 3
MAX_WAITING = 4  # briefs printing or waiting to, per process
TIMEOUT = 120  # seconds a request waits for its PDF
CHROMIUM_ARGS = [
    # Debian's Chromium as root or in a container has no sandbox to start; the page it
    # prints is ours, without JavaScript, and it reaches no network.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class PdfError(Exception):
    """The PDF could not be made; the message says why, for the visitor."""


class PdfBusy(PdfError):
    pass


def available():
    """Whether this server can print briefs: its Chromium is installed."""
    path = settings.BRIEF_PDF_CHROMIUM
    return bool(path) and Path(path).is_file()


class Contents:
    """Markers for the contents' page numbers in a rendered brief: ``marker(i)`` for the
    i-th entry (random, so no text of the brief can hold one), ``fill(html, numbers)``."""

    def __init__(self):
        self.token = secrets.token_hex(8)
        self.pattern = re.compile(rf"\[\[page {self.token} (\d+)\]\]")

    def marker(self, index):
        return f"[[page {self.token} {index}]]"

    def fill(self, html, numbers):
        return self.pattern.sub(lambda m: str(numbers[int(m.group(1))]), html)


def starting_pages(pdf, anchors):
    """The page (1-based) of each of ``anchors`` (element ids) in ``pdf``: Chromium writes a
    named destination for every element a link points to."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    destinations = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    missing = [anchor for anchor in anchors if anchor not in destinations]
    if missing:
        raise PdfError(f"The PDF has no page for {', '.join(missing[:3])}.")
    return [reader.get_destination_page_number(destinations[anchor]) + 1 for anchor in anchors]


def static_file(url_path):
    """The file behind a static URL path (``/static/css/site.css``), or None. Collected
    files first (hashed names in production), then the finders (development, tests)."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not url_path.startswith(prefix):
        return None
    name = unquote(url_path[len(prefix) :])
    try:
        collected = Path(staticfiles_storage.path(name))
        if collected.is_file():
            return collected
    except (NotImplementedError, SuspiciousFileOperation, ValueError):
        pass
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found and Path(found).is_file() else None


_lock = threading.Lock()
_executor = None
_waiting = threading.BoundedSemaphore(MAX_WAITING)


def _printer():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brief-pdf")
        return _executor


def print_brief(html, url, contents, anchors, paper):
    """The PDF of the brief ``html`` (rendered with ``contents``' markers), as served at
    ``url``, its contents numbered with the page of each of ``anchors``. Raises PdfError."""
    if not _waiting.acquire(blocking=False):
        raise PdfBusy("Other briefs are being printed; try again in a minute.")
    try:
        future = _printer().submit(_print, html, url, contents, anchors, PAPERS[paper])
    except BaseException:
        _waiting.release()
        raise
    future.add_done_callback(lambda _: _waiting.release())
    try:
        return future.result(timeout=TIMEOUT)
    except FutureTimeout as error:
        raise PdfBusy("Printing the brief took too long; try again in a minute.") from error


def _print(html, url, contents, anchors, paper):
    """In the printer's thread: Chromium prints until the numbers are those of the pages."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    served = {"html": ""}
    page_path = urlsplit(url).path

    def serve(route):
        request_url = urlsplit(route.request.url)
        if request_url.path == page_path and route.request.resource_type == "document":
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=served["html"])
        path = static_file(request_url.path)
        if path is None:
            return route.abort()
        return route.fulfill(path=str(path))

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=settings.BRIEF_PDF_CHROMIUM, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_context(java_script_enabled=False).new_page()
                page.route("**/*", serve)
                numbers = [0] * len(anchors)
                for _ in range(MAX_PASSES):
                    served["html"] = contents.fill(html, numbers)
                    page.goto(url, wait_until="load")
                    pdf = page.pdf(format=paper, outline=True, tagged=True)
                    found = starting_pages(pdf, anchors)
                    if found == numbers:
                        return pdf
                    numbers = found
            finally:
                browser.close()
    except PlaywrightError as error:
        raise PdfError("The PDF printer failed; print the brief from your browser instead.") from error
    raise PdfError("The brief's pages kept moving; print it from your browser instead.")
