"""The Contributors and Reviewers groups: the least each role needs.

Contributors have no permission at all and are not staff: they submit practices and
answer reviewers on the public site (practices.contributions.views checks that they only ever see
their own). Reviewers are staff who read practices and their sources in the admin and
work in the review queue; they change nothing but the review (practices.workflow).
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

REVIEWER_PERMISSIONS = [
    ("practices", "practice", ["view"]),
    ("practices", "citation", ["view"]),
    ("practices", "practicecountry", ["view"]),
    ("practices", "practiceobjective", ["view"]),
    ("sources", "sourcedocument", ["view"]),
    ("practices", "contribution", ["view"]),
    ("practices", "reviewqueue", ["view"]),
]


def reviewer_permissions():
    codenames = {
        (app, f"{action}_{model}") for app, model, actions in REVIEWER_PERMISSIONS for action in actions
    }
    permissions = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in codenames},
        codename__in={codename for _, codename in codenames},
    ).select_related("content_type")
    return [p for p in permissions if (p.content_type.app_label, p.codename) in codenames]


def ensure_groups(**kwargs):
    """Create both groups or reset their permissions to exactly the lists above."""
    contributors, _ = Group.objects.get_or_create(name=settings.CONTRIBUTORS_GROUP)
    contributors.permissions.clear()
    reviewers, _ = Group.objects.get_or_create(name=settings.REVIEWERS_GROUP)
    reviewers.permissions.set(reviewer_permissions())
    return contributors, reviewers


def contributors_group():
    return Group.objects.get_or_create(name=settings.CONTRIBUTORS_GROUP)[0]


def reviewers_group():
    return ensure_groups()[1]
