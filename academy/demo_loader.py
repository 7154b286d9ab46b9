"""Loads the demo academy from the YAML files in academy/demo/ (see its README).

Idempotent by construction: everything is looked up by its natural key (slug, term,
email) and created only when missing; nothing that exists is changed. Running it
twice leaves the database as the first run left it.
"""

import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_spaces_between_tags
from django.utils.text import slugify
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection

from academy.demo.followups import demo_followups_load
from academy.demo.programmes import COACH, COACH_EMAIL, demo_programme_load
from academy.demo.sessions import demo_sessions_load
from academy.setup import (
    HR_REPORTERS,
    MODERATORS,
    TRAINERS,
    academy_roles_ensure,
    academy_site_ensure,
)
from content.models import GlossaryTerm, ScormPackage
from content.scorm import package_from_zip
from courses.models import (
    AssessmentPage,
    CataloguePage,
    CoursePage,
    LessonPage,
    ModulePage,
    Topic,
)
from learners.models import Grade, Organisation, Profession, SignUpDomain

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parent / "demo"

GRADES = ["AA", "AO", "EO", "HEO", "SEO", "Grade 7", "Grade 6", "SCS 1", "SCS 2", "SCS 3"]
PROFESSIONS = [
    "Digital, data and technology", "Policy", "Operational delivery", "Human resources",
    "Finance", "Project delivery", "Commercial", "Communications", "Analysis",
    "Legal", "Property", "Internal audit",
]
# name, children
ORGANISATIONS = [
    ("Department for Public Services", [
        ("Digital, Data and Technology Directorate", [
            ("Service Design Team", []),
            ("Platforms Team", []),
        ]),
        ("Operations Directorate", [
            ("Benefits Processing North", []),
            ("Benefits Processing South", []),
            ("Contact Centre", []),
        ]),
        ("Policy Directorate", [
            ("Housing Policy", []),
            ("Employment Policy", []),
        ]),
        ("Corporate Services Directorate", [
            ("Human Resources", []),
            ("Finance", []),
        ]),
    ]),
    ("Agency for Licensing", [
        ("Licensing Operations", []),
        ("Agency Digital Team", []),
    ]),
]

# The printed sign-in for the local demo, not a secret (docs/security.md).
DEMO_PASSWORD = "learn-digital-2026"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: str
    organisation: str
    grade: str
    profession: str


DEMO_USERS = [
    DemoUser("learner@example.gov.uk", "Sam", "Okafor", "learner", "Benefits Processing North",
             "EO", "Operational delivery"),
    DemoUser("trainer@example.gov.uk", "Priya", "Shah", "trainer", "Service Design Team",
             "Grade 7", "Digital, data and technology"),
    DemoUser("hr@example.gov.uk", "Morgan", "Ellis", "hr", "Operations Directorate",
             "SEO", "Human resources"),
    DemoUser("admin@example.gov.uk", "Alex", "Morgan", "admin", "Digital, Data and Technology "
             "Directorate", "Grade 6", "Digital, data and technology"),
    DemoUser("manager@example.gov.uk", "Jordan", "Reid", "manager", "Benefits Processing North",
             "HEO", "Operational delivery"),
    DemoUser("moderator@example.gov.uk", "Ruth", "Adeyemi", "moderator", "Service Design Team",
             "Grade 7", "Digital, data and technology"),
]


