"""Read-only views of a course's structure, for the learning record to compute with."""

from dataclasses import dataclass

from courses.models import CoursePage, LessonPage, ModulePage


@dataclass(frozen=True)
class LessonOutline:
    id: int
    module_id: int
    title: str
    required: bool
    check_ids: tuple[str, ...]


def course_lesson_outline(*, course: CoursePage) -> list[LessonOutline]:
    """The live lessons of a course in order, with their module and the ids of their
    knowledge checks. Two queries whatever the size of the course."""
    modules = {
        module.path: module.pk
        for module in ModulePage.objects.live().child_of(course).only("id", "path")
    }
    outline = []
    for lesson in (LessonPage.objects.live().descendant_of(course).order_by("path")
                   .only("id", "path", "depth", "title", "required", "body")):
        module_id = modules.get(lesson.path[: -lesson.steplen])
        if module_id is None:  # under an unpublished module
            continue
        outline.append(LessonOutline(
            id=lesson.pk, module_id=module_id, title=lesson.title, required=lesson.required,
            check_ids=tuple(lesson.knowledge_check_ids()),
        ))
    return outline
