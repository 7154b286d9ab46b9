"""Addresses of the site's own views reversed once per process, for the ones a lesson
view asks for on every request (issue 15): Django's `reverse` works through the URL
patterns each time, a fiftieth of a lesson view for its two or three addresses.

An address depends only on the view's name and arguments, the URL patterns and the
script prefix, which are all in the key, so a kept address is the one `reverse` would
give. Bounded (least recently used go first)."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_kept(name: str, *args) -> str:
    """`reverse(name, args=args)`, kept. `args` must be plain (ids, slugs)."""
    return _reversed(name, args, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple, root_urlconf: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf, args=args)
