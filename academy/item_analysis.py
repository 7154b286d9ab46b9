"""Item analysis for trainers: how each knowledge check in a course is answered, and
the lessons where learners stop. Reads only; figures about fewer people than
REPORT_MIN_GROUP_SIZE are suppressed, as in the HR report."""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from courses.models import CoursePage, LessonPage
from learners.models import Enrolment, KnowledgeCheckAttempt, User
from learners.scoping import trainer_courses


@dataclass(frozen=True)
class OptionFigures:
    text: str
    correct: bool
    chosen: int
    percent: int


@dataclass(frozen=True)
class CheckFigures:
    """One knowledge check: who answered, how many were right first time, and how
    often each option was chosen in those first answers."""

    lesson: LessonPage
    question: str
    answered: int
    right_first_time: int
    suppressed: bool
    options: list[OptionFigures] = field(default_factory=list)

    @property
    def right_first_time_percent(self) -> int | None:
        return round(100 * self.right_first_time / self.answered) if self.answered else None


@dataclass(frozen=True)
class StopFigures:
    lesson: LessonPage
    learners: int
    suppressed: bool


def analysable_courses(*, user: User) -> QuerySet[CoursePage]:
    """The courses whose item analysis the user may see: an academy admin all of them,
    a trainer the courses they train (learners.scoping), anyone else none."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return CoursePage.objects.all()
    return trainer_courses(user)


def _first_answers(*, course: CoursePage) -> QuerySet[KnowledgeCheckAttempt]:
    """Each learner's first answer to each knowledge check in the course."""
    first = (
        KnowledgeCheckAttempt.objects
        .filter(enrolment=OuterRef("enrolment"), block_id=OuterRef("block_id"))
        .order_by("answered_at", "pk").values("pk")[:1]
    )
    return KnowledgeCheckAttempt.objects.filter(enrolment__course=course,
                                                pk=Subquery(first))


def knowledge_checks_analyse(*, course: CoursePage) -> list[CheckFigures]:
    """Every knowledge check in the course's live lessons, in course order, with its
    figures. A check answered by fewer than REPORT_MIN_GROUP_SIZE learners shows how
    many answered as "fewer than", and nothing else."""
    threshold = settings.REPORT_MIN_GROUP_SIZE
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    first_answers = _first_answers(course=course)
    totals = {
        row["block_id"]: row for row in
        first_answers.order_by().values("block_id").annotate(
            answered=Count("enrolment", distinct=True),
            right=Count("pk", filter=Q(correct=True)))
    }
    choices: dict[str, Counter] = {}
    for block_id, chosen in first_answers.values_list("block_id", "chosen").iterator():
        choices.setdefault(block_id, Counter()).update(chosen)

    checks = []
    for lesson in lessons:
        for block in lesson.knowledge_checks():
            row = totals.get(block.id, {"answered": 0, "right": 0})
            answered = row["answered"]
            suppressed = answered < threshold
            counts = choices.get(block.id, Counter())
            options = [] if suppressed else [
                OptionFigures(text=option.value["text"], correct=option.value["correct"],
                              chosen=counts[option.id],
                              percent=round(100 * counts[option.id] / answered))
                for option in block.value["options"].bound_blocks
            ]
            checks.append(CheckFigures(
                lesson=lesson, question=block.value["question"], answered=answered,
                right_first_time=0 if suppressed else row["right"], suppressed=suppressed,
                options=options))
    return checks


def lessons_where_learners_stop(*, course: CoursePage) -> list[StopFigures]:
    """For learners who have started the course and not completed it, the last lesson
    each opened, counted, most first. Counts below REPORT_MIN_GROUP_SIZE are suppressed."""
    threshold = settings.REPORT_MIN_GROUP_SIZE
    rows = (
        Enrolment.objects.filter(course=course, completed_at__isnull=True,
                                 last_lesson__isnull=False)
        .order_by().values("last_lesson").annotate(learners=Count("pk"))
    )
    counts = {row["last_lesson"]: row["learners"] for row in rows}
    lessons = LessonPage.objects.filter(pk__in=counts).order_by("path")
    stops = [StopFigures(lesson=lesson, learners=counts[lesson.pk],
                         suppressed=counts[lesson.pk] < threshold) for lesson in lessons]
    return sorted(stops, key=lambda stop: (stop.suppressed, -stop.learners))
