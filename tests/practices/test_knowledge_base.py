"""The seed knowledge base: provenance, completeness, and a loader that respects curators."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict
from reversion.models import Revision

from practices import backup
from practices.loading import load_knowledge_base
from practices.models import (
    Citation,
    Meeting,
    Organisation,
    Practice,
    Theme,
    ThesaurusEntry,
)
from practices.search.page import SearchPage
from sources.models import SourceDocument

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FIXTURE = FIXTURES / "knowledge_base.json"
RECORDS = json.loads(FIXTURE.read_text(encoding="utf-8"))


def fixture_records(model):
    return [record["fields"] for record in RECORDS if record["model"] == model]


# --- The fixture itself (no database needed) -----------------------------------------


def test_every_excerpt_is_verbatim_at_its_stored_position_in_the_fixture():
    texts = {doc["slug"]: doc["text"] for doc in fixture_records("sources.sourcedocument")}
    citations = fixture_records("practices.citation")
    assert len(citations) >= 200
    for citation in citations:
        text = texts[citation["source"][0]]
        assert (
            text[citation["start"] : citation["start"] + len(citation["excerpt"])] == citation["excerpt"]
        ), citation["practice"]


def test_stored_texts_are_the_cleaned_seed_texts():
    for document in fixture_records("sources.sourcedocument"):
        cleaned = (FIXTURES / "source_texts" / f"{document['slug']}.txt").read_text(encoding="utf-8")
        assert document["text"] == cleaned


def test_fixture_is_rebuilt_from_the_extraction_files(tmp_path):
    """Editors change fixtures/extraction/*.json; the committed fixture must follow."""
    rebuilt = tmp_path / "knowledge_base.json"
    call_command("build_seed_fixtures", output=str(rebuilt), stdout=open("/dev/null", "w"))
    assert json.loads(rebuilt.read_text(encoding="utf-8")) == RECORDS, (
        "fixtures/knowledge_base.json is stale: run `manage.py build_seed_fixtures`"
    )


def test_summaries_are_our_own_words_not_copies_of_the_source():
    texts = [doc["text"] for doc in fixture_records("sources.sourcedocument")]
    for practice in fixture_records("practices.practice"):
        summary = practice["summary"].strip()
        assert not any(summary in text for text in texts), practice["slug"]


# --- Loaded into the database ----------------------------------------------------------


pytestmark = pytest.mark.django_db


def test_fixture_loads_every_record(knowledge_base):
    assert Practice.objects.count() == len(fixture_records("practices.practice")) >= 100
    assert SourceDocument.objects.count() == 5
    assert Citation.objects.count() == len(fixture_records("practices.citation"))
    assert Practice.objects.published().count() == Practice.objects.count()
    assert set(knowledge_base.by_model()["practices.practice"]) == {"created"}


def test_every_loaded_citation_is_verbatim_in_its_document(knowledge_base):
    for citation in Citation.objects.select_related("source"):
        assert citation.source.has_passage_at(citation.excerpt, citation.start), citation


def test_every_practice_has_a_citation_an_objective_and_countries_where_its_scope_needs_them(knowledge_base):
    assert not Practice.objects.filter(citations__isnull=True).exists()
    assert not Practice.objects.filter(objective_links__isnull=True).exists()
    assert not Practice.objects.filter(objective_links__is_primary=True).count() < Practice.objects.count()
    needs_country = ["local", "national", "bilateral"]
    assert not Practice.objects.filter(scope__in=needs_country, country_links__isnull=True).exists()


def test_every_document_is_cited_and_tied_to_its_meeting(knowledge_base):
    for document in SourceDocument.objects.all():
        assert document.citations.count() >= 20, document
        assert document.meetings.exists(), document


def test_every_seeded_thesaurus_entry_passes_the_admins_checks(knowledge_base):
    # A curator saving a seeded entry must not meet an error the seed put there ("on their
    # own" has no word the search can use).
    for entry in ThesaurusEntry.objects.all():
        entry.full_clean()


def test_summaries_and_markdown_are_rendered(knowledge_base):
    practice = Practice.objects.get(slug="seasonal-agricultural-workers-program-canada-mexico")
    assert practice.summary_html.startswith("<p>")


def test_loading_twice_changes_nothing(knowledge_base):
    before = {model: model.objects.count() for model in (Practice, Citation, Organisation, Meeting, Theme)}
    revisions = Revision.objects.count()  # the knowledge base's and the thesaurus's loads
    report = load_knowledge_base(FIXTURE)
    assert {outcome for counts in report.by_model().values() for outcome in counts} == {"unchanged"}
    assert {model: model.objects.count() for model in before} == before
    assert Revision.objects.count() == revisions  # the second load wrote no new version


def test_a_curators_edit_survives_a_reload_unless_forced(knowledge_base):
    practice = Practice.objects.get(slug="seasonal-agricultural-workers-program-canada-mexico")
    practice.title = "SAWP (curated title)"
    practice.save()
    report = load_knowledge_base(FIXTURE)
    practice.refresh_from_db()
    assert practice.title == "SAWP (curated title)"
    assert (
        "practices.practice",
        "kept",
        '["seasonal-agricultural-workers-program-canada-mexico"]',
    ) in report.kept

    load_knowledge_base(FIXTURE, force=True)
    practice.refresh_from_db()
    assert practice.title == "Seasonal Agricultural Workers Program"


def test_loading_is_not_a_change_and_seed_practices_are_dated_by_their_sources(
    knowledge_base, client, tmp_path
):
    assert not Practice.objects.filter(edited_at__isnull=False).exists()
    # A reload that refreshes a practice (the fixture changed) is not a change by hand either.
    slug = "seasonal-agricultural-workers-program-canada-mexico"
    changed = [
        {**r, "fields": {**r["fields"], "summary": "Refreshed by the loader."}}
        if r["model"] == "practices.practice" and r["fields"]["slug"] == slug
        else r
        for r in RECORDS
    ]
    refreshed = tmp_path / "knowledge_base.json"
    refreshed.write_text(json.dumps(changed), encoding="utf-8")
    load_knowledge_base(refreshed)
    practice = Practice.objects.get(slug=slug)
    assert practice.summary == "Refreshed by the loader." and practice.edited_at is None

    page = client.get(practice.get_absolute_url()).text
    assert "Not changed since it was drawn from its source" in page
    assert "undated, for a meeting in November 2010" in page  # the GFMD 2010 background paper
    bib = client.get(f"/practices/{slug}/cite.bib").content.decode()
    assert "year = {2010}" in bib  # its source's, whenever the database was loaded
    load_knowledge_base(FIXTURE)


def test_a_practice_a_curator_deleted_is_not_brought_back(knowledge_base):
    Practice.objects.get(slug="brazil-regularization-2009").delete()
    report = load_knowledge_base(FIXTURE)
    assert not Practice.objects.filter(slug="brazil-regularization-2009").exists()
    assert ("practices.practice", "kept-deleted", '["brazil-regularization-2009"]') in report.kept


def test_records_dropped_from_the_fixture_are_reported_not_deleted(knowledge_base, tmp_path):
    smaller = tmp_path / "knowledge_base.json"
    smaller.write_text(
        json.dumps([r for r in RECORDS if r["fields"].get("slug") != "local-authorities"]), encoding="utf-8"
    )
    report = load_knowledge_base(smaller)
    assert ("practices.theme", '["local-authorities"]') in report.dropped
    assert Theme.objects.filter(slug="local-authorities").exists()


def test_the_command_reports_progress_and_kept_records(knowledge_base, capsys):
    Practice.objects.filter(slug="rabat-process").update(summary="Edited by a curator.")
    call_command("load_knowledge_base")
    output = capsys.readouterr().out
    assert "practices.practice:" in output
    assert "rabat-process" in output and "changed in the admin" in output
    assert Practice.objects.get(slug="rabat-process").summary == "Edited by a curator."


def test_data_quality_report_shows_every_document_and_no_blocking_gap(knowledge_base, capsys):
    call_command("data_quality_report")
    output = capsys.readouterr().out
    for document in SourceDocument.objects.all():
        assert document.title[:40] in output
    assert "Practices without a citation: 0" in output
    assert "Practices without a GCM objective: 0" in output


# --- Spot checks a reader can follow ---------------------------------------------------


def countries_of(slug):
    return {(link.country.iso3, link.role) for link in Practice.objects.get(slug=slug).country_links.all()}


def meetings_of(slug):
    return set(Practice.objects.get(slug=slug).meetings.values_list("slug", flat=True))


def sources_of(slug):
    return set(Citation.objects.filter(practice__slug=slug).values_list("source__slug", flat=True))


def test_spot_check_gfmd_2010_background_paper(knowledge_base):
    slug = "seasonal-agricultural-workers-program-canada-mexico"
    assert {("CAN", "destination"), ("MEX", "origin")} <= countries_of(slug)
    assert "gfmd-2010-mexico" in meetings_of(slug)
    assert "SAWP" in Practice.objects.get(slug=slug).alias_list
    assert ("BRA", "destination") in countries_of("brazil-regularization-2009") or (
        "BRA" in {iso3 for iso3, _ in countries_of("brazil-regularization-2009")}
    )
    assert "41,816" in Practice.objects.get(slug="brazil-regularization-2009").results


def test_spot_check_icmpd_input(knowledge_base):
    assert "MIEUX" in Practice.objects.get(slug="mieux-migration-eu-expertise").alias_list
    assert Practice.objects.get(slug="rabat-process").practice_type == "dialogue"
    assert "icmpd-input-tenth-coordination-meeting-2012" in sources_of("budapest-process")
    assert "FIIAPP" in set(Organisation.objects.values_list("acronym", flat=True))


def test_spot_check_gcm_slides(knowledge_base):
    slug = "portugal-national-support-centres-integration-migrants-cnaim"
    assert "CNAIM" in Practice.objects.get(slug=slug).alias_list
    assert "PRT" in {iso3 for iso3, _ in countries_of(slug)}
    assert (
        Practice.objects.get(
            slug="international-convention-on-the-protection-of-the-rights-of-all-migrant-workers"
        ).practice_type
        == "instrument"
    )


def test_a_practice_presented_by_two_documents_is_one_practice_citing_both(knowledge_base):
    assert len(sources_of("rabat-process")) >= 2
    titles = list(Practice.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))


def test_spot_check_gfmd_2011_cluster_ii_report(knowledge_base):
    assert ("ECU", "implementing") in countries_of("casas-del-migrante-ecuador")
    assert "gfmd-2011-thematic-meeting-san-salvador" in meetings_of("casas-del-migrante-ecuador")
    slug = "zimbabwe-south-africa-regularisation-agreement-zimbabwean-workers"
    assert {("ZWE", "origin"), ("ZAF", "destination")} <= countries_of(slug)
    assert Practice.objects.get(slug=slug).practice_type == "regularisation"
    san_salvador = Meeting.objects.get(slug="gfmd-2011-thematic-meeting-san-salvador")
    assert san_salvador.participants == 73
    assert set(san_salvador.co_chair_countries.values_list("iso3", flat=True)) == {"SLV", "MEX"}


def test_spot_check_un_desa_2004_note(knowledge_base):
    assert "RCM" in Practice.objects.get(slug="puebla-process").alias_list
    assert {"MEX", "USA", "CAN"} <= {iso3 for iso3, _ in countries_of("puebla-process")}
    assert "un-csocd-42nd-session-2004" in meetings_of("puebla-process")
    convention = Practice.objects.get(slug="ilo-convention-97-migration-for-employment")
    assert convention.practice_type == "instrument"
    assert "C97" in convention.alias_list


def test_a_backup_restores_the_seed_knowledge_base_its_searches_and_the_loaders_memory(
    knowledge_base, tmp_path
):
    """The issue: restored with dumpdata and loaddata, `workers` in Mexico found 33 practices
    rather than 4 until the index was rebuilt by hand. A backup restored with --replace gives
    back every row and the same results, and the loader still knows a curator's edit."""
    curated = Practice.objects.get(slug="seasonal-agricultural-workers-program-canada-mexico")
    curated.title = "SAWP (curated title)"
    curated.save()
    searches = [
        "q=workers&country=MEX",
        "q=seasonal+workers",
        "q=legal+status+for+people+without+papers",  # the thesaurus
        "q=remittances&region=americas",
        "q=seasonal+workrs",  # the known words
        "q=%22Casas+del+Migrante%22",
        "country=PHL&objective=5",
    ]

    def state():
        counts = {label: apps.get_model(label)._default_manager.count() for label in backup.LABELS}
        found = {}
        for querystring in searches:
            page = SearchPage(QueryDict(querystring))
            found[querystring] = (page.total, page.ordered_ids(20))
        return counts, found

    before = state()
    assert before[1]["q=workers&country=MEX"][0] == 4
    path = tmp_path / "kb.json.gz"
    call_command("export_knowledge_base", str(path), stdout=open("/dev/null", "w"))
    call_command("import_knowledge_base", str(path), replace=True, stdout=open("/dev/null", "w"))
    assert state() == before
    report = load_knowledge_base(FIXTURE)
    assert [(outcome, key) for _, outcome, key in report.kept] == [
        ("kept", '["seasonal-agricultural-workers-program-canada-mexico"]')
    ]
    assert Practice.objects.get(pk=curated.pk).title == "SAWP (curated title)"
