from django.contrib import admin
from django.urls import include, path

from practices.browse_views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("sources/", include("sources.urls")),
    path("", include("practices.contributions.urls")),
    path("", include("practices.urls")),
    path("", include("practices.opendata.urls")),
]

# JSON under /api/, the site's page elsewhere.
handler404 = "practices.opendata.views.page_not_found"
