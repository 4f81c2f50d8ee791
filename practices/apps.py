from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PracticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "practices"

    def ready(self):
        from practices.curators import ensure_curators_group
        from practices.search import indexing

        indexing.connect()

        # The reader (sources) offers curators "Cite for practice…" through its hook: sources
        # never imports practices, practices plugs into it.
        from practices.curation_views import reader_tool
        from sources.hooks import register_reader_tool

        register_reader_tool(reader_tool)

        # Permissions only exist after post_migrate, so the groups are (re)built then.
        from practices.contributions.groups import ensure_groups

        post_migrate.connect(ensure_curators_group, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
