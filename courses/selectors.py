"""Read-only views of a course's structure, for pages and the learning record.

A course's outline is what its published pages say, so it is kept in Django's cache
per course and course tree version (courses.cache): worked out once after each
publish, move or unpublish, and read with no query after that."""

import copy
from dataclasses import dataclass

from django.core.cache import cache

from courses.cache import course_page_version, course_tree_version
from courses.models import AssessmentPage, CoursePage, LessonPage, ModulePage

# Outlines of earlier versions are never read again; they leave the cache after this.
OUTLINE_SECONDS = 24 * 60 * 60
# Outlines of the current version this process has read, by course id: the next read
# is no cache round trip. Immutable, so shared between requests.
_kept: dict[str, dict[int, tuple]] = {}
_KEPT_MAX = 1000


@dataclass(frozen=True)
class LessonOutline:
    id: int
    module_id: int
    title: str
    required: bool
    check_ids: tuple[str, ...]
    url: str = ""
    module_title: str = ""
    duration_minutes: int = 0
    # The SCORM packages the lesson runs (LessonPage.scorm_package_ids).
    scorm_package_ids: tuple[int, ...] = ()

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class ModuleOutline:
    id: int
    title: str
    summary: str
    url: str
    lessons: tuple[LessonOutline, ...]

    @property
    def pk(self) -> int:
        return self.id


def course_outline(*, course: CoursePage) -> tuple[ModuleOutline, ...]:
    """The live modules of a course in order, each with its live lessons in order (what
    learners are served: no drafts, nothing under an unpublished module). From this
    process's memory or the cache when the course tree has not changed since it was
    worked out; otherwise two queries whatever the size of the course."""
    version = course_tree_version()
    if version is None:
        return _course_outline_build(course=course)
    kept = _kept.get(version)
    if kept is None:
        _kept.clear()
        kept = _kept.setdefault(version, {})
    if (outline := kept.get(course.pk)) is not None:
        return outline
    key = f"courses:outline:{version}:{course.pk}"
    outline = cache.get(key)
    if outline is None:
        outline = _course_outline_build(course=course)
        cache.set(key, outline, timeout=OUTLINE_SECONDS)
    if len(kept) < _KEPT_MAX:
        kept[course.pk] = outline
    return outline


def course_lesson_outline(*, course: CoursePage) -> list[LessonOutline]:
    """The live lessons of a course in order, with their module, address, required flag
    and the ids of their knowledge checks (course_outline, flattened)."""
    return [lesson for module in course_outline(course=course) for lesson in module.lessons]


def _course_outline_build(*, course: CoursePage) -> tuple[ModuleOutline, ...]:
    modules = list(ModulePage.objects.live().child_of(course).order_by("path")
                   .only("id", "path", "depth", "url_path", "title", "summary"))
    lessons: dict[str, list[LessonOutline]] = {module.path: [] for module in modules}
    by_path = {module.path: module for module in modules}
    for lesson in (LessonPage.objects.live().descendant_of(course).order_by("path")
                   .only("id", "path", "depth", "url_path", "title", "required",
                         "duration_minutes", "body")):
        module = by_path.get(lesson.path[: -lesson.steplen])
        if module is None:  # under an unpublished module
            continue
        lessons[module.path].append(LessonOutline(
            id=lesson.pk, module_id=module.pk, title=lesson.title, required=lesson.required,
            check_ids=tuple(lesson.knowledge_check_ids()), url=lesson.get_url() or "",
            module_title=module.title, duration_minutes=lesson.duration_minutes,
            scorm_package_ids=tuple(lesson.scorm_package_ids()),
        ))
    return tuple(
        ModuleOutline(
            id=module.pk, title=module.title, summary=module.summary,
            url=module.get_url() or "",
            lessons=tuple(lessons[module.path]),
        )
        for module in modules
    )



@dataclass(frozen=True)
class CoursePageShared:
    """What a course page shows every visitor besides the course's own fields and its
    outline: its trainers' names and its live final assessment (or None)."""

    trainer_names: tuple[str, ...]
    final_assessment: AssessmentPage | None


# Kept in this process by (tree version, course page version), like outlines.
_shared_kept: dict[tuple[str, str], dict[int, CoursePageShared]] = {}


def course_page_shared(*, course: CoursePage) -> CoursePageShared:
    """The course page's shared part, kept per course under both the course tree
    version (a publish, unpublish or move of the course or its assessment) and the
    course page version (a trainer added, removed or renamed): no query when kept,
    two otherwise. Each call has its own copy of the assessment page."""
    tree, page = course_tree_version(), course_page_version()
    if tree is None or page is None:
        return _course_page_shared_build(course=course)
    kept = _shared_kept.get((tree, page))
    if kept is None:
        _shared_kept.clear()
        kept = _shared_kept.setdefault((tree, page), {})
    shared = kept.get(course.pk)
    if shared is None:
        key = f"courses:page-shared:{tree}:{page}:{course.pk}"
        shared = cache.get(key)
        if shared is None:
            shared = _course_page_shared_build(course=course)
            cache.set(key, shared, timeout=OUTLINE_SECONDS)
        if len(kept) < _KEPT_MAX:
            kept[course.pk] = shared
    if shared.final_assessment is None:
        return shared
    return CoursePageShared(trainer_names=shared.trainer_names,
                            final_assessment=copy.copy(shared.final_assessment))


def _course_page_shared_build(*, course: CoursePage) -> CoursePageShared:
    return CoursePageShared(
        trainer_names=tuple(str(t) for t in course.trainers.all()
                            .only("first_name", "last_name", "email")),
        final_assessment=course.final_assessment(),
    )
