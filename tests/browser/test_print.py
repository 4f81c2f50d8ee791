"""Printing: a practice on one or two pages, a brief with one practice per page, checked
in the PDF Chromium makes (page count, text present, nothing past the margins, no heading
left alone at the foot of a page); and no serious accessibility violation on the pages."""

import re
import subprocess

import pytest

from practices.models import Country, GcmObjective, PracticeCountry, PracticeObjective
from tests.factories import CitationFactory, PracticeFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)

FORMATS = {"A4": (595.3, 841.9), "Letter": (612, 792)}  # points
PARAGRAPH = (
    "The programme {n} placed seasonal workers with employers under a contract negotiated by "
    "both governments, covering wages, housing, insurance and the cost of the journey home, "
    "and it was reviewed every year by a joint committee that heard workers' complaints."
)
LONG_URLISH = "https://www.example.org/a/very/long/address/that/must/wrap/rather/than/run/off/the/paper/edge"


def realistic_practice(title, n_citations=5):
    source = SourceDocumentFactory(
        title="Partnerships for more regular and protected migration (background paper)",
        text="\n\n".join(PARAGRAPH.format(n=n) for n in range(12)),
    )
    practice = PracticeFactory(
        title=title,
        citation=False,
        country=Country.objects.get(iso3="MEX"),
        objective=GcmObjective.objects.get(number=6),
        summary="Mexico and Canada move farm workers for the season under a contract both governments sign.",
        description=" ".join([PARAGRAPH.format(n="described")] * 3) + f" See [the programme]({LONG_URLISH}).",
        results="More than **25,000** workers a year; 97% return home at the end of the season.",
        start_year=1974,
        ongoing=True,
    )
    for iso3, role in [("CAN", "destination"), ("GTM", "origin"), ("JAM", "origin"), ("TTO", "origin")]:
        PracticeCountry.objects.create(practice=practice, country=Country.objects.get(iso3=iso3), role=role)
    for number in (2, 5, 16, 22):
        PracticeObjective.objects.create(practice=practice, objective=GcmObjective.objects.get(number=number))
    for n in range(n_citations):
        CitationFactory(practice=practice, source=source, excerpt=PARAGRAPH.format(n=n), label=f"p. {n + 3}")
    return practice


def pdf_pages(path):
    """Each page's text, in reading order (pdftotext)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return text.stdout.split("\f")[:-1]


def words_outside(path, width, height, inset=14):
    """Words whose box is not at least ``inset`` points inside the page (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True)
    outside = []
    for x_min, y_min, x_max, y_max, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html.stdout
    ):
        box = [float(value) for value in (x_min, y_min, x_max, y_max)]
        if box[0] < inset or box[1] < inset or box[2] > width - inset or box[3] > height - inset:
            outside.append((word, box))
    return outside


def flat(text):
    """Text with line breaks (and the hyphens Chromium may break long words at) removed."""
    return re.sub(r"\s+", " ", text)


def last_line(page_text):
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    lines = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]  # the page number
    return lines[-1] if lines else ""


def print_to_pdf(page, tmp_path, name, paper):
    path = tmp_path / f"{name}-{paper}.pdf"
    page.pdf(path=str(path), format=paper)
    return path


@pytest.mark.parametrize("paper", FORMATS)
def test_a_practice_prints_on_one_or_two_pages_with_what_a_reader_needs(page, tmp_path, paper):
    practice = realistic_practice("Seasonal Agricultural Workers Program")
    page.goto(practice.get_absolute_url())

    path = print_to_pdf(page, tmp_path, "practice", paper)
    pages = pdf_pages(path)

    assert 1 <= len(pages) <= 2
    text = flat(" ".join(pages))
    for expected in [
        "Seasonal Agricultural Workers Program",
        "Mexico (origin)",
        "Canada (destination)",
        "Objective 6: Facilitate fair and ethical recruitment",
        "PRIMARY",
        "Mexico and Canada move farm workers for the season",
        "More than 25,000 workers a year",
        "The programme 4 placed seasonal workers",
        "Partnerships for more regular and protected migration",
        "p. 7",
        f"Permanent link: {page.url}",
    ]:
        assert expected in text, expected
    # Every excerpt is there whole, not cut at a margin or a page break.
    for n in range(5):
        assert flat(PARAGRAPH.format(n=n)) in text
    # Links show their target; navigation and buttons are not printed.
    compact = re.sub(r"\s+", "", " ".join(pages))
    assert f"<{LONG_URLISH}>".replace("-", "") in compact.replace("-", "")
    assert "#passage-" in compact
    for absent in [
        "Skip to content",
        "Add to brief",
        "Related practices",
        "Curators",
        "Download the reference",
    ]:
        assert absent not in text, absent
    assert words_outside(path, *FORMATS[paper]) == []
    # No heading alone at the foot of a page.
    for page_text in pages[:-1]:
        assert last_line(page_text) not in {"Evidence", "Stated results", "Description", "GCM", "Countries"}


@pytest.mark.parametrize("paper", FORMATS)
def test_a_brief_prints_a_cover_then_one_practice_per_page(page, tmp_path, paper):
    titles = ["Seasonal workers programme", "Brazil regularization 2009", "Rabat Process"]
    practices = [realistic_practice(title, n_citations=2) for title in titles]
    # Picked one by one with the buttons, as a visitor would (the session keeps them).
    for practice in practices:
        page.goto(practice.get_absolute_url())
        page.get_by_role("button", name=re.compile("^Add .* to brief$")).click()
        assert page.get_by_text("is in your brief").is_visible()
    page.goto("/practices/brief/")

    path = print_to_pdf(page, tmp_path, "brief", paper)
    pages = pdf_pages(path)

    assert len(titles) + 1 <= len(pages) <= 2 * len(titles) + 1
    cover = flat(pages[0])
    assert "Brief: 3 migration practices" in cover
    assert "Practices chosen one by one" in cover
    assert "Contents" in cover
    assert all(title in cover for title in titles)
    assert "Empty the brief" not in flat(" ".join(pages))
    # Each practice starts a page of its own, in the order picked.
    starts = [next(i for i, text in enumerate(pages) if i and title in flat(text)[:300]) for title in titles]
    assert starts[0] == 1
    assert starts == sorted(starts)
    assert words_outside(path, *FORMATS[paper]) == []


@pytest.mark.parametrize("what", ["practice", "reader", "reader-search", "brief"])
def test_pages_have_no_serious_accessibility_violations(page, serious_axe_violations, what):
    practice = realistic_practice("Seasonal Agricultural Workers Program")
    related = realistic_practice("Temporary foreign worker programme")
    source = practice.citations.first().source
    url = {
        "practice": practice.get_absolute_url(),
        "reader": practice.citations.first().get_absolute_url(),
        "reader-search": source.get_absolute_url() + "?q=seasonal+workers",
        "brief": f"/practices/brief/?practice={practice.slug}&practice={related.slug}",
    }[what]

    page.goto(url)

    assert page.get_by_role("heading", level=1).is_visible()
    if what == "reader":
        # Followed from the practice page: the passage is highlighted and in view.
        passage = page.locator(f"#passage-{practice.citations.first().start}")
        assert passage.evaluate("element => element.matches(':target')")
        assert passage.is_visible()
    assert serious_axe_violations(page) == []
