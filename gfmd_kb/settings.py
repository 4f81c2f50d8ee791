"""Settings for the migration good-practice knowledge base.

One module for every environment: each knob is read from the environment, and nonsense
fails loudly with ImproperlyConfigured (the pattern of healthchecks' hc/settings.py).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# NumPy's OpenBLAS runs a matrix product on a thread per core, and those threads keep
# spinning for a while after it: in a web process they take the cores from the database
# and the other workers. On a busy 2-core machine a search at 10,000 practices took
# 57-62 ms with them and 39-40 ms without. The semantic lookup is one matrix-vector
# product: 3.4 ms on one core at 100,000 practices, 1.7 ms on two. Set before NumPy is
# first imported (settings come first in every entry point); the environment may differ.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set the SECRET_KEY environment "
            "variable to a long random string (or DEBUG=1 for local development)."
        )
    # Development only: never reached with DEBUG off.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "csp",
    "django_filters",
    "reversion",
    # The history's compare view (templates and static only; PracticeAdmin uses its admin).
    "reversion_compare",
    "axes",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "sources",
    "practices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CORS headers for /api/ and /data/ only (CORS_URLS_REGEX), early so that a preflight
    # OPTIONS is answered before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    # 304 Not Modified for a page whose ETag the browser already has (see page_cache).
    "django.middleware.http.ConditionalGetMiddleware",
    # Before WhiteNoise, so that static files carry these headers too.
    "gfmd_kb.middleware.CrossOriginResourcePolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads a parameter (control characters, NUL bytes, over-long values);
    # after the session, so that its 404 page renders like any other.
    "gfmd_kb.safe_input.SafeInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns a refused admin sign-in into the lockout page (django-axes wants it late).
    "axes.middleware.AxesMiddleware",
    # Innermost: a page served from the cache still passes through every middleware above.
    "gfmd_kb.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "gfmd_kb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practices.context_processors.picks",
            ],
        },
    },
]

WSGI_APPLICATION = "gfmd_kb.wsgi.application"

# SQLite file by default so that one command runs the site on a bare machine;
# postgres://user:pass@host:port/name for production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several curators saving at once. A deferred transaction that reads, then writes, must
    # upgrade its lock and fails at once with "database is locked" when another writer holds
    # it (the busy timeout does not apply to that upgrade); IMMEDIATE takes the write lock
    # when the transaction begins, so a second writer waits up to `timeout` seconds instead.
    # WAL lets readers go on while one writes. Beyond a handful of curators, use PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Session settings for search: its queries are short, so JIT compilation costs more
    # than it saves, and facet counting hashes tens of thousands of keys in memory.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "POSTGRES_OPTIONS", "-c jit=off -c work_mem=16MB"
    )

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def cache_from_url(url):
    """CACHE_URL: locmem:// (default: each process its own), redis://host:port/db (shared by
    every process, Django's own backend), or dummy:// (nothing cached)."""
    scheme = url.partition("://")[0]
    if scheme == "locmem":
        # Pages are 10-300 kB: a few hundred of them per process.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gfmd-kb",
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 500)},
        }
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"CACHE_URL must start with locmem://, redis:// or dummy://, got {url!r}")


CACHES = {
    "default": cache_from_url(os.environ.get("CACHE_URL") or "locmem://"),
    # Rendered parts of search results ({% cache %} in includes/search_result.html), keyed
    # by practice and the knowledge base's version token: in each process's memory, since a
    # round trip to a shared cache per result would cost more than rendering it.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
# Whole public pages for anonymous readers (gfmd_kb.page_cache), keyed by the knowledge
# base's version token, so an edit shows at once: the timeout only bounds memory. 0: off.
PAGE_CACHE = "default"
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60 * 60 * 24)
# The Chromium that prints briefs as PDF with page numbers (practices.brief_pdf); empty: no
# PDFs (the brief page then offers the browser's print command only).
BRIEF_PDF_CHROMIUM = os.environ.get("BRIEF_PDF_CHROMIUM", "/usr/bin/chromium")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"  # British formats (dates, numbers); still applied without i18n
TIME_ZONE = "UTC"
# The site is in English only: no translation machinery on every rendered value (~10 %
# of a search page's rendering). Turn it on with LocaleMiddleware when translations come.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: strict unless DEBUG. Behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said out loud
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"  # gfmd_kb.middleware: nothing embeds our files
X_FRAME_OPTIONS = "DENY"
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): everything from this origin, nothing inline. The
# site loads nothing from elsewhere (no CDN, no web fonts, no analytics), its scripts are
# static files (static/js/) and its styles are stylesheets: no <script> block, no style=
# or on*= attribute in a template (tests/test_security.py checks them, and the browser
# tests fail on any violation Chromium reports). Should a script ever have to stay inline,
# add csp.constants.NONCE to script-src and write <script nonce="{{ request.csp_nonce }}">.
# img-src also allows data: URIs, harmless for images, for small icons in stylesheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Permissions-Policy (django-permissions-policy): the site uses none of these browser
# features, so no page (nor anything injected into one) may ask for them. An empty list
# denies a feature to this origin and to every frame. (Features Chromium does not know,
# such as ambient-light-sensor or bluetooth, are left out: it logs a warning for each.)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Admin sign-in throttling (django-axes). After AXES_FAILURE_LIMIT failed attempts for one
# username from one address, that username is refused from that address (another user, or
# the same user elsewhere, is not) until AXES_COOLOFF_MINUTES have passed since the last
# attempt; each attempt during the lock restarts the wait. A success clears the count.
# Lift a lock at once with `manage.py axes_reset_username <username>` (or axes_reset for all).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 60))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= timedelta(0):
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be positive")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every management command
AXES_LOCKOUT_CALLABLE = "gfmd_kb.lockout.lockout_response"
# The address is REMOTE_ADDR: X-Forwarded-For can be written by anyone, so trusting it would
# let an attacker pick a new address for every guess. Behind reverse proxies that each append
# the address they received the request from (nginx: $proxy_add_x_forwarded_for), set
# TRUSTED_PROXY_COUNT to how many there are: the client is then the address that many places
# from the right of X-Forwarded-For, whatever the client wrote to the left of it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}")
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # django-ipware counts the proxies listed in X-Forwarded-For, not the last one (which is
    # REMOTE_ADDR), and must accept any number of client-written entries before them.
    AXES_IPWARE_PROXY_ORDER = "left-most"  # the chain read client first, as written
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Open data (practices/opendata/): the JSON API, bulk releases ------------------------------------

