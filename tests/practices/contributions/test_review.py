"""Peer review: the queue, the rules of each step, and that nothing publishes without them."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from reversion.models import Version

from practices import workflow
from practices.contributions.models import Contribution
from practices.models import Practice, ReviewAssignment, ReviewEvent
from tests.factories import PracticeFactory
from tests.practices.contributions.conftest import make_reviewer
from tests.practices.contributions.helpers import PDF_PASSAGE, pdf_upload, submission
from tests.practices.test_admin import form_data  # noqa: F401 - the admin form fixture

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:practices_reviewqueue_changelist")


def review_url(practice):
    return reverse("admin:practices_reviewqueue_change", args=[practice.pk])


@pytest.fixture
def in_review(contributor):
    practice = PracticeFactory(status="draft", author=contributor, title="Migrant Resource Centre, Accra")
    with transaction.atomic():
        workflow.submit(practice, contributor)
    practice.refresh_from_db()
    return practice


def step(client, practice, **data):
    return client.post(review_url(practice), data, follow=True)


def test_the_queue_is_for_reviewers_only(client, contributor, staff_without_group, reviewers, in_review):
    client.force_login(contributor)
    response = client.get(QUEUE)
    assert (
        response.status_code == 302 and "/admin/login/" in response["Location"]
    )  # not staff: never the admin
    assert client.get(review_url(in_review)).status_code == 302
    client.force_login(staff_without_group)
    assert client.get(QUEUE).status_code == 403
    client.force_login(reviewers[0])
    response = client.get(QUEUE)
    assert response.status_code == 200 and "Migrant Resource Centre, Accra" in response.text


def test_the_queue_and_review_page_take_a_constant_number_of_queries(
    client, reviewers, in_review, contributor, django_assert_max_num_queries
):
    for n in range(5):
        practice = PracticeFactory(status="draft", author=contributor, title=f"Another desk {n}")
        with transaction.atomic():
            workflow.submit(practice, contributor)
            workflow.assign(practice, reviewers[1], reviewers[0])
    client.force_login(reviewers[0])
    with django_assert_max_num_queries(14):
        assert client.get(QUEUE).status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(review_url(in_review)).status_code == 200


def test_two_approvals_from_others_publish_and_every_step_is_recorded(
    client, reviewers, in_review, contributor, django_capture_on_commit_callbacks
):
    rita, sam = reviewers
    client.force_login(rita)
    with django_capture_on_commit_callbacks(execute=True):
        step(client, in_review, step="assign", reviewer=sam.pk)
        step(client, in_review, step="review", action="comment", comment="Which year did it open?")
        response = step(client, in_review, step="review", action="approve", comment="Matches the source.")
    assert "Approval recorded." in response.text
    in_review.refresh_from_db()
    assert in_review.status == "review"  # one of two
    client.force_login(sam)
    with django_capture_on_commit_callbacks(execute=True):
        response = step(client, in_review, step="review", action="approve", comment="")
    assert "The practice is published." in response.text
    in_review.refresh_from_db()
    assert in_review.status == "published" and in_review.published_at
    kinds = list(ReviewEvent.objects.filter(practice=in_review).values_list("kind", flat=True))
    assert kinds == ["submitted", "assigned", "comment", "approved", "approved", "published"]
    comments = [v.revision.comment for v in Version.objects.get_for_object(in_review)]
    assert any("Approved by rita: “Matches the source.”" in c for c in comments)
    assert any(c.startswith("Published by sam") for c in comments)
    # The author and the assigned reviewer were told.
    to_author = [m.subject for m in mail.outbox if m.to == [contributor.email]]
    assert any("reviewer assigned" in s for s in to_author) and any("published" in s for s in to_author)
    assert any("reviewer assigned" in m.subject for m in mail.outbox if m.to == [sam.email])
    assert all(rita.email not in m.to for m in mail.outbox if "approved" in m.subject and "rita" in m.body)


def test_a_reviewer_cannot_approve_their_own_work(client, reviewers):
    rita = reviewers[0]
    practice = PracticeFactory(status="draft", author=rita)
    with transaction.atomic():
        workflow.submit(practice, rita)
    client.force_login(rita)
    response = step(client, practice, step="review", action="approve", comment="Looks great")
    assert "You wrote this practice: you cannot approve it yourself." in response.text
    assert not ReviewEvent.objects.filter(kind="approved").exists()
    with pytest.raises(workflow.WorkflowError), transaction.atomic():
        workflow.assign(practice, rita, reviewers[1])


def test_one_reviewer_approving_twice_counts_once(reviewers, in_review):
    with transaction.atomic():
        workflow.approve(in_review, reviewers[0])
    with pytest.raises(workflow.WorkflowError, match="already approved"), transaction.atomic():
        workflow.approve(in_review, reviewers[0])
    in_review.refresh_from_db()
    assert in_review.status == "review"


def test_requesting_changes_needs_a_comment_and_makes_approvals_lapse(
    client, reviewers, in_review, contributor
):
    rita, sam = reviewers
    with transaction.atomic():
        workflow.approve(in_review, rita)
    client.force_login(sam)
    response = step(client, in_review, step="review", action="request_changes", comment="")
    assert "Say which changes you request" in response.text
    step(client, in_review, step="review", action="request_changes", comment="Add the year it opened.")
    in_review.refresh_from_db()
    assert in_review.status == "changes"
    with transaction.atomic():
        workflow.submit(in_review, contributor, "Added the year.")
        workflow.approve(in_review, sam)
    in_review.refresh_from_db()
    assert in_review.status == "review"  # rita's approval was for the earlier text


def test_a_contributor_is_never_a_reviewer(contributor, in_review):
    with pytest.raises(workflow.WorkflowError, match="Only reviewers"), transaction.atomic():
        workflow.approve(in_review, contributor)


def test_publishing_without_the_approvals_is_refused_by_every_admin_path(curator_client, curator, in_review):
    from tests.practices.test_admin import practice_form

    # The list action.
    changelist = reverse("admin:practices_practice_changelist")
    response = curator_client.post(
        changelist, {"action": "publish", "_selected_action": [in_review.pk]}, follow=True
    )
    assert "Publishing needs 2 approvals from reviewers other than the author" in response.text
    # The change form's status field.
    citation = in_review.citations.get()
    data = practice_form(
        citation.source, citation.excerpt, title=in_review.title, slug=in_review.slug, status="published"
    )
    data.update(
        {
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": str(citation.pk),
            "citations-0-practice": str(in_review.pk),
            "country_links-INITIAL_FORMS": "1",
            "country_links-0-id": str(in_review.country_links.get().pk),
            "country_links-0-country": str(in_review.country_links.get().country_id),
            "country_links-0-role": "origin",
            "objective_links-INITIAL_FORMS": "1",
            "objective_links-0-id": str(in_review.objective_links.get().pk),
            "objective_links-0-objective": str(in_review.objective_links.get().objective_id),
        }
    )
    response = curator_client.post(reverse("admin:practices_practice_change", args=[in_review.pk]), data)
    assert response.status_code == 200
    assert "Publishing needs 2 approvals" in response.text
    assert 'href="#id_status"' in response.text  # the banner links to the field
    # The workflow function itself (any other path).
    with pytest.raises(workflow.WorkflowError), transaction.atomic():
        workflow.publish(in_review, curator)
    in_review.refresh_from_db()
    assert in_review.status == "review"
    assert not Practice.objects.published().exists()


def test_the_admin_form_names_each_missing_piece_and_keeps_drafts_free(curator_client, form_data):  # noqa: F811
    empty = {
        "summary": "",
        "citations-TOTAL_FORMS": "0",
        "objective_links-TOTAL_FORMS": "0",
        "country_links-TOTAL_FORMS": "0",
    }
    response = curator_client.post(
        reverse("admin:practices_practice_add"), form_data("x", status="review", **empty)
    )
    assert response.status_code == 200
    html = response.text
    assert "Add at least one citation: a published practice must cite its source." in html
    assert "Add at least one GCM objective" in html
    assert "Add at least one country: a bilateral practice names the countries where it happens." in html
    assert "Write a summary" in html
    assert 'href="#citations-group"' in html and 'href="#id_summary"' in html
    assert "Please submit at least 1 form" not in html
    assert not Practice.objects.exists()
    # The same, as a draft: saved.
    response = curator_client.post(reverse("admin:practices_practice_add"), form_data("x", **empty))
    assert response.status_code == 302
    assert Practice.objects.get().status == "draft"


def test_rules_in_python_and_in_sql_agree():
    complete = PracticeFactory(status="draft")
    bare = PracticeFactory(status="draft", citation=False, objective=False, country=False, summary="")
    regional = PracticeFactory(status="draft", country=False, scope="regional")
    assert complete.publication_problems() == {} and regional.publication_problems() == {}
    assert set(bare.publication_problems()) == {"summary", "citations", "objectives", "countries"}
    breaking = set(Practice.objects.breaking_publication_rules().values_list("pk", flat=True))
    assert breaking == {bare.pk}


def test_the_loader_refuses_to_publish_a_practice_without_a_citation(tmp_path):
    import json

    from practices.loading import load_knowledge_base

    fixture = tmp_path / "bad.json"
    record = {
        "model": "practices.practice",
        "fields": {
            "title": "Uncited practice",
            "slug": "uncited-practice",
            "summary": "Nothing supports it.",
            "practice_type": "programme",
            "scope": "global",
            "status": "published",
        },
    }
    fixture.write_text(json.dumps([record]))
    with pytest.raises(ValueError, match="uncited-practice"):
        load_knowledge_base(fixture)
    assert not Practice.objects.filter(slug="uncited-practice").exists()


def test_a_curator_makes_an_uploaded_pdf_a_source_and_the_practice_goes_on(
    client, contributor, curator, reviewers, django_capture_on_commit_callbacks
):
    client.force_login(contributor)
    client.post(
        reverse("contributions:submit"),
        submission("upload", source_file=pdf_upload(), source_title="Desk report 2023", passage=PDF_PASSAGE),
    )
    practice = Practice.objects.get()
    assert practice.status == "draft"
    client.force_login(curator)
    response = client.get(QUEUE)
    assert "Kenya Labour Migration Desk" in response.text and "PDF to add" in response.text
    response = step(client, practice, step="make_source")
    assert "is now a source document" in response.text
    citation = practice.citations.get()
    assert citation.source.title == "Desk report 2023"
    assert citation.source.text[citation.start : citation.end] == PDF_PASSAGE
    assert Contribution.objects.get().curated_source == citation.source
    step(client, practice, step="submit")
    practice.refresh_from_db()
    assert practice.status == "review"
    # A reviewer may not make sources (least privilege).
    client.force_login(reviewers[0])
    response = step(client, practice, step="make_source")
    assert "That step is not yours to take." in response.text


def test_a_comment_by_the_author_in_the_queue_is_allowed_but_not_an_approval(client, reviewers):
    author = make_reviewer("tom")
    practice = PracticeFactory(status="draft", author=author)
    with transaction.atomic():
        workflow.submit(practice, author)
    client.force_login(author)
    step(client, practice, step="review", action="comment", comment="Sources added.")
    assert ReviewEvent.objects.filter(kind="comment", actor=author).exists()
    assert not ReviewAssignment.objects.exists()


def test_an_edit_by_the_author_during_review_starts_a_new_round(
    client, contributor, reviewers, source_document
):
    client.force_login(contributor)
    client.post(
        reverse("contributions:submit"),
        submission(source_document=str(source_document.pk), passage="Seasonal Agricultural Workers Program"),
    )
    practice = Practice.objects.get()
    with transaction.atomic():
        workflow.approve(practice, reviewers[0])
    response = client.post(
        reverse("contributions:edit", args=[practice.contribution.pk]),
        submission(title="Renamed desk"),
        follow=True,
    )
    assert "Your changes" in response.text
    practice.refresh_from_db()
    assert practice.title == "Renamed desk" and practice.status == "review"
    assert workflow.approver_ids(practice) == set()  # the approval was for the earlier text
