"""`{% load static_urls %}`: Django's `static` library, with `{% static %}` going
straight to the static files storage. base.html, on every page, loads it.

Django's tag asks on every use whether the staticfiles app is installed, a walk over
every installed app: about a fiftieth of a lesson view's time for the base template's
four `{% static %}`s (issue 15). It always is here (config.settings.base), and the
storage keeps each address it has worked out (config.storage), so an address costs a
dictionary lookup. Everything else is Django's own: `{% get_static_prefix %}`,
`{% get_media_prefix %}` and the `as` form. (Registered under its own name: taking
over the name `static` is a clash Django's checks warn of.)"""

from django import template
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags import static as django_static

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)


class StaticNode(django_static.StaticNode):
    @classmethod
    def handle_simple(cls, path):
        return staticfiles_storage.url(path)


@register.tag("static")
def do_static(parser, token):
    return StaticNode.handle_token(parser, token)


def static(path):
    return StaticNode.handle_simple(path)
