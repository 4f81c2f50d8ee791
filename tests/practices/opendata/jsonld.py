"""JSON-LD read by a real processor (pyld), without the network.

Pages say ``"@context": "https://schema.org"``; a processor fetches that context to expand
the terms. The tests must not reach the internet, so pyld gets a document loader that
answers that one URL with a small context bundled here: schema.org's own rule, every term
a schema.org IRI (``@vocab``), plus the terms whose values are links (``@type: @id``), as
the real context declares them. Any other URL is refused, so a page that named another
context would fail the test rather than go online.
"""

import json
import re

from pyld import jsonld

SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": "http://schema.org/",
        "schema": "http://schema.org/",
        "url": {"@id": "schema:url", "@type": "@id"},
        "license": {"@id": "schema:license", "@type": "@id"},
        "contentUrl": {"@id": "schema:contentUrl", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    }
}
CONTEXTS = {"https://schema.org": SCHEMA_ORG_CONTEXT, "https://schema.org/": SCHEMA_ORG_CONTEXT}


def loader(url, options=None):
    if url not in CONTEXTS:
        raise jsonld.JsonLdError(f"No network in tests: {url}", "jsonld.LoadDocumentError")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXTS[url]}


LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def blocks(response):
    """The JSON-LD blocks of a page, parsed."""
    return [json.loads(text) for text in LD_SCRIPT.findall(response.content.decode())]


def expand(response):
    """Every JSON-LD block of a page, expanded (a list of nodes)."""
    return [node for block in blocks(response) for node in jsonld.expand(block, {"documentLoader": loader})]
