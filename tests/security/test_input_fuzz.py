"""Bad input never earns a 500: NUL bytes, over-long values, text that is not UTF-8 and
huge numbers, sent to every URL the access matrix knows and every form field those pages
show, as every role.

The URLs come from the access matrix (tests/academy/test_access_matrix.py): its rows'
real addresses (with the owner's ids, so the pages behind permission checks are
reached) and every route of the project, its parameters filled with the payloads, plus
a live page of each type. A new matrix row or route is fuzzed without touching this
file. The form fields are read from each page's forms as the role sees them, and the
rows' POST and PUT bodies. Each request runs in a savepoint that is rolled back, so one
world serves them all and nothing a request writes changes the next. About 3,500
requests; the payloads take turns (REFUSED, LET_THROUGH) so that it stays near a minute.
"""

import json
import logging
import re
import uuid
from base64 import b64encode
from copy import copy
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls.converters import get_converters
from wagtail.models import APIToken, Page

from config.input_hygiene import FIELD_MAX_CHARS
from tests.academy.test_access_matrix import ANONYMOUS, ROLES, ROWS, project_routes
from tests.academy.test_access_matrix import _world as _world  # the matrix's fixtures: its
from tests.academy.test_access_matrix import world as world  # world, built once a module

# What each payload looks like in a query string or form body (already percent-encoded),
# and as text in JSON. "long" fits under the hygiene layer's limit, so it reaches the
# views and their models (a 300-character name is as bad as a 9,999-character one);
# "too_long" is the layer's to refuse.
HUGE = "9" * 40
PAYLOADS = {
    "nul": (quote("code\x00"), "code\x00"),
    "long": ("x" * FIELD_MAX_CHARS, "x" * FIELD_MAX_CHARS),
    "too_long": ("x" * (FIELD_MAX_CHARS + 1), "x" * (FIELD_MAX_CHARS + 1)),
    "not_utf8": ("%FF%FEab", None),
    "huge_number": (HUGE, HUGE),
    "negative_huge": ("-" + HUGE, "-" + HUGE),
}
# The payloads the hygiene layer refuses, whatever the page; and those it lets through
# to the views. A request to every field at once carries one kind of each: the refused
# kinds take turns by role and address (every address gets each kind from some roles,
# every role sends each kind to a third of the addresses), and the ones let through are
# mixed, each field getting one, in turns too. Forms also get each let-through payload
# in one field at a time.
REFUSED = ("nul", "too_long", "not_utf8")
LET_THROUGH = ("long", "huge_number", "negative_huge")
# Uploaded files: a NUL after the first kilobytes, a cell over the csv module's field
# limit, bytes that are not UTF-8, and payload cells.
FILES = {
    "nul_late": b"email,course\n" + b"a@example.gov.uk,x\n" * 400 + b"b\x00@x,y\n",
    "huge_cell": b"email,course\n" + b"x" * 200_000 + b",y\n",
    "huge_header": b"email,course," + b"h" * 200_000 + b"\nx,y,z\n",
    "not_utf8": b"email,course\n\xff\xfe@example.gov.uk,y\n",
    "long_cells": b"email,course,due_date,staff_number,line_manager_email\n"
                  + b",".join([b"x" * 5000] * 5) + b"\n",
    "huge_numbers": b"email,course,due_date,staff_number\n" + HUGE.encode() * 4 + b"\n",
}
# Query parameters every page is sent, besides those its own forms and links name:
# pagination (pages and the API's cursor), search, and a certificate code.
QUERY_KEYS = ("page", "cursor", "q", "code", "sort", "order", "columns", "email")
CONVERTERS = get_converters()


def _all_fields(keys, turn: int) -> list[tuple[str, str]]:
    """Two bodies for every field at once, (what, body): one refused kind (whose turn it
    is), and the let-through payloads shared out across the fields."""
    refused = REFUSED[turn % len(REFUSED)]
    mixed = [LET_THROUGH[(turn + i) % len(LET_THROUGH)] for i in range(len(keys))]
    return [(refused, "&".join(f"{quote(key)}={PAYLOADS[refused][0]}" for key in keys)),
            ("let through", "&".join(f"{quote(key)}={PAYLOADS[name][0]}"
                                     for key, name in zip(keys, mixed, strict=True)))]

# API cursors this API never gave out: base64 of a made-up position, a negative or huge
# offset, a NUL; and strings that are not base64 at all.
CURSORS = [b64encode(text.encode()).decode() for text in (
    "p=abc", "p=1%00", "o=-1", f"o={HUGE}", f"p={HUGE}", "r=maybe", "p=1&p=x")] + [
    "%%%", "not-base64!", b64encode(b"\xff\xfe").decode()]


