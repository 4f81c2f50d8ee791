"""The one security header neither Django nor a kept library sets: Cross-Origin-Resource-Policy.

Django's SecurityMiddleware sets Cross-Origin-Opener-Policy (SECURE_CROSS_ORIGIN_OPENER_POLICY)
but has no counterpart for the resource policy, which tells browsers that other sites may
not embed this site's responses (pages, scripts, stylesheets, exports) in theirs. The
setting mirrors Django's name: SECURE_CROSS_ORIGIN_RESOURCE_POLICY.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VALUES = {"same-origin", "same-site", "cross-origin"}


class CrossOriginResourcePolicyMiddleware:
    """Set Cross-Origin-Resource-Policy on every response that has none. Listed before
    WhiteNoise, so that static files carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = getattr(settings, "SECURE_CROSS_ORIGIN_RESOURCE_POLICY", None)
        if self.value is not None and self.value not in VALUES:
            raise ImproperlyConfigured(
                f"SECURE_CROSS_ORIGIN_RESOURCE_POLICY must be one of {sorted(VALUES)} or None, "
                f"got {self.value!r}"
            )

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Cross-Origin-Resource-Policy", self.value)
        return response
