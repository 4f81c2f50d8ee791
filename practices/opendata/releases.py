"""Numbered bulk releases of the published knowledge base (``manage.py build_data_release``).

A release is a directory ``DATA_RELEASES_DIR/<number>/`` holding:

- ``gfmd-kb-<n>.json``: everything in one JSON document, in the API's shapes (practices as
  ``/api/v1/practices/<slug>/`` gives them, documents, vocabularies);
- ``gfmd-kb-<n>-csv.zip``: practices, citations, countries (with roles), objectives and
  documents as CSV, with a README and a data dictionary;
- ``changes.csv``: the practices added, changed and removed since the previous release;
- ``SHA256SUMS`` (``sha256sum -c`` reads it) and ``manifest.json``, which the /data/ page
  reads: the number, date, counts, files with sizes and checksums, and the licence;
- ``digests.csv``: each practice's SHA-256 by slug, what the next release compares with.

Memory stays bounded whatever the size: practices are read in batches of ``BATCH`` by
primary key (in slug order, one query per batch plus the prefetches), each is written to
the JSON file and the CSV files as it is read and then dropped, and the change list is a
merge of two slug-sorted digest files, never two dictionaries in memory. The release is
built in a scratch directory and renamed into place, so /data/ never lists half a release.

When nothing changed since the latest release (the same fingerprint: the SHA-256 of
everything but the release's own number and date), no release is made.
"""

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models.functions import Collate
from django.utils import timezone

from practices.models import CountryRole, PracticeScope, PracticeType
from practices.opendata import shapes
from sources.models import SourceDocument

BATCH = 1000
JSON_NAME = "gfmd-kb-{n}.json"
ZIP_NAME = "gfmd-kb-{n}-csv.zip"
CHANGES_NAME = "changes.csv"
MANIFEST = "manifest.json"
DIGESTS = "digests.csv"
SUMS = "SHA256SUMS"

# The CSV tables: {file: [(column, description)]}. The data dictionary is written from it.
TABLES = {
    "practices.csv": [
        ("slug", "Identifier of the practice; its page is <site>/practices/<slug>/."),
        ("title", "Title."),
        ("url", "The practice's page on the site."),
        ("summary", "One to three sentences in our own words (Markdown)."),
        ("description", "Longer account in our own words (Markdown); may be empty."),
        ("results", "Results and figures the sources state (Markdown); may be empty."),
        ("type", "Kind of practice: " + ", ".join(v for v, _ in PracticeType.choices) + "."),
        ("scope", "Geographical scope: " + ", ".join(v for v, _ in PracticeScope.choices) + "."),
        ("start_year", "Year it started; empty if unknown."),
        ("end_year", "Year it ended; empty if unknown or ongoing."),
        ("ongoing", "true if still running at the time of the latest source."),
        ("period", "The period as the site shows it, e.g. 2006–ongoing."),
        ("aliases", "Other names and acronyms, separated by ' | '."),
        ("principles", "Slugs of the GCM guiding principles, separated by ' | '."),
        ("themes", "Slugs of the themes, separated by ' | '."),
        ("organisations", "Slugs of the organisations involved, separated by ' | '."),
        ("meetings", "Slugs of the meetings it was presented at, separated by ' | '."),
        ("published_at", "When it was first published (ISO 8601, UTC)."),
        ("edited_at", "A curator's last change (ISO 8601, UTC); empty if none since it was drawn."),
    ],
    "citations.csv": [
        ("practice", "Slug of the practice (practices.csv)."),
        ("document", "Slug of the source document (documents.csv)."),
        ("start", "Character offset of the excerpt in the document's text."),
        ("end", "Offset just past the excerpt: text[start:end] is the excerpt."),
        ("label", "Page or section, e.g. 'p. 9'; may be empty."),
        ("excerpt", "Verbatim from the document (© its publisher; quoted with credit)."),
        ("url", "The passage highlighted in the site's document reader."),
    ],
    "countries.csv": [
        ("practice", "Slug of the practice."),
        ("iso3", "ISO 3166-1 alpha-3 code of the country."),
        ("country", "Name of the country."),
        ("role", "Its role: " + ", ".join(v for v, _ in CountryRole.choices) + "."),
    ],
    "objectives.csv": [
        ("practice", "Slug of the practice."),
        ("number", "Number of the Global Compact for Migration objective (1-23)."),
        ("title", "Official title of the objective."),
        ("primary", "true for the practice's primary objective."),
    ],
    "documents.csv": [
        ("slug", "Identifier of the document."),
        ("title", "Title."),
        ("publisher", "Organisation that published it (credit excerpts to it)."),
        ("publication_date", "ISO date; empty if undated."),
        ("type", "Kind of document."),
        ("language", "BCP 47 language code."),
        ("url", "The document in the site's reader (its full text is in the API)."),
    ],
}

CHANGE_KINDS = ("added", "changed", "removed")


