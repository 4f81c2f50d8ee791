from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The knowledge base for machines: the JSON API, bulk releases, sitemap and robots.txt.

    It reads ``practices`` and ``sources`` and is imported by neither."""

    name = "opendata"
    verbose_name = "Open data"
