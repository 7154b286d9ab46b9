"""Glossary terms are linked in lessons with no work by the trainer."""

import pytest

from content.glossary import LinkableTerm, link_glossary_terms
from tests.factories import GlossaryTermFactory, LessonPageFactory, course_with_lessons

SPRINT = LinkableTerm("Sprint", "term-sprint", "A fixed period.", ("Sprint", "sprints"))
REVIEW = LinkableTerm("Sprint review", "term-sprint-review", "A meeting.", ("Sprint review",))
LIVE = LinkableTerm("Live", "term-live", "The live phase.", ("live phase",))


def linked(html, terms=(SPRINT, REVIEW, LIVE)):
    return link_glossary_terms(f'<div data-glossary="on">{html}</div>', terms)


def in_place(anchor, word):
    """The term as written, followed by its definition, in place."""
    return (f'<span class="app-glossary__term">{word}</span> '
            f'<span class="app-glossary__definition" id="{anchor}-definition">')


def test_first_use_of_a_term_is_linked_to_its_definition_once():
    html, used = linked("<p>Each sprint ends. Then another sprint starts.</p>")
    assert html.count('class="app-glossary__term"') == 1
    assert in_place("term-sprint", "sprint") + "(A fixed period. " in html
    assert 'href="/glossary/#term-sprint">Full glossary entry' in html
    assert 'href="#term-sprint"' not in html  # no jump down the page
    assert [term.term for term in used] == ["Sprint"]


def test_other_forms_and_any_case_are_linked_on_whole_words_only():
    html, _ = linked("<p>Two SPRINTS. A sprinter is not a sprint.</p>")
    assert in_place("term-sprint", "SPRINTS") in html
    assert "A sprinter is not" in html


def test_the_longest_matching_term_wins():
    html, used = linked("<p>At the sprint review the team shows its work.</p>")
    assert in_place("term-sprint-review", "sprint review") in html
    assert [term.term for term in used] == ["Sprint review"]


def test_terms_in_headings_links_and_unmarked_regions_are_left_alone():
    html, used = link_glossary_terms(
        '<div data-glossary="on"><h2>Sprint</h2><p><a href="/x">a sprint</a></p></div>'
        "<p>sprint outside a lesson block</p>",
        [SPRINT],
    )
    assert "app-glossary" not in html
    assert used == []


def test_a_term_marked_not_to_link_its_own_name_links_only_its_forms():
    html, _ = linked("<p>Services go live. In the live phase you keep improving.</p>")
    assert "Services go live." in html
    assert in_place("term-live", "live phase") in html


def test_text_is_escaped_after_linking():
    html, _ = linked("<p>&lt;script&gt; in a sprint</p>")
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


@pytest.mark.django_db
def test_a_lesson_page_links_its_terms_and_lists_their_definitions(client, catalogue):
    GlossaryTermFactory(term="Sprint", definition="A fixed period of time.", also_matches="sprints")
    GlossaryTermFactory(term="Backlog", definition="A list of work to do.")
    course = course_with_lessons(catalogue, modules=1, lessons=0)
    module = course.get_children().first()
    lesson = LessonPageFactory(parent=module, body=[
        {"type": "text", "value": "<p>Plan your sprints from the backlog.</p>"},
    ])
    response = client.get(lesson.url)
    content = response.content.decode()
    assert in_place("term-sprint", "sprints") + "(A fixed period of time. " in content
    assert in_place("term-backlog", "backlog") in content
    assert 'href="#term-' not in content  # no jump to the list at the foot of the page
    assert "Words used in this lesson" in content
    assert 'id="term-sprint"' in content
    assert "A fixed period of time." in content


@pytest.mark.django_db
def test_glossary_page_lists_every_term_alphabetically(client, site):
    GlossaryTermFactory(term="Sprint", definition="A fixed period of time.")
    GlossaryTermFactory(term="Alpha", definition="The phase for trying ideas.")
    response = client.get("/glossary/")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index('id="term-alpha"') < content.index('id="term-sprint"')
    assert "The phase for trying ideas." in content




def test_the_definition_is_phrasing_content_valid_inside_a_paragraph():
    """details and div are flow content, not allowed in a <p>: the toggletip is spans,
    and the script adds a button (also phrasing content)."""
    html, _ = linked("<p>Each sprint ends.</p>")
    paragraph = html[html.index("<p>"):html.index("</p>")]
    for tag in ("<details", "<div", "<dl", "<p ", "<section"):
        assert tag not in paragraph


@pytest.mark.django_db
def test_a_term_used_many_times_has_one_definition_and_one_list_entry(client, catalogue):
    GlossaryTermFactory(term="Sprint", definition="A fixed period of time.", also_matches="sprints")
    course = course_with_lessons(catalogue, modules=1, lessons=0)
    module = course.get_children().first()
    lesson = LessonPageFactory(parent=module, body=[
        {"type": "text", "value": "<p>A sprint is short.</p><p>Sprints repeat.</p>"},
        {"type": "text", "value": "<p>Each sprint ends with a review.</p>"},
    ])
    content = client.get(lesson.url).content.decode()
    assert content.count("A fixed period of time.") == 2  # in place, and in the list
    assert content.count('<dt class="govuk-summary-list__key">Sprint</dt>') == 1


@pytest.mark.django_db
def test_a_term_the_lesson_defines_in_a_glossary_block_is_not_listed_again(client, catalogue):
    term = GlossaryTermFactory(term="Backlog", definition="A list of work to do.")
    course = course_with_lessons(catalogue, modules=1, lessons=0)
    module = course.get_children().first()
    lesson = LessonPageFactory(parent=module, body=[
        {"type": "text", "value": "<p>Keep a backlog.</p>"},
        {"type": "glossary_term", "value": {"term": term.pk}},
    ])
    content = client.get(lesson.url).content.decode()
    assert "Words used in this lesson" not in content
    assert content.count("A list of work to do.") == 2  # in place, and the glossary block
