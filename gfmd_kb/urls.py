from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from practices.browse_views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico where a page names no icon (the admin's pages).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("sources/", include("sources.urls")),
    path("", include("practices.contributions.urls")),
    path("", include("practices.urls")),
    path("", include("practices.opendata.urls")),
]

# JSON under /api/, the site's page elsewhere.
handler404 = "practices.opendata.views.page_not_found"
