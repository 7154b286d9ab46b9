"""Extension points for apps that build on courses (learners adds each learner's own
progress). Apps to the right of courses register with Wagtail's hooks registry, so
courses never imports them."""

from wagtail import hooks

COURSE_PAGE_CONTEXT = "academy_course_page_context"
LESSON_PAGE_CONTEXT = "academy_lesson_page_context"
# Called with the catalogue's context once its page of courses is a list; a hook may
# set `learner_enrolment` on each course (the status line reads it).
CATALOGUE_PAGE_CONTEXT = "academy_catalogue_page_context"


def run_context_hooks(name: str, request, page, context: dict) -> None:
    for hook in hooks.get_hooks(name):
        hook(request, page, context)
