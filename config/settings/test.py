"""The test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both)."""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks eagerly unless a test starts a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / ".test-media"
# One process's memory is enough for rate limits in tests (each test clears it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
ACADEMY_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve the built front end straight from frontend/dist, with no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
