"""`{% keptmarkup name=value ... %} … {% endkeptmarkup %}`: markup that many requests
show alike, rendered once and kept in this process (issue 15).

The contents are rendered from only the values named in the tag (nothing else of the
page's context: no request, no user, no CSRF token), so they cannot show anything the
tag was not given. They are kept, on the tag itself (a template edited and reloaded
starts with nothing kept), by those values, which must be plain: strings, numbers,
dates, None, and lists, dicts and dataclasses of them, so that equal values show alike.
Anything else (a model instance, whose repr does not say all it shows) is refused; a
lazy value is worked out first (a lazy object's repr is its function's, not its value).

With `by=`, the markup is kept by that value alone, and the others are what it
determines: `by` must change whenever anything they show could (a version token that
every such write replaces, with the page's id). `by` None keeps nothing: the contents
are rendered as they stand, with the page's whole context (a preview, a draft)."""

import dataclasses
import datetime

from django import template
from django.utils.functional import LazyObject, Promise, empty
from django.utils.safestring import mark_safe

register = template.Library()

# Kept renderings per tag: past this, they are let go and kept again as asked for.
KEPT_PER_TAG_MAX = 2000


_PLAIN = (str, int, float, bool, type(None), datetime.date, datetime.datetime)


def _key(value):
    """A hashable key that is equal only for values that show alike; TypeError for a
    value that is not plain (see the module's note)."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)):
        return tuple(_key(item) for item in value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(name), _key(item)) for name, item in value.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, tuple(
            (field.name, _key(getattr(value, field.name))) for field in dataclasses.fields(value)))
    raise TypeError(f"keptmarkup cannot be kept by a {type(value).__name__}: give plain "
                    "values, or by= a key that changes with them")


class KeptMarkupNode(template.Node):
    def __init__(self, nodelist, values: dict):
        self.nodelist = nodelist
        self.values = values
        self.kept: dict[tuple, str] = {}

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        if "by" in values:
            by = values.pop("by")
            if by is None:
                return self.nodelist.render(context)
            key = _key(by)
        else:
            key = _key(values)
        html = self.kept.get(key)
        if html is None:
            html = self.nodelist.render(context.new(values))
            if len(self.kept) >= KEPT_PER_TAG_MAX:
                self.kept.clear()
            self.kept[key] = html
        # The contents' own template output, escaped there as any template's is.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.tag("keptmarkup")
def do_keptmarkup(parser, token):
    bits = token.split_contents()[1:]
    values = template.base.token_kwargs(bits, parser)
    if bits:  # token_kwargs stops at the first bit that is not name=value
        raise template.TemplateSyntaxError(
            f"keptmarkup takes only name=value arguments, not {bits[0]!r}")
    nodelist = parser.parse(("endkeptmarkup",))
    parser.delete_first_token()
    return KeptMarkupNode(nodelist, values)
