from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("practices/", views.PracticeListView.as_view(), name="list"),
    # Before the practice pages: "brief" is a reserved slug (RESERVED_PRACTICE_SLUGS).
    path("practices/brief/", views.BriefView.as_view(), name="brief"),
    path("practices/brief/picks/", views.pick, name="pick"),
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
