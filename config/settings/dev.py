"""Local development: `make run`. Debug on, console email, embedded defaults."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
