"""Django settings for dailypapers.

Every deployment knob is an environment variable read through ``dailypapers.env``
(bad values fail loudly at start-up). Defaults are safe for a laptop: SQLite in
``var/``, DEBUG off, only localhost allowed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dailypapers.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_time_zone,
    persistent_secret_key,
    private_data_dir,
)

# Files every process creates (database and its WAL, backups, search indexes, derived
# models, the secret key) are readable by its user only: they hold password hashes,
# sessions and e-mail addresses. (collectstatic's output is public: deploy/ makes it so.)
os.umask(0o077)
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(
    env_str(
        "DAILYPAPERS_DATA_DIR",
        str(BASE_DIR / "var"),
        doc="SQLite database, index, secret key, backups, metrics",
        shown_default="`var/` in the checkout",
    )
).resolve()
private_data_dir(DATA_DIR)

SECRET_KEY = persistent_secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False, doc="Django debug pages (never in production)")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]", "testserver"],
    doc="host names served",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [], doc="e.g. `https://papers.example.org` behind a TLS proxy"
)
SITE_URL = env_str(
    "SITE_URL",
    "http://127.0.0.1:8000",
    doc="absolute links in emails, feeds, Markdown and API output; `dailypapers serve` warns "
    "when it cannot reach the address served (a public host name is taken to be a proxy)",
).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Daily Papers", doc="shown in pages and emails")

INSTALLED_APPS = [
    "community.apps.LimitedAdminConfig",
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
    "sources",
    "library",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dailypapers.security.ContentSecurityPolicyMiddleware",
    "api.middleware.ApiJsonErrorsMiddleware",
    "dailypapers.nul_guard.RejectNulMiddleware",
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
    url = env_str(
        "DATABASE_URL",
        "",
        doc="e.g. `postgres://user:pass@host:5432/db`",
        shown_default="empty (SQLite in the data dir)",
    )
    if not url:
        url = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
    max_age = env_int(
        "DB_CONN_MAX_AGE",
        60,
        minimum=0,
        doc="seconds a database connection is reused (0 = one per request)",
    )
    try:
        config = dj_database_url.parse(url, conn_max_age=max_age)
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

REDIS_URL = env_str(
    "REDIS_URL",
    "",
    doc="cache, e.g. `redis://127.0.0.1:6379/0`",
    shown_default="empty (local memory)",
)
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
        "BACKEND": _TASK_BACKENDS[
            env_choice(
                "TASKS_BACKEND",
                "immediate",
                tuple(_TASK_BACKENDS),
                doc="`immediate` (inline), `database` (workers), `dummy` (discard)",
            )
        ]
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
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC", doc="local time for digests' send hour")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_MANIFEST = env_bool(
    "STATIC_MANIFEST", False, doc="hashed, compressed static files (needs `collectstatic`)"
)
# Without the manifest, whitenoise serves the apps' static/ folders through the finders and
# there is nothing to collect; STATIC_ROOT is only set when collectstatic is needed.
STATIC_ROOT = BASE_DIR / "staticfiles" if STATIC_MANIFEST else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Email (SMTP by default; console backend when no host is configured locally).
EMAIL_HOST = env_str(
    "EMAIL_HOST",
    "",
    doc="SMTP server; empty prints mails to the console",
    shown_default="empty (console backend)",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535, doc="SMTP port")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", doc="SMTP user")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", doc="SMTP password")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, doc="STARTTLS (exclusive with SSL)")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False, doc="implicit TLS")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1, doc="SMTP timeout, seconds")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL",
    "Daily Papers <papers@localhost>",
    doc="sender of digests and account mail",
)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

SEARCH_INDEX_DIR = Path(
    env_str(
        "SEARCH_INDEX_DIR",
        str(DATA_DIR / "index"),
        doc="this machine's copy of the search indexes",
        shown_default="`$DAILYPAPERS_DATA_DIR/index`",
    )
)
SEARCH_MODEL_DIR = Path(
    env_str(
        "SEARCH_MODEL_DIR",
        str(DATA_DIR / "models"),
        doc="embedding model files derived from the installed packages at first use "
        "(search/embedding.py; a cache, safe to delete)",
        shown_default="`$DAILYPAPERS_DATA_DIR/models`",
    )
)
# Vectors computed once and shipped as ``<model>.npz`` files (arXiv id, content hash,
# vector), used instead of running the model for the papers they hold (search/demo_vectors.py).
SEARCH_VECTOR_DIRS = [
    Path(directory)
    for directory in env_list(
        "SEARCH_VECTOR_DIRS",
        [str(BASE_DIR / "search" / "demo")],
        doc="directories of precomputed `<model>.npz` vector files used instead of "
        "running the model for the papers they hold (the demo's are shipped)",
        shown_default="`search/demo/` in the checkout",
    )
]

# Trending (community/trending.py, published at /about/trending): every vote and comment
# counts 2 ** -(its age in hours / HALF_LIFE); a comment weighs COMMENT_WEIGHT votes.
TRENDING_HALF_LIFE_HOURS = env_float(
    "TRENDING_HALF_LIFE_HOURS",
    24.0,
    minimum=0.1,
    doc="trending: a vote's weight halves every this many hours",
)
TRENDING_COMMENT_WEIGHT = env_float(
    "TRENDING_COMMENT_WEIGHT", 0.5, minimum=0.0, doc="trending: a comment counts as this many votes"
)
TRENDING_CACHE_SECONDS = env_int(
    "TRENDING_CACHE_SECONDS", 60, minimum=0, doc="trending lists are cached this long"
)

# Submission rules (Hugging Face's defaults).
SUBMIT_MAX_AGE_DAYS = env_int(
    "SUBMIT_MAX_AGE_DAYS", 14, minimum=1, doc="papers older than this cannot be submitted"
)
SUBMIT_DAILY_CAP = env_int("SUBMIT_DAILY_CAP", 3, minimum=1, doc="submissions per user per day")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool(
    "SESSION_COOKIE_SECURE", False, doc="cookies only over HTTPS (also the CSRF cookie)"
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (docs/security.md). Off by default so a laptop on http://127.0.0.1 works; the
# production example turns them on. SECURE_PROXY_SSL_HEADER: set SECURE_PROXY_SSL=true only
# behind a proxy that sets X-Forwarded-Proto itself (else clients could claim HTTPS).
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT",
    False,
    doc="redirect http:// to https:// (except `/healthz`, `/metrics`); "
    "needs `SECURE_PROXY_SSL` behind a TLS proxy",
)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS",
    0,
    minimum=0,
    maximum=2 * 365 * 86400,
    doc="Strict-Transport-Security max-age (production: 31536000)",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", False, doc="HSTS for every subdomain too"
)
SECURE_HSTS_PRELOAD = env_bool(
    "SECURE_HSTS_PRELOAD",
    False,
    doc="ask browsers to preload HSTS (only after the domain is submitted)",
)
if env_bool(
    "SECURE_PROXY_SSL",
    False,
    doc="trust the proxy's `X-Forwarded-Proto: https` (only if it always sets or strips it)",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks and metrics scraped over plain HTTP on the host itself are not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSP_ENABLED = env_bool(
    "CSP_ENABLED", True, doc="send the Content-Security-Policy header (docs/security.md)"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL",
            "INFO",
            ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
            doc="root log level",
        ),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Email digests (digests app).
DIGEST_SEND_HOUR = env_int(
    "DIGEST_SEND_HOUR",
    7,
    minimum=0,
    maximum=23,
    doc="local hour from which digests are due (daily digests go out Monday to Friday)",
)
DIGEST_WEEKLY_WEEKDAY = env_int(
    "DIGEST_WEEKLY_WEEKDAY",
    0,
    minimum=0,
    maximum=6,
    doc="weekday of the weekly digest (0 = Monday)",
)
DIGEST_MAX_PAPERS = env_int("DIGEST_MAX_PAPERS", 30, minimum=1, doc="papers per digest")
DIGEST_BATCH_SIZE = env_int("DIGEST_BATCH_SIZE", 100, minimum=1, doc="messages per SMTP connection")
DIGEST_MAX_ATTEMPTS = env_int(
    "DIGEST_MAX_ATTEMPTS", 4, minimum=1, doc="attempts per message on temporary failures"
)
DIGEST_RETRY_BASE_SECONDS = env_float(
    "DIGEST_RETRY_BASE_SECONDS",
    2.0,
    minimum=0.0,
    doc="first back-off between attempts (doubles)",
)
DIGEST_MAX_HARD_FAILURES = env_int(
    "DIGEST_MAX_HARD_FAILURES",
    3,
    minimum=1,
    doc="permanent failures before a subscription is paused",
)
DIGEST_CLAIM_TIMEOUT_SECONDS = env_int(
    "DIGEST_CLAIM_TIMEOUT_SECONDS",
    900,
    minimum=1,
    doc="a digest claimed this long ago by a crashed run is taken over",
)
DIGEST_CONFIRM_MAX_AGE_SECONDS = env_int(
    "DIGEST_CONFIRM_MAX_AGE_SECONDS",
    3 * 86400,
    minimum=60,
    doc="confirmation links expire after this many seconds",
)
DIGEST_UNSUBSCRIBE_MAILTO = env_str(
    "DIGEST_UNSUBSCRIBE_MAILTO", "", doc="optional `mailto:` in List-Unsubscribe"
)

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
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        Path(tempfile.gettempdir()) / f"dailypapers-test-{os.getpid()}.sqlite3"
    )
# Rate limits (community/ratelimit.py): requests allowed per fixed window; over it -> HTTP 429.
RATE_LIMITS = {
    # scope: (max requests, window seconds); signup, password_reset, search and
    # digest_subscribe count per client address, submit/vote/comment/verify_email per user.
    "signup": (
        env_int("RATE_LIMIT_SIGNUP_PER_HOUR", 5, minimum=1, doc="sign-ups per client per hour"),
        3600,
    ),
    # Failed sign-ins, counted per client address and per account by every login form
    # (site and admin): at the limit even the right password is refused until the window ends.
    "login": (
        env_int(
            "RATE_LIMIT_LOGIN_PER_15MIN",
            10,
            minimum=1,
            doc="failed sign-ins per client and per account per 15 minutes",
        ),
        900,
    ),
    "password_reset": (
        env_int(
            "RATE_LIMIT_PASSWORD_RESET_PER_HOUR",
            5,
            minimum=1,
            doc="password-reset mails per client per hour",
        ),
        3600,
    ),
    "submit": (
        env_int("RATE_LIMIT_SUBMIT_PER_HOUR", 10, minimum=1, doc="submissions per user per hour"),
        3600,
    ),
    "vote": (
        env_int("RATE_LIMIT_VOTE_PER_MINUTE", 60, minimum=1, doc="votes per user per minute"),
        60,
    ),
    "comment": (
        env_int("RATE_LIMIT_COMMENT_PER_MINUTE", 5, minimum=1, doc="comments per user per minute"),
        60,
    ),
    "search": (
        env_int(
            "RATE_LIMIT_SEARCH_PER_MINUTE",
            60,
            minimum=1,
            doc="searches per client per minute (page, live results, API, search feed)",
        ),
        60,
    ),
    "digest_subscribe": (
        env_int(
            "RATE_LIMIT_DIGEST_SUBSCRIBE_PER_HOUR",
            5,
            minimum=1,
            doc="digest subscribe requests per client per hour (form and API)",
        ),
        3600,
    ),
    # Confirmation mails for the whole site, so the form cannot be used to mail-bomb.
    "digest_confirmation": (
        env_int(
            "RATE_LIMIT_DIGEST_CONFIRMATIONS_PER_HOUR",
            100,
            minimum=1,
            doc="digest confirmation mails per hour for the whole site",
        ),
        3600,
    ),
    "verify_email": (
        env_int(
            "RATE_LIMIT_VERIFY_EMAIL_PER_HOUR",
            3,
            minimum=1,
            doc="address-verification mails per user per hour",
        ),
        3600,
    ),
    # Library imports (library/README.md): each may queue arXiv look-ups for a worker.
    "library_import": (
        env_int(
            "RATE_LIMIT_LIBRARY_IMPORT_PER_HOUR",
            20,
            minimum=1,
            doc="library imports (page and API) per user per hour",
        ),
        3600,
    ),
    # Pages of arXiv papers we do not have yet, fetched on demand (sources/README.md).
    "arxiv_fetch": (
        env_int(
            "RATE_LIMIT_ARXIV_FETCH_PER_HOUR",
            30,
            minimum=1,
            doc="on-demand arXiv fetches per client per hour",
        ),
        3600,
    ),
}
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); empty:
# the client address is the TCP peer (community/ratelimit.py: client_ip).
TRUSTED_PROXIES = env_networks(
    "TRUSTED_PROXIES",
    doc="reverse proxies (IPs or CIDR networks) whose `X-Forwarded-For` gives the client address",
)
# Every sign-in goes through this backend: it refuses accounts and addresses that are over
# the "login" limit (community/authentication.py).
AUTHENTICATION_BACKENDS = ["community.authentication.RateLimitedModelBackend"]
EMAIL_VERIFICATION_MAX_AGE_SECONDS = env_int(
    "EMAIL_VERIFICATION_MAX_AGE_SECONDS",
    3 * 86400,
    minimum=600,
    doc="lifetime of the address-verification link mailed at sign-up",
)
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 5000, minimum=100, doc="characters per comment")
SUBMIT_RETRY_MAX_ATTEMPTS = env_int(
    "SUBMIT_RETRY_MAX_ATTEMPTS",
    8,
    minimum=1,
    doc="fetch attempts for a submission arXiv does not know yet",
)

# Operations (dailypapers/ops/, deploy/, docs/deploy.md).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False, doc="serve `/metrics`")
METRICS_DIR = Path(
    env_str(
        "METRICS_DIR",
        str(DATA_DIR / "metrics"),
        doc="prometheus_client's multiprocess files, one set per process (local disk; "
        "emptied when gunicorn starts)",
        shown_default="`$DAILYPAPERS_DATA_DIR/metrics`",
    )
)
# prometheus_client chooses its multiprocess mode, and where each process writes its
# counters, from this variable when it is imported: set here, before anything imports it.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# Bearer token for /metrics and the detailed /healthz; without it only direct local requests
# (loopback, not through a proxy) get them.
METRICS_TOKEN = env_str(
    "METRICS_TOKEN",
    "",
    doc="bearer token (≥ 16 characters) for `/metrics` and `/healthz` details; "
    "empty: local requests only",
)
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters long")
MIDDLEWARE.insert(0, "dailypapers.ops.middleware.MetricsMiddleware")
LOG_FORMAT = env_choice(
    "LOG_FORMAT",
    "plain",
    ("plain", "json"),
    doc="`json`: one object per line (the gunicorn access log too)",
)
LOGGING["formatters"]["json"] = {"()": "dailypapers.ops.logs.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# Feed pages and API responses are cached this long (seconds); any vote, comment or import
# invalidates them at once (dailypapers/cache.py), so this only bounds memory use.
CACHE_TIMEOUT = env_int(
    "CACHE_TIMEOUT",
    600,
    minimum=0,
    doc="seconds a cached page/response lives (0 disables caching)",
)
# A background task still "running" after this long on a worker that stopped reporting is
# handed to another worker (dailypapers/management/commands/worker.py).
TASK_STALE_AFTER = env_int(
    "TASK_STALE_AFTER",
    3600,
    minimum=60,
    doc="seconds after which a running job of an unreachable worker is re-queued",
)

# Search (see search/README.md).
SEARCH_EMBEDDING_MODEL = env_choice(
    "SEARCH_EMBEDDING_MODEL",
    "minilm-dq8-128",
    # The names of search.embedding.MODELS (a test keeps them equal; importing the search app
    # here would load numpy into every process at start-up).
    ("minilm-dq8-128", "minilm-int8-128", "minilm-int8"),
    doc="embedding model of the semantic search (change → `search_index rebuild`)",
)
SEARCH_ANN_MIN_VECTORS = env_int(
    "SEARCH_ANN_MIN_VECTORS",
    50_000,
    minimum=1,
    doc="from this many vectors an approximate (HNSW) index is used",
)
SEARCH_EMBEDDING_THREADS = env_int(
    "SEARCH_EMBEDDING_THREADS",
    0,
    minimum=0,
    doc="threads for bulk embedding (imports, rebuilds); 0: two, or one on a single core; "
    "a query always uses one",
)
# onnxruntime's memory arena keeps the peak of the largest batch; off unless measured useful.
SEARCH_ORT_ARENA = env_bool(
    "SEARCH_ORT_ARENA",
    False,
    doc="onnxruntime's memory arena (keeps the largest batch's memory; no faster for queries)",
)
# Keyword retrieval: "all-first" ranks only papers with every word when a full candidate list
# of them exists, else papers with any word, as arXiv's and Google Scholar's search match
# every word; "any" is BM25 over every paper with any of the words (slower on large corpora:
# bench/keyword_strategies.py, search/README.md). Both agree on small corpora.
SEARCH_KEYWORD_MATCH = env_choice(
    "SEARCH_KEYWORD_MATCH",
    "all-first",
    ("any", "all-first"),
    doc="`all-first`: keyword search ranks only papers containing every word when at least a "
    "full candidate list (1,000) of them exists, else all papers with any word. `any`: BM25 "
    "over every paper with any word (slower on large corpora; search/README.md)",
)

# arXiv API (papers/importers/arxiv_fetch.py): live imports and "submit a paper" look-ups.
ARXIV_API_URL = env_str(
    "ARXIV_API_URL",
    "https://export.arxiv.org/api/query",
    doc="arXiv API for submissions and live imports",
)
ARXIV_REQUEST_DELAY = env_float(
    "ARXIV_REQUEST_DELAY",
    3.0,
    minimum=0.0,
    doc="seconds between arXiv API requests (arXiv asks for at least 3; lower it only for "
    "local test servers)",
)
ARXIV_TIMEOUT = env_float("ARXIV_TIMEOUT", 30.0, minimum=1.0, doc="arXiv request timeout, seconds")
DIGEST_SEND_WORKERS = env_int(
    "DIGEST_SEND_WORKERS", 4, minimum=1, doc="parallel SMTP connections of one digest run"
)
# The web server (dailypapers/gunicorn.conf.py reads these).
WEB_CONCURRENCY = env_int(
    "WEB_CONCURRENCY",
    (os.cpu_count() or 1) * 2 + 1,
    minimum=1,
    doc="gunicorn worker processes",
    shown_default="2 x cores + 1",
)
GUNICORN_THREADS = env_int(
    "GUNICORN_THREADS", 1, minimum=1, doc="threads per worker (> 1 uses the gthread worker)"
)
GUNICORN_BIND = env_str("GUNICORN_BIND", "127.0.0.1:8000", doc="address gunicorn listens on")
GUNICORN_TIMEOUT = env_int(
    "GUNICORN_TIMEOUT",
    30,
    minimum=1,
    doc="seconds before a stuck request's worker is restarted",
)
GUNICORN_MAX_REQUESTS = env_int(
    "GUNICORN_MAX_REQUESTS",
    50_000,
    minimum=0,
    doc="requests before a worker is recycled (± 10 %; 0 never); each recycle starts a "
    "worker with an empty local cache (use `REDIS_URL` to share it)",
)
GUNICORN_ACCESS_LOG = env_str(
    "GUNICORN_ACCESS_LOG",
    "-",
    doc="access log file (`-`: stderr); empty disables it",
)

# Any queue name may be used, so operators can run dedicated workers per queue
# (e.g. `manage.py worker --queue-name imports`).
TASKS["default"]["QUEUES"] = []

# Live sources (sources/README.md). Every source is off by default, so a laptop demo never
# touches the network; `manage.py follow` (or `dailypapers serve`) runs the enabled ones.
FOLLOW_ARXIV_CATEGORIES = env_list(
    "FOLLOW_ARXIV_CATEGORIES",
    [],
    doc="arXiv categories to follow, e.g. `cs.CL,cs.LG`; empty turns the arXiv source off",
)
ARXIV_OAI_URL = env_str(
    "ARXIV_OAI_URL",
    "https://oaipmh.arxiv.org/oai",
    doc="arXiv OAI-PMH endpoint followed by the arXiv source",
)
FOLLOW_ARXIV_BACKFILL_DAYS = env_int(
    "FOLLOW_ARXIV_BACKFILL_DAYS",
    3,
    minimum=0,
    maximum=90,
    doc="first arXiv harvest starts this many days back",
)
FOLLOW_ARXIV_INTERVAL_MINUTES = env_int(
    "FOLLOW_ARXIV_INTERVAL_MINUTES",
    60,
    minimum=1,
    maximum=7 * 1440,
    doc="minutes between arXiv harvests",
)
FOLLOW_HF = env_bool("FOLLOW_HF", False, doc="follow Hugging Face Daily Papers")
HF_API_URL = env_str(
    "HF_API_URL",
    "https://huggingface.co",
    doc="base URL of the Hugging Face API (`/api/daily_papers`)",
).rstrip("/")
FOLLOW_HF_BACKFILL_DAYS = env_int(
    "FOLLOW_HF_BACKFILL_DAYS",
    7,
    minimum=0,
    maximum=365,
    doc="first HF run reads this many days back",
)
FOLLOW_HF_REREAD_DAYS = env_int(
    "FOLLOW_HF_REREAD_DAYS",
    3,
    minimum=0,
    maximum=30,
    doc="every HF run reads the last N days again to refresh counts",
)
FOLLOW_HF_INTERVAL_MINUTES = env_int(
    "FOLLOW_HF_INTERVAL_MINUTES", 60, minimum=1, maximum=7 * 1440, doc="minutes between HF runs"
)
FOLLOW_GITHUB = env_bool(
    "FOLLOW_GITHUB", False, doc="refresh GitHub stars of repositories of recent papers"
)
GITHUB_TOKEN = env_str(
    "GITHUB_TOKEN", "", doc="optional GitHub token (5,000 requests an hour instead of 60)"
)
GITHUB_API_URL = env_str(
    "GITHUB_API_URL", "https://api.github.com", doc="GitHub REST API base URL"
).rstrip("/")
FOLLOW_GITHUB_RECENT_DAYS = env_int(
    "FOLLOW_GITHUB_RECENT_DAYS",
    14,
    minimum=1,
    maximum=365,
    doc="papers on the feed within this many days get their stars refreshed",
)
# Requests per run; 0 = automatic: 50 without a token (GitHub allows 60 an hour), 1000 with.
FOLLOW_GITHUB_MAX_REQUESTS = env_int(
    "FOLLOW_GITHUB_MAX_REQUESTS",
    0,
    minimum=0,
    maximum=5000,
    doc="GitHub requests per run; 0 = 50 without a token, 1000 with one",
)
FOLLOW_GITHUB_INTERVAL_MINUTES = env_int(
    "FOLLOW_GITHUB_INTERVAL_MINUTES",
    360,
    minimum=60,
    maximum=7 * 1440,
    doc="minutes between GitHub runs",
)
# Seconds between two requests to Hugging Face or GitHub (arXiv uses ARXIV_REQUEST_DELAY).
FOLLOW_REQUEST_DELAY = env_float(
    "FOLLOW_REQUEST_DELAY",
    1.0,
    minimum=0.0,
    maximum=60.0,
    doc="seconds between requests to HF and GitHub (arXiv uses `ARXIV_REQUEST_DELAY`)",
)
FOLLOW_HTTP_TIMEOUT = env_float(
    "FOLLOW_HTTP_TIMEOUT",
    30.0,
    minimum=1.0,
    maximum=300.0,
    doc="timeout of one request to HF or GitHub, seconds (arXiv uses `ARXIV_TIMEOUT`)",
)
FOLLOW_HTTP_RETRIES = env_int(
    "FOLLOW_HTTP_RETRIES",
    4,
    minimum=0,
    maximum=10,
    doc="retries of a failed source request (timeouts, 429, 5xx)",
)
FOLLOW_HTTP_BACKOFF = env_float(
    "FOLLOW_HTTP_BACKOFF",
    5.0,
    minimum=0.0,
    maximum=600.0,
    doc="first retry pause in seconds, doubled each time, when no `Retry-After` is given",
)
FOLLOW_MAX_RETRY_AFTER = env_float(
    "FOLLOW_MAX_RETRY_AFTER",
    600.0,
    minimum=0.0,
    maximum=3600.0,
    doc="longest `Retry-After` honoured, seconds",
)
FOLLOW_RETRY_MINUTES = env_int(
    "FOLLOW_RETRY_MINUTES",
    15,
    minimum=1,
    maximum=1440,
    doc="a failed source runs again after this many minutes",
)
FOLLOW_LEASE_SECONDS = env_int(
    "FOLLOW_LEASE_SECONDS",
    600,
    minimum=30,
    maximum=86400,
    doc="a source's lease lasts this long unless renewed (each stored page renews it)",
)
# /healthz reports an enabled source "stale" when it has not succeeded for this long.
FOLLOW_STALE_HOURS = env_float(
    "FOLLOW_STALE_HOURS",
    26.0,
    minimum=1.0,
    maximum=24.0 * 30,
    doc="`/healthz` reports an enabled source stale after this long without success",
)
# On-demand look-ups of papers we lack (/papers/<id>, POST /api/papers/index); off by default
# like every source, so the laptop demo stays off the network.
ARXIV_ON_DEMAND = env_bool(
    "ARXIV_ON_DEMAND",
    False,
    doc="fetch papers we lack from the arXiv API for `/papers/<id>` and `POST /api/papers/index`",
)
# One try, this timeout, then "unreachable";
# a "not on arXiv" answer is remembered this long before arXiv is asked again.
ARXIV_ON_DEMAND_TIMEOUT = env_float(
    "ARXIV_ON_DEMAND_TIMEOUT",
    10.0,
    minimum=1.0,
    maximum=60.0,
    doc="seconds one on-demand arXiv look-up (`/papers/<id>` we lack) may take",
)
ARXIV_ON_DEMAND_RETRY_MINUTES = env_int(
    "ARXIV_ON_DEMAND_RETRY_MINUTES",
    60,
    minimum=1,
    maximum=7 * 1440,
    doc='"not on arXiv" answers are remembered this long',
)

# --- the personal library (library/) ---
LIBRARY_IMPORT_MAX_BYTES = env_int(
    "LIBRARY_IMPORT_MAX_BYTES",
    2 * 1024 * 1024,
    minimum=1024,
    maximum=20 * 1024 * 1024,
    doc="largest BibTeX / CSL-JSON / id list a library import accepts, bytes",
)
LIBRARY_IMPORT_MAX_ENTRIES = env_int(
    "LIBRARY_IMPORT_MAX_ENTRIES",
    2000,
    minimum=1,
    maximum=20_000,
    doc="most references one library import reads (the rest are refused with a message)",
)
