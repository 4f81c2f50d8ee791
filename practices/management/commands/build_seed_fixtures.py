"""Build fixtures/knowledge_base.json from the editors' extraction files.

Inputs: fixtures/extraction/NNN.json (one per seed document, see SCHEMA.md there) and
the cleaned texts in fixtures/source_texts/. Output: one Django JSON fixture with
natural keys, in dependency order, that `load_knowledge_base` loads.

Entries with the same slug in several files are one record: lists are united,
citations from every file kept, and the first non-empty value of other fields wins.
Every citation excerpt is located in its document's cleaned text here; one that is
not found verbatim stops the build.
"""

import csv
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from practices.data.gcm import GUIDING_PRINCIPLES
from practices.models import (
    CountryRole,
    MeetingKind,
    MeetingSeries,
    OrganisationKind,
    PracticeScope,
    PracticeType,
)
from sources.models import SourceDocument

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
COUNTRIES_CSV = Path(settings.BASE_DIR) / "practices" / "data" / "countries.csv"


def merge(target, incoming, list_fields):
    for key, value in incoming.items():
        if key in list_fields:
            for item in value or []:
                if item not in target.setdefault(key, []):
                    target[key].append(item)
        elif target.get(key) in (None, "", []) and value not in (None, "", []):
            target[key] = value
    return target


