"""The test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both)."""

from .base import *

DEBUG = False
# Tests only (docs/security.md).
SECRET_KEY = "test-only-secret-key"  # noqa: S105  # nosec B105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real worker started by a test sends mail to files the test can read.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# Tests run tasks eagerly; a test that starts a real worker switches this off for
# itself, and the worker it starts (tests/celery_worker.py) reads the environment.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A test's worker consumes one queue of its own, so nothing is routed elsewhere.
CELERY_TASK_ROUTES = {}
MEDIA_ROOT = BASE_DIR / ".test-media"
# One process's memory is enough for rate limits in tests (each test clears it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# As production has it with Redis: one process, so its memory is a shared cache here.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Reports work their figures out afresh each time, except in the test of the keeping.
REPORT_CACHE_SECONDS = 0
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
ACADEMY_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve the built front end straight from frontend/dist, with no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
