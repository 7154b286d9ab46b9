"""Factories for the course tree and people (wagtail-factories, factory_boy)."""

import uuid

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from content.models import GlossaryTerm
from courses.models import CoursePage, LessonPage, ModulePage, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    first_name = "Jo"
    last_name = factory.Sequence(lambda n: f"Learner{n}")
    password = factory.django.Password("correct-horse-battery")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = "Agile ways of working"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm
        django_get_or_create = ("term",)

    term = "Sprint"
    definition = "A fixed period of time in which a team finishes a set amount of work."


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "A short course."
    audience = "<p>Anyone.</p>"
    learning_outcomes = "<ul><li>Do a thing</li></ul>"
    duration_override = 90
    level = "introductory"
    format = "self-paced"
    topic = factory.SubFactory(TopicFactory)


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    body = factory.LazyFunction(lambda: [{"type": "text", "value": "<p>Read this.</p>"}])


def knowledge_check(question="How long is a sprint?", correct=(0,), options=None):
    """A knowledge_check block's raw value."""
    options = options or ["A fixed length of a month or less", "As long as the work takes",
                          "Exactly one year"]
    return {
        "type": "knowledge_check",
        "value": {
            "question": question,
            "options": [
                {"type": "item", "id": str(uuid.uuid4()),
                 "value": {"text": text, "correct": i in correct}}
                for i, text in enumerate(options)
            ],
            "explanation": "<p>Sprints are time-boxed.</p>",
        },
    }


def activity(title="Think about your own work", kind="reflection",
             prompt="<p>When did you last learn something from a user?</p>"):
    """An activity block's raw value, with its stream id (the learning log keys on it)."""
    return {"type": "activity", "id": str(uuid.uuid4()),
            "value": {"kind": kind, "title": title, "prompt": prompt}}


def course_with_lessons(catalogue, *, modules=2, lessons=2, body=None, **course_fields):
    """A published course with `modules` modules of `lessons` lessons each. `body` is
    a lesson body, or a function returning a fresh one for each lesson."""
    course = CoursePageFactory(parent=catalogue, **course_fields)
    for m in range(modules):
        module = ModulePageFactory(parent=course, title=f"{course.title} module {m + 1}")
        for n in range(lessons):
            LessonPageFactory(
                parent=module, title=f"{course.title} lesson {m + 1}.{n + 1}",
                **({"body": body() if callable(body) else body} if body is not None else {}),
            )
    return course


def certificate_held(user, course, *, completed_on, expires_on=None, cycle=1, **fields):
    """A completed enrolment (in `cycle`) with its certificate, as issuing leaves them
    (without the PDF): for tests of what is shown and sent about a certificate."""
    from datetime import datetime, time

    from django.utils import timezone

    from learners.models import Certificate, Enrolment
    from learners.services.certificates import certificate_code_new

    completed_at = timezone.make_aware(datetime.combine(completed_on, time(12)))
    enrolment = Enrolment.objects.create(user=user, course=course, cycle=cycle,
                                         completed_at=completed_at, progress_percent=100)
    return Certificate.objects.create(
        enrolment=enrolment, code=certificate_code_new(), completed_on=completed_on,
        learner_name=user.get_full_name(), course_title=course.title,
        expires_on=expires_on, **fields)
