"""A person's roles as the navigation shows them: their groups, whether anyone reports
to them, whether they may use the editor. Read once and kept in the cache for
ROLES_SECONDS, per person, so an ordinary page costs no query for its navigation.

A change of groups is seen at once (the m2m signal, wired in AcademyConfig.ready,
forgets the kept roles). A new or departed direct report, which can arrive through a
bulk file that sends no signal, shows within ROLES_SECONDS. The roles only choose which
links to show: every page behind a link checks access itself."""

from django.core.cache import cache

from academy.managers.selectors import direct_reports_exist

ROLES_SECONDS = 60


def _roles_key(user_id) -> str:
    return f"navigation-roles:{user_id}"


def roles_get(user) -> dict:
    """{"groups": [...], "team": bool, "editor": bool} for a signed-in person: from the
    cache, or from the database (three queries for a learner) and then kept."""
    roles = getattr(user, "_academy_roles", None)  # read already for this request
    if roles is not None:
        return roles
    key = _roles_key(user.pk)
    roles = cache.get(key)
    if roles is None:
        roles = {
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "team": direct_reports_exist(manager=user),  # one EXISTS query
            # Wagtail's own test for showing its user bar: a learner never sees it.
            "editor": user.has_perm("wagtailadmin.access_admin"),
        }
        cache.set(key, roles, ROLES_SECONDS)
    user._academy_roles = roles
    return roles


def roles_forget(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed on User.groups: someone joined or left a group (either side of the
    relation, including a group emptied), so their navigation changes on their next page."""
    if reverse:  # group.user_set.add/remove/clear: `instance` is the group
        if action == "pre_clear":
            pk_set = set(instance.user_set.values_list("pk", flat=True))
        elif action not in ("post_add", "post_remove"):
            return
        cache.delete_many([_roles_key(pk) for pk in pk_set or ()])
    elif action in ("post_add", "post_remove", "post_clear"):
        cache.delete(_roles_key(instance.pk))
