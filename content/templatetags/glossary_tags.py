"""`{% linkglossary as terms_used %} … {% endlinkglossary %}`: renders its contents
and links glossary terms in them (content.glossary). `terms_used` is set to the terms
linked, for the page's "Words used in this lesson" list."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from content.glossary import LinkableTerm, link_glossary_terms
from content.models import GlossaryTerm

register = template.Library()


def linkable_terms() -> list[LinkableTerm]:
    """Published terms only: a trainer's draft is linked nowhere until a moderator
    publishes it (a live term's row holds its published version, not the draft)."""
    return [
        LinkableTerm(t.term, t.anchor, t.definition, tuple(t.link_forms()))
        for t in GlossaryTerm.objects.live()
    ]


class LinkGlossaryNode(template.Node):
    def __init__(self, nodelist, target):
        self.nodelist = nodelist
        self.target = target

    def render(self, context):
        html, used = link_glossary_terms(self.nodelist.render(context), linkable_terms(),
                                         glossary_url=reverse("glossary"))
        context[self.target] = used
        # The HTML is the template's own (already escaped) output, parsed and written back
        # by BeautifulSoup, which escapes text it writes; see docs/security.md.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.tag("linkglossary")
def do_linkglossary(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% linkglossary as variable %}")
    nodelist = parser.parse(("endlinkglossary",))
    parser.delete_first_token()
    return LinkGlossaryNode(nodelist, bits[2])
