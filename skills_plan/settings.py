"""Settings, read from the environment through small typed helpers that fail loudly.

DATABASE_URL (default: an SQLite file in the repository), CELERY_BROKER_URL (absent: Celery
tasks run in process), SECRET_KEY (required when DEBUG is off), ALLOWED_HOSTS, DEBUG (off
unless set). With DEBUG off the site expects HTTPS behind a proxy (README, "Deployment"):
secure cookies and the redirect to HTTPS are on unless turned off, HSTS is opt-in.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-dev-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. nginx terminates TLS and sets X-Forwarded-Proto and X-Real-IP (gunicorn listens on
# 127.0.0.1 only, so nobody else can send those headers). HSTS is sticky in browsers: opt in
# once HTTPS works.
BEHIND_PROXY = env_bool("BEHIND_PROXY", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Logged-in pages: an idle office PC should not stay signed in for long.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# On: SESSION_COOKIE_AGE counts from the last request (idle time), not from the login.
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", False)

INSTALLED_APPS = [
    # Django's admin, whose changelists answer bad filter values with ?e=1, never a 500.
    "skills_plan.admin_site.SkillsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "django_tables2",
    "django_filters",
    "axes",
    "targets",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "skills_plan.middleware.ContentSecurityPolicyMiddleware",
    "skills_plan.middleware.NoIndexMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "skills_plan.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "skills_plan.urls"

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
                "skills_plan.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "skills_plan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# A streaming read replica of the primary (optional): during GETs of the dashboards, the
# progress API and the summary workbook, reads of the figures and rollups come from it;
# writes, sessions and everything else stay on the primary (skills_plan/db_router.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
    # Tests have no replica: the alias reads the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["skills_plan.db_router.ReplicaRouter"]
    # After SecurityMiddleware: marks the reporting GETs the router may read from the replica.
    MIDDLEWARE.insert(1, "skills_plan.db_router.ReplicaReadsMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "skills_plan.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins: after AXES_FAILURE_LIMIT failures for one user name (from any address), that
# name is locked; an address (the client's, from nginx's X-Real-IP) is locked once it has
# failed with LOGIN_ADDRESS_NAMES_LIMIT different names (skills_plan.auth.LoginAttempts). For
# AXES_COOLOFF_MINUTES (0: until unlocked in the admin, "Access attempts", or with
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`). A successful login clears
# only that name's failures from that address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30)) or None
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "skills_plan.auth.LoginAttempts"
LOGIN_ADDRESS_NAMES_LIMIT = env_int("LOGIN_ADDRESS_NAMES_LIMIT", 10)
# axes warns without "ip_address" in the parameters; the address rule is LoginAttempts' own, and
# failures are counted per name over every address and browser, so rotating either gains nothing.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "skills_plan.auth.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "skills_plan.auth.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Password-reset requests (skills_plan/password_reset.py): per client address and per e-mail
# address in PASSWORD_RESET_WINDOW_MINUTES; beyond, 429 and no mail. Counted in Django's cache.
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 5)
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English selectable (the language switcher in the page header).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Static files as production serves them: collected under hashed names (cached for ever),
# compressed (gzip and brotli), served by whitenoise from STATIC_ROOT. On unless DEBUG; the demo
# turns it on too after collectstatic (`make demo`), so that it is as fast as production.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Collected: whitenoise indexes STATIC_ROOT once at start; otherwise it reads static/ as it is.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_COLLECTED

# Uploaded files (the work items' evidence, 佐证材料) are kept under MEDIA_ROOT by Django's
# storage and never served as static files: nothing answers MEDIA_URL (no URL pattern, no nginx
# location); downloads go through a view that asks the policy (targets/evidence.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"


def _within(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


if any(_within(MEDIA_ROOT, served) for served in [STATIC_ROOT, *STATICFILES_DIRS]):
    raise ImproperlyConfigured(
        f"MEDIA_ROOT ({MEDIA_ROOT}) must not be inside STATIC_ROOT or STATICFILES_DIRS: "
        "uploaded files are never served as static files"
    )

# Evidence files: the largest file (checked on the upload's size before anything is read), the
# largest total a .docx/.xlsx declares once unpacked, and a plan's total (the default for every
# plan). EVIDENCE_STORAGE names the entry of STORAGES they are kept in.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_INFLATED_BYTES = env_int("EVIDENCE_MAX_INFLATED_BYTES", 200 * 1024 * 1024)
EVIDENCE_PLAN_TOTAL_BYTES = env_int("EVIDENCE_PLAN_TOTAL_BYTES", 2 * 1024 * 1024 * 1024)
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "default")
if EVIDENCE_STORAGE not in STORAGES:
    raise ImproperlyConfigured(
        f"EVIDENCE_STORAGE must name an entry of STORAGES, got {EVIDENCE_STORAGE!r}"
    )

# Personal data of the rosters (ID numbers, phones), targets.personal_data: encrypted with
# FIELD_ENCRYPTION_KEY, one or more Fernet keys separated by commas (the first encrypts, each
# decrypts: a new key goes first and the old one stays until `rotate_personal_data` has run);
# matched by an HMAC with PERSONAL_DATA_HASH_KEY, which is never rotated (a number keeps its
# hash, or last year's duplicates would not be found). With DEBUG on and none set, keys are
# derived from SECRET_KEY (the demo's people are synthetic); with DEBUG off, the first use
# of personal data without them fails.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEY", [])
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY: each key must be a Fernet key (32 bytes, url-safe base64; "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
        ) from exc
PERSONAL_DATA_HASH_KEY = os.environ.get("PERSONAL_DATA_HASH_KEY", "")
# Days after a closed plan's end before `purge_rosters` removes its roster rows.
ROSTER_RETENTION_DAYS = env_int("ROSTER_RETENTION_DAYS", 5 * 365)

# Django's cache (the dashboard's progress documents, the password-reset counts). Without
# CACHE_URL each process keeps its own, so a limit counts per gunicorn worker; redis://… shares it.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

# Celery: without a broker (the demo) tasks run in process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
# Nothing reads task results (a rollup records its RollupRun). Storing them would also make
# every dispatch subscribe to the result store first: with Redis down, an approval then waited
# about 20 s for its reconnect retries before the error was logged.
CELERY_TASK_IGNORE_RESULT = True
# With the broker down, give up sending quickly (the PendingRollup row stays for the sweep).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Status colours: amber when completion is within this many percentage points below the
# share of the year elapsed (DESIGN.md, "time progress").
AMBER_MARGIN_POINTS = env_int("AMBER_MARGIN_POINTS", 10)

# A supervision notice (督办单) is to be answered within this many days of being raised (办理时限).
SUPERVISION_DUE_DAYS = env_int("SUPERVISION_DUE_DAYS", 10)

# Monthly figures are due by this day of the next month; later ones count as late.
SUBMISSION_DEADLINE_DAY = env_int("SUBMISSION_DEADLINE_DAY", 5)

# Auditors' workbooks with more rows than this (月度明细 + 修改记录) are written by a Celery
# worker into EXPORT_ROOT, with a progress bar, instead of during the request; files are kept
# EXPORT_KEEP_DAYS days. A running export silent for EXPORT_STALE_SECONDS lost its worker and
# may be taken over by a redelivery of its task.
EXPORT_ASYNC_ROWS = env_int("EXPORT_ASYNC_ROWS", 20000)
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", BASE_DIR / "media" / "exports"))
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)
EXPORT_STALE_SECONDS = env_int("EXPORT_STALE_SECONDS", 300)

# Demo accounts' password (CONTRACT.md).
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-2015")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "skills-plan@localhost")

# Sent with every HTML page; empty sends none. Scripts only from our own static files (the
# charts' data is json_script, drawn by static/js/charts.js); plotly injects a <style> element.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
).strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
