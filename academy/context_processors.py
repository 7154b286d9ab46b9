"""The service navigation, which depends on who is signed in and their roles."""

from academy.managers.selectors import direct_reports_exist
from academy.setup import TRAINERS
from learners.scoping import HR_REPORTERS

SIGNED_OUT = [
    ("Courses", "/courses/"),
    ("Glossary", "/glossary/"),
    ("Sign in", "/sign-in/"),
    ("Create an account", "/sign-up/"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = SIGNED_OUT
    else:
        groups = set(user.groups.values_list("name", flat=True))
        items = [("Courses", "/courses/"), ("My learning", "/my-learning/")]
        if direct_reports_exist(manager=user):  # one EXISTS query
            items.append(("Your team", "/my-team/"))
        if TRAINERS in groups:
            items.append(("Your courses", "/trainer/"))
        if user.is_superuser or HR_REPORTERS in groups:
            items.append(("Reports", "/reports/"))
        items += [("Glossary", "/glossary/"), ("Your profile", "/profile/"),
                  ("Sign out", "/sign-out/")]
    path = request.path
    return {"navigation": [
        {"text": text, "href": href, "current": path.startswith(href)} for text, href in items
    ]}
