"""Django settings for dailypapers.

Every deployment knob is an environment variable read through ``dailypapers.env``
(bad values fail loudly at start-up). Defaults are safe for a laptop: SQLite in
``var/``, DEBUG off, only localhost allowed.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dailypapers.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    persistent_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DAILYPAPERS_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = persistent_secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Daily Papers")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "dailypapers",
    "papers",
    "search",
    "community",
    "digests",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dailypapers.urls"
WSGI_APPLICATION = "dailypapers.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dailypapers" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dailypapers.context_processors.site",
            ],
        },
    },
]


# WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at BEGIN
# so concurrent writers queue instead of failing with "database is locked" on upgrade.
_SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database() -> dict:
    url = env_str("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # dj_database_url raises several types on bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL scheme is not supported: {url.split(':')[0]}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Persistent connections (DB_CONN_MAX_AGE) save ~2 ms a request here too: opening a
        # file and running the PRAGMAs is not free.
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[env_choice("TASKS_BACKEND", "immediate", tuple(_TASK_BACKENDS))]
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/papers"
LOGOUT_REDIRECT_URL = "/papers"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Email (SMTP by default; console backend when no host is configured locally).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Daily Papers <papers@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(DATA_DIR / "index")))
# Model files derived from the installed packages (search/embedding.py); a cache, safe to delete.
SEARCH_MODEL_DIR = Path(env_str("SEARCH_MODEL_DIR", str(DATA_DIR / "models")))

# Trending (community/trending.py, published at /about/trending): every vote and comment
# counts 2 ** -(its age in hours / HALF_LIFE); a comment weighs COMMENT_WEIGHT votes.
TRENDING_HALF_LIFE_HOURS = env_float("TRENDING_HALF_LIFE_HOURS", 24.0, minimum=0.1)
TRENDING_COMMENT_WEIGHT = env_float("TRENDING_COMMENT_WEIGHT", 0.5, minimum=0.0)
TRENDING_CACHE_SECONDS = env_int("TRENDING_CACHE_SECONDS", 60, minimum=0)

# Submission rules (Hugging Face's defaults).
SUBMIT_MAX_AGE_DAYS = env_int("SUBMIT_MAX_AGE_DAYS", 14, minimum=1)
SUBMIT_DAILY_CAP = env_int("SUBMIT_DAILY_CAP", 3, minimum=1)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Email digests (digests app).
DIGEST_SEND_HOUR = env_int("DIGEST_SEND_HOUR", 7, minimum=0)  # local time; daily runs Mon-Fri
DIGEST_WEEKLY_WEEKDAY = env_int("DIGEST_WEEKLY_WEEKDAY", 0, minimum=0)  # 0 = Monday
DIGEST_MAX_PAPERS = env_int("DIGEST_MAX_PAPERS", 30, minimum=1)
DIGEST_BATCH_SIZE = env_int("DIGEST_BATCH_SIZE", 100, minimum=1)  # messages per SMTP connection
DIGEST_MAX_ATTEMPTS = env_int("DIGEST_MAX_ATTEMPTS", 4, minimum=1)  # per message, temp failures
DIGEST_RETRY_BASE_SECONDS = env_float("DIGEST_RETRY_BASE_SECONDS", 2.0, minimum=0.0)
DIGEST_MAX_HARD_FAILURES = env_int("DIGEST_MAX_HARD_FAILURES", 3, minimum=1)
DIGEST_CLAIM_TIMEOUT_SECONDS = env_int("DIGEST_CLAIM_TIMEOUT_SECONDS", 900, minimum=1)
DIGEST_CONFIRM_MAX_AGE_SECONDS = env_int("DIGEST_CONFIRM_MAX_AGE_SECONDS", 3 * 86400, minimum=60)
DIGEST_UNSUBSCRIBE_MAILTO = env_str("DIGEST_UNSUBSCRIBE_MAILTO", "")  # optional List-Unsubscribe

# --- Community (issue 4) ---
# scrypt first: a memory-hard hasher from the standard library (no extra dependency);
# the others stay so older hashes still verify and are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so threaded tests share one WAL database; per-process name so
    # parallel test runs in one checkout never clobber each other's test database.
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        Path(_tempfile.gettempdir()) / f"dailypapers-test-{_os.getpid()}.sqlite3"
    )
# Rate limits (community/ratelimit.py): requests allowed per fixed window; over it -> HTTP 429.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)
RATE_LIMITS = {
    # scope: (max requests, window seconds); signup/login count per client IP, the rest per user.
    "signup": (env_int("RATE_LIMIT_SIGNUP_PER_HOUR", 5, minimum=1), 3600),
    "login": (env_int("RATE_LIMIT_LOGIN_PER_15MIN", 10, minimum=1), 900),
    "password_reset": (env_int("RATE_LIMIT_PASSWORD_RESET_PER_HOUR", 5, minimum=1), 3600),
    "submit": (env_int("RATE_LIMIT_SUBMIT_PER_HOUR", 10, minimum=1), 3600),
    "vote": (env_int("RATE_LIMIT_VOTE_PER_MINUTE", 60, minimum=1), 60),
    "comment": (env_int("RATE_LIMIT_COMMENT_PER_MINUTE", 5, minimum=1), 60),
}
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 5000, minimum=100)
SUBMIT_RETRY_MAX_ATTEMPTS = env_int("SUBMIT_RETRY_MAX_ATTEMPTS", 8, minimum=1)

# Operations (dailypapers/ops.py, deploy/, docs/deploy.md).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_DIR = Path(env_str("METRICS_DIR", str(DATA_DIR / "metrics")))
MIDDLEWARE.insert(0, "dailypapers.ops.MetricsMiddleware")
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING["formatters"]["json"] = {"()": "dailypapers.ops.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# Feed pages and API responses are cached this long (seconds); any vote, comment or import
# invalidates them at once (dailypapers/cache.py), so this only bounds memory use.
CACHE_TIMEOUT = env_int("CACHE_TIMEOUT", 600, minimum=0)
# A background task still "running" after this long on a worker that stopped reporting is
# handed to another worker (dailypapers/management/commands/worker.py).
TASK_STALE_AFTER = env_int("TASK_STALE_AFTER", 3600, minimum=60)

# Search (see search/README.md). The embedding model is one of search.embedding.MODELS.
SEARCH_EMBEDDING_MODEL = env_str("SEARCH_EMBEDDING_MODEL", "minilm-dq8-128")
SEARCH_ANN_MIN_VECTORS = env_int("SEARCH_ANN_MIN_VECTORS", 50_000, minimum=1)
# Threads for bulk embedding (0: two, or one on a single core); a query always uses one.
SEARCH_EMBEDDING_THREADS = env_int("SEARCH_EMBEDDING_THREADS", 0, minimum=0)
# onnxruntime's memory arena keeps the peak of the largest batch; off unless measured useful.
SEARCH_ORT_ARENA = env_bool("SEARCH_ORT_ARENA", False)
# Keyword retrieval: "all-first" (default) ranks only papers with every word when a full
# candidate list of them exists, else papers with any word, as arXiv's and Google Scholar's
# search match every word; "any" is BM25 over every paper with any of the words (slower on
# large corpora: bench/keyword_strategies.py, search/README.md). Same on small corpora.
SEARCH_KEYWORD_MATCH = env_choice("SEARCH_KEYWORD_MATCH", "all-first", ("any", "all-first"))

# arXiv API (papers/importers/arxiv_fetch.py): live imports and "submit a paper" look-ups.
# arXiv asks for at least 3 seconds between requests; lower it only for local test servers.
ARXIV_API_URL = env_str("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_REQUEST_DELAY = env_float("ARXIV_REQUEST_DELAY", 3.0, minimum=0.0)
ARXIV_TIMEOUT = env_float("ARXIV_TIMEOUT", 30.0, minimum=1.0)
DIGEST_SEND_WORKERS = env_int("DIGEST_SEND_WORKERS", 4, minimum=1)  # parallel SMTP connections
# Any queue name may be used, so operators can run dedicated workers per queue
# (e.g. `manage.py worker --queue-name imports`).
TASKS["default"]["QUEUES"] = []
