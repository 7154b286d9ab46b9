"""Local development: `make run`. Debug on, console email, embedded defaults."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
# Without Redis the demo keeps rate limits in one process's memory: fine for one server.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
