"""Builds the benchmark dataset on PostgreSQL: the demo academy, then a department at
the chosen size. Pages go through Wagtail (as a trainer's would); people, enrolments
and lesson progress are written with set-based SQL, because building a million rows
through the ORM would take longer than the benchmark itself.

Run inside Django (bench/run.py calls `dataset_build`). Returns the manifest the
harness needs: ids, URLs and the users to act as.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from academy.demo_loader import demo_academy_load
from academy.setup import HR_REPORTERS
from bench.sizes import Size
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, Topic
from learners.models import Organisation, ReportingScope

EMAIL_DOMAIN = "bench.example.gov.uk"
FIRST_NAMES = ["Aisha", "Ben", "Carys", "Dev", "Eilidh", "Femi", "Grace", "Hamza", "Ines",
               "Jack", "Kiran", "Lowri", "Mohammed", "Niamh", "Owen", "Priya", "Rhys",
               "Sophie", "Tomasz", "Uma", "Wei", "Yusuf", "Zara", "Callum", "Amara"]
LAST_NAMES = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes",
              "Iqbal", "Jones", "Kaur", "Lewis", "Murphy", "Nowak", "O'Brien", "Patel",
              "Quinn", "Roberts", "Singh", "Taylor", "Walker", "Williams", "Young", "Khan",
              "Smith", "Thomas", "Wright", "Clarke", "Okafor", "Morgan"]


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's default


def _step(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = ALPHABET[digit] + text
    return text.rjust(Organisation.steplen, "0")


def _organisations(size: Size) -> tuple[Organisation, list[int]]:
    """A deep tree under one bench department; returns the root and the leaf ids."""
    root = Organisation.add_root(name="Bench Department", slug="bench-department")
    level = [root.path]
    rows = []
    for depth, children in enumerate(size.branching, start=2):
        next_level = []
        for parent in level:
            for index in range(1, children + 1):
                path = parent + _step(index)
                rows.append(Organisation(path=path, depth=depth, numchild=0,
                                         name=f"Bench unit {path}", slug=f"bench-{path.lower()}"))
                next_level.append(path)
        level = next_level
    children_of: dict[str, int] = {}  # treebeard keeps each node's number of children
    for row in rows:
        parent = row.path[: -Organisation.steplen]
        children_of[parent] = children_of.get(parent, 0) + 1
    for row in rows:
        row.numchild = children_of.get(row.path, 0)
    Organisation.objects.bulk_create(rows, batch_size=2000)
    Organisation.objects.filter(pk=root.pk).update(numchild=children_of[root.path])
    leaves = list(Organisation.objects.filter(path__in=level).values_list("pk", flat=True))
    return root, leaves


def _courses(size: Size, demo_lessons: list[LessonPage]) -> list[dict]:
    """Courses built through Wagtail from the demo lessons' bodies, so a lesson page
    renders what a real one does (glossary links, knowledge checks, callouts)."""
    catalogue = CataloguePage.objects.get()
    topics = list(Topic.objects.all())
    bodies = [(lesson.body.raw_data, [block.id for block in lesson.knowledge_checks()])
              for lesson in demo_lessons]
    courses = []
    n = 0
    for c in range(size.courses):
        course = CoursePage(
            title=f"Bench course {c + 1:03d}: working in the open",
            slug=f"bench-course-{c + 1:03d}",
            summary="A course made by the benchmark harness from the demo lessons.",
            audience="<p>Everyone in the bench department.</p>",
            learning_outcomes="<ul><li>Read lessons quickly</li></ul>",
            duration_override=60, level="introductory", topic=topics[c % len(topics)],
            format="self-paced", pass_mark=None,
        )
        catalogue.add_child(instance=course)
        lessons = []
        for m in range(size.modules):
            module = ModulePage(title=f"Module {m + 1}", slug=f"module-{m + 1}",
                                summary="A module of the bench course.")
            course.add_child(instance=module)
            for i in range(size.lessons):
                body, checks = bodies[n % len(bodies)]
                n += 1
                lesson = LessonPage(title=f"Lesson {m + 1}.{i + 1}", slug=f"lesson-{m + 1}-{i + 1}",
                                    summary="A lesson of the bench course.", duration_minutes=10,
                                    body=body)
                module.add_child(instance=lesson)
                lessons.append({"id": lesson.pk, "checks": checks})
        courses.append({"id": course.pk, "slug": course.slug, "lessons": lessons})
    return courses


def _sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.rowcount


@transaction.atomic
def dataset_build(size: Size) -> dict:
    demo_academy_load()
    demo_lessons = list(LessonPage.objects.live().order_by("path"))
    root, leaves = _organisations(size)
    courses = _courses(size, demo_lessons)
    ordinary = [course["id"] for course in courses[:-2]]
    password = make_password("bench-password-not-for-use")  # one hash: all share it
    now = timezone.now()

    _sql(
        """INSERT INTO learners_user (password, is_superuser, first_name, last_name, email,
               is_staff, is_active, date_joined, organisation_id, grade_id, profession_id,
               staff_number, email_verified_at)
           SELECT %(password)s, false, (%(first)s::text[])[1 + g %% %(nfirst)s],
                  (%(last)s::text[])[1 + (g / %(nfirst)s) %% %(nlast)s],
                  'learner' || g || '@' || %(domain)s, false, true, %(now)s,
                  (%(leaves)s::int[])[1 + g %% %(nleaves)s],
                  (SELECT id FROM learners_grade ORDER BY rank OFFSET g %% 7 LIMIT 1),
                  (SELECT id FROM learners_profession ORDER BY id OFFSET g %% 12 LIMIT 1),
                  'B' || g, %(now)s
           FROM generate_series(1, %(n)s) g""",
        {"password": password, "first": FIRST_NAMES, "nfirst": len(FIRST_NAMES),
         "last": LAST_NAMES, "nlast": len(LAST_NAMES), "domain": EMAIL_DOMAIN, "now": now,
         "leaves": leaves, "nleaves": len(leaves), "n": size.learners})
    # Three courses each (never the two kept empty); a fifth of first enrolments are
    # required learning with a due date, some of them already past.
    _sql(
        """INSERT INTO learners_enrolment (user_id, course_id, cycle, enrolled_at,
               progress_percent, module_status, due_on)
           SELECT u.id, (%(courses)s::int[])[1 + ((u.id * 7 + j * 31) %% %(ncourses)s)], 1,
                  %(now)s - ((u.id * 13 + j) %% 365) * interval '1 day', 0, '{}'::jsonb,
                  CASE WHEN j = 0 AND u.id %% 5 = 0
                       THEN (%(now)s + ((u.id %% 120) - 30) * interval '1 day')::date END
           FROM learners_user u CROSS JOIN generate_series(0, 2) j
           WHERE u.email LIKE %(pattern)s""",
        {"courses": ordinary, "ncourses": len(ordinary), "now": now,
         "pattern": f"%@{EMAIL_DOMAIN}"})
    _sql("CREATE TEMPORARY TABLE bench_lessons (course_id int, lesson_id int, ord int) "
         "ON COMMIT DROP")
    with connection.cursor() as cursor, cursor.copy("COPY bench_lessons FROM STDIN") as copy:
        for course in courses:
            for ord_, lesson in enumerate(course["lessons"]):
                copy.write_row((course["id"], lesson["id"], ord_))
    per_course = size.modules * size.lessons
    # Lesson progress: one enrolment in twenty has finished every lesson; the rest have
    # opened between none and four, the last of them not yet completed.
    _sql(
        """INSERT INTO learners_lessonprogress (enrolment_id, lesson_id, opened_at, completed_at)
           SELECT e.id, l.lesson_id, e.enrolled_at + l.ord * interval '1 hour',
                  CASE WHEN e.id %% 20 = 0 OR l.ord < e.id %% 5 - 1
                       THEN e.enrolled_at + l.ord * interval '1 hour' + interval '12 minutes' END
           FROM learners_enrolment e JOIN bench_lessons l ON l.course_id = e.course_id
           WHERE (e.id %% 20 = 0 OR l.ord < e.id %% 5)""")
    # What the progress task would have derived from those facts.
    _sql(
        """UPDATE learners_enrolment e
           SET started_at = p.first_opened, last_fact_at = p.last_fact,
               progress_computed_at = p.last_fact + interval '1 minute',
               progress_percent = floor(100.0 * p.done / %(per_course)s),
               completed_at = CASE WHEN p.done = %(per_course)s
                                   THEN p.last_fact + interval '1 minute' END
           FROM (SELECT enrolment_id, min(opened_at) AS first_opened,
                        greatest(max(opened_at), max(completed_at)) AS last_fact,
                        count(completed_at) AS done
                 FROM learners_lessonprogress GROUP BY enrolment_id) p
           WHERE p.enrolment_id = e.id AND e.course_id = ANY(%(courses)s)""",
        {"per_course": per_course, "courses": ordinary})
    hr = _user("hr")
    Group.objects.get(name=HR_REPORTERS).user_set.add(hr)
    ReportingScope.objects.create(user=hr, organisation=root)
    _sql("ANALYZE")
    return {
        "size": size.name,
        "courses": courses,
        "bulk_course": courses[-1]["slug"],
        "copy_course": courses[-2]["id"],
        "hr_email": hr.email,
        "root_organisation": root.pk,
    }


def _user(name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        f"{name}@{EMAIL_DOMAIN}", password="bench-password-not-for-use",  # noqa: S106
        first_name="Bench", last_name=name.upper())


def dataset_counts() -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for label, statement in [
            ("learners",
             f"SELECT count(*) FROM learners_user WHERE email LIKE '%%@{EMAIL_DOMAIN}'"),
            ("organisations", "SELECT count(*) FROM learners_organisation"),
            ("organisation depth", "SELECT max(depth) FROM learners_organisation"),
            ("courses", "SELECT count(*) FROM courses_coursepage"),
            ("lessons", "SELECT count(*) FROM courses_lessonpage"),
            ("enrolments", "SELECT count(*) FROM learners_enrolment"),
            ("lesson progress rows", "SELECT count(*) FROM learners_lessonprogress"),
        ]:
            cursor.execute(statement)
            counts[label] = cursor.fetchone()[0]
    return counts
