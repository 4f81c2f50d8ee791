"""The brief as a PDF the site prints with Chromium: its contents give the page each practice
starts on, checked in the PDF itself with pdftotext, on A4 and Letter."""

import re

import pytest
from django.urls import reverse

from tests.browser.test_print import FORMATS, flat, pdf_pages, realistic_practice, words_outside

pytestmark = pytest.mark.django_db(transaction=True)

PDF = reverse("practices:brief-pdf")


def contents_numbers(pages):
    """The page numbers the contents give, in order: the number ending each entry's last line
    between "Contents" and the link to the brief, on the pages before the first practice."""
    text = "\n".join(pages)
    contents = text[text.index("Contents") : text.index("This brief online")]
    return [int(number) for number in re.findall(r"(\d+)[ \t]*$", contents, flags=re.MULTILINE)]


def starting_pages(pages, count):
    """The page (1-based) where each practice starts: the one that opens with "n of count ·"."""
    return [
        next(i for i, text in enumerate(pages, start=1) if flat(text).strip().startswith(f"{n} of {count} ·"))
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_pdf_contents_give_the_page_each_practice_starts_on(client, tmp_path, paper):
    # Long and short practices, some titles long enough to wrap in the contents: several
    # practices take two pages or more, so the pages are not simply 2, 3, 4...
    specs = [
        ("Seasonal Agricultural Workers Program between Mexico and Canada, with its bilateral committee", 12),
        ("Rabat Process", 1),
        ("Brazil regularization 2009", 9),
        ("Card for Frontier Workers (FMTF)", 2),
        ("Pact for Decent Working Conditions in the Clothing Manufacturing Sector (São Paulo)", 11),
        ("Puebla Process", 1),
    ]
    practices = [realistic_practice(title, n_citations=n) for title, n in specs]

    response = client.get(
        PDF,
        {
            "practice": [practice.slug for practice in practices],
            "title": "Labour mobility in the Americas",
            "meeting_name": "GFMD Roundtable 1.1, Puerto Vallarta",
            "paper": paper,
        },
    )

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="labour-mobility-in-the-americas-' in response["Content-Disposition"]
    path = tmp_path / f"brief-{paper}.pdf"
    path.write_bytes(response.content)
    pages = pdf_pages(path)
    starts = starting_pages(pages, len(practices))
    assert contents_numbers(pages) == starts
    assert starts[0] == 2 and any(b - a > 1 for a, b in zip(starts, starts[1:], strict=False))
    # The numbers are the pages' own, as printed at their foot ("3 / 12").
    for number in starts:
        assert re.search(rf"\b{number} / {len(pages)}\b", pages[number - 1])
    cover = flat(pages[0])
    assert "GFMD Roundtable 1.1, Puerto Vallarta" in cover
    assert "Labour mobility in the Americas" in cover
    assert "A brief of 6 migration practices" in cover
    link = re.sub(r"\s+", "", "".join(pages[: starts[0] - 1]).split("This brief online")[1])
    expected = f"/practices/brief/?practice={practices[0].slug}&practice={practices[1].slug}"
    assert expected.replace("-", "") in link.replace("-", "")  # hyphens may end its lines
    assert words_outside(path, *FORMATS[{"a4": "A4", "letter": "Letter"}[paper]]) == []


def test_the_brief_page_offers_the_pdf(page, live_server):
    practice = realistic_practice("Seasonal workers programme", n_citations=1)
    page.goto(f"/practices/brief/?practice={practice.slug}")

    link = page.get_by_role("link", name="Download PDF on A4 paper (A4)")
    assert link.is_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("brief-")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
