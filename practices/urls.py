from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("practices/", views.PracticeSearchView.as_view(), name="list"),
    path("practices/export.csv", views.PracticeExportView.as_view(format="csv"), name="export-csv"),
    path("practices/export.json", views.PracticeExportView.as_view(format="json"), name="export-json"),
    path("practices/feed/", views.practice_search_feed, name="feed"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("practices/<slug:slug>/", views.PracticeDetailView.as_view(), name="detail"),
    path("countries/<str:iso3>/", views.CountryDetailView.as_view(), name="country"),
    path("objectives/<int:number>/", views.ObjectiveDetailView.as_view(), name="objective"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation"),
]