def _read(name: str):
    with (DEMO_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@transaction.atomic
def demo_academy_load() -> list[DemoUser]:
    """Load everything; return the demo users, whose password is DEMO_PASSWORD."""
    academy_site_ensure()
    academy_roles_ensure()
    _load_people_structure()
    _load_glossary()
    users = _load_users()
    trainer = get_user_model().objects.get(email="trainer@example.gov.uk")
    catalogue = CataloguePage.objects.get()
    for path in sorted((DEMO_DIR / "courses").glob("*.yaml")):
        _load_course(catalogue, yaml.safe_load(path.read_text(encoding="utf-8")), trainer)
    _load_reporting()
    demo_sessions_load()
    demo_programme_load()
    transaction.on_commit(_backdate_demo_completions)
    transaction.on_commit(demo_followups_load)  # after the completions are backdated
    # The programme's coach, a trainer made by academy.demo.programmes.
    return [*users, DemoUser(COACH_EMAIL, *COACH, "coach", "Service Design Team", "Grade 7",
                             "Digital, data and technology")]


def _load_people_structure() -> None:
    for rank, name in enumerate(GRADES, start=1):
        Grade.objects.get_or_create(name=name, defaults={"rank": rank})
    for name in PROFESSIONS:
        Profession.objects.get_or_create(slug=slugify(name), defaults={"name": name})

    def add(parent, children):
        for name, grandchildren in children:
            node = Organisation.objects.filter(slug=slugify(name)).first()
            if node is None:
                kwargs = {"name": name, "slug": slugify(name)}
                node = parent.add_child(**kwargs) if parent else Organisation.add_root(**kwargs)
            add(node, grandchildren)

    add(None, ORGANISATIONS)


def _load_glossary() -> None:
    """Each new term is published, as a moderator would (glossary terms are moderated:
    a draft is linked nowhere), so it has a revision like any published term."""
    for entry in _read("glossary.yaml"):
        term, created = GlossaryTerm.objects.get_or_create(
            term=entry["term"],
            defaults={
                "definition": entry["definition"].strip(),
                "also_matches": "\n".join(entry.get("also_matches") or []),
                "link_term": entry.get("link_term", True),
                "live": False,
            },
        )
        if created:
            term.save_revision().publish()


DEMO_SIGN_UP_DOMAIN = "example.gov.uk"


def _load_users() -> list[DemoUser]:
    """The demo's people (vouched for, so verified), and the one email domain that may
    sign up itself: example.gov.uk, anywhere in the department."""
    User = get_user_model()
    SignUpDomain.objects.get_or_create(domain=DEMO_SIGN_UP_DOMAIN, defaults={
        "organisation": Organisation.objects.get(slug=slugify(ORGANISATIONS[0][0]))})
    for demo in DEMO_USERS:
        if User.objects.filter(email=demo.email).exists():
            continue
        user = User.objects.create_user(
            email=demo.email, password=DEMO_PASSWORD,
            first_name=demo.first_name, last_name=demo.last_name,
            organisation=Organisation.objects.get(slug=slugify(demo.organisation)),
            grade=Grade.objects.get(name=demo.grade),
            profession=Profession.objects.get(slug=slugify(demo.profession)),
            is_superuser=demo.role == "admin", is_staff=demo.role == "admin",
        )
        if demo.role == "trainer":
            user.groups.add(Group.objects.get(name=TRAINERS))
        if demo.role == "hr":
            user.groups.add(Group.objects.get(name=HR_REPORTERS))
        if demo.role == "moderator":
            user.groups.add(Group.objects.get(name=MODERATORS))
    return DEMO_USERS


FIRST_NAMES = ["Aisha", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Gareth", "Hana", "Imran",
               "Jess", "Kwame", "Lowri", "Marek", "Niamh", "Owen", "Parveen", "Rhys",
               "Siobhan", "Tariq", "Uma", "Vikram", "Wendy", "Yusuf", "Zara"]
LAST_NAMES = ["Adams", "Begum", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes",
              "Iqbal", "Jones", "Khan", "Lewis", "Murphy", "Nowak", "Okoro", "Patel",
              "Quinn", "Roberts", "Singh", "Thomas", "Usman", "Vaughan", "Walker", "Young"]
DEMO_TEAMS = ["benefits-processing-north", "benefits-processing-south", "contact-centre",
              "housing-policy", "service-design-team", "human-resources"]


def _load_reporting() -> None:
    """The HR reporter reports on the Operations Directorate; a few dozen colleagues
    across the department have learning records at different stages, so the reports
    have something to show. Deterministic, and skipped once loaded."""
    from learners import services
    from learners.models import Enrolment, ReportingScope

    User = get_user_model()
    hr = User.objects.get(email="hr@example.gov.uk")
    ReportingScope.objects.get_or_create(
        user=hr, organisation=Organisation.objects.get(slug="operations-directorate"))
    if User.objects.filter(email__endswith="@demo.example.gov.uk").exists():
        return
    courses = list(CoursePage.objects.live().order_by("title"))
    grades = list(Grade.objects.all())
    professions = list(Profession.objects.all())
    now = timezone.now()
    for n, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
        person = User.objects.create_user(
            email=f"{first}.{last}@demo.example.gov.uk".lower(), password=None,
            first_name=first, last_name=last,
            organisation=Organisation.objects.get(slug=DEMO_TEAMS[n % len(DEMO_TEAMS)]),
            grade=grades[n % 6 + 1], profession=professions[n % len(professions)],
        )
        for k, course in enumerate(courses[: 1 + n % 3]):
            enrolment, _ = services.enrolment_create(user=person, course=course)
            lessons = _lessons(course)
            done = lessons if (n + k) % 3 == 0 else lessons[: (n + k) % len(lessons)]
            _work_through(enrolment, done, wrong=(n * 7 + k) % 10 == 0)
            # Spread enrolments (and completions) over the past year for the charts.
            Enrolment.objects.filter(pk=enrolment.pk).update(
                enrolled_at=now - timedelta(days=20 + (n * 37 + k * 11) % 330))
    _load_required_learning(hr)


def _lessons(course) -> list:
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def _work_through(enrolment, lessons, *, wrong: bool = False) -> None:
    """Answer each lesson's knowledge checks (wrongly, if asked) and complete it."""
    from learners import services

    for lesson in lessons:
        for block in lesson.knowledge_checks():
            options = block.value["options"].bound_blocks
            right = [o.id for o in options if o.value["correct"]]
            chosen = [o.id for o in options if not o.value["correct"]][:1] if wrong else right
            services.knowledge_check_answer(enrolment=enrolment, lesson=lesson,
                                            block_id=block.id, chosen_ids=chosen)
        for package in ScormPackage.objects.filter(pk__in=lesson.scorm_package_ids()):
            _run_scorm(enrolment, lesson, package, wrong=wrong)
        services.lesson_complete(enrolment=enrolment, lesson=lesson)
    if lessons and len(lessons) == len(_lessons(enrolment.course)):
        _take_assessment(enrolment, wrong=wrong)


def _run_scorm(enrolment, lesson, package, *, wrong: bool = False) -> None:
    """Go through a SCORM 1.2 package as its page would: launch, then one finishing
    commit that passes it (3 of 4, if asked to answer wrongly; still a pass)."""
    from learners.services.scorm import scorm_attempt_commit, scorm_attempt_for_launch

    attempt = scorm_attempt_for_launch(enrolment=enrolment, lesson=lesson, package=package)
    scorm_attempt_commit(enrolment=enrolment, attempt_id=attempt.pk, terminate=True, data={
        "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "75" if wrong else "100",
        "cmi.core.score.min": "0", "cmi.core.score.max": "100", "cmi.core.exit": ""})


def _take_assessment(enrolment, *, wrong: bool = False) -> None:
    """Take the course's final assessment once, answering every question right (or,
    if asked, wrongly), as a learner who has finished the lessons would."""
    from learners import services

    assessment = enrolment.course.final_assessment()
    if assessment is None:
        return
    try:
        attempt = services.assessment_attempt_start(enrolment=enrolment, assessment=assessment)
    except services.AssessmentUnavailable:
        return
    pool = assessment.questions_by_id()
    answers = {}
    for question in attempt.questions:
        options = pool[question["id"]].value["options"].bound_blocks
        answers[question["id"]] = [o.id for o in options if o.value["correct"] != wrong][:(
            1 if wrong else None)]
    services.assessment_attempt_submit(attempt=attempt, answers=answers)


# Each of the three Operations teams gets this many more people, so that its figures
# are above the reports' small-number threshold (REPORT_MIN_GROUP_SIZE).
ROSTER_PER_TEAM = 10
OPERATIONS_TEAMS = ["benefits-processing-north", "benefits-processing-south", "contact-centre"]


def _load_required_learning(hr) -> None:
    """A year of required learning in the Operations Directorate, so the compliance
    view and the charts show what HR would see: Agile foundations, set a year ago, was
    due six weeks ago (most finished on time over the months before, some late, some
    still overdue, two with more time),
    User research is due in ten days, Scrum in four months for the Contact Centre.
    Team leaders are line managers; everyone has a staff number."""
    from learners import services
    from learners.models import DeadlineExtension, Enrolment, RequiredLearning

    User = get_user_model()
    today = timezone.localdate()
    now = timezone.now()
    grades = list(Grade.objects.all())
    operational = Profession.objects.get(slug="operational-delivery")
    roster = []
    for t, slug in enumerate(OPERATIONS_TEAMS):
        team = Organisation.objects.get(slug=slug)
        for i in range(ROSTER_PER_TEAM):
            n = t * ROSTER_PER_TEAM + i
            first = FIRST_NAMES[(n * 5 + 3) % len(FIRST_NAMES)]
            last = LAST_NAMES[(n * 7 + 11) % len(LAST_NAMES)]
            roster.append(User.objects.create_user(
                email=f"{first}.{last}.{n}@demo.example.gov.uk".lower(), password=None,
                first_name=first, last_name=last, organisation=team,
                grade=grades[1 + n % 4], profession=operational))
    # Staff numbers for everyone in the demo department; team leaders manage their team.
    people = User.objects.filter(organisation__path__startswith=Organisation.objects.get(
        slug="department-for-public-services").path).order_by("pk")
    for number, person in enumerate(people, start=1):
        person.staff_number = f"DPS{100000 + number * 37:06d}"
        person.save(update_fields=["staff_number"])
    manager = User.objects.get(email="manager@example.gov.uk")
    for t, slug in enumerate(OPERATIONS_TEAMS):
        leader = manager if t == 0 else roster[t * ROSTER_PER_TEAM]
        User.objects.filter(organisation__slug=slug).exclude(pk=leader.pk).update(
            line_manager=leader)

    operations = Organisation.objects.get(slug="operations-directorate")
    plans = [  # course, audience, due in days (negative: past), assigned days ago
        ("agile-foundations", operations, -42, 330),
        ("user-research-for-non-researchers", operations, 10, 60),
        ("scrum-in-government", Organisation.objects.get(slug="contact-centre"), 120, 14),
    ]
    for slug, audience, due_in, assigned_ago in plans:
        course = CoursePage.objects.get(slug=slug)
        due = today + timedelta(days=due_in)
        assignment = RequiredLearning.objects.create(course=course, due_on=due, created_by=hr)
        assignment.organisations.add(audience)
        RequiredLearning.objects.filter(pk=assignment.pk).update(
            created_at=now - timedelta(days=assigned_ago))
        services.required_learning_expand(assignment_id=assignment.pk)
        lessons = _lessons(course)
        for n, person in enumerate(roster):
            enrolment = Enrolment.objects.filter(user=person, course=course).first()
            if enrolment is None:
                continue
            # Completions land a week after enrolling (_backdate_demo_completions), so
            # the enrolment date decides on time or late.
            outcome = (n * 7 + len(slug)) % 10
            if due_in < 0 and outcome < 6:  # on time, spread over the months before
                enrolled = now + timedelta(days=due_in - 8 - (n * 29) % 270)
                _work_through(enrolment, lessons)
            elif due_in < 0 and outcome < 8:  # finished, but after the deadline
                enrolled = now + timedelta(days=due_in - 7 + 1 + n % 20)
                _work_through(enrolment, lessons)
            elif due_in > 0 and outcome < 3:  # already done, well before the date
                enrolled = now - timedelta(days=30 + n % 20)
                if slug == "user-research-for-non-researchers" and outcome == 0:
                    # Done last year: the 12-month certificate runs out within the
                    # month, so HR's "expiring in 30 days" lists it and renewal is open.
                    enrolled = now - timedelta(days=352)
                _work_through(enrolment, lessons)
            else:  # not finished: part of the way, or not started
                enrolled = now - timedelta(days=assigned_ago - n % 10)
                _work_through(enrolment, lessons[: n % 3])
            Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=enrolled)
    # Two people overdue on Agile foundations were given more time.
    overdue = Enrolment.objects.filter(
        user__in=roster, course__slug="agile-foundations", completed_at__isnull=True,
    ).order_by("user__last_name", "pk")[:2]
    for enrolment in overdue:
        extended = today + timedelta(days=21)
        DeadlineExtension.objects.create(
            enrolment=enrolment, previous_due_on=enrolment.due_on, due_on=extended,
            reason="Returned from long-term leave", granted_by=hr)
        Enrolment.objects.filter(pk=enrolment.pk).update(extended_due_on=extended)


