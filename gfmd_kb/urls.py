from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from practices.browse_views import HomeView


class FaviconRedirect(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico where a page names no icon (the admin's pages).
    # The URL is looked up per request: at import, production's manifest may not exist yet.
    path("favicon.ico", FaviconRedirect.as_view(permanent=True)),
    path("sources/", include("sources.urls")),
    path("", include("practices.contributions.urls")),
    path("", include("practices.urls")),
    path("", include("practices.opendata.urls")),
]

# JSON under /api/, the site's page elsewhere.
handler404 = "practices.opendata.views.page_not_found"
