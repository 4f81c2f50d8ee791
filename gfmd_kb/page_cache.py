"""Whole pages cached for anonymous readers, and never stale.

Public pages change only when a curator changes something, and every such write changes
the knowledge base's version token (``practices.search.indexing`` bumps it once per
transaction, for practices, their links, vocabularies, source documents and the
thesaurus). The token is part of the cache key, so an edit is visible on the next request
in every process, whatever the cache backend: nothing has to be purged. Reading the token
is the one query a cached page costs.

What a cached page must not carry from the visitor it was rendered for:
- the CSRF token of its forms ("add to brief") is stored as a placeholder and filled in
  with the current visitor's token when served;
- the picks of a brief (a cookie) and today's date ("accessed on" in references) are in
  the key;
- pages with a flash message, and everyone with a session (curators: drafts, admin
  links), bypass the cache entirely.

Each response carries an ETag naming its key, so a browser that has the page is answered
304 Not Modified (``ConditionalGetMiddleware``) until the knowledge base changes.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from practices.picks import COOKIE as PICKS_COOKIE
from practices.search import indexing

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
# NUL bytes: never in a page we render (SafeInputMiddleware, the admin and PostgreSQL refuse them).
CSRF_PLACEHOLDER = b"\x00csrf\x00"
# The API answers each request itself, so that its per-client throttle counts every one;
# release files are streamed from disk.
NOT_CACHED_PATHS = ("/admin/", "/static/", "/api/", "/data/")
CACHED_TYPES = (
    "text/html",
    "application/json",
    "text/csv",
    "application/atom+xml",
    "application/x-research-info-systems",
    "application/x-bibtex",
)
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def cacheable(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(NOT_CACHED_PATHS)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request, token):
    parts = [
        token,
        request.scheme,
        request.get_host(),
        request.path,
        request.GET.urlencode(),
        request.COOKIES.get(PICKS_COOKIE, ""),
        timezone.localdate().isoformat(),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class PageCacheMiddleware:
    """Serves anonymous GETs from the cache (see the module docstring). Last in MIDDLEWARE,
    so that every other middleware's headers apply to cached responses too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not cacheable(request):
            return self.get_response(request)
        token = indexing.current_token()
        if token is None:  # a database nothing has indexed yet: no version to key pages by
            return self.get_response(request)
        key = page_key(request, token)
        stored = caches[settings.PAGE_CACHE].get(key)
        if stored is not None:
            response, state = self.rebuild(request, stored), "hit"
        else:
            response, state = self.get_response(request), "miss"
            if not self.store(request, key, response):
                return response
        response["ETag"] = f'"{key[5:37]}"'
        response["X-Page-Cache"] = state
        return response

    def store(self, request, key, response):
        """Keep ``response`` under ``key`` if it is a public page; whether it was kept."""
        content_type = response.get("Content-Type", "").split(";")[0]
        cache_control = response.get("Cache-Control", "")
        if (
            # A page with a CSP nonce is valid only with this response's header.
            getattr(request, "_csp_nonce", None)
            or response.status_code != 200
            or response.streaming
            or content_type not in CACHED_TYPES
            or response.cookies  # set for this visitor only
            or "private" in cache_control
            or "no-store" in cache_control
        ):
            return False
        content = CSRF_INPUT.sub(lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(2), response.content)
        stored = {
            "content": content,
            "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            "csrf": content != response.content,
        }
        caches[settings.PAGE_CACHE].set(key, stored, settings.PAGE_CACHE_SECONDS)
        return True

    def rebuild(self, request, stored):
        content = stored["content"]
        if stored["csrf"]:
            # This visitor's own token (and its cookie, set by CsrfViewMiddleware if new).
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content)
        for name, value in stored["headers"].items():
            response[name] = value
        return response
