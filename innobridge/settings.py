"""Project settings: every knob is read from the environment through the typed helpers below.

Defaults give the embedded demo (SQLite under ``INNOBRIDGE_DATA_DIR``); ``DATABASE_URL`` selects
PostgreSQL. Secrets can be read from ``NAME_FILE`` as well as ``NAME``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets ``forms.ModelForm[Model]`` and ``QuerySet[Model]`` be written at run time as well.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """A string from ``NAME``, or from the file named by ``NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(env_str("INNOBRIDGE_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# INNOBRIDGE_ENV=production is the explicit switch for a real deployment behind an HTTPS proxy:
# secure cookies, HSTS, HTTPS redirect, a SECRET_KEY from the environment and no DEBUG.
# The default ("development") is the embedded demo on http://127.0.0.1:8000.
INNOBRIDGE_ENV = env_str("INNOBRIDGE_ENV", "development")
if INNOBRIDGE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"INNOBRIDGE_ENV 只能是 production 或 development · must be production or development, "
        f"got {INNOBRIDGE_ENV!r}"
    )
PRODUCTION = INNOBRIDGE_ENV == "production"


def _secret_key() -> str:
    """SECRET_KEY from the environment; the demo generates one into the data dir once."""
    key = env_str("SECRET_KEY")
    if PRODUCTION and len(key) < 50:
        raise ImproperlyConfigured(
            "生产模式（INNOBRIDGE_ENV=production）需要从环境变量 SECRET_KEY 或 SECRET_KEY_FILE "
            "提供至少 50 个字符的密钥 · production needs a SECRET_KEY (or SECRET_KEY_FILE) of at "
            "least 50 characters, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "生产模式（INNOBRIDGE_ENV=production）不能打开 DEBUG · DEBUG must be false in production"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_htmx",
    "ninja",
    "innobridge.core",
    "innobridge.orgs",
    "innobridge.projects",
    "innobridge.demands",
    "innobridge.capital",
    "innobridge.cultivation",
    "innobridge.review",
    "innobridge.targets",
]

MIDDLEWARE = [
    "innobridge.core.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "innobridge.core.middleware.SecurityHeadersMiddleware",
    "innobridge.core.limits.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "innobridge.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "innobridge.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "innobridge.urls"
WSGI_APPLICATION = "innobridge.wsgi.application"

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
                "django.template.context_processors.i18n",
                "innobridge.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'innobridge.sqlite3'}"),
        # persistent connections in production (a new PostgreSQL connection costs a few ms of
        # both sides per request); not in development, where runserver starts a thread per request
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        # a persistent connection the database dropped (restart, failover) is replaced at the
        # start of the next request instead of failing it
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", PRODUCTION
):
    # Parameters sent apart from the SQL, and a statement run 5 times on a connection prepared
    # (parsed and planned once): pages run the same few query shapes with other ids, and
    # planning was as long as running them (0.7 ms for a list page's rows). Measured with
    # bench/load_mix.py: PostgreSQL's CPU per detail page 1.65 → 1.05 ms, list 1.30 → 1.10 ms.
    # Set false behind a transaction-pooling PgBouncer, which cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; the busy timeout avoids "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the signed-in user once per data version (core/auth.py)
    "innobridge.core.auth.ModelBackendWithCachedUser",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
TESTING = env_bool("INNOBRIDGE_TESTING", False) or "pytest" in sys.modules
if DEBUG or TESTING:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
if TESTING:
    # A fast hash keeps the suite quick; real deployments keep Django's PBKDF2 default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Uploads: Excel imports and attachments are capped at 20 MB; larger bodies are refused.
