from django.urls import path

from practices import browse_views, curation_views, views

app_name = "practices"

urlpatterns = [
    path("practices/", views.PracticeSearchView.as_view(), name="list"),
    path("practices/export.csv", views.PracticeExportView.as_view(format="csv"), name="export-csv"),
    path("practices/export.json", views.PracticeExportView.as_view(format="json"), name="export-json"),
    path("practices/export.ris", views.PracticeExportView.as_view(format="ris"), name="export-ris"),
    path("practices/export.bib", views.PracticeExportView.as_view(format="bib"), name="export-bib"),
    path("practices/feed/", views.practice_search_feed, name="feed"),
    path("coverage/", browse_views.CoverageView.as_view(), name="coverage"),
    path("browse/", browse_views.BrowseIndexView.as_view(), name="browse"),
    path("thesaurus/", views.ThesaurusView.as_view(), name="thesaurus"),
    # The reader's "Cite for practice…" tool (curators only; practices.curation_views).
    path("curation/practices.json", curation_views.practice_options, name="curation-practices"),
    path("curation/cite/", curation_views.cite_passage, name="curation-cite"),
    # Before the practice pages: "brief" and "feed" are reserved slugs (RESERVED_PRACTICE_SLUGS).
    path("practices/brief/", views.BriefView.as_view(), name="brief"),
    path("practices/brief/picks/", views.pick, name="pick"),
    path("practices/brief/pdf/", views.BriefPdfView.as_view(), name="brief-pdf"),
    path(
        "practices/brief/cite.ris",
        views.BriefReferencesView.as_view(reference_format="ris"),
        name="brief-ris",
    ),
    path(
        "practices/brief/cite.bib",
        views.BriefReferencesView.as_view(reference_format="bib"),
        name="brief-bib",
    ),
    path("practices/<slug:slug>/", views.PracticeDetailView.as_view(), name="detail"),
    path(
        "practices/<slug:slug>/cite.ris",
        views.PracticeReferenceView.as_view(reference_format="ris"),
        name="cite_ris",
    ),
    path(
        "practices/<slug:slug>/cite.bib",
        views.PracticeReferenceView.as_view(reference_format="bib"),
        name="cite_bib",
    ),
    path("countries/<str:iso3>/", browse_views.CountryDetailView.as_view(), name="country"),
    path("regions/<str:slug>/", browse_views.RegionDetailView.as_view(), name="region"),
    path("objectives/<int:number>/", browse_views.ObjectiveDetailView.as_view(), name="objective"),
    path("principles/<slug:slug>/", browse_views.PrincipleDetailView.as_view(), name="principle"),
    path("themes/<slug:slug>/", browse_views.ThemeDetailView.as_view(), name="theme"),
    path("meetings/<slug:slug>/", browse_views.MeetingDetailView.as_view(), name="meeting"),
    path("organisations/<slug:slug>/", browse_views.OrganisationDetailView.as_view(), name="organisation"),
]