@dataclass
class Target:
    path: str                        # no query string
    query: dict = field(default_factory=dict)
    auth: str = "session"
    methods: set = field(default_factory=set)   # besides GET: "post" or "put" from rows
    body: dict = field(default_factory=dict)    # the rows' POST or PUT data


def _targets(matrix) -> dict[str, Target]:
    """Every address to fuzz: the matrix rows' own, each route with its parameters
    filled (each payload is also put into each parameter, in _path_variants), and every
    live page."""
    targets: dict[str, Target] = {}

    def add(url, auth="session", method="get", data=None):
        parts = urlsplit(url)
        target = targets.setdefault(f"{auth} {parts.path}", Target(parts.path, auth=auth))
        target.query.update(parse_qsl(parts.query))
        if method != "get":
            target.methods.add(method)
            target.body.update(data or {})

    for row in ROWS:
        add(row.path(matrix), row.auth, row.method, row.data(matrix) if row.data else None)
    covered = {row.route for row in ROWS}
    for name, route in project_routes().items():
        if name not in covered:  # a row's address reaches further (real ids, signed in)
            add("/" + _fill(route, lambda _name, regex: _default(regex)),
                "token" if route.startswith("api/") else "session")
    one_of_each = {}  # pages of a type share their view: one of each is enough
    for page in Page.objects.live().specific().order_by("path"):
        if page.url:  # the tree's root has none
            one_of_each.setdefault(type(page), page.url)
    for url in one_of_each.values():
        add(url)
    return targets


def _default(regex: str) -> str:
    for value in ("1", str(uuid.uuid4()), "x"):
        if re.fullmatch(regex, value):
            return value
    return "x"


def _fill(route: str, value) -> str:
    """A route with each <converter:name> (or Ninja's {name}) replaced by value(name,
    the converter's regex)."""
    def one(match):
        kind, name = match.group(1) or "str", match.group(2)
        return value(name, CONVERTERS[kind].regex)
    route = re.sub(r"\{(\w+)\}", r"<\1>", route)
    return re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def _path_variants() -> list[tuple[str, str, str]]:
    """(auth, path, payload) with a payload in every route parameter it fits."""
    variants = []
    for route in project_routes().values():
        if "<" not in route and "{" not in route:
            continue
        auth = "token" if route.startswith("api/") else "session"
        for name, (encoded, _text) in PAYLOADS.items():
            def value(_name, regex, encoded=encoded):
                raw = re.sub(r"%[0-9A-F]{2}", "", encoded)
                return encoded if re.fullmatch(regex, raw or "x") else _default(regex)
            path = "/" + _fill(route, value)
            if path != "/" + _fill(route, lambda _n, regex: _default(regex)):
                variants.append((auth, path, name))
    return variants


@dataclass
class Form:
    action: str
    fields: dict                  # name -> a value the page offered (first option, etc.)
    files: tuple = ()


def _forms(path: str, html: str) -> list[Form]:
    """The POST forms on a page (their fields and the values the page gives them) and
    the names of its GET forms' fields (as query keys, under action "GET")."""
    forms = []
    for element in BeautifulSoup(html, "html.parser").find_all("form"):
        fields, files = {}, []
        for control in element.find_all(["input", "select", "textarea"]):
            name = control.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            if control.name == "input" and control.get("type") == "file":
                files.append(name)
            elif control.name == "select":
                option = control.find("option")
                fields.setdefault(name, option.get("value", option.text) if option else "")
            elif control.get("type") in ("checkbox", "radio"):
                fields.setdefault(name, control.get("value", "on"))
            else:
                fields.setdefault(name, control.get("value") or control.text or "")
        method = (element.get("method") or "get").lower()
        action = element.get("action") or path
        forms.append(Form("GET" if method == "get" else action, fields, tuple(files)))
    return forms


