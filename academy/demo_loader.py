"""Loads the demo academy from the YAML files in academy/demo/ (see its README).

Idempotent by construction: everything is looked up by its natural key (slug, term,
email) and created only when missing; nothing that exists is changed. Running it
twice leaves the database as the first run left it.
"""

import logging
import uuid
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents.models import Document

from academy.setup import HR_REPORTERS, TRAINERS, academy_roles_ensure, academy_site_ensure
from content.models import GlossaryTerm
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, Topic
from learners.models import Grade, Organisation, Profession

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

DEMO_PASSWORD = "learn-digital-2026"  # noqa: S105 - printed for the local demo only


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
    return users


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
    for entry in _read("glossary.yaml"):
        GlossaryTerm.objects.get_or_create(
            term=entry["term"],
            defaults={
                "definition": entry["definition"].strip(),
                "also_matches": "\n".join(entry.get("also_matches") or []),
                "link_term": entry.get("link_term", True),
            },
        )


def _load_users() -> list[DemoUser]:
    User = get_user_model()
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
    return DEMO_USERS


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
        audience=data["audience"].strip(), learning_outcomes=f"<ul>{outcomes}</ul>",
        duration_minutes=data["duration_minutes"], level=data["level"],
        topic=topic, format=data["format"], pass_mark=data.get("pass_mark"),
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
                duration_minutes=lesson_data.get("duration_minutes", 10),
                body=[_block(block) for block in lesson_data["body"]],
            ))
    logger.info("demo: loaded course %s", data["slug"])


def _block(block: dict) -> dict:
    kind = block["type"]
    if kind == "text":
        value = block["html"].strip()
    elif kind == "callout":
        value = {"style": block.get("style", "information"), "title": block.get("title", ""),
                 "text": block["html"].strip()}
    elif kind == "activity":
        value = {"kind": block.get("kind", "activity"), "title": block["title"],
                 "prompt": block["prompt"].strip()}
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
            "explanation": block["explanation"].strip(),
        }
    elif kind == "glossary_term":
        value = {"term": GlossaryTerm.objects.get(term=block["term"]).pk}
    elif kind == "resource":
        value = {"title": block["title"], "description": block.get("description", ""),
                 "document": _document(block["file"], block["title"]).pk}
    elif kind == "video":
        value = {"title": block["title"], "video": None, "video_url": "",
                 "transcript": block["transcript"].strip()}
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
