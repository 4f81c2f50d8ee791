from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContributionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contributions"

    def ready(self):
        from contributions.groups import ensure_groups

        # Permissions only exist after post_migrate, so the groups are (re)built then.
        post_migrate.connect(ensure_groups, sender=self)
