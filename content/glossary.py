"""Links glossary terms in rendered lesson HTML, so trainers never do it by hand.

Each term is linked once a lesson, at its first use, to its definition in the
"Words used in this lesson" list on the same page, so the learner keeps their place.
Only text inside blocks marked `data-glossary="on"` is touched, and never text that
is already a link, a heading, a form label or code.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString

SKIP_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "button", "label", "legend",
             "script", "style", "code", "pre", "abbr", "summary"}


@dataclass(frozen=True)
class LinkableTerm:
    term: str
    anchor: str
    definition: str
    forms: tuple[str, ...]


def _pattern(terms: Iterable[LinkableTerm]) -> tuple[re.Pattern | None, dict[str, LinkableTerm]]:
    by_form: dict[str, LinkableTerm] = {}
    for term in terms:
        for form in term.forms:
            by_form.setdefault(form.lower(), term)
    if not by_form:
        return None, by_form
    # Longest first, so "sprint review" wins over "sprint".
    alternatives = sorted(by_form, key=len, reverse=True)
    body = "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in alternatives)
    return re.compile(rf"(?<![\w-])({body})(?![\w-])", re.IGNORECASE), by_form


def link_glossary_terms(html: str, terms: Iterable[LinkableTerm]) -> tuple[str, list[LinkableTerm]]:
    """Return the HTML with each term's first use linked, and the terms linked, in the
    order they first appear."""
    pattern, by_form = _pattern(terms)
    if pattern is None:
        return html, []
    soup = BeautifulSoup(html, "html.parser")
    used: dict[str, LinkableTerm] = {}

    for region in soup.select('[data-glossary="on"]'):
        for text in list(region.find_all(string=True)):
            if _skipped(text, region):
                continue
            _link_text_node(soup, text, pattern, by_form, used)
    return str(soup), list(used.values())


def _skipped(text: NavigableString, region) -> bool:
    for parent in text.parents:
        if parent is region:
            return False
        if parent.name in SKIP_TAGS or parent.get("data-glossary") == "off":
            return True
    return False


def _link_text_node(soup, text: NavigableString, pattern, by_form, used) -> None:
    source = str(text)
    pieces = []
    position = 0
    for match in pattern.finditer(source):
        term = by_form[re.sub(r"\s+", " ", match.group(1).lower())]
        if term.anchor in used:
            continue
        used[term.anchor] = term
        pieces.append(source[position:match.start()])
        link = soup.new_tag("a", href=f"#{term.anchor}")
        link["class"] = "govuk-link app-glossary-link"
        link.string = match.group(1)
        hint = soup.new_tag("span")
        hint["class"] = "govuk-visually-hidden"
        hint.string = " (glossary)"
        link.append(hint)
        pieces.append(link)
        position = match.end()
    if not pieces:
        return
    pieces.append(source[position:])
    for piece in pieces:
        text.insert_before(piece if not isinstance(piece, str) else NavigableString(piece))
    text.extract()
