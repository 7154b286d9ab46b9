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



# --- Courses as a learner's own list shows them ---------------------------------------


@dataclass(frozen=True)
class AssessmentRules:
    """What a learner's state on a final assessment depends on (AssessmentPage's fields
    of those names)."""

    id: int
    attempts_allowed: int
    wait_hours: int

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class CourseCard:
    """What My learning shows of a course and needs to mark its final assessment: its
    title, address, URL path (its lessons' addresses start with it), pass mark, and its
    live final assessment (None: it has none)."""

    id: int
    title: str
    url: str
    url_path: str
    pass_mark: int | None
    assessment: AssessmentRules | None = None

    def score_passes(self, score_percent: int | None) -> bool:
        """CoursePage.score_passes, for an assessment state built from this card."""
        return (self.pass_mark is None or score_percent is None
                or score_percent >= self.pass_mark)

    def lesson_url(self, url_path: str | None) -> str:
        """The address of a lesson under this course from its URL path (the course's
        address with the rest of the lesson's path), or the course's address when it has
        none or it is not under this course."""
        if url_path and self.url and url_path.startswith(self.url_path):
            return self.url + url_path[len(self.url_path):]
        return self.url


_cards: dict[str, dict[int, CourseCard]] = {}


def course_cards(*, fresh: bool = False) -> dict[int, CourseCard]:
    """Every course (published or not: a learner's record may point at either) as a
    CourseCard, by id. From this process's memory or the cache when the course tree has
    not changed since they were worked out (a title, pass mark or assessment is a page
    change: it changes the version); otherwise two queries whatever the number of
    courses. `fresh`: worked out again, for a course newer than the cards held (made in
    a transaction that has not yet committed the version's change)."""
    version = course_tree_version()
    if version is None:
        return _course_cards_build()
    if not fresh and (cards := _cards.get(version)) is not None:
        return cards
    key = f"courses:cards:{version}"
    cards = None if fresh else cache.get(key)
    if cards is None:
        cards = _course_cards_build()
        cache.set(key, cards, timeout=OUTLINE_SECONDS)
    _cards.clear()
    _cards[version] = cards
    return cards


def course_final_assessment(*, course: CoursePage):
    """The course's live final assessment (AssessmentRules, its id as `pk`) from the
    cards kept per course tree version, or None; for a course newer than the cards, from
    the database (CoursePage.final_assessment)."""
    card = course_cards().get(course.pk)
    return course.final_assessment() if card is None else card.assessment


def _course_cards_build() -> dict[int, CourseCard]:
    # A course's live final assessment is its child (at most one a course).
    assessments = {
        assessment.path[: -assessment.steplen]: assessment
        for assessment in AssessmentPage.objects.live().order_by("path")
        .only("id", "path", "depth", "attempts_allowed", "wait_hours")
    }
    cards = {}
    for course in CoursePage.objects.only("id", "title", "path", "depth", "url_path",
                                          "pass_mark"):
        assessment = assessments.get(course.path)
        cards[course.pk] = CourseCard(
            id=course.pk, title=course.title, url=course.get_url() or "",
            url_path=course.url_path, pass_mark=course.pass_mark,
            assessment=assessment and AssessmentRules(
                id=assessment.pk, attempts_allowed=assessment.attempts_allowed,
                wait_hours=assessment.wait_hours))
    return cards


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
