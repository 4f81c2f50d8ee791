"""The JSON shapes of the open data, written once: the API returns them and the bulk
release is made of them, so a script written against one reads the other.

Plain functions over prefetched rows rather than DRF serializers: a release writes
100,000 practices, and a dict built by hand costs a fraction of a serializer's field
machinery. ``opendata.api`` declares the same shapes as serializers for the OpenAPI
schema only, and the schema tests (schemathesis) check every response against them.
"""

from django.db.models import F
from django.urls import reverse

from practices.models import (
    Citation,
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    PracticeObjective,
    Theme,
)

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "text": (
        "Our own text (titles, summaries, descriptions, results, classifications) is licensed "
        "under CC BY 4.0: credit the Migration Practices Knowledge Base. Excerpts are quoted "
        "verbatim from the source documents; credit them to their publishers (each citation "
        "names its document and publisher)."
    ),
}


def period(practice):
    return {
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "ongoing": practice.ongoing,
        "text": practice.period,
    }


def practice_summary(practice, absolute):
    """A practice as a list shows it: what ``Practice.listing`` holds, so a page of them
    is one query. ``absolute`` turns a path into a URL."""
    return {
        "slug": practice.slug,
        "title": practice.title,
        "url": absolute(practice.get_absolute_url()),
        "summary": practice.summary,
        "type": practice.practice_type,
        "scope": practice.scope,
        "period": period(practice),
        "countries": [{"iso3": c.iso3, "name": c.name} for c in practice.listed_countries],
        "objectives": [{"number": o.number, "title": o.title} for o in practice.listed_objectives],
        "documents": [{"slug": s.slug, "title": s.title, "year": s.year} for s in practice.cited_sources],
        "published_at": practice.published_at.isoformat() if practice.published_at else None,
    }


# The fields of a practice's own row that its detail shape reads.
DETAIL_FIELDS = [
    "slug",
    "title",
    "aliases",
    "summary",
    "description",
    "results",
    "practice_type",
    "scope",
    "start_year",
    "end_year",
    "ongoing",
    "published_at",
    "edited_at",
]


def _date(value):
    return value.isoformat() if value else None


def practice_details(practices, absolute):
    """The detail shape of each of ``practices`` (Practice rows with DETAIL_FIELDS), in
    their order: everything public about each.

    Their links are read as plain rows, one query per relation for the lot, rather than
    prefetched as model instances: the API's detail reads one practice this way, a release
    a thousand at a time, and building ORM objects for every link cost three quarters of
    a release's time. Every list has a total order (ties broken by id), so the same data
    gives the same shape, which the release's change list relies on."""
    ids = [practice.pk for practice in practices]
    links = {name: {pk: [] for pk in ids} for name in RELATIONS}
    for name, (queryset, shape) in RELATIONS.items():
        for row in queryset(ids):
            links[name][row[0]].append(shape(row, absolute))
    practice_url = _url_pattern("practices:detail", absolute)
    return [
        {
            "slug": practice.slug,
            "title": practice.title,
            "url": practice_url(practice.slug),
            "aliases": practice.alias_list,
            "summary": practice.summary,
            "description": practice.description,
            "results": practice.results,
            "type": practice.practice_type,
            "scope": practice.scope,
            "period": period(practice),
            **{name: links[name][practice.pk] for name in RELATIONS},
            "published_at": _date(practice.published_at),
            "edited_at": _date(practice.edited_at),
        }
        for practice in practices
    ]


def practice_detail(practice, absolute):
    """One practice's detail shape (``practice_details`` of one)."""
    return practice_details([practice], absolute)[0]


def _url_pattern(view_name, absolute):
    """A function of a slug giving the view's URL, reversing once rather than per row."""
    marker = "slug-placeholder"
    pattern = absolute(reverse(view_name, kwargs={"slug": marker}))
    return lambda slug: pattern.replace(marker, slug)


def _citation(row, absolute):
    _, slug, title, publisher, published, excerpt, start, label = row
    return {
        "document": {
            "slug": slug,
            "title": title,
            "publisher": publisher,
            "publication_date": _date(published),
        },
        "excerpt": excerpt,
        "start": start,
        "end": start + len(excerpt),
        "label": label,
        "url": f"{absolute(reverse('sources:detail', kwargs={'slug': slug}))}#passage-{start}",
    }


