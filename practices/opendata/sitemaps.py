"""sitemap.xml (django.contrib.sitemaps): every public page a search engine should index."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from practices.filters import REGIONS
from practices.models import (
    Country,
    GcmObjective,
    GuidingPrinciple,
    Meeting,
    Organisation,
    Practice,
    PracticeCountry,
    Theme,
)
from sources.models import SourceDocument


class PracticeSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Practice.objects.published().only("slug", "updated_at", "edited_at").order_by("pk")

    def lastmod(self, practice):
        return practice.edited_at or None

    def get_latest_lastmod(self):
        # For the index: one aggregate, rather than Django's default of every row's lastmod.
        return self.items().aggregate(latest=Max("edited_at"))["latest"]


class CountrySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        # Countries with a published practice: the others' pages say there is none.
        published = PracticeCountry.objects.filter(
            country=OuterRef("pk"), practice__status=Practice.Status.PUBLISHED
        )
        return Country.objects.filter(Exists(published)).only("iso3").order_by("iso3")


class VocabularySitemap(Sitemap):
    changefreq = "weekly"

    def __init__(self, queryset):
        self.queryset = queryset

    def items(self):
        return self.queryset


class PageSitemap(Sitemap):
    """The browse pages, the search page, the region pages and /data/."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        names = [
            "home",
            "practices:list",
            "practices:browse",
            "practices:coverage",
            "practices:thesaurus",
            "sources:list",
            "opendata:data",
        ]
        regions = [reverse("practices:region", kwargs={"slug": region.lower()}) for region in REGIONS]
        return [reverse(name) for name in names] + regions

    def location(self, path):
        return path


SITEMAPS = {
    "pages": PageSitemap,
    "practices": PracticeSitemap,
    "countries": CountrySitemap,
    "objectives": VocabularySitemap(GcmObjective.objects.only("number").order_by("number")),
    "principles": VocabularySitemap(GuidingPrinciple.objects.only("slug").order_by("position")),
    "themes": VocabularySitemap(Theme.objects.only("slug").order_by("slug")),
    "organisations": VocabularySitemap(Organisation.objects.only("slug").order_by("slug")),
    "meetings": VocabularySitemap(Meeting.objects.only("slug").order_by("slug")),
    "documents": VocabularySitemap(SourceDocument.objects.only("slug").order_by("slug")),
}
