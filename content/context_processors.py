"""Values every page template needs: the service name and the navigation."""

from django.conf import settings

SIGNED_IN = [
    ("Courses", "/courses/"),
    ("My learning", "/my-learning/"),
    ("Glossary", "/glossary/"),
    ("Your profile", "/profile/"),
    ("Sign out", "/sign-out/"),
]
SIGNED_OUT = [
    ("Courses", "/courses/"),
    ("Glossary", "/glossary/"),
    ("Sign in", "/sign-in/"),
    ("Create an account", "/sign-up/"),
]


def academy(request):
    path = request.path
    user = getattr(request, "user", None)
    items = SIGNED_IN if user is not None and user.is_authenticated else SIGNED_OUT
    navigation = [
        {"text": text, "href": href, "current": path.startswith(href)} for text, href in items
    ]
    return {"ACADEMY_NAME": settings.ACADEMY_NAME, "navigation": navigation}
