"""Bulk releases: build_data_release, the files it writes, the change list, /data/."""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from pyld import jsonld

from practices.models import Practice
from practices.opendata import releases
from tests.factories import MeetingFactory, OrganisationFactory, PracticeFactory
from tests.practices.opendata.jsonld import expand, loader

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_RELEASES_DIR = tmp_path / "data"
    return settings.DATA_RELEASES_DIR


def build(**options):
    out = io.StringIO()
    call_command("build_data_release", stdout=out, site_url="https://kb.example.org", **options)
    return out.getvalue()


def zip_table(release, name):
    archive = zipfile.ZipFile(release.path / f"gfmd-kb-{release.number}-csv.zip")
    with archive.open(f"gfmd-kb-{release.number}/{name}") as handle:
        return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


def test_release_one_holds_the_published_knowledge_base(data_dir):
    kept = PracticeFactory(title="Seasonal workers", start_year=1974, ongoing=True)
    PracticeFactory(title="A draft", status=Practice.Status.DRAFT)
    assert "Release 1: 1 practices" in build()
    release = releases.latest_release()
    assert release.number == 1 and release.path == Path(data_dir) / "1"

    document = json.loads((release.path / "gfmd-kb-1.json").read_text(encoding="utf-8"))
    assert document["release"]["release"] == 1
    assert document["release"]["licence"]["name"] == "CC BY 4.0"
    [practice] = document["practices"]
    assert practice["slug"] == kept.slug
    assert practice["url"] == f"https://kb.example.org/practices/{kept.slug}/"
    citation = practice["citations"][0]
    source = kept.citations.get().source
    assert source.text[citation["start"] : citation["end"]] == citation["excerpt"]
    assert source.slug in {d["slug"] for d in document["documents"]}  # every document, as /sources/ lists
    assert len(document["objectives"]) == 23 and document["countries"]

    names = set(zipfile.ZipFile(release.path / "gfmd-kb-1-csv.zip").namelist())
    assert {f"gfmd-kb-1/{name}" for name in [*releases.TABLES, "README.txt", "data-dictionary.csv"]} == names
    [row] = zip_table(release, "practices.csv")
    assert row["slug"] == kept.slug and row["ongoing"] == "true" and row["period"] == "1974–ongoing"
    assert zip_table(release, "countries.csv") == [
        {"practice": kept.slug, "iso3": "MEX", "country": "Mexico", "role": "origin"}
    ]
    assert zip_table(release, "citations.csv")[0]["excerpt"] == citation["excerpt"]
    dictionary = zip_table(release, "data-dictionary.csv")
    assert {(r["file"], r["column"]) for r in dictionary} >= {
        ("citations.csv", "start"),
        ("practices.csv", "slug"),
    }
    archive = zipfile.ZipFile(release.path / "gfmd-kb-1-csv.zip")
    assert "CC BY 4.0" in archive.read("gfmd-kb-1/README.txt").decode()


def test_checksums_match_the_files(data_dir):
    PracticeFactory()
    build()
    release = releases.latest_release()
    sums = (release.path / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(release.files) == 3
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == digest
        assert release.file(name)["sha256"] == digest


def test_unchanged_data_makes_no_new_release_and_changes_are_listed(data_dir):
    first, second = PracticeFactory(title="First"), PracticeFactory(title="Second")
    build()
    assert "Nothing changed since release 1" in build()
    assert [r.number for r in releases.all_releases()] == [1]

    first.title = "First, renamed"
    first.save()
    second.delete()
    third = PracticeFactory(title="Third")
    assert "Release 2: 2 practices, 1 added, 1 changed, 1 removed" in build()
    release = releases.latest_release()
    assert release.manifest["previous"] == 1
    with open(release.path / "changes.csv", encoding="utf-8") as handle:
        changes = {row["slug"]: row["change"] for row in csv.DictReader(handle)}
    assert changes == {first.slug: "changed", second.slug: "removed", third.slug: "added"}
    assert build(force=True).startswith("Release 3")


def test_the_change_list_merges_in_byte_order():
    old = [("a-b", "1", "A-B"), ("ab", "1", "AB"), ("b", "1", "B")]
    new = [("a-b", "2", "A-B"), ("aa", "1", "AA"), ("b", "1", "B")]
    assert list(releases.diff_digests(old, new)) == [
        ("a-b", "A-B", "changed"),
        ("aa", "AA", "added"),
        ("ab", "AB", "removed"),
    ]


def test_the_data_page_lists_every_release_with_a_dataset(client, data_dir):
    assert "No release has been built yet" in client.get("/data/").content.decode()
    practice = PracticeFactory()
    build()
    practice.title = "Changed"
    practice.save()
    build()
    response = client.get("/data/")
    page = response.content.decode()
    assert "Release 2 (latest)" in page and "Release 1," in page
    latest = releases.latest_release()
    for file in latest.files:
        assert file["sha256"] in page
    dataset = expand(response)[0]
    schema = "http://schema.org/"
    assert dataset["@type"] == [f"{schema}Dataset"]
    distributions = dataset[f"{schema}distribution"]
    urls = {d[f"{schema}contentUrl"][0]["@id"] for d in distributions}
    assert "http://testserver/data/2/gfmd-kb-2.json" in urls
    assert dataset[f"{schema}license"][0]["@id"] == "https://creativecommons.org/licenses/by/4.0/"


def test_release_files_are_served_and_nothing_else(client, data_dir):
    PracticeFactory()
    build()
    response = client.get("/data/1/gfmd-kb-1.json", HTTP_ORIGIN="https://example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == releases.latest_release().file("gfmd-kb-1.json")["sha256"]
    assert client.get("/data/1/SHA256SUMS").status_code == 200
    assert client.get("/data/1/manifest.json")["Content-Type"] == "application/json"
    for path in ("/data/1/digests.csv", "/data/1/..%2F..%2Fsettings.py", "/data/2/gfmd-kb-2.json"):
        assert client.get(path).status_code == 404


def test_jsonld_expansion_uses_no_network():
    # The bundled context: pyld would fetch https://schema.org otherwise.
    document = {"@context": "https://schema.org", "@type": "Dataset", "name": "x"}
    expanded = jsonld.expand(document, {"documentLoader": loader})
    assert expanded[0]["@type"] == ["http://schema.org/Dataset"]


def test_a_release_holds_the_apis_own_shapes(client, data_dir):
    practice = PracticeFactory(aliases="SAWP")
    practice.organisations.add(OrganisationFactory(), OrganisationFactory())
    practice.meetings.add(MeetingFactory())
    call_command("build_data_release", stdout=io.StringIO(), site_url="http://testserver")
    document = json.loads((releases.latest_release().path / "gfmd-kb-1.json").read_text(encoding="utf-8"))
    assert document["practices"] == [client.get(f"/api/v1/practices/{practice.slug}/").json()]
    assert document["themes"] == client.get("/api/v1/themes/").json()["results"]
    assert document["documents"] == client.get("/api/v1/documents/").json()["results"]
