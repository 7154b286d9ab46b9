"""A person's roles as the navigation shows them: their groups, whether anyone reports
to them, whether they may use the editor. Worked out at most once every ROLES_SECONDS
per person and kept in the cache, and in each process's memory, so an ordinary page
costs no query and no cache read for its navigation.

Both are kept under the roles version, a token read with the course tree version at
the start of each request (courses.cache, one round trip): a change of groups is seen
at once (the m2m signal, wired in AcademyConfig.ready, changes the version, so no kept
roles are read again). A new or departed direct report, which can arrive through a bulk
file that sends no signal, shows within ROLES_SECONDS: kept roles are used until then
from when they were worked out, wherever they are kept. The roles only choose which
links to show: every page behind a link checks access itself."""

import time

from django.core.cache import cache

from academy.managers.selectors import direct_reports_exist
from courses.cache import version_token_bump, version_token_held, version_token_read_with_request

ROLES_SECONDS = 60
VERSION_KEY = "navigation-roles:version"
version_token_read_with_request(VERSION_KEY)

# Roles this process has read, by person: (version, good until, roles). Bounded: past
# the bound they are let go and read again.
_kept: dict[int, tuple[str, float, dict]] = {}
_KEPT_MAX = 10_000


def _roles_key(version: str, user_id) -> str:
    return f"navigation-roles:{version}:{user_id}"


def _roles_worked_out(user) -> dict:
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "team": direct_reports_exist(manager=user),  # one EXISTS query
        # Wagtail's own test for showing its user bar: a learner never sees it.
        "editor": user.has_perm("wagtailadmin.access_admin"),
    }


def roles_get(user) -> dict:
    """{"groups": [...], "team": bool, "editor": bool} for a signed-in person: from this
    process's memory or the cache under the current roles version, or from the database
    (three queries for a learner) and then kept."""
    roles = getattr(user, "_academy_roles", None)  # read already for this request
    if roles is not None:
        return roles
    version = version_token_held(VERSION_KEY)
    if version is None:  # the cache cannot be read: nothing is kept
        roles = _roles_worked_out(user)
    else:
        now = time.time()
        kept = _kept.get(user.pk)
        if kept is not None and kept[0] == version and now < kept[1]:
            roles = kept[2]
        else:
            key = _roles_key(version, user.pk)
            entry = cache.get(key)
            if entry is None or now >= entry[0]:
                entry = (now + ROLES_SECONDS, _roles_worked_out(user))
                cache.set(key, entry, ROLES_SECONDS)
            if len(_kept) >= _KEPT_MAX:
                _kept.clear()
            _kept[user.pk] = (version, entry[0], entry[1])
            roles = entry[1]
    user._academy_roles = roles
    return roles


def roles_forget(sender, action, **kwargs):
    """m2m_changed on User.groups: someone joined or left a group (either side of the
    relation, including a group emptied), so navigation changes on the next page: a new
    roles version, under which nothing is kept yet."""
    if action in ("post_add", "post_remove", "post_clear"):
        version_token_bump(VERSION_KEY)