class Command(BaseCommand):
    help = "Build fixtures/knowledge_base.json from fixtures/extraction/*.json and fixtures/source_texts/."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(FIXTURES / "knowledge_base.json"))

    def handle(self, *args, output, **options):
        self.errors = []
        with COUNTRIES_CSV.open(encoding="utf-8") as handle:
            self.countries = {row["iso3"] for row in csv.DictReader(handle)}
        self.principles = {slug for slug, _name in GUIDING_PRINCIPLES}

        sources, organisations, meetings, practices = {}, {}, {}, {}
        texts = {}
        for path in sorted((FIXTURES / "extraction").glob("[0-9][0-9][0-9].json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            source = data["source"]
            slug = source["slug"]
            text_path = FIXTURES / "source_texts" / f"{slug}.txt"
            if not text_path.exists():
                raise CommandError(f"{path.name}: no cleaned text at {text_path}")
            texts[slug] = text_path.read_text(encoding="utf-8")
            sources[slug] = source
            for organisation in data.get("organisations", []):
                merge(organisations.setdefault(organisation["slug"], {}), organisation, set())
            for meeting in data.get("meetings", []):
                merge(
                    meetings.setdefault(meeting["slug"], {}),
                    meeting,
                    {
                        "host_countries",
                        "co_chair_countries",
                        "co_chair_organisations",
                        "supporting_organisations",
                    },
                )
            for practice in data.get("practices", []):
                for citation in practice.get("citations", []):
                    citation["source"] = slug
                merge(
                    practices.setdefault(practice["slug"], {"citations": []}),
                    {k: v for k, v in practice.items() if k != "gcm_objectives"},
                    {
                        "aliases",
                        "countries",
                        "organisations",
                        "guiding_principles",
                        "themes",
                        "meetings",
                        "citations",
                    },
                )
                objectives = practices[practice["slug"]].setdefault("objectives", {})
                for number in practice.get("gcm_objectives", {}).get("primary", []):
                    objectives[number] = True
                for number in practice.get("gcm_objectives", {}).get("secondary", []):
                    objectives.setdefault(number, False)
            self.stdout.write(f"{path.name}: {len(data.get('practices', []))} practices")

        fixture = []
        fixture += [self.source_object(source, texts[slug]) for slug, source in sorted(sources.items())]
        fixture += [self.organisation_object(o) for _slug, o in sorted(organisations.items())]
        themes = sorted({theme for practice in practices.values() for theme in practice.get("themes", [])})
        fixture += [
            {"model": "practices.theme", "fields": {"slug": slugify(theme), "name": theme}}
            for theme in themes
        ]
        for slug, meeting in sorted(meetings.items()):
            documents = [[s] for s, source in sorted(sources.items()) if slug in source.get("meetings", [])]
            fixture.append(self.meeting_object(meeting, documents, organisations))
        for _slug, practice in sorted(practices.items()):
            fixture += self.practice_objects(practice, texts, organisations, meetings)

        for item in fixture:
            self.check_lengths(item)
        if self.errors:
            raise CommandError(f"{len(self.errors)} problem(s):\n" + "\n".join(self.errors))
        Path(output).write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        counts = {}
        for item in fixture:
            counts[item["model"]] = counts.get(item["model"], 0) + 1
        for model, count in counts.items():
            self.stdout.write(f"  {model}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))

    def require(self, condition, message):
        if not condition:
            self.errors.append(message)

    def check_lengths(self, item):
        """PostgreSQL enforces max_length (SQLite does not): catch it here, on both."""
        model = apps.get_model(item["model"])
        for name, value in item["fields"].items():
            limit = getattr(model._meta.get_field(name), "max_length", None)
            if isinstance(value, str) and limit and len(value) > limit:
                self.errors.append(f"{item['model']} {name} longer than {limit}: {value[:60]!r}")

    def country(self, iso3, where):
        self.require(iso3 in self.countries, f"{where}: unknown country code {iso3!r}")
        return [iso3]

    def source_object(self, source, text):
        document_type = source["document_type"]
        self.require(
            document_type in SourceDocument.DocumentType.values, f"{source['slug']}: bad document_type"
        )
        return {
            "model": "sources.sourcedocument",
            "fields": {
                "slug": source["slug"],
                "title": source["title"],
                "publisher": source["publisher"],
                "publication_date": source.get("publication_date"),
                "document_type": document_type,
                "language": source.get("language", "en"),
                "original_filename": source.get("original_filename", ""),
                "text": text,
                "outside_facts": source.get("outside_facts", ""),
            },
        }

    def organisation_object(self, organisation):
        slug = organisation["slug"]
        self.require(organisation.get("kind") in OrganisationKind.values, f"organisation {slug}: bad kind")
        country = organisation.get("country")
        return {
            "model": "practices.organisation",
            "fields": {
                "slug": slug,
                "name": organisation["name"],
                "acronym": organisation.get("acronym") or "",
                "kind": organisation.get("kind"),
                "country": self.country(country, f"organisation {slug}") if country else None,
                "outside_facts": organisation.get("outside_facts") or "",
            },
        }

    def meeting_object(self, meeting, documents, organisations):
        slug = meeting["slug"]
        self.require(meeting.get("series") in MeetingSeries.values, f"meeting {slug}: bad series")
        self.require(meeting.get("kind") in MeetingKind.values, f"meeting {slug}: bad kind")
        for key in ("co_chair_organisations", "supporting_organisations"):
            for organisation in meeting.get(key, []):
                self.require(
                    organisation in organisations, f"meeting {slug}: undeclared organisation {organisation}"
                )
        country = meeting.get("country")
        return {
            "model": "practices.meeting",
            "fields": {
                "slug": slug,
                "name": meeting["name"],
                "series": meeting.get("series"),
                "kind": meeting.get("kind"),
                "city": meeting.get("city") or "",
                "country": self.country(country, f"meeting {slug}") if country else None,
                "start_date": meeting.get("start_date"),
                "end_date": meeting.get("end_date"),
                "participants": meeting.get("participants"),
                "outside_facts": meeting.get("outside_facts") or "",
                "host_countries": sorted(self.country(c, slug) for c in meeting.get("host_countries", [])),
                "co_chair_countries": sorted(
                    self.country(c, slug) for c in meeting.get("co_chair_countries", [])
                ),
                "co_chair_organisations": sorted([o] for o in meeting.get("co_chair_organisations", [])),
                "supporting_organisations": sorted([o] for o in meeting.get("supporting_organisations", [])),
                "source_documents": documents,
            },
        }

    def practice_objects(self, practice, texts, organisations, meetings):
        slug = practice["slug"]
        where = f"practice {slug}"
        self.require(practice.get("practice_type") in PracticeType.values, f"{where}: bad practice_type")
        self.require(practice.get("scope") in PracticeScope.values, f"{where}: bad scope")
        self.require(practice.get("citations"), f"{where}: no citation")
        self.require(practice.get("objectives"), f"{where}: no GCM objective")
        for organisation in practice.get("organisations", []):
            self.require(organisation in organisations, f"{where}: undeclared organisation {organisation}")
        for meeting in practice.get("meetings", []):
            self.require(meeting in meetings, f"{where}: undeclared meeting {meeting}")
        for principle in practice.get("guiding_principles", []):
            self.require(principle in self.principles, f"{where}: unknown principle {principle}")
        ongoing = bool(practice.get("ongoing")) and not practice.get("end_year")
        objects = [
            {
                "model": "practices.practice",
                "fields": {
                    "slug": slug,
                    "title": practice["title"],
                    "aliases": "\n".join(practice.get("aliases", [])),
                    "summary": practice["summary"],
                    "description": practice.get("description") or "",
                    "practice_type": practice.get("practice_type"),
                    "scope": practice.get("scope"),
                    "start_year": practice.get("start_year"),
                    "end_year": practice.get("end_year"),
                    "ongoing": ongoing,
                    "results": practice.get("results") or "",
                    "status": "published",
                    "outside_facts": practice.get("outside_facts") or "",
                    "organisations": sorted([o] for o in practice.get("organisations", [])),
                    "principles": sorted([p] for p in practice.get("guiding_principles", [])),
                    "themes": sorted([slugify(t)] for t in practice.get("themes", [])),
                    "meetings": sorted([m] for m in practice.get("meetings", [])),
                },
            }
        ]
        roles = set()
        for link in practice.get("countries", []):
            self.require(link.get("role") in CountryRole.values, f"{where}: bad role {link.get('role')}")
            roles.add((link["iso3"], link["role"]))
        for iso3, role in sorted(roles):
            objects.append(
                {
                    "model": "practices.practicecountry",
                    "fields": {"practice": [slug], "country": self.country(iso3, where), "role": role},
                }
            )
        for number, is_primary in sorted(practice.get("objectives", {}).items()):
            self.require(1 <= int(number) <= 23, f"{where}: objective {number} out of range")
            objects.append(
                {
                    "model": "practices.practiceobjective",
                    "fields": {"practice": [slug], "objective": [int(number)], "is_primary": is_primary},
                }
            )
        seen = set()
        for citation in practice.get("citations", []):
            text, excerpt = texts[citation["source"]], citation["excerpt"]
            start = -1
            for _ in range(citation.get("occurrence", 0) + 1):
                start = text.find(excerpt, start + 1)
            if start == -1 or not excerpt:
                self.errors.append(f"{where}: excerpt not found verbatim: {excerpt[:80]!r}")
                continue
            if (citation["source"], start) in seen:
                continue
            seen.add((citation["source"], start))
            objects.append(
                {
                    "model": "practices.citation",
                    "fields": {
                        "practice": [slug],
                        "source": [citation["source"]],
                        "excerpt": excerpt,
                        "start": start,
                        "label": citation.get("label") or "",
                    },
                }
            )
        return objects
