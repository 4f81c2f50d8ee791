"""The Curators group: exactly the permissions secretariat staff need to curate."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

# (app label, model, actions). Curators edit the knowledge, not the reference
# vocabularies (countries, objectives, principles), and never delete a practice or a
# source document outright: they unpublish, and every version stays in the history.
CURATOR_PERMISSIONS = [
    ("practices", "practice", ["add", "change", "view"]),
    ("practices", "citation", ["add", "change", "delete", "view"]),
    ("practices", "practicecountry", ["add", "change", "delete", "view"]),
    ("practices", "practiceobjective", ["add", "change", "delete", "view"]),
    ("practices", "organisation", ["add", "change", "view"]),
    ("practices", "meeting", ["add", "change", "view"]),
    ("practices", "theme", ["add", "change", "view"]),
    # The search thesaurus is curated like the knowledge: a wrong entry is deleted outright
    # (its versions stay in the history).
    ("practices", "thesaurusentry", ["add", "change", "delete", "view"]),
    ("practices", "country", ["view"]),
    ("practices", "gcmobjective", ["view"]),
    ("practices", "guidingprinciple", ["view"]),
    ("sources", "sourcedocument", ["add", "change", "view"]),
]


def curator_permissions():
    codenames = {
        (app_label, f"{action}_{model}")
        for app_label, model, actions in CURATOR_PERMISSIONS
        for action in actions
    }
    permissions = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in codenames},
        codename__in={codename for _, codename in codenames},
    ).select_related("content_type")
    return [p for p in permissions if (p.content_type.app_label, p.codename) in codenames]


def ensure_curators_group(**kwargs):
    """Create the group or reset its permissions to exactly the list above."""
    group, _ = Group.objects.get_or_create(name=settings.CURATORS_GROUP)
    group.permissions.set(curator_permissions())
    return group
