"""The JSON shapes of the open data, written once: the API returns them and the bulk
release is made of them, so a script written against one reads the other.

Plain functions over prefetched rows rather than DRF serializers: a release writes
100,000 practices, and a dict built by hand costs a fraction of a serializer's field
machinery. ``opendata.api`` declares the same shapes as serializers for the OpenAPI
schema only, and the schema tests (schemathesis) check every response against them.
"""

from django.db.models import F, Prefetch

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


def with_details(queryset):
    """``queryset`` with what ``practice_detail`` reads: a constant number of queries."""
    return queryset.select_related(None).prefetch_related(
        Prefetch(
            "country_links",
            queryset=PracticeCountry.objects.select_related("country").order_by("country__name", "role"),
        ),
        Prefetch(
            "objective_links",
            queryset=PracticeObjective.objects.select_related("objective").order_by(
                "-is_primary", "objective__number"
            ),
        ),
        "principles",
        "themes",
        "organisations",
        Prefetch("meetings", queryset=Meeting.objects.order_by(F("start_date").asc(nulls_last=True), "name")),
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("source")
            .defer("source__text", "source__outside_facts")
            .order_by("source__slug", "start"),
        ),
    )


def practice_detail(practice, absolute):
    """Everything public about one practice (prefetched by ``with_details``)."""
    return {
        "slug": practice.slug,
        "title": practice.title,
        "url": absolute(practice.get_absolute_url()),
        "aliases": practice.alias_list,
        "summary": practice.summary,
        "description": practice.description,
        "results": practice.results,
        "type": practice.practice_type,
        "scope": practice.scope,
        "period": period(practice),
        "countries": [
            {"iso3": link.country.iso3, "name": link.country.name, "role": link.role}
            for link in practice.country_links.all()
        ],
        "objectives": [
            {"number": link.objective.number, "title": link.objective.title, "primary": link.is_primary}
            for link in practice.objective_links.all()
        ],
        "principles": [{"slug": p.slug, "name": p.name} for p in practice.principles.all()],
        "themes": [{"slug": t.slug, "name": t.name} for t in practice.themes.all()],
        "organisations": [
            {"slug": o.slug, "name": o.name, "acronym": o.acronym, "kind": o.kind}
            for o in practice.organisations.all()
        ],
        "meetings": [
            {"slug": m.slug, "name": m.name, "start_date": m.start_date.isoformat() if m.start_date else None}
            for m in practice.meetings.all()
        ],
        "citations": [citation_shape(c, absolute) for c in practice.citations.all()],
        "published_at": practice.published_at.isoformat() if practice.published_at else None,
        "edited_at": practice.edited_at.isoformat() if practice.edited_at else None,
    }


def citation_shape(citation, absolute):
    source = citation.source
    return {
        "document": {
            "slug": source.slug,
            "title": source.title,
            "publisher": source.publisher,
            "publication_date": source.publication_date.isoformat() if source.publication_date else None,
        },
        "excerpt": citation.excerpt,
        "start": citation.start,
        "end": citation.end,
        "label": citation.label,
        "url": absolute(citation.get_absolute_url()),
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


def _date(value):
    return value.isoformat() if value else None


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
