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

# What search loads from its packages (the embedding model, the English word list), loaded
# now rather than by a researcher's first search: ~1.5 s, and shared by the workers that
# gunicorn --preload forks from this process.
from practices.search import english, semantic  # noqa: E402

semantic.available()
english.is_common_word("warm")

freeze_after_first_request()
