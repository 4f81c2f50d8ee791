from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("practices/", views.PracticeSearchView.as_view(), name="list"),
    path("practices/export.csv", views.PracticeExportView.as_view(format="csv"), name="export-csv"),
    path("practices/export.json", views.PracticeExportView.as_view(format="json"), name="export-json"),
    path("practices/feed/", views.practice_search_feed, name="feed"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("thesaurus/", views.ThesaurusView.as_view(), name="thesaurus"),
    # Before the practice pages: "brief" and "feed" are reserved slugs (RESERVED_PRACTICE_SLUGS).
    path("practices/brief/", views.BriefView.as_view(), name="brief"),
    path("practices/brief/picks/", views.pick, name="pick"),
    path("practices/brief/pdf/", views.BriefPdfView.as_view(), name="brief-pdf"),
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
    path("countries/<str:iso3>/", views.CountryDetailView.as_view(), name="country"),
    path("objectives/<int:number>/", views.ObjectiveDetailView.as_view(), name="objective"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation"),
]
