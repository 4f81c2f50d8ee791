"""Related practices: the published practices sharing most with one, and what they share.

One query ranks every published practice by what it shares with this one (GCM objectives,
themes, organisations, countries; one correlated subquery each, on indexed link tables);
then one filtered prefetch per kind fetches what the few shown actually share, to say why.
Constant: at most five queries, however many links the practice has.

Countries count for less and at most three: a regional agreement shares countries with
every national practice of the region without being about the same thing.
"""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, Least

from practices.models import Organisation, Practice, PracticeCountry, PracticeObjective, Theme

WEIGHTS = {"objectives": 2, "themes": 2, "organisations": 2, "countries": 1}
MAX_COUNTRY_POINTS = 3


def _shared(links, field, ids):
    """How many of ``ids`` the outer practice links to, through the ``links`` table."""
    if not ids:
        return Value(0, output_field=IntegerField())
    counted = (
        links.objects.filter(practice_id=OuterRef("pk"), **{f"{field}__in": ids})
        .order_by()
        .values("practice_id")
        .annotate(shared=Count(field, distinct=True))
        .values("shared")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def related_practices(practice, limit=4):
    """Up to ``limit`` published practices most like ``practice``, each with ``.reasons``:
    [(what, [names])], e.g. [("GCM objectives", ["5. Regular pathways"])].

    Reads the practice's own links from its prefetched relations (country_links,
    objective_links, themes, organisations).
    """
    objectives = {link.objective_id: link.objective for link in practice.objective_links.all()}
    countries = {link.country_id: link.country for link in practice.country_links.all()}
    themes = {theme.pk: theme for theme in practice.themes.all()}
    organisations = {organisation.pk: organisation for organisation in practice.organisations.all()}

    candidates = (
        Practice.objects.published()
        .exclude(pk=practice.pk)
        .annotate(
            shared_objectives=_shared(PracticeObjective, "objective", list(objectives)),
            shared_themes=_shared(Practice.themes.through, "theme", list(themes)),
            shared_organisations=_shared(Practice.organisations.through, "organisation", list(organisations)),
            shared_countries=_shared(PracticeCountry, "country", list(countries)),
        )
        .annotate(
            relatedness=WEIGHTS["objectives"] * F("shared_objectives")
            + WEIGHTS["themes"] * F("shared_themes")
            + WEIGHTS["organisations"] * F("shared_organisations")
            + WEIGHTS["countries"]
            * Least(F("shared_countries"), Value(MAX_COUNTRY_POINTS, output_field=IntegerField()))
        )
        .filter(relatedness__gt=0)
        .order_by("-relatedness", "title")
        .prefetch_related(
            Prefetch(
                "objective_links",
                queryset=PracticeObjective.objects.filter(objective_id__in=list(objectives)),
                to_attr="shared_objective_links",
            ),
            Prefetch(
                "themes", queryset=Theme.objects.filter(pk__in=list(themes)), to_attr="shared_theme_list"
            ),
            Prefetch(
                "organisations",
                queryset=Organisation.objects.filter(pk__in=list(organisations)),
                to_attr="shared_organisation_list",
            ),
            Prefetch(
                "country_links",
                queryset=PracticeCountry.objects.filter(country_id__in=list(countries)),
                to_attr="shared_country_links",
            ),
        )[:limit]
    )
    related = list(candidates)
    for other in related:
        shared_objectives = sorted(
            {link.objective_id for link in other.shared_objective_links}, key=lambda pk: objectives[pk].number
        )
        shared_countries = {link.country_id for link in other.shared_country_links}
        reasons = [
            ("GCM objectives", [str(objectives[pk]) for pk in shared_objectives]),
            ("themes", [themes[item.pk].name for item in other.shared_theme_list]),
            ("organisations", [str(organisations[item.pk]) for item in other.shared_organisation_list]),
            ("countries", sorted(countries[pk].name for pk in shared_countries)),
        ]
        other.reasons = [(what, names) for what, names in reasons if names]
    return related
