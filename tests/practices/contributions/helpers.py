import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from practices.models import Country, GcmObjective
from tests.practices.contributions.pdfs import make_pdf

PDF_TEXT = (
    "The Kenya Labour Migration Desk registered 12,000 workers before departure in 2023, "
    "and checked every recruiter licence for the agencies it worked with."
)
PDF_PASSAGE = "registered 12,000 workers before departure in 2023"


def submission(source_kind="document", **overrides):
    """The POST body of the "Submit a practice" form."""
    data = {
        "token": str(uuid.uuid4()),
        "title": "Kenya Labour Migration Desk",
        "summary": "A desk that registers workers before they leave and checks their recruiters.",
        "description": "",
        "practice_type": "service",
        "scope": "national",
        "objectives": [str(GcmObjective.objects.get(number=6).pk)],
        "start_year": "2019",
        "end_year": "",
        "results": "12,000 workers registered in 2023.",
        "countries-TOTAL_FORMS": "3",
        "countries-INITIAL_FORMS": "0",
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "30",
        "countries-0-country": str(Country.objects.get(iso3="KEN").pk),
        "countries-0-role": "origin",
        "countries-1-country": "",
        "countries-1-role": "",
        "countries-2-country": "",
        "countries-2-role": "",
        "source_kind": source_kind,
        "source_document": "",
        "source_url": "",
        "source_title": "",
        "passage": "",
    }
    data.update(overrides)
    return data


def pdf_upload(text=PDF_TEXT, name="desk-report.pdf"):
    return SimpleUploadedFile(name, make_pdf(text), content_type="application/pdf")
