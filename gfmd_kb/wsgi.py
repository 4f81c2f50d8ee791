"""
WSGI config for gfmd_kb project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from gfmd_kb.garbage import freeze_after_first_request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_kb.settings")

application = get_wsgi_application()

freeze_after_first_request()