def _backdate_demo_completions() -> None:
    """Completions happen 'now' when the demo loads; move each to a week after its
    enrolment so the completions chart shows a year of history."""
    from django.db.models import F

    from learners.models import Certificate, Enrolment
    from learners.services.certificate_expiry import certificate_expiry_date
    from learners.services.certificates import certificate_issue

    people = Enrolment.objects.filter(user__email__endswith="@demo.example.gov.uk")
    people.filter(started_at__isnull=False).update(started_at=F("enrolled_at") + timedelta(days=1))
    demo = people.filter(completed_at__isnull=False)
    demo.update(completed_at=F("enrolled_at") + timedelta(days=7))
    for enrolment in demo.select_related("course"):
        completed_on = timezone.localdate(enrolment.completed_at)
        certificate = Certificate.objects.filter(enrolment=enrolment).first()
        if certificate is None or certificate.completed_on == completed_on:
            continue  # not issued, or already backdated (by an earlier load)
        # Its expiry follows from the earlier date, as issuing it then would have set it.
        Certificate.objects.filter(pk=certificate.pk).update(
            completed_on=completed_on, expires_on=certificate_expiry_date(
                completed_on=completed_on,
                valid_months=enrolment.course.certificate_valid_months))
        if enrolment.course.certificate_valid_months and certificate.file:
            # Its PDF says how long it is valid: drawn again with the earlier dates, by
            # the service's own repair of a certificate without its PDF.
            certificate.file.delete(save=False)
            Certificate.objects.filter(pk=certificate.pk).update(file="")
            certificate_issue(enrolment_id=enrolment.pk)


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _load_course(catalogue: CataloguePage, data: dict, trainer) -> None:
    if CoursePage.objects.filter(slug=data["slug"]).exists():
        return
    topic, _ = Topic.objects.get_or_create(
        slug=slugify(data["topic"]), defaults={"name": data["topic"]}
    )
    outcomes = "".join(f"<li>{escape(item)}</li>" for item in data["learning_outcomes"])
    course = _publish(catalogue, CoursePage(
        title=data["title"], slug=data["slug"], summary=data["summary"].strip(),
        audience=_html(data["audience"]), learning_outcomes=f"<ul>{outcomes}</ul>",
        duration_override=data.get("duration_override"), level=data["level"],
        topic=topic, format=data["format"], pass_mark=data.get("pass_mark"),
        certificate_valid_months=data.get("certificate_valid_months"),
    ))
    course.trainers.add(trainer)
    course.save_revision().publish()
    for module_data in data["modules"]:
        module = _publish(course, ModulePage(
            title=module_data["title"], slug=module_data["slug"],
            summary=module_data.get("summary", "").strip(),
        ))
        for lesson_data in module_data["lessons"]:
            _publish(module, LessonPage(
                title=lesson_data["title"], slug=lesson_data["slug"],
                summary=lesson_data.get("summary", "").strip(),
                duration_override=lesson_data.get("duration_override"),
                body=[_block(block) for block in lesson_data["body"]],
            ))
    if "final_assessment" in data:
        _load_assessment(course, data["final_assessment"])
    logger.info("demo: loaded course %s", data["slug"])


