from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("", views.SourceDocumentListView.as_view(), name="list"),
    path("<slug:slug>/", views.SourceDocumentDetailView.as_view(), name="detail"),
]
