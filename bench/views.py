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

STATIC_TEMPLATE = engines["django"].from_string(
    (Path(__file__).resolve().parent / "static_page.html").read_text(encoding="utf-8"))


def static_page(request):
    """The site's base template (header, the navigation for whoever is signed in,
    messages, footer) around a fixed paragraph, through the project's context
    processors: the ceiling for any page. Signed out it reads nothing; signed in, what
    every page reads for the learner (session, user, navigation), which the harness
    measures as its own figure against the signed-out page."""
    return HttpResponse(STATIC_TEMPLATE.render(request=request))


@csrf_exempt
@require_POST
def one_insert(request):
    """One INSERT and an empty response: the ceiling for any request that records a fact.
    The table is made by the harness, not by a migration."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline_insert (at) VALUES (now())")
    return HttpResponse(status=204)
