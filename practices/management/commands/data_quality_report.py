from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from practices.models import Practice, PracticeCountry, PracticeObjective
from sources.models import SourceDocument

NEEDS_COUNTRY = [Practice.Scope.LOCAL, Practice.Scope.NATIONAL, Practice.Scope.BILATERAL]


class Command(BaseCommand):
    help = (
        "Print, per source document, the practices, citations, countries and GCM objectives it "
        "supports, then list practices missing a citation, a country or an objective. Exits 1 if "
        "any practice lacks a citation or an objective."
    )

    def handle(self, *args, **options):
        self.stdout.write(
            f"{'Source document':<62} {'practices':>9} {'citations':>9} {'countries':>9} {'objectives':>10}"
        )
        for document in SourceDocument.objects.annotate(
            practice_total=Count("citations__practice", distinct=True),
            citation_total=Count("citations", distinct=True),
        ).order_by("publication_date"):
            practices = Practice.objects.filter(citations__source=document)
            countries = (
                PracticeCountry.objects.filter(practice__in=practices).values("country").distinct().count()
            )
            objectives = (
                PracticeObjective.objects.filter(practice__in=practices).values("objective").distinct()
            )
            self.stdout.write(
                f"{document.title[:62]:<62} {document.practice_total:>9} {document.citation_total:>9} "
                f"{countries:>9} {objectives.count():>7}/23"
            )
        totals = Practice.objects.aggregate(
            practices=Count("pk"), published=Count("pk", filter=Q(status=Practice.Status.PUBLISHED))
        )
        self.stdout.write(f"\nAll practices: {totals['practices']} ({totals['published']} published)")

        problems = {
            "without a citation": Practice.objects.filter(citations__isnull=True),
            "without a GCM objective": Practice.objects.filter(objective_links__isnull=True),
            "with a local, national or bilateral scope but no country": Practice.objects.filter(
                scope__in=NEEDS_COUNTRY, country_links__isnull=True
            ),
            # Global instruments need no country; a regional practice without its
            # countries cannot be found through the country or region facets.
            "with a regional or inter-regional scope but no country (so no region)": Practice.objects.filter(
                scope__in=[Practice.Scope.REGIONAL, Practice.Scope.INTER_REGIONAL], country_links__isnull=True
            ),
        }
        blocking = 0
        for label, queryset in problems.items():
            titles = list(queryset.order_by("title").values_list("slug", flat=True).distinct())
            self.stdout.write(f"\nPractices {label}: {len(titles)}")
            for slug in titles:
                self.stdout.write(f"  - {slug}")
            if label in {"without a citation", "without a GCM objective"}:
                blocking += len(titles)
        if blocking:
            self.stderr.write(self.style.ERROR(f"{blocking} practice(s) lack a citation or an objective."))
            raise SystemExit(1)