MAX_UPLOAD_BYTES = env_int("INNOBRIDGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# JSON request bodies (core/limits.py): larger → 413, nested deeper → 400
MAX_JSON_BODY_BYTES = env_int("INNOBRIDGE_MAX_JSON_BYTES", 1024 * 1024)
MAX_JSON_DEPTH = env_int("INNOBRIDGE_MAX_JSON_DEPTH", 32)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Sessions are read from the cache (Redis when deployed) and written through to the database:
# a page no longer costs a database query for its session, and a cache outage or restart loses
# no one's login.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = PRODUCTION or env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Production runs behind a proxy that terminates TLS and sets X-Forwarded-Proto (overwriting
# whatever the client sent); set SECURE_PROXY_SSL_HEADER to another header name, or to an empty
# value when nothing in front sets one.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto") if PRODUCTION else ""
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
# Plain-HTTP requests are redirected to HTTPS by the app, except the load balancer's probes;
# SECURE_SSL_REDIRECT=false when the proxy already redirects port 80.
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS: browsers refuse plain HTTP for this host (and its subdomains) for a year once they have
# seen it; start with a small SECURE_HSTS_SECONDS when trying HTTPS out. Preloading (a promise
# to browser vendors, hard to take back) is opt-in.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# `check --deploy` must come out clean in production: the warnings below stand for choices the
# operator made explicitly through the variables above, so they are not repeated at every check.
SILENCED_SYSTEM_CHECKS: list[str] = []
if PRODUCTION and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")  # the proxy redirects HTTP to HTTPS
if PRODUCTION and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")
if PRODUCTION and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Logs go to stderr: one JSON object per line (for journald / a log collector) unless DEBUG,
# where people read them; LOG_FORMAT=json|text overrides. Every request is logged once at INFO
# by innobridge.core.logging.RequestLogMiddleware (LOG_REQUESTS=false silences it).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(
        f"LOG_FORMAT 只能是 json 或 text · must be json or text, got {LOG_FORMAT!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "innobridge.core.logging.JsonFormatter"},
        "text": {"()": "innobridge.core.logging.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "innobridge.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 20

# Background work. With REDIS_URL set, Celery workers (`innobridge worker`) take the tasks from
# Redis; without it (the embedded default) they run in a background thread of the web process.
REDIS_URL = env_str("REDIS_URL", "")
# Login-failure counters and other shared state: Redis when deployed with several workers.
# Redis being down must not break a page: the cache answers "nothing cached" and logs a warning
# (innobridge.core.cache), and gives up on an unreachable server within a second.
# "fragments": this process's memory, for page parts that depend only on what their key names
# (the header for a language and set of roles, a list's filter bar for its query string): no
# round trip, and nothing in it needs to be shared between workers.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "innobridge-fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "innobridge.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
# Without Redis: "thread" runs background work in a thread of this process (the web server);
# "inline" runs it right after the transaction commits, in the caller (tests, one-off scripts).
BACKGROUND_MODE = env_str("INNOBRIDGE_BACKGROUND", "inline" if TESTING else "thread")
# "background": a web process whose records changed indexes them again in a thread and answers
# from the index it has meanwhile (core.matching.index_for); "inline": the query waits for it
INDEX_REFRESH = env_str("INNOBRIDGE_INDEX_REFRESH", "background" if PRODUCTION else "inline")
if INDEX_REFRESH not in ("background", "inline"):
    raise ImproperlyConfigured("INNOBRIDGE_INDEX_REFRESH must be background or inline")
# seconds a request waits for its process's first match index before a readable 503 (background)
INDEX_WAIT = env_int("INNOBRIDGE_INDEX_WAIT", 20)
# where a large match index finds its dense candidates: memory, pgvector or auto (core/pgvector.py)
DENSE_INDEX = env_str("INNOBRIDGE_DENSE_INDEX", "memory").lower()
if DENSE_INDEX not in ("memory", "pgvector", "auto"):
    raise ImproperlyConfigured("INNOBRIDGE_DENSE_INDEX must be memory, pgvector or auto")
# match indexes of this many records or more answer from candidates (matching/retrieval.py)
MATCH_EXACT_BELOW = env_int("INNOBRIDGE_MATCH_EXACT_BELOW", 100_000)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is handed to another one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "innobridge"
# Sending a task gives up quickly when Redis is down: the task is kept in the database outbox
# instead (innobridge.core.tasks) and sent when Redis is back, so a request never waits long.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# E-mail: the console in the demo; an SMTP server in production (EMAIL_HOST etc.).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "innobridge@localhost")