def _load_assessment(course: CoursePage, data: dict) -> None:
    """The course's final assessment: its pool of questions, each linked to the lesson
    (named by slug) that teaches it."""
    lessons = {lesson.slug: lesson.pk
               for lesson in LessonPage.objects.descendant_of(course).only("id", "slug")}
    pool = [{
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {
            "question": " ".join(question["question"].split()),
            "options": [
                {"type": "item", "id": str(uuid.uuid4()),
                 "value": {"text": option["text"], "correct": bool(option.get("correct"))}}
                for option in question["options"]
            ],
            "explanation": _html(question["explanation"]),
            "lesson": lessons[question["lesson"]],
        },
    } for question in data["questions"]]
    _publish(course, AssessmentPage(
        title=data.get("title", "Final assessment"), slug="final-assessment",
        intro=_html(data.get("intro", "")),
        questions_per_attempt=data["questions_per_attempt"],
        attempts_allowed=data["attempts_allowed"], wait_hours=data["wait_hours"],
        pool=pool,
    ))


def _html(html: str) -> str:
    """Rich text from the YAML as the editor would keep it: no white space between
    tags. (Wagtail compares rich text by its words, so "<li>a</li> <li>b</li>" and the
    editor's "<li>a</li><li>b</li>" would show a moderator a change nobody made.)"""
    return strip_spaces_between_tags(" ".join(html.split()))


