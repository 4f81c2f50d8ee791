"""The page shown when django-axes refuses an admin sign-in (AXES_LOCKOUT_CALLABLE).

Axes's own template response knows the cool-off as a duration only; this one also says
the time at which signing in works again: the cool-off runs from the latest attempt,
which is the one being answered.
"""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def duration(delta):
    minutes = round(delta.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(request, original_response, credentials):
    cool_off = get_cool_off(request)
    attempted_at = getattr(request, "axes_attempt_time", None) or timezone.now()
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off": duration(cool_off),
        "retry_at": attempted_at + cool_off,
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
