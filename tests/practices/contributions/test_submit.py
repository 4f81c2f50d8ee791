"""'Submit a practice' and 'My submissions': what a contributor can do, and nothing more."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.contributions.models import Contribution
from practices.models import Citation, Practice, ReviewEvent
from tests.factories import PracticeFactory
from tests.practices.contributions.helpers import PDF_PASSAGE, pdf_upload, submission

pytestmark = pytest.mark.django_db

SUBMIT = reverse("contributions:submit")


@pytest.fixture
def contributor_client(client, contributor):
    client.force_login(contributor)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(SUBMIT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contributions:login"))
    assert client.get(reverse("contributions:mine")).status_code == 302


def test_submit_page_is_a_labelled_form(contributor_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = contributor_client.get(SUBMIT)
    assert response.status_code == 200
    html = response.text
    for label in [
        "Title",
        "Summary",
        "Country 1",
        "Role of country 1",
        "GCM objectives",
        "Quoted passage",
        "PDF document",
    ]:
        assert label in html
    assert 'enctype="multipart/form-data"' in html


def test_a_passage_of_a_known_document_goes_to_review_at_once(
    contributor_client, contributor, source_document
):
    excerpt = "Seasonal Agricultural Workers Program (SAWP)"
    data = submission(source_document=str(source_document.pk), passage=excerpt)
    response = contributor_client.post(SUBMIT, data, follow=True)
    assert "is with the reviewers" in response.text
    practice = Practice.objects.get(title="Kenya Labour Migration Desk")
    assert practice.status == "review" and practice.author == contributor
    citation = practice.citations.get()
    assert source_document.text[citation.start : citation.end] == excerpt
    assert practice.country_links.get().country.iso3 == "KEN"
    assert ReviewEvent.objects.filter(practice=practice, kind="submitted").exists()
    # Nothing public yet.
    assert contributor_client.get(practice.get_absolute_url()).status_code == 404


def test_line_breaks_copied_from_a_pdf_still_match_and_the_document_words_are_stored(
    contributor_client, source_document
):
    data = submission(
        source_document=str(source_document.pk), passage="Seasonal  Agricultural\nWorkers Program"
    )
    contributor_client.post(SUBMIT, data)
    citation = Citation.objects.get()
    assert citation.excerpt == "Seasonal Agricultural Workers Program"


def test_a_passage_not_in_the_document_is_refused_and_nothing_is_saved(contributor_client, source_document):
    data = submission(source_document=str(source_document.pk), passage="Kenya invented the labour desk.")
    response = contributor_client.post(SUBMIT, data)
    assert response.status_code == 200
    assert "This passage is not in “Irregular Migration Report”" in response.text
    assert 'href="#field-passage"' in response.text  # the banner links to the field
    assert not Practice.objects.exists() and not Contribution.objects.exists()


def test_a_pdf_upload_lands_as_a_draft_in_the_queue_stored_privately(
    contributor_client, contributor, private_media
):
    data = submission(
        "upload", source_file=pdf_upload(), source_title="Desk report 2023", passage=PDF_PASSAGE
    )
    response = contributor_client.post(SUBMIT, data, follow=True)
    assert "A curator adds its source" in response.text
    contribution = Contribution.objects.get()
    assert contribution.practice.status == "draft"
    assert contribution.source_filename == "desk-report.pdf"
    stored = private_media / contribution.source_file.name
    assert stored.read_bytes().startswith(b"%PDF-")
    assert "desk-report" not in contribution.source_file.name  # our name, not the sender's


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf at all"), "This file is not a PDF"),
        (SimpleUploadedFile("report.pdf", b"%PDF-1.4\n garbage \x00\x01"), "could not be read"),
        (SimpleUploadedFile("report.pdf", b""), "empty"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused(contributor_client, upload, message):
    data = submission("upload", source_file=upload, passage=PDF_PASSAGE)
    response = contributor_client.post(SUBMIT, data)
    assert response.status_code == 200
    assert message in response.text
    assert not Practice.objects.exists()


def test_a_passage_not_in_the_pdf_is_refused(contributor_client):
    data = submission("upload", source_file=pdf_upload(), passage="a sentence the PDF never says")
    response = contributor_client.post(SUBMIT, data)
    assert "This passage is not in the text of the PDF" in response.text
    assert not Practice.objects.exists()


def test_an_oversize_upload_is_refused_with_the_limit(contributor_client, settings):
    settings.SUBMISSION_MAX_UPLOAD_MB = 1
    big = pdf_upload(" ".join(["registered 12,000 workers before departure in 2023"] * 30000))
    assert big.size > 1024 * 1024
    response = contributor_client.post(SUBMIT, submission("upload", source_file=big, passage=PDF_PASSAGE))
    assert "the limit is 1 MB" in response.text
    assert not Practice.objects.exists()


def test_a_request_far_over_the_limit_is_refused_whole(contributor_client, settings):
    settings.SUBMISSION_MAX_UPLOAD_MB = 1
    blob = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * (2300 * 1024))
    response = contributor_client.post(SUBMIT, submission("upload", source_file=blob, passage=PDF_PASSAGE))
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert not Practice.objects.exists()


def test_a_double_submit_makes_one_practice(contributor_client, source_document):
    data = submission(
        source_document=str(source_document.pk), passage="Seasonal Agricultural Workers Program"
    )
    contributor_client.post(SUBMIT, data)
    response = contributor_client.post(SUBMIT, data, follow=True)
    assert "was already received" in response.text
    assert Practice.objects.count() == 1 and Contribution.objects.count() == 1


def test_missing_pieces_are_named_beside_their_fields(contributor_client):
    data = submission(title="", objectives=[], source_document="", passage="x")
    response = contributor_client.post(SUBMIT, data)
    assert response.status_code == 200
    html = response.text
    assert 'href="#field-title"' in html and 'href="#field-objectives"' in html
    assert "Choose the document the passage comes from." in html


def test_my_submissions_shows_only_mine_with_the_reviewers_comments(
    contributor_client,
    contributor,
    other_contributor,
    source_document,
    reviewers,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    from practices import workflow

    contributor_client.post(
        SUBMIT,
        submission(source_document=str(source_document.pk), passage="Seasonal Agricultural Workers Program"),
    )
    mine = Practice.objects.get()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        workflow.request_changes(mine, reviewers[0], "Please give the year the desk opened.")
    theirs = PracticeFactory(status="draft", title="Bruno's secret draft")
    Contribution.objects.create(
        practice=theirs,
        author=other_contributor,
        source_kind="url",
        source_url="https://example.org/x",
        passage="p",
    )
    with django_assert_max_num_queries(8):
        response = contributor_client.get(reverse("contributions:mine"))
    assert "Kenya Labour Migration Desk" in response.text
    assert "Please give the year the desk opened." in response.text
    assert "Changes requested" in response.text
    assert "Bruno" not in response.text
    other = Contribution.objects.get(author=other_contributor)
    assert contributor_client.get(reverse("contributions:edit", args=[other.pk])).status_code == 404
    assert (
        contributor_client.post(
            reverse("contributions:reply", args=[other.pk]), {"comment": "hi"}
        ).status_code
        == 404
    )
    assert contributor_client.get(reverse("contributions:download", args=[other.pk])).status_code == 404
    # The author was told by email.
    assert any("changes requested" in m.subject for m in mail.outbox if m.to == ["amina@example.org"])


def test_the_author_answers_and_edits_which_starts_a_new_round(
    contributor_client, source_document, reviewers
):
    from django.db import transaction

    from practices import workflow

    contributor_client.post(
        SUBMIT,
        submission(source_document=str(source_document.pk), passage="Seasonal Agricultural Workers Program"),
    )
    practice = Practice.objects.get()
    contribution = practice.contribution
    with transaction.atomic():
        workflow.request_changes(practice, reviewers[0], "Which year did it open?")
    contributor_client.post(
        reverse("contributions:reply", args=[contribution.pk]), {"comment": "It opened in 2019."}
    )
    assert ReviewEvent.objects.filter(
        practice=practice, kind="comment", comment="It opened in 2019."
    ).exists()
    edit = submission(title="Kenya Labour Migration Desk (2019)")
    response = contributor_client.post(
        reverse("contributions:edit", args=[contribution.pk]), edit, follow=True
    )
    assert "Your changes" in response.text
    practice.refresh_from_db()
    assert practice.title == "Kenya Labour Migration Desk (2019)"
    assert practice.status == "review"  # resubmitted: a new round for the reviewers


def test_a_published_submission_cannot_be_edited_by_its_author(contributor_client, contributor):
    practice = PracticeFactory(status="published", author=contributor)
    contribution = Contribution.objects.create(
        practice=practice, author=contributor, source_kind="document", passage="p"
    )
    response = contributor_client.post(
        reverse("contributions:edit", args=[contribution.pk]), submission(title="Changed")
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title != "Changed"


def test_download_is_an_attachment_for_the_author_and_reviewers_only(
    client, contributor, other_contributor, reviewers
):
    client.force_login(contributor)
    client.post(SUBMIT, submission("upload", source_file=pdf_upload(), passage=PDF_PASSAGE))
    contribution = Contribution.objects.get()
    url = reverse("contributions:download", args=[contribution.pk])
    for user, allowed in [(contributor, True), (reviewers[0], True), (other_contributor, False)]:
        client.force_login(user)
        response = client.get(url)
        assert (response.status_code == 200) is allowed
        if allowed:
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