def _block(block: dict) -> dict:
    kind = block["type"]
    if kind == "text":
        value = _html(block["html"])
    elif kind == "callout":
        value = {"style": block.get("style", "information"), "title": block.get("title", ""),
                 "text": _html(block["html"])}
    elif kind == "activity":
        value = {"kind": block.get("kind", "activity"), "title": block["title"],
                 "prompt": _html(block["prompt"])}
    elif kind == "knowledge_check":
        value = {
            "question": block["question"].strip(),
            # Each option gets a stable id (Wagtail's ListBlock item format), so an
            # answer names the option it chose even if the trainer reorders them.
            "options": [
                {"type": "item", "id": str(uuid.uuid4()),
                 "value": {"text": option["text"], "correct": bool(option.get("correct"))}}
                for option in block["options"]
            ],
            "explanation": _html(block["explanation"]),
        }
    elif kind == "glossary_term":
        value = {"term": GlossaryTerm.objects.get(term=block["term"]).pk}
    elif kind == "resource":
        value = {"title": block["title"], "description": block.get("description", ""),
                 "document": _document(block["file"], block["title"]).pk}
    elif kind == "video":
        value = {"title": block["title"], "video": None, "video_url": "",
                 "minutes": block.get("minutes"), "transcript": _html(block["transcript"])}
    elif kind in ("image", "diagram"):
        value = {"image": _image(block["file"], block["title"]).pk,
                 "alt_text": " ".join(block["alt"].split()), "decorative": False,
                 "caption": " ".join(block.get("caption", "").split()),
                 "credit": block.get("credit", "")}
        if kind == "diagram":
            value["description"] = _html(block["description"])
    elif kind == "table":
        value = {"data": block["rows"], "table_caption": block["caption"],
                 "first_row_is_table_header": True,
                 "first_col_is_header": bool(block.get("first_col_is_header")),
                 "table_header_choice": "both" if block.get("first_col_is_header") else "row"}
    elif kind == "scorm_package":
        value = {"package": _scorm_package(block["package"]).pk,
                 "minutes": block.get("minutes"),
                 "introduction": _html(block.get("introduction", ""))}
    else:
        raise ValueError(f"Unknown block type in demo content: {kind}")
    return {"type": kind, "value": value}