# {relation: (the rows of these practices' links, in order, practice id first; a row's shape)}
RELATIONS = {
    "countries": (
        lambda ids: (
            PracticeCountry.objects.filter(practice_id__in=ids)
            .order_by("country__name", "role", "pk")
            .values_list("practice_id", "country__iso3", "country__name", "role")
        ),
        lambda row, absolute: {"iso3": row[1], "name": row[2], "role": row[3]},
    ),
    "objectives": (
        lambda ids: (
            PracticeObjective.objects.filter(practice_id__in=ids)
            .order_by("-is_primary", "objective__number", "pk")
            .values_list("practice_id", "objective__number", "objective__title", "is_primary")
        ),
        lambda row, absolute: {"number": row[1], "title": row[2], "primary": row[3]},
    ),
    "principles": (
        lambda ids: (
            Practice.principles.through.objects.filter(practice_id__in=ids)
            .order_by("guidingprinciple__position", "pk")
            .values_list("practice_id", "guidingprinciple__slug", "guidingprinciple__name")
        ),
        lambda row, absolute: {"slug": row[1], "name": row[2]},
    ),
    "themes": (
        lambda ids: (
            Practice.themes.through.objects.filter(practice_id__in=ids)
            .order_by("theme__name", "pk")
            .values_list("practice_id", "theme__slug", "theme__name")
        ),
        lambda row, absolute: {"slug": row[1], "name": row[2]},
    ),
    "organisations": (
        lambda ids: (
            Practice.organisations.through.objects.filter(practice_id__in=ids)
            .order_by("organisation__name", "organisation__slug", "pk")
            .values_list(
                "practice_id",
                "organisation__slug",
                "organisation__name",
                "organisation__acronym",
                "organisation__kind",
            )
        ),
        lambda row, absolute: {"slug": row[1], "name": row[2], "acronym": row[3], "kind": row[4]},
    ),
    "meetings": (
        lambda ids: (
            Practice.meetings.through.objects.filter(practice_id__in=ids)
            .order_by(F("meeting__start_date").asc(nulls_last=True), "meeting__name", "meeting__slug")
            .values_list("practice_id", "meeting__slug", "meeting__name", "meeting__start_date")
        ),
        lambda row, absolute: {"slug": row[1], "name": row[2], "start_date": _date(row[3])},
    ),
    "citations": (
        lambda ids: (
            Citation.objects.filter(practice_id__in=ids)
            .order_by("source__slug", "start", "pk")
            .values_list(
                "practice_id",
                "source__slug",
                "source__title",
                "source__publisher",
                "source__publication_date",
                "excerpt",
                "start",
                "label",
            )
        ),
        _citation,
    ),
}


def document_shape(document, absolute, text=False):
    shape = {
        "slug": document.slug,
        "title": document.title,
        "url": absolute(document.get_absolute_url()),
        "publisher": document.publisher,
        "publication_date": document.publication_date.isoformat() if document.publication_date else None,
        "type": document.document_type,
        "language": document.language,
    }
    if text:
        shape["text"] = document.text
    return shape


def published_practices():
    return Practice.objects.published()


def _iso3(country):
    return country.iso3 if country else None


# The vocabularies that classify practices: {name: (queryset, shape)}; each is small
# (at most a few hundred rows) and listed whole.
VOCABULARIES = {
    "countries": (
        lambda: Country.objects.order_by("name"),
        lambda c, absolute: {
            "iso3": c.iso3,
            "iso2": c.iso2,
            "m49": c.m49_code,
            "name": c.name,
            "region": c.region,
            "sub_region": c.sub_region,
            "intermediate_region": c.intermediate_region,
            "un_status": c.un_status,
            "url": absolute(c.get_absolute_url()),
        },
    ),
    "objectives": (
        lambda: GcmObjective.objects.order_by("number"),
        lambda o, absolute: {
            "number": o.number,
            "title": o.title,
            "short_label": o.short_label,
            "url": absolute(o.get_absolute_url()),
        },
    ),
    "principles": (
        lambda: GuidingPrinciple.objects.order_by("position"),
        lambda p, absolute: {"slug": p.slug, "name": p.name, "url": absolute(p.get_absolute_url())},
    ),
    "themes": (
        lambda: Theme.objects.order_by("name"),
        lambda t, absolute: {"slug": t.slug, "name": t.name, "url": absolute(t.get_absolute_url())},
    ),
    "organisations": (
        lambda: Organisation.objects.select_related("country").defer("outside_facts").order_by("name"),
        lambda o, absolute: {
            "slug": o.slug,
            "name": o.name,
            "acronym": o.acronym,
            "kind": o.kind,
            "country": _iso3(o.country),
            "url": absolute(o.get_absolute_url()),
        },
    ),
    "meetings": (
        lambda: (
            Meeting.objects.select_related("country")
            .defer("outside_facts")
            .order_by(F("start_date").asc(nulls_last=True), "name")
        ),
        lambda m, absolute: {
            "slug": m.slug,
            "name": m.name,
            "series": m.series,
            "kind": m.kind,
            "city": m.city,
            "country": _iso3(m.country),
            "start_date": _date(m.start_date),
            "end_date": _date(m.end_date),
            "url": absolute(m.get_absolute_url()),
        },
    ),
}
