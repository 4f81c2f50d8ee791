"""A contributor in Chromium: signs in, submits a practice with a PDF, finds it on "My
submissions"; the pages are accessible (axe-core) and fit a 375px phone."""

import re

import pytest

from practices.contributions.accounts import create_contributor
from practices.models import Practice
from tests.practices.contributions.pdfs import make_pdf

pytestmark = pytest.mark.django_db(transaction=True)

PDF_TEXT = (
    "The Kenya Labour Migration Desk registered 12,000 workers before departure in 2023, "
    "and checked every recruiter licence for the agencies it worked with."
)


def test_a_contributor_submits_a_practice_with_a_pdf(page, tmp_path, settings, serious_axe_violations):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    pdf = tmp_path / "desk-report.pdf"
    pdf.write_bytes(make_pdf(PDF_TEXT))
    create_contributor("lena", "lena@example.org", "a-long-pass-phrase-9")

    page.goto("/contribute/")
    page.wait_for_url(re.compile(r"/account/sign-in/"))
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill("a-long-pass-phrase-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/contribute/$"))
    assert serious_axe_violations(page) == []

    page.get_by_label("Title", exact=True).fill("Kenya Labour Migration Desk")
    page.get_by_label("Summary", exact=True).fill("A desk that registers workers before they leave.")
    page.get_by_label("Type", exact=True).select_option("service")
    page.get_by_label("Scope", exact=True).select_option("national")
    page.get_by_label("Country 1", exact=True).select_option(label="Kenya")
    page.get_by_label("Role of country 1").select_option("origin")
    page.get_by_label("6. Facilitate fair and ethical recruitment", exact=False).check()
    page.get_by_label("A PDF I upload").check()
    page.get_by_label("PDF document").set_input_files(str(pdf))
    page.get_by_label("Title of the document").fill("Desk report 2023")
    # Copied from a PDF viewer: a line break where the PDF wrapped the line.
    page.get_by_label("Quoted passage").fill("registered 12,000 workers before\ndeparture in 2023")
    page.get_by_role("button", name="Submit the practice").click()
    page.wait_for_url(re.compile(r"/contribute/mine/$"))

    assert page.get_by_role("heading", name="Kenya Labour Migration Desk").is_visible()
    assert "A curator adds its source" in page.content()
    assert Practice.objects.get().status == "draft"
    assert serious_axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ["/contribute/mine/", "/contribute/"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
