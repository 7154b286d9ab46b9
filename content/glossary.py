"""Links glossary terms in rendered lesson HTML, so trainers never do it by hand.

Each term is marked once a lesson, at its first use, with its plain-English definition
right there (a toggletip: the definition follows the term in brackets; a small script
turns the term into a button that shows and hides it), so the learner never leaves
their place. The page's "Words used in this lesson" list has each term once.
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


def link_glossary_terms(
    html: str, terms: Iterable[LinkableTerm], glossary_url: str = "/glossary/"
) -> tuple[str, list[LinkableTerm]]:
    """Return the HTML with each term's first use marked with its definition in place,
    and the terms marked, each once, in the order they first appear."""
    pattern, by_form = _pattern(terms)
    if pattern is None:
        return html, []
    soup = BeautifulSoup(html, "html.parser")
    used: dict[str, LinkableTerm] = {}

    for region in soup.select('[data-glossary="on"]'):
        for text in list(region.find_all(string=True)):
            if _skipped(text, region):
                continue
            _link_text_node(soup, text, pattern, by_form, used, glossary_url)
    # A term the lesson already defines in a glossary block is not listed again.
    defined = {block["data-glossary-term"] for block in soup.select("[data-glossary-term]")}
    return str(soup), [term for term in used.values() if term.anchor not in defined]


def _skipped(text: NavigableString, region) -> bool:
    for parent in text.parents:
        if parent is region:
            return False
        if parent.name in SKIP_TAGS or parent.get("data-glossary") == "off":
            return True
    return False


def _link_text_node(soup, text: NavigableString, pattern, by_form, used, glossary_url) -> None:
    source = str(text)
    pieces = []
    position = 0
    for match in pattern.finditer(source):
        term = by_form[re.sub(r"\s+", " ", match.group(1).lower())]
        if term.anchor in used:
            continue
        used[term.anchor] = term
        pieces.append(source[position:match.start()])
        link = _toggletip(soup, match.group(1), term, glossary_url)
        pieces.append(link)
        position = match.end()
    if not pieces:
        return
    pieces.append(source[position:])
    for piece in pieces:
        text.insert_before(piece if not isinstance(piece, str) else NavigableString(piece))
    text.extract()


def _toggletip(soup, text: str, term: LinkableTerm, glossary_url: str):
    """`<span class="app-glossary"><span class="app-glossary__term">sprint</span>
    <span class="app-glossary__definition" id="…">(definition <a>Full glossary
    entry</a>)</span></span>`: phrasing content, valid inside a paragraph. Without
    JavaScript the definition reads inline; frontend/src/glossary.mjs makes the term a
    button (aria-expanded) that shows and hides it."""
    wrapper = soup.new_tag("span")
    wrapper["class"] = "app-glossary"
    wrapper["data-module"] = "app-glossary"
    word = soup.new_tag("span")
    word["class"] = "app-glossary__term"
    word.string = text
    wrapper.append(word)
    wrapper.append(NavigableString(" "))
    definition = soup.new_tag("span", id=f"{term.anchor}-definition")
    definition["class"] = "app-glossary__definition"
    definition.append(NavigableString(f"({term.definition.rstrip()} "))
    entry = soup.new_tag("a", href=f"{glossary_url}#{term.anchor}")
    entry["class"] = "govuk-link"
    entry.string = "Full glossary entry"
    hidden = soup.new_tag("span")
    hidden["class"] = "govuk-visually-hidden"
    hidden.string = f" for {term.term}"
    entry.append(hidden)
    definition.append(entry)
    definition.append(NavigableString(")"))
    wrapper.append(definition)
    return wrapper