# Anonymous and read-only: no authentication (so no session or CSRF), JSON only, every
# client throttled by address (REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT
# proxies, as for the admin's sign-in throttling). A 429 says when to retry (Retry-After).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_THROTTLE_RATE") or "120/minute"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "practices.opendata.api.handle_exception",
    # The schema in JSON: ask with "Accept: application/json"; ?format= is not a parameter.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Migration Practices Knowledge Base API",
    "DESCRIPTION": (
        "Read-only access to the published knowledge base: practices (searched and filtered "
        "as on the search page), their facet counts, the vocabularies that classify them and "
        "the source documents they cite. Anonymous; rate-limited per client. Our text is "
        "CC BY 4.0; excerpts are quoted from their publishers' documents. Bulk downloads: /data/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "LICENSE": {"name": "CC BY 4.0 (our text)", "url": "https://creativecommons.org/licenses/by/4.0/"},
    # Practices and documents both have a "type": each its own named enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PracticeTypeEnum": "practices.models.PracticeType",
        "DocumentTypeEnum": "sources.models.DocumentType",
    },
}
# Any site may read the API and the downloads from a browser (GET only, no cookies).
CORS_URLS_REGEX = r"^/(api|data)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Retry-After", "Content-Disposition"]

# Where `manage.py build_data_release` writes the numbered releases /data/ offers: outside
# the code (a directory of its own in production, e.g. /srv/gfmd-kb/data).
DATA_RELEASES_DIR = Path(os.environ.get("DATA_RELEASES_DIR") or BASE_DIR / "var" / "data")
# The site's public address, for what is made without a request: the URLs written into a
# release, the links in notification emails. Unset: http://127.0.0.1:8000 (runserver's).
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

# Name of the group whose members curate the knowledge base in the admin.
CURATORS_GROUP = "Curators"

# --- Contributions and peer review (practices.workflow, practices.contributions) -------------------
# Staff who review practices (besides curators); contributors submit practices from the
# public site and never reach the admin. Both groups are kept in sync on every migrate.
REVIEWERS_GROUP = "Reviewers"
# Sign-ups (each sends a confirmation email) allowed per client address per hour.
SIGN_UPS_PER_HOUR = envint("SIGN_UPS_PER_HOUR", 5)
CONTRIBUTORS_GROUP = "Contributors"
# Approvals from reviewers other than the author that publish a practice (0: curators
# publish without review).
REVIEW_APPROVALS_REQUIRED = envint("REVIEW_APPROVALS_REQUIRED", 2)
if REVIEW_APPROVALS_REQUIRED < 0:
    raise ImproperlyConfigured(
        f"REVIEW_APPROVALS_REQUIRED must be 0 or more, got {REVIEW_APPROVALS_REQUIRED}"
    )
# Mail: printed on the console unless an SMTP server is configured (EMAIL_HOST etc. are
# Django's own settings; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "practices@localhost")
# Contributors' uploaded PDFs: outside the web root and STATIC_ROOT, never served except
# through a permission-checked download (practices.contributions.views.download).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
SUBMISSION_MAX_UPLOAD_MB = envint("SUBMISSION_MAX_UPLOAD_MB", 10)
if SUBMISSION_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured("SUBMISSION_MAX_UPLOAD_MB must be at least 1")
# Django's defaults, said out loud: an upload over 2.5 MB is streamed to a temporary file,
# not held in memory, and a request's non-file fields may total 2.5 MB. The submit view
# refuses a request over SUBMISSION_MAX_UPLOAD_MB (plus 1 MB of fields) outright (413);
# set the web server's own limit (nginx client_max_body_size) a little above it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Sign-in for contributors (staff sign in at /admin/).
LOGIN_URL = "contributions:login"
LOGIN_REDIRECT_URL = "contributions:mine"
LOGOUT_REDIRECT_URL = "home"
# A confirmation link in a sign-up email works for this long.
PASSWORD_RESET_TIMEOUT = envint("SIGNUP_LINK_HOURS", 72) * 3600