class Fuzzer:
    """Sends the payloads as one role, signed in once: each request runs in a savepoint
    rolled back afterwards (so a sign-out or a change it makes is undone) and the
    session cookie is put back."""

    def __init__(self, client, matrix):
        self.client, self.matrix, self.failures, self.sent = client, matrix, [], 0
        self.role, self.token, self.cookies = ANONYMOUS, None, None

    def sign_in(self, role):
        self.client.logout()
        self.role, self.token = role, None
        if role != ANONYMOUS:
            self.client.force_login(self.matrix.users[role])
            _token, self.token = APIToken.create_token(user=self.matrix.users[role],
                                                       name="fuzz")
        self.cookies = self.client.cookies

    def send(self, auth, method, path, what, **kwargs):
        """One request; a 500 or an exception is a failure. Returns (response, body),
        or None if it failed."""
        self.sent += 1
        headers = {}
        if auth == "token" and self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        self.client.cookies = SimpleCookie() if auth == "token" else copy(self.cookies)
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(path, **kwargs, **headers)
                body = b"" if getattr(response, "streaming", False) else response.content
                transaction.set_rollback(True)
        except Exception as error:  # every exception is a finding
            self.failures.append(f"{self.role} {method.upper()} {path[:120]} ({what}): "
                                 f"{type(error).__name__}: {str(error)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {path[:120]} ({what}): "
                                 f"{response.status_code}")
        return response, body.decode("utf-8", errors="replace")

    def query(self, target, keys, turn):
        """The payloads in every query parameter at once; tampered API cursors."""
        for what, query in _all_fields(keys, turn):
            self.send(target.auth, "get", f"{target.path}?{query}", f"query {what}")
        if target.auth == "token":
            for cursor in CURSORS:
                self.send(target.auth, "get", f"{target.path}?{urlencode({'cursor': cursor})}",
                          f"cursor {cursor}")

    def form(self, auth, form: Form, turn, *, one_by_one: bool):
        """Each payload in every field at once; with one_by_one (once for each form, as
        the first role that may use it), the payloads the hygiene layer lets through in
        one field at a time, the others as the page offered them, so that the form can
        be valid and save them; and the bad files, once, to a file field."""
        for what, body in _all_fields(list(form.fields), turn):
            self.send(auth, "post", form.action, f"form {what}", data=body,
                      content_type="application/x-www-form-urlencoded")
        files = {name: SimpleUploadedFile("people.csv", FILES["long_cells"], "text/csv")
                 for name in form.files}
        for key in form.fields if one_by_one else ():
            for name in LET_THROUGH[:2]:
                self.send(auth, "post", form.action, f"field {key}={name}",
                          data={**form.fields, key: PAYLOADS[name][1], **files})
        for key in form.files if one_by_one else ():
            for name, content in FILES.items():
                upload = SimpleUploadedFile(f"{name}.csv", content, "text/csv")
                self.send(auth, "post", form.action, f"file {name}",
                          data={**form.fields, key: upload})

    def json(self, target):
        for name, (_encoded, text) in PAYLOADS.items():
            if text is None:
                body = b'{"' + b'": "\xff", "'.join(k.encode() for k in target.body) + b'": 1}'
            else:
                body = json.dumps(dict.fromkeys(target.body, text))
            self.send(target.auth, "put", target.path, f"json {name}", data=body,
                      content_type="application/json")


@pytest.fixture
def quiet_logs():
    """Thousands of refusals are logged as warnings; the failures list says what broke."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def test_no_bad_input_anywhere_earns_a_500(client, world, quiet_logs):
    fuzzer = Fuzzer(client, world)
    targets = _targets(world)
    assert len(targets) > 40, "the access matrix's URLs should all be here"
    fuzzed_by_field = set()  # (action, fields) of the forms fuzzed one field at a time

    def first_time(form):
        key = (form.action, tuple(form.fields))
        return not (key in fuzzed_by_field or fuzzed_by_field.add(key))

    for r, role in enumerate(ROLES):
        fuzzer.sign_in(role)
        seen = set()  # the same form on many pages (signing out) is fuzzed once a role
        for t, target in enumerate(targets.values()):
            answer = fuzzer.send(target.auth, "get",
                                 target.path + "?" + urlencode(target.query), "as it is")
            usable = answer is not None and answer[0].status_code == 200
            forms = _forms(target.path, answer[1]) if usable and "<form" in answer[1] else []
            keys = set(target.query) | set(QUERY_KEYS)
            for f, form in enumerate(forms):
                if form.action == "GET":
                    keys |= set(form.fields)
                elif (form.action, tuple(form.fields)) not in seen:
                    seen.add((form.action, tuple(form.fields)))
                    fuzzer.form(target.auth, form, r + t + f, one_by_one=first_time(form))
            fuzzer.query(target, sorted(keys), r + t)
            if "post" in target.methods:
                posted = Form(target.path, target.body)
                fuzzer.form(target.auth, posted, r + t,
                            one_by_one=usable and first_time(posted))
            if "put" in target.methods:
                fuzzer.json(target)
        for i, (auth, path, name) in enumerate(_path_variants()):
            if name in LET_THROUGH or (r + i) % len(REFUSED) == 0:
                fuzzer.send(auth, "get", path, f"path {name}")
    assert fuzzer.sent > 1000
    assert not fuzzer.failures, (f"{len(fuzzer.failures)} of {fuzzer.sent} requests "
                                 "failed:\n" + "\n".join(fuzzer.failures[:40]))
