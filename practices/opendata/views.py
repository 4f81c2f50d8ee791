"""The /data/ page and its files, sitemap.xml and robots.txt."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from django.views.generic import TemplateView

from practices.opendata import releases, shapes
from practices.opendata.sitemaps import SITEMAPS


class DataView(TemplateView):
    """Every release, the latest first, with its files, checksums and changes; and the
    schema.org Dataset (JSON-LD) that data catalogues and search engines read."""

    template_name = "opendata/data.html"

    def get_context_data(self, **kwargs):
        found = releases.all_releases()
        return super().get_context_data(
            releases=found,
            latest=found[0] if found else None,
            licence=shapes.LICENCE,
            dataset=self.dataset(found),
            tables=releases.TABLES,
            **kwargs,
        )

    def dataset(self, found):
        absolute = self.request.build_absolute_uri
        dataset = {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": "Migration Practices Knowledge Base",
            "description": (
                "Good practices in migration governance drawn from Global Forum on Migration and "
                "Development documents, each traced to verbatim passages of its sources, classified "
                "by country, GCM objective and guiding principle."
            ),
            "url": absolute(reverse("opendata:data")),
            "license": shapes.LICENCE["url"],
            "creator": {"@type": "Organization", "name": "Migration Practices Knowledge Base"},
            "isAccessibleForFree": True,
            "distribution": [],
        }
        if found:
            latest = found[0]
            dataset["version"] = str(latest.number)
            dataset["dateModified"] = latest.manifest["date"]
            dataset["datePublished"] = found[-1].manifest["date"]
            dataset["distribution"] = [
                {
                    "@type": "DataDownload",
                    "name": f["name"],
                    "encodingFormat": f["media_type"],
                    "contentUrl": absolute(reverse("opendata:release-file", args=[latest.number, f["name"]])),
                    "contentSize": f"{f['bytes']} B",
                    "sha256": f["sha256"],
                    "description": f["description"],
                }
                for f in latest.files
            ]
        return dataset


def release_file(request, number, filename):
    """A file of a release: those its manifest lists, its checksums and the manifest."""
    release = next((r for r in releases.all_releases() if r.number == number), None)
    if release is None:
        raise Http404("No such release.")
    listed = release.file(filename)
    if listed is None and filename not in (releases.SUMS, releases.MANIFEST):
        raise Http404("No such file in this release.")
    media_type = listed["media_type"] if listed else "text/plain"
    if filename == releases.MANIFEST:
        media_type = "application/json"
    # A name from the manifest or a constant, never a path from the request.
    name = listed["name"] if listed else filename
    response = FileResponse(open(release.path / name, "rb"), content_type=media_type)
    if listed:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A release never changes once made.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # open data: any site may fetch it
    return response


def sitemap_index(request):
    """sitemap.xml: an index of one sitemap per kind of page (each paginated at 50,000
    addresses, the protocol's limit, which 100,000 practices would pass)."""
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="opendata:sitemap-section")


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Files made per request, expensive to make, with their pages indexed instead.
        "Disallow: /practices/brief/pdf/",
        "Disallow: /practices/export.csv",
        "Disallow: /practices/export.json",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('opendata:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    """The site's 404 page, but JSON under /api/ (a path with control characters, refused
    by gfmd_kb.safe_input before any view, included): API clients parse what they get."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "No such API endpoint or object.", "problems": []}, status=404)
    return defaults.page_not_found(request, exception)
