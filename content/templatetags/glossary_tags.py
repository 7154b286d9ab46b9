"""Glossary linking in templates (content.glossary).

`{% lessonbody as terms_used %}`: the lesson's blocks, linked, through the cache of
linked bodies (content.cache); `terms_used` is set to the terms linked, for the page's
"Words used in this lesson" list.

`{% learnerpart %} … {% endlearnerpart %}`: markup that belongs to one learner (a form,
its answer, its CSRF token). Inside a lesson body it is rendered for each request and
never linked or cached; anywhere else it renders as if the tag were not there.

`{% linkglossary as terms_used %} … {% endlinkglossary %}`: renders its contents and
links glossary terms in them, uncached.

`{% knowledgecheckpart block result %}`: a knowledge check's form in a lesson body, kept
by what it shows (content.cache.learner_part_kept). `{% activitynotespart %}`: an
activity's answer box or enrol hint, likewise while the box is blank."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from content.addresses import reverse_kept
from content.cache import PARTS, learner_part_kept, render_lesson_body
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


def link_lesson_html(html: str) -> tuple[str, list[LinkableTerm]]:
    """Link the live glossary terms in rendered HTML."""
    linked, used = link_glossary_terms(html, linkable_terms(), glossary_url=reverse("glossary"))
    # The HTML is the template's own (already escaped) output, parsed and written back
    # by BeautifulSoup, which escapes text it writes; see docs/security.md.
    return mark_safe(linked), used  # noqa: S308  # nosec B308 B703


def _variable_after_as(parser, token, tag: str) -> str:
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError(f"Usage: {{% {tag} as variable %}}")
    return bits[2]


class LinkGlossaryNode(template.Node):
    def __init__(self, nodelist, target):
        self.nodelist = nodelist
        self.target = target

    def render(self, context):
        html, used = link_lesson_html(self.nodelist.render(context))
        context[self.target] = used
        return html


@register.tag("linkglossary")
def do_linkglossary(parser, token):
    target = _variable_after_as(parser, token, "linkglossary")
    nodelist = parser.parse(("endlinkglossary",))
    parser.delete_first_token()
    return LinkGlossaryNode(nodelist, target)


class LessonBodyNode(template.Node):
    def __init__(self, target):
        self.target = target

    def render(self, context):
        html, used = render_lesson_body(context, page=context["page"],
                                        request=context.get("request"))
        context[self.target] = used
        # Shared pieces are linked HTML (above); learner parts are the block
        # templates' own escaped output.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.tag("lessonbody")
def do_lessonbody(parser, token):
    return LessonBodyNode(_variable_after_as(parser, token, "lessonbody"))


class LearnerPartNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        parts = context.get(PARTS)
        if parts is None:
            return self.nodelist.render(context)
        parts.parts.append(self.nodelist.render(context) if parts.render_parts else "")
        return parts.marker


@register.tag("learnerpart")
def do_learnerpart(parser, token):
    nodelist = parser.parse(("endlearnerpart",))
    parser.delete_first_token()
    return LearnerPartNode(nodelist)


@register.simple_tag(takes_context=True)
def knowledgecheckpart(context, block, result):
    """A knowledge check's form as this learner sees it (inside `{% learnerpart %}` in a
    lesson body): kept by its state, so learners who see the same check the same way
    share one rendering (content.cache.learner_part_kept)."""
    action = (reverse_kept("knowledge_check_answer", context["page"].pk)
              if context.get("enrolment") else "")
    answered = context.get("answered_check") == block.id
    html = learner_part_kept(
        context, "content/blocks/knowledge_check.html",
        key=(block.id, action, answered, result),
        values={"block": block, "result": result, "action": action,
                "answered_check": block.id if answered else None})
    # The check's own template output (escaped there), with the request's CSRF token.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def activitynotespart(context):
    """An activity's answer box, or the hint to enrol, as this learner sees it (inside
    `{% learnerpart %}` in activity.html, or content.cache._learner_parts). A blank box, or the
    hint, is kept by what it shows, as a knowledge check is; a box holding the learner's
    own words (saved, or sent and refused) is rendered afresh and never kept."""
    block, value, notes = context.get("block"), context.get("value"), context.get("notes")
    action, hint = context.get("action") or "", context.get("enrol_hint") or ""
    html = learner_part_kept(
        context, "content/blocks/activity_notes.html",
        key=(getattr(block, "id", None), value and value.get("title"), action, hint, notes),
        values={"block": block, "value": value, "notes": notes, "action": action,
                "enrol_hint": hint},
        keep=not (notes and (notes.text or notes.error)))
    # The part's own template output (escaped there), with the request's CSRF token.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
