"""Values every page template needs: the service name and the navigation."""

from django.conf import settings

NAVIGATION = [
    ("Courses", "/courses/"),
    ("Glossary", "/glossary/"),
]


def academy(request):
    path = request.path
    navigation = [
        {"text": text, "href": href, "current": path == href or path.startswith(href)}
        for text, href in NAVIGATION
    ]
    return {"ACADEMY_NAME": settings.ACADEMY_NAME, "navigation": navigation}