def _document(filename: str, title: str) -> Document:
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    with (DEMO_DIR / "resources" / filename).open("rb") as handle:
        document = Document(title=title)
        document.file.save(filename, File(handle), save=False)
        document.save()
    return document


DEMO_COLLECTION = "Demo academy"


def _image(filename: str, title: str) -> Image:
    """The demo picture with this title in the demo collection, added from images/
    the first time it is needed (so loading again adds no copies)."""
    root = Collection.get_first_root_node()
    collection = (root.get_children().filter(name=DEMO_COLLECTION).first()
                  or root.add_child(name=DEMO_COLLECTION))
    existing = Image.objects.filter(collection=collection, title=title).first()
    if existing:
        return existing
    with (DEMO_DIR / "images" / filename).open("rb") as handle:
        image = Image(title=title, collection=collection)
        image.file.save(filename, File(handle), save=False)
        image._set_image_file_metadata()  # size and hash, as Wagtail's upload form sets them
        image.save()
    return image


def _scorm_package(slug: str) -> ScormPackage:
    """The demo SCORM package kept as source files in scorm/<slug>/, zipped in memory
    and uploaded by the demo trainer the first time it is needed (its upload's name,
    <slug>.zip, finds it again, so loading again adds no copies)."""
    filename = f"{slug}.zip"
    existing = ScormPackage.objects.filter(original_filename=filename).first()
    if existing:
        return existing
    folder = DEMO_DIR / "scorm" / slug
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    trainer = get_user_model().objects.get(email="trainer@example.gov.uk")
    return package_from_zip(ContentFile(buffer.getvalue(), name=filename), uploaded_by=trainer)
