"""Settings for the test suite: the environment's DATABASE_URL and CELERY_BROKER_URL still apply."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from .settings import *  # noqa: F403

# pytest-django runs with DEBUG off; the manifest storage would need collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# The test client speaks plain HTTP; production redirects it to HTTPS and marks cookies secure.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# pytest-xdist runs the suite in several processes, each with its own test database
# (pytest-django adds _gw0, _gw1, …); give each its own Redis database too, so that one
# process's Celery worker never takes the tasks another process sent (from /15: /14, /13, …).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if CELERY_BROKER_URL and _XDIST_WORKER.startswith("gw"):  # noqa: F405
    _base, _sep, _db = CELERY_BROKER_URL.rpartition("/")  # noqa: F405
    if _db.isdigit():
        CELERY_BROKER_URL = f"{_base}/{(int(_db) - 1 - int(_XDIST_WORKER[2:])) % 16}"
        CELERY_RESULT_BACKEND = CELERY_BROKER_URL

# Personal data (targets.personal_data): fixed keys for the tests only.
FIELD_ENCRYPTION_KEYS = ["T7neUnyyTud0A8QZEiGY0o6ziFn8Ag6IwDuf0kdnAy0="]
PERSONAL_DATA_HASH_KEY = "test-only-personal-data-hash-key"
