from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from academy.health import health_report


@never_cache
@require_GET
def healthz(request):
    """JSON with database and broker status: 200 when healthy, 503 when not."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
