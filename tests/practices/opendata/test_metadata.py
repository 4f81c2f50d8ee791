"""What machines read: Highwire tags and JSON-LD on practice pages, sitemap.xml, robots.txt,
and RIS, BibTeX and Atom for one practice, a search's results and a brief, each read by a
real parser (rispy, bibtexparser v2, feedparser, pyld, an XML parser)."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import bibtexparser
import feedparser
import pytest
import rispy

from practices.models import Country, GcmObjective, Practice, Theme
from tests.factories import PracticeFactory, SourceDocumentFactory
from tests.practices.opendata.jsonld import blocks, expand

pytestmark = pytest.mark.django_db
SCHEMA = "http://schema.org/"


@pytest.fixture
def practice(db):
    source = SourceDocumentFactory(publisher="Global Forum on Migration and Development")
    practice = PracticeFactory(
        title="Seasonal Agricultural Workers Program", citation=source, start_year=1974, ongoing=True
    )
    practice.themes.add(Theme.objects.create(slug="labour-mobility", name="labour mobility"))
    return practice


class MetaTags(HTMLParser):
    """The page's <meta name=... content=...> as Zotero's Embedded Metadata translator
    collects them: by lower-cased name, every value of a repeated name kept, in order."""

    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") and "content" in attrs:
            self.tags.setdefault(attrs["name"].lower(), []).append(attrs["content"])


def meta_tags(response):
    parser = MetaTags()
    parser.feed(response.content.decode())
    return parser.tags


def test_practice_pages_carry_highwire_tags_zotero_reads(client, practice):
    response = client.get(practice.get_absolute_url())
    tags = meta_tags(response)
    url = f"http://testserver{practice.get_absolute_url()}"
    assert tags["citation_title"] == ["Seasonal Agricultural Workers Program"]
    assert tags["citation_author"] == ["Migration Practices Knowledge Base"]
    assert tags["citation_public_url"] == [url]
    assert tags["citation_keywords"] == ["labour mobility"]
    assert tags["citation_abstract"][0].startswith("A scheme that lets farm workers")
    # Highwire dates: YYYY/MM/DD, or the year alone (the source here is undated).
    for date in tags.get("citation_publication_date", []):
        assert re.fullmatch(r"\d{4}(/\d{2}/\d{2})?", date)


def test_highwire_date_is_the_sources_day(client, db):
    from datetime import date

    source = SourceDocumentFactory(publication_date=date(2010, 11, 8))
    practice = PracticeFactory(citation=source)
    tags = meta_tags(client.get(practice.get_absolute_url()))
    assert tags["citation_publication_date"] == ["2010/11/08"]


def test_practice_pages_describe_the_practice_in_json_ld(client, practice):
    practice.country_links.create(country=Country.objects.get(iso3="CAN"), role="destination")
    response = client.get(practice.get_absolute_url())
    [work] = expand(response)
    assert work["@type"] == [f"{SCHEMA}CreativeWork"]
    assert work["@id"] == f"http://testserver{practice.get_absolute_url()}"
    [document] = work[f"{SCHEMA}isBasedOn"]
    source = practice.citations.get().source
    assert document["@id"] == f"http://testserver{source.get_absolute_url()}"
    assert document[f"{SCHEMA}publisher"][0][f"{SCHEMA}name"][0]["@value"] == source.publisher
    about = {(node["@type"][0], node["@id"]) for node in work[f"{SCHEMA}about"]}
    assert (f"{SCHEMA}Country", "http://testserver/countries/MEX/") in about
    assert (f"{SCHEMA}Country", "http://testserver/countries/CAN/") in about
    assert (f"{SCHEMA}DefinedTerm", "http://testserver/objectives/5/") in about
    assert work[f"{SCHEMA}license"][0]["@id"] == "https://creativecommons.org/licenses/by/4.0/"


def test_json_ld_cannot_close_its_script_element(client, db):
    title = "Workers </script><script>alert(1)</script> & <!-- partners"
    practice = PracticeFactory(title=title)
    response = client.get(practice.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    [block] = blocks(response)
    assert block["name"] == title


def test_sitemap_lists_public_pages_only(client, practice, django_assert_max_num_queries):
    draft = PracticeFactory(status=Practice.Status.DRAFT)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    client.get("/robots.txt")  # the search index takes the factories' rows first
    with django_assert_max_num_queries(11):  # a count per kind of page, the latest change
        index = client.get("/sitemap.xml")
    sections = [loc.text for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", namespace)]
    assert "http://testserver/sitemap-practices.xml" in sections
    locations = set()
    for url in sections:
        with django_assert_max_num_queries(3):
            response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        locations |= {loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", namespace)}
    assert f"http://testserver{practice.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    source = practice.citations.get().source
    assert {
        "http://testserver/countries/MEX/",
        "http://testserver/objectives/5/",
        "http://testserver/practices/",
        "http://testserver/data/",
        f"http://testserver{source.get_absolute_url()}",
    } <= locations
    assert "http://testserver/countries/FRA/" not in locations  # no published practice


def test_the_data_page_reads_no_database(client, db, django_assert_max_num_queries, settings, tmp_path):
    settings.DATA_RELEASES_DIR = tmp_path
    with django_assert_max_num_queries(1):  # the page cache's version token, at most
        assert client.get("/data/").status_code == 200


def test_robots_txt(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.fixture
def three(db):
    objective = GcmObjective.objects.get(number=20)
    return [
        PracticeFactory(title="Remittance price comparison", objective=objective),
        PracticeFactory(title="Remittance fees cut", objective=objective),
        PracticeFactory(title="Pre-departure orientation"),
    ]


def test_ris_of_a_practice_a_search_and_a_brief(client, three):
    one = rispy.loads(client.get(f"{three[0].get_absolute_url()}cite.ris").content.decode())
    assert [entry["title"] for entry in one] == ["Remittance price comparison"]
    assert one[0]["type_of_reference"] == "ELEC"
    search = client.get("/practices/export.ris", {"objective": "20", "sort": "title"})
    assert search["Content-Type"].startswith("application/x-research-info-systems")
    entries = rispy.loads(search.content.decode())
    assert [entry["title"] for entry in entries] == ["Remittance fees cut", "Remittance price comparison"]
    assert entries[0]["urls"] == [f"http://testserver{three[1].get_absolute_url()}"]
    brief = client.get("/practices/brief/cite.ris", {"practice": [three[2].slug, three[0].slug]})
    assert [e["title"] for e in rispy.loads(brief.content.decode())] == [
        "Pre-departure orientation",
        "Remittance price comparison",
    ]


def test_bibtex_of_a_practice_a_search_and_a_brief(client, three):
    library = bibtexparser.parse_string(client.get(f"{three[0].get_absolute_url()}cite.bib").content.decode())
    assert library.failed_blocks == []
    assert [entry.key for entry in library.entries] == [f"kb:{three[0].slug}"]
    search = bibtexparser.parse_string(
        client.get("/practices/export.bib", {"objective": "20", "sort": "title"}).content.decode()
    )
    assert search.failed_blocks == [] and len(search.entries) == 2
    assert search.entries[0]["title"] == "{Remittance fees cut}"
    assert search.entries[0].entry_type == "misc"
    brief = bibtexparser.parse_string(
        client.get("/practices/brief/cite.bib", {"practice": [three[2].slug]}).content.decode()
    )
    assert [entry.key for entry in brief.entries] == [f"kb:{three[2].slug}"]


def test_a_search_with_unusable_filters_exports_no_references(client, three):
    assert client.get("/practices/export.ris", {"country": "XXX"}).status_code == 400


def test_the_brief_page_links_to_its_references(client, three):
    page = client.get("/practices/brief/", {"practice": [three[0].slug]}).content.decode()
    assert f'/practices/brief/cite.ris?practice={three[0].slug}"' in page
    assert f'/practices/brief/cite.bib?practice={three[0].slug}"' in page


def test_atom_feed_of_a_search(client, three):
    feed = feedparser.parse(client.get("/practices/feed/", {"objective": "20"}).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title.startswith("New practices:")
    assert sorted(entry.title for entry in feed.entries) == [
        "Remittance fees cut",
        "Remittance price comparison",
    ]
    assert {entry.link for entry in feed.entries} == {
        f"http://testserver{p.get_absolute_url()}" for p in three[:2]
    }


def test_practice_json_ld_is_json(client, practice):
    text = client.get(practice.get_absolute_url()).content.decode()
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert json.loads(raw)["@type"] == "CreativeWork"
