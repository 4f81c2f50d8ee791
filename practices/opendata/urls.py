from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from practices.opendata import api, shapes, views

app_name = "opendata"

api_patterns = [
    path("api/v1/practices/", api.PracticeListView.as_view(), name="api-practices"),
    path("api/v1/practices/facets/", api.FacetCountsView.as_view(), name="api-facets"),
    path("api/v1/practices/<slug:slug>/", api.PracticeDetailView.as_view(), name="api-practice"),
    path("api/v1/documents/", api.DocumentListView.as_view(), name="api-documents"),
    path("api/v1/documents/<slug:slug>/", api.DocumentDetailView.as_view(), name="api-document"),
    *(
        path(f"api/v1/{name}/", api.vocabulary_view(name).as_view(), name=f"api-{name}")
        for name in shapes.VOCABULARIES
    ),
]

urlpatterns = [
    *api_patterns,
    path("api/v1/schema/", api.SchemaView.as_view(), name="api-schema"),
    # Swagger UI from the sidecar's static files; its start-up script is a separate
    # response (the "split" view), so the Content-Security-Policy needs no inline script.
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="opendata:api-schema"), name="api-docs"
    ),
    re_path(r"^api/.*$", api.not_found),
    path("data/", views.DataView.as_view(), name="data"),
    path("data/<int:number>/<str:filename>", views.release_file, name="release-file"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
