"""One layer that refuses input no page can use, before any view sees it.

A NUL byte, text that is not UTF-8, or a value far longer than any field of the service
cannot be stored (PostgreSQL refuses NUL in text) or shown, and used to reach views as
a 500 wherever a view passed it on unchecked. This middleware answers all of them with
a 400 and a clear message (GOV.UK-styled; JSON under /api/), so that no view needs to
defend itself. It checks the web address (path and query), form fields (not uploaded
files: those go through their own reader, academy.reports.bulk.bulk_file_read) and
JSON bodies. docs/security.md, "Input hygiene".
"""

import json
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render

# Longer than any field a page offers (the longest, an extension's reason, is 2,000);
# the Wagtail and Django admins post whole page bodies as one field, so they are
# exempt from the length rule (NUL and encoding still apply there).
FIELD_MAX_CHARS = 10_000
NO_LENGTH_RULE = ("/admin/", "/django-admin/")
API_PREFIX = "/api/"

NUL = ("What you sent contains a NUL character, which is never part of text. Check the "
       "web address, or what you typed or pasted, and try again.")
NOT_UTF8 = ("What you sent is not valid text (it is not UTF-8). Check the web address, "
            "or what you typed or pasted, and try again.")
TOO_LONG = (f"Something you sent is longer than {FIELD_MAX_CHARS:,} characters, longer "
            "than anything this service asks for. Check what you typed or pasted, and "
            "try again.")

TOO_DEEP = ("What you sent is nested too deeply to read. Check what your program sends, "
            "and try again.")


class BadInput(Exception):
    """Input that no page can use; its message says why, in plain English."""


def _check_bytes(raw: bytes) -> None:
    if b"\x00" in raw:
        raise BadInput(NUL)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(NOT_UTF8) from None


def _check_text(value: str, *, limit: int | None) -> None:
    if "\x00" in value:
        raise BadInput(NUL)
    if limit is not None and len(value) > limit:
        raise BadInput(TOO_LONG)


def _wsgi_bytes(value: str) -> bytes:
    """A WSGI environ string as the bytes that came over the wire (PEP 3333: latin-1)."""
    return value.encode("latin-1", errors="replace")


def _check_json(value, *, limit: int | None) -> None:
    stack = [value]
    while stack:  # not recursive: a deeply nested body cannot exhaust the stack
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item, limit=limit)
        elif isinstance(item, dict):
            for key, inner in item.items():
                _check_text(key, limit=limit)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def request_input_check(request) -> None:
    """Raise BadInput if the request's address, query, form fields or JSON body hold a
    NUL byte, text that is not UTF-8, or (outside the admins) an over-long value."""
    limit = None if request.path.startswith(NO_LENGTH_RULE) else FIELD_MAX_CHARS
    # Django has already re-quoted bytes in the path that are not UTF-8 (%FF stays %FF),
    # so a path is text; only a NUL can be wrong with it.
    _check_text(request.path_info, limit=None)
    _check_bytes(unquote_to_bytes(_wsgi_bytes(request.META.get("QUERY_STRING", ""))))
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH") and content_type in (
            "application/x-www-form-urlencoded", "application/json"):
        _check_bytes(request.body if content_type == "application/json"
                     else unquote_to_bytes(request.body))
    for values in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, items in values.lists():
            _check_text(key, limit=limit)
            for item in items:
                _check_text(item, limit=limit)
    if content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            return  # not JSON at all: the view's own parser answers that
        except RecursionError:  # nested past Python's stack: no parser can read it
            raise BadInput(TOO_DEEP) from None
        _check_json(body, limit=limit)


def bad_request_response(request, message: str, *, status: int = 400):
    """The 400 answer: JSON for the API, the GOV.UK error page for everything else."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


class InputHygieneMiddleware:
    """Answers a request carrying unusable input with a 400 and says why. Sits after
    authentication, so the error page has the signed-in navigation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request_input_check(request)
        except BadInput as error:
            return bad_request_response(request, str(error))
        return self.get_response(request)


def bad_request(request, exception=None):
    """handler400: Django's own 400s (a bad Host, too many fields) on the same page."""
    return render(request, "400.html", status=400)
