"""Baselines for the benchmark harness (bench/), routed only when ACADEMY_BENCH_VIEWS is
set. Each is the least Django can do for the same kind of request through the same
server and middleware, so a page's figure can be read as a share of the machine's
limit in the same run (bench/README.md)."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def static_page(request):
    """A static template, no queries: the ceiling for any page."""
    return render(request, "academy/bench/static.html")


@csrf_exempt
@require_POST
def one_insert(request):
    """One INSERT and a redirect: the ceiling for any request that records a fact.
    The table is made by the harness, not by a migration."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline_insert (at) VALUES (now())")
    return HttpResponse(status=204)