@dataclass
class Release:
    number: int
    path: Path
    manifest: dict

    @property
    def files(self):
        return self.manifest["files"]

    def file(self, name):
        return next((f for f in self.files if f["name"] == name), None)


def releases_dir():
    return Path(settings.DATA_RELEASES_DIR)


def all_releases():
    """Every release on disk, the latest first (directories with a manifest only)."""
    root = releases_dir()
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        if entry.name.isdigit() and (entry / MANIFEST).is_file():
            manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
            found.append(Release(int(entry.name), entry, manifest))
    return sorted(found, key=lambda release: release.number, reverse=True)


def latest_release():
    releases = all_releases()
    return releases[0] if releases else None


class HashingWriter:
    """A text file that also feeds what is written to a SHA-256 (the fingerprint)."""

    def __init__(self, handle, digest):
        self.handle, self.digest = handle, digest

    def write(self, text):
        self.digest.update(text.encode())
        self.handle.write(text)


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _csv_value(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def _practice_rows(shape):
    """The CSV rows of one practice's shape: {table: [row, ...]}."""
    joined = " | ".join
    return {
        "practices.csv": [
            [
                shape["slug"],
                shape["title"],
                shape["url"],
                shape["summary"],
                shape["description"],
                shape["results"],
                shape["type"],
                shape["scope"],
                shape["period"]["start_year"],
                shape["period"]["end_year"],
                shape["period"]["ongoing"],
                shape["period"]["text"],
                joined(shape["aliases"]),
                joined(p["slug"] for p in shape["principles"]),
                joined(t["slug"] for t in shape["themes"]),
                joined(o["slug"] for o in shape["organisations"]),
                joined(m["slug"] for m in shape["meetings"]),
                shape["published_at"],
                shape["edited_at"],
            ]
        ],
        "citations.csv": [
            [shape["slug"], c["document"]["slug"], c["start"], c["end"], c["label"], c["excerpt"], c["url"]]
            for c in shape["citations"]
        ],
        "countries.csv": [[shape["slug"], c["iso3"], c["name"], c["role"]] for c in shape["countries"]],
        "objectives.csv": [
            [shape["slug"], o["number"], o["title"], o["primary"]] for o in shape["objectives"]
        ],
    }


def practice_shapes(absolute):
    """Every published practice's detail shape, in slug order, read ``BATCH`` at a time."""
    # Byte order on both databases (PostgreSQL's default collation ignores hyphens), the
    # order Python compares slugs in when the change list merges two releases' digests.
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    published = (
        shapes.published_practices().alias(slug_bytes=Collate("slug", collation)).order_by("slug_bytes")
    )
    last = None
    while True:
        batch = published if last is None else published.filter(slug_bytes__gt=last)
        batch = list(batch.only(*shapes.DETAIL_FIELDS)[:BATCH])
        if not batch:
            return
        yield from shapes.practice_details(batch, absolute)
        last = batch[-1].slug


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_digests(path):
    """(slug, digest, title) rows of a digests file, in slug order; nothing if none."""
    if path is None or not path.is_file():
        return
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            yield row[0], row[1], row[2]


def diff_digests(previous, current):
    """Merge two slug-sorted digest streams: (slug, title, change) of each difference."""
    old, new = iter(previous), iter(current)
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[0], a[2], "removed"
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            yield b[0], b[2], "added"
            b = next(new, None)
        else:
            if a[1] != b[1]:
                yield b[0], b[2], "changed"
            a, b = next(old, None), next(new, None)


def build_release(site_url=None, force=False, now=None):
    """Build the next release; return it, or None when nothing changed since the latest
    (unless ``force``)."""
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    root = releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    previous = latest_release()
    number = previous.number + 1 if previous else 1
    now = now or timezone.now()
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        release = _write_release(scratch, number, previous, site_url, now)
        if previous and not force and release["fingerprint"] == previous.manifest.get("fingerprint"):
            shutil.rmtree(scratch)
            return None
        os.chmod(scratch, 0o755)
        scratch.rename(root / str(number))
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Release(number, root / str(number), release)


def _write_release(directory, number, previous, site_url, now):
    def absolute(path):
        return f"{site_url}{path}"

    json_name, zip_name = JSON_NAME.format(n=number), ZIP_NAME.format(n=number)
    fingerprint = hashlib.sha256()
    counts = {"practices": 0, "citations": 0, "documents": 0}
    tables = directory / "tables"
    tables.mkdir()
    handles = {name: open(tables / name, "w", newline="", encoding="utf-8") for name in TABLES}
    try:
        writers = {name: csv.writer(handle) for name, handle in handles.items()}
        for name, columns in TABLES.items():
            writers[name].writerow([column for column, _ in columns])
        with (
            open(directory / json_name, "w", encoding="utf-8") as raw,
            open(directory / DIGESTS, "w", newline="", encoding="utf-8") as digests_file,
        ):
            digests = csv.writer(digests_file)
            digests.writerow(["slug", "sha256", "title"])
            header = {
                "release": number,
                "date": now.date().isoformat(),
                "site": site_url,
                "api": f"{site_url}/api/v1/",
                "licence": shapes.LICENCE,
            }
            raw.write("{" + _dumps("release") + ":" + _dumps(header) + ",\n")
            out = HashingWriter(raw, fingerprint)
            out.write('"practices":[')
            for index, shape in enumerate(practice_shapes(absolute)):
                text = _dumps(shape)
                out.write(("\n," if index else "\n") + text)
                digests.writerow([shape["slug"], hashlib.sha256(text.encode()).hexdigest(), shape["title"]])
                for name, rows in _practice_rows(shape).items():
                    writers[name].writerows([[_csv_value(v) for v in row] for row in rows])
                counts["practices"] += 1
                counts["citations"] += len(shape["citations"])
            out.write("\n]")
            documents = SourceDocument.objects.defer("text", "outside_facts").order_by("slug")
            out.write(',\n"documents":[')
            for index, document in enumerate(documents.iterator()):
                shape = shapes.document_shape(document, absolute)
                out.write(("\n," if index else "\n") + _dumps(shape))
                writers["documents.csv"].writerow(
                    [_csv_value(shape[key]) for key in ("slug", "title", "publisher", "publication_date")]
                    + [shape["type"], shape["language"], shape["url"]]
                )
                counts["documents"] = index + 1
            out.write("\n]")
            for name, (queryset, shape) in shapes.VOCABULARIES.items():
                rows = [shape(row, absolute) for row in queryset()]
                out.write(f',\n"{name}":' + _dumps(rows))
                counts[name] = len(rows)
            out.write("\n}\n")
    finally:
        for handle in handles.values():
            handle.close()

    # The change list: a merge of the previous release's digests and these, by slug.
    changes = dict.fromkeys(CHANGE_KINDS, 0)
    with open(directory / CHANGES_NAME, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["slug", "title", "change"])
        old = _read_digests(previous.path / DIGESTS if previous else None)
        for slug, title, change in diff_digests(old, _read_digests(directory / DIGESTS)):
            writer.writerow([slug, title, change])
            changes[change] += 1

    _write_zip(directory / zip_name, tables, number, now, counts)
    shutil.rmtree(tables)

    described = [
        (json_name, "application/json", "The whole knowledge base in one JSON document (the API's shapes)."),
        (zip_name, "application/zip", "CSV tables with a README and a data dictionary."),
        (CHANGES_NAME, "text/csv", "Practices added, changed and removed since the previous release."),
    ]
    files = [
        {
            "name": name,
            "media_type": media_type,
            "description": description,
            "bytes": (directory / name).stat().st_size,
            "sha256": _sha256_file(directory / name),
        }
        for name, media_type, description in described
    ]
    (directory / SUMS).write_text("".join(f"{f['sha256']}  {f['name']}\n" for f in files), encoding="utf-8")
    manifest = {
        "release": number,
        "date": now.date().isoformat(),
        "created_at": now.isoformat(timespec="seconds"),
        "previous": previous.number if previous else None,
        "site": site_url,
        "counts": counts,
        "changes": changes,
        "licence": shapes.LICENCE,
        "files": files,
        "fingerprint": fingerprint.hexdigest(),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


def readme(number, now, counts):
    return f"""Migration Practices Knowledge Base: release {number} ({now.date().isoformat()})
{"=" * 72}

{counts["practices"]} published practices, {counts["citations"]} citations,
{counts["documents"]} source documents.

Files (UTF-8 CSV, comma-separated, RFC 4180 quoting, one header row):
{chr(10).join(f"  {name}" for name in TABLES)}
  data-dictionary.csv  what each column means

Join the tables on the practice's slug (column "practice" in citations.csv,
countries.csv and objectives.csv) and the document's slug. Values are as stored:
Markdown in summary, description and results; excerpts verbatim, so that
text[start:end] of the document's text (in the API: /api/v1/documents/<slug>/?include=text)
is the excerpt. A cell may begin with "=" or "-": open the files in a spreadsheet with care.

Licence
-------
{shapes.LICENCE["text"]}
Licence text: {shapes.LICENCE["url"]}

Credit: "Migration Practices Knowledge Base, release {number} ({now.date().isoformat()})".
"""


def _write_zip(path, tables, number, now, counts):
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add_text(name, text):
            info = zipfile.ZipInfo(f"gfmd-kb-{number}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        add_text("README.txt", readme(number, now, counts))
        dictionary = io.StringIO()
        writer = csv.writer(dictionary)
        writer.writerow(["file", "column", "description"])
        for name, columns in TABLES.items():
            writer.writerows([name, column, description] for column, description in columns)
        add_text("data-dictionary.csv", dictionary.getvalue())
        for name in TABLES:
            # Copied from disk in blocks: a table is never held in memory whole.
            archive.write(tables / name, f"gfmd-kb-{number}/{name}")
