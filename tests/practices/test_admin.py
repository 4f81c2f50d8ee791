import pytest
from django.urls import reverse

from practices.models import Citation, Practice
from tests.factories import PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db


def practice_form(source, excerpt, **overrides):
    """The POST body of the admin's add-practice page, inlines included."""
    data = {
        "title": "Card for Frontier Workers",
        "slug": "card-for-frontier-workers",
        "aliases": "FMTF",
        "summary": "A document letting Guatemalan workers take jobs in Mexico's border states.",
        "description": "",
        "practice_type": "tool",
        "scope": "bilateral",
        "status": "draft",
        "start_year": "2008",
        "end_year": "",
        "results": "",
        "outside_facts": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "1",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-source": str(source.pk),
        "citations-0-excerpt": excerpt,
        "citations-0-label": "Section 4 d)",
        "country_links-TOTAL_FORMS": "1",
        "country_links-INITIAL_FORMS": "0",
        "country_links-MIN_NUM_FORMS": "0",
        "country_links-MAX_NUM_FORMS": "1000",
        "country_links-0-country": "MEX",
        "country_links-0-role": "destination",
        "objective_links-TOTAL_FORMS": "1",
        "objective_links-INITIAL_FORMS": "0",
        "objective_links-MIN_NUM_FORMS": "1",
        "objective_links-MAX_NUM_FORMS": "1000",
        "objective_links-0-objective": "",
        "objective_links-0-is_primary": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def form_data():
    from practices.models import Country, GcmObjective

    source = SourceDocumentFactory()
    mexico = Country.objects.get(iso3="MEX")
    objective = GcmObjective.objects.get(number=5)

    def build(excerpt, **overrides):
        data = practice_form(source, excerpt, **overrides)
        data["country_links-0-country"] = str(mexico.pk)
        data["objective_links-0-objective"] = str(objective.pk)
        return data

    build.source = source
    return build


def test_curator_sees_the_practice_list_add_and_change_pages(curator_client):
    practice = PracticeFactory(title="Seasonal Agricultural Workers Program")
    response = curator_client.get(reverse("admin:practices_practice_changelist"))
    assert response.status_code == 200
    assert "Seasonal Agricultural Workers Program" in response.text
    assert curator_client.get(reverse("admin:practices_practice_add")).status_code == 200
    response = curator_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    assert response.status_code == 200
    assert "View on site" in response.text
    for filter_query in [
        "status__exact=published",
        "region=Americas",
        "practice_type__exact=programme",
        "q=Seasonal",
    ]:
        response = curator_client.get(reverse("admin:practices_practice_changelist") + "?" + filter_query)
        assert response.status_code == 200
        assert "Seasonal Agricultural Workers Program" in response.text


def test_curator_creates_a_practice_with_a_citation(curator_client, form_data):
    excerpt = "Seasonal Agricultural Workers Program (SAWP)"
    response = curator_client.post(reverse("admin:practices_practice_add"), form_data(excerpt))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    practice = Practice.objects.get(slug="card-for-frontier-workers")
    citation = practice.citations.get()
    assert form_data.source.text[citation.start : citation.start + len(excerpt)] == excerpt
    assert practice.updated_by.username == "curator"
    assert practice.country_links.get().country.iso3 == "MEX"


def test_excerpt_not_in_the_source_is_refused_and_nothing_is_saved(curator_client, form_data):
    response = curator_client.post(
        reverse("admin:practices_practice_add"), form_data("Mexico invented the frontier worker card.")
    )
    assert response.status_code == 200
    assert "not found verbatim" in response.text
    assert not Practice.objects.filter(slug="card-for-frontier-workers").exists()
    assert not Citation.objects.exists()


def test_a_draft_without_any_citation_is_saved(curator_client, form_data):
    # Drafts are free: work in progress is kept (publishing is strict, see test_workflow).
    data = form_data("x", **{"citations-TOTAL_FORMS": "0", "objective_links-TOTAL_FORMS": "0"})
    response = curator_client.post(reverse("admin:practices_practice_add"), data)
    assert response.status_code == 302
    practice = Practice.objects.get(slug="card-for-frontier-workers")
    assert practice.status == "draft" and not practice.citations.exists()
    assert practice.author.username == "curator"


def test_publish_review_and_unpublish_actions(curator_client, settings):
    settings.REVIEW_APPROVALS_REQUIRED = 0  # a secretariat that publishes without peer review
    drafts = [PracticeFactory(status="draft"), PracticeFactory(status="draft")]
    url = reverse("admin:practices_practice_changelist")
    ids = [str(p.pk) for p in drafts]
    curator_client.post(url, {"action": "send_to_review", "_selected_action": ids})
    assert set(Practice.objects.values_list("status", flat=True)) == {"review"}
    curator_client.post(url, {"action": "publish", "_selected_action": ids})
    assert Practice.objects.published().count() == 2
    curator_client.post(url, {"action": "unpublish", "_selected_action": ids[:1]})
    assert Practice.objects.published().count() == 1


def test_publish_refuses_a_practice_without_citation(curator_client, settings):
    settings.REVIEW_APPROVALS_REQUIRED = 0
    incomplete = PracticeFactory(status="draft", citation=False)
    response = curator_client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": "publish", "_selected_action": [str(incomplete.pk)]},
        follow=True,
    )
    assert "Add at least one citation: a published practice must cite its source." in response.text
    incomplete.refresh_from_db()
    assert incomplete.status == "draft"


