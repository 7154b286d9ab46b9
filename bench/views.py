"""Baselines for the benchmark harness (bench/run.py), routed by config/urls.py only
when ACADEMY_BENCH_VIEWS is set, which only the harness does. Each is the least Django
can do for the same kind of request through the same server and middleware, so a page's
figure can be read as a share of the machine's limit in the same run (bench/README.md).

bench/ is not a Django app and none of this is part of the product: the template is
read from bench/static_page.html and compiled once by the project's template engine,
the same engine (and context processors) the pages use."""

from pathlib import Path

from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

HERE = Path(__file__).resolve().parent
STATIC_TEMPLATE = engines["django"].from_string(
    (HERE / "static_page.html").read_text(encoding="utf-8"))
BARE_TEMPLATE = engines["django"].from_string((HERE / "bare_page.html").read_text(encoding="utf-8"))


def bare_page(request):
    """A bare static template (no base template, nothing read): the ceiling for any
    page, and what every page's share is of (as in every run since issue 7)."""
    return HttpResponse(BARE_TEMPLATE.render(request=request))


def static_page(request):
    """The site's base template (header, the navigation for whoever is signed in,
    messages, footer) around a fixed paragraph, through the project's context
    processors. Signed out it reads nothing; signed in, what every page reads for the
    learner (session, user, navigation): the harness measures the one against the
    other."""
    return HttpResponse(STATIC_TEMPLATE.render(request=request))


@csrf_exempt
@require_POST
def one_insert(request):
    """One INSERT and an empty response: the ceiling for any request that records a fact.
    The table is made by the harness, not by a migration."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline_insert (at) VALUES (now())")
    return HttpResponse(status=204)
