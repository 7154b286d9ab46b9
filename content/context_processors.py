"""Values every page template needs: the service name."""

from django.conf import settings


def academy(request):
    return {"ACADEMY_NAME": settings.ACADEMY_NAME}