def test_changes_are_kept_as_versions(curator_client, form_data):
    from reversion.models import Version

    curator_client.post(
        reverse("admin:practices_practice_add"), form_data("Seasonal Agricultural Workers Program (SAWP)")
    )
    practice = Practice.objects.get(slug="card-for-frontier-workers")
    assert Version.objects.get_for_object(practice).count() == 1
    history = curator_client.get(reverse("admin:practices_practice_history", args=[practice.pk]))
    assert history.status_code == 200


def test_staff_member_outside_the_curators_group_cannot_edit(client, staff_without_group):
    practice = PracticeFactory()
    client.force_login(staff_without_group)
    assert client.get(reverse("admin:practices_practice_change", args=[practice.pk])).status_code == 403
    assert client.get(reverse("admin:practices_practice_add")).status_code == 403
    response = client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]), {"title": "Hacked"}
    )
    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.title != "Hacked"


def test_curators_group_cannot_manage_users_or_delete_practices(curators_group):
    codenames = set(curators_group.permissions.values_list("codename", flat=True))
    assert {"add_practice", "change_practice", "add_citation", "change_sourcedocument"} <= codenames
    assert "delete_practice" not in codenames
    assert not any(name.endswith("_user") or name.endswith("_group") for name in codenames)
    assert "change_country" not in codenames


def test_source_text_is_read_only_once_cited(curator_client):
    practice = PracticeFactory()
    source = practice.citations.get().source
    response = curator_client.get(reverse("admin:sources_sourcedocument_change", args=[source.pk]))
    assert response.status_code == 200
    assert 'name="text"' not in response.text


def test_an_admin_save_indexes_the_practice_once_when_it_commits(
    curator_client, form_data, django_capture_on_commit_callbacks, monkeypatch
):
    """Practice row, country link, objective link, citation, organisations: one refresh of
    the practice and one change of the facet token, when the transaction commits."""
    from django.db import connection

    from practices.models import Organisation, SearchIndexVersion
    from practices.search import indexing

    refreshed, bumps = [], []
    real_refresh, real_bump = indexing.refresh, SearchIndexVersion.bump
    monkeypatch.setattr(indexing, "refresh", lambda ids: refreshed.append(set(ids)) or real_refresh(ids))
    monkeypatch.setattr(SearchIndexVersion, "bump", classmethod(lambda cls: bumps.append(1) or real_bump()))
    organisations = [
        Organisation.objects.create(name=f"Desk {n}", slug=f"desk-{n}", kind="government") for n in range(2)
    ]
    data = form_data("Seasonal Agricultural Workers Program (SAWP)")
    data["organisations"] = [str(o.pk) for o in organisations]
    # The organisations' own writes, as if committed before the curator saves: indexed, and
    # their commit callback gone (the test's transaction never commits).
    indexing.flush()
    connection.run_on_commit.clear()
    refreshed.clear(), bumps.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = curator_client.post(reverse("admin:practices_practice_add"), data)
        assert refreshed == [] and bumps == []  # nothing before the commit
    assert response.status_code == 302, response.context["adminform"].form.errors
    practice = Practice.objects.get(slug="card-for-frontier-workers")
    assert len(callbacks) == 1
    assert refreshed == [{practice.pk}]
    assert len(bumps) == 1
    # What the refresh derived: the organisation names and the excerpt are searchable text.
    practice.refresh_from_db()
    assert "Desk 1" in practice.search_related and "SAWP" in practice.search_related
    assert {"organisation:desk-0", "country:MEX", "objective:5"} <= set(practice.facet_keys)


def test_the_migration_dates_earlier_changes_from_the_history_without_the_loaders(curator):
    import datetime
    from importlib import import_module

    import reversion
    from django.apps import apps
    from reversion.models import Revision

    edited, loaded, published, cited = PracticeFactory.create_batch(4)

    def revision(objects, when, user=None, comment=""):
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(comment)
            for obj in objects:
                reversion.add_to_revision(obj)
        Revision.objects.filter(pk=Revision.objects.latest("pk").pk).update(
            date_created=datetime.datetime(*when, tzinfo=datetime.UTC)
        )

    revision([edited, loaded, published, cited], (2026, 12, 1), comment="Loaded from the seed fixtures")
    revision([edited], (2027, 1, 5), curator)
    revision([edited], (2027, 1, 3), curator)
    revision([published], (2027, 2, 1), curator, "Status set to “Published” from the list.")
    revision([cited.citations.get()], (2027, 3, 1), curator)

    import_module("practices.migrations.0013_practice_edited_at").from_history(apps, None)

    dates = {p.pk: p.edited_at for p in Practice.objects.all()}
    assert dates[edited.pk] == datetime.datetime(2027, 1, 5, tzinfo=datetime.UTC)
    assert dates[loaded.pk] is None and dates[published.pk] is None
    assert dates[cited.pk] == datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC)
