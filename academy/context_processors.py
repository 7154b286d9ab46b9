"""The service navigation, which depends on who is signed in and their roles (kept in
the cache: academy.roles)."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from academy.roles import roles_get
from academy.setup import TRAINERS
from learners.scoping import HR_REPORTERS

SIGNED_OUT = [
    ("Courses", "/courses/"),
    ("Glossary", "/glossary/"),
    ("Sign in", "/sign-in/"),
    ("Create an account", "/sign-up/"),
]


def _items(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = SIGNED_OUT
    else:
        roles = roles_get(user)
        groups = set(roles["groups"])
        items = [("Courses", "/courses/"), ("My learning", "/my-learning/")]
        if roles["team"]:
            items.append(("Your team", "/my-team/"))
        if TRAINERS in groups:
            items.append(("Your courses", "/trainer/"))
        if user.is_superuser or HR_REPORTERS in groups:
            items.append(("Reports", "/reports/"))
        items += [("Glossary", "/glossary/"), ("Your profile", "/profile/"),
                  ("Sign out", "/sign-out/")]
    path = request.path
    return [{"text": text, "href": href, "current": path.startswith(href)}
            for text, href in items]


def _key(items) -> str:
    """The links as one string, which changes with anything the header shows (with the
    service's name): what `{% keptmarkup by= %}` keeps the header by, cheaper to key by
    than the links themselves (includes/header.html)."""
    return "\x1e".join([settings.ACADEMY_NAME, *(
        f"{item['text']}\x1f{item['href']}\x1f{int(item['current'])}" for item in items)])


def navigation(request):
    """`navigation` (the links), `navigation_key` (the header's key: _key) and
    `show_userbar` (Wagtail's editor bar, for people who may edit), each worked out only
    if the template uses it: a JSON view or an email rendered with a request costs
    nothing."""
    items = SimpleLazyObject(lambda: _items(request))
    return {
        "navigation": items,
        "navigation_key": SimpleLazyObject(lambda: _key(items)),
        "show_userbar": SimpleLazyObject(
            lambda: bool(getattr(request, "user", None) and request.user.is_authenticated
                         and roles_get(request.user)["editor"])),
    }
