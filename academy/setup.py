"""The academy's fixed structure: the site, its top pages, and the roles.

Idempotent: every function finds what exists and creates only what is missing, so
`setup_academy` (and `load_demo_academy`, which calls it) can run any number of times.
"""

import logging

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import strip_spaces_between_tags
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from content.models import GlossaryTerm, HomePage, StandardPage
from courses.models import CataloguePage, CourseReviewTask
from learners.scoping import HR_REPORTERS, TRAINERS

logger = logging.getLogger(__name__)

MODERATORS = "Moderators"  # created by Wagtail's migrations, with its approval workflow

# The statement's text is a template, as prose is easier to read and review there.
ACCESSIBILITY_STATEMENT_TEMPLATE = "academy/setup/accessibility_statement.html"

PRIVACY_NOTICE = [
    ("text", "<p>This notice explains what the academy records about you and why.</p>"
     "<h2>What we hold</h2><p>Your name, work email address, organisation, grade and "
     "profession; the courses you enrol on; your progress through them and your answers to "
     "knowledge checks; and the certificates you earn.</p>"
     "<h2>Why we hold it</h2><p>To provide your learning, to give you certificates, and to "
     "let the people responsible for learning in your organisation see who has completed "
     "required training. Our lawful basis is public task.</p>"
     "<h2>Who can see it</h2><p>You can see your own record. Trainers see the progress of "
     "learners on their own courses. HR reporters see completion records for their own "
     "organisations only.</p>"
     "<h2>Your rights</h2><p>You can ask for a copy of your data, ask us to correct it, or "
     "ask us to erase it. Contact your academy team.</p>"),
]


def _stream(blocks):
    return [{"type": kind, "value": value} for kind, value in blocks]


def accessibility_statement() -> list[tuple[str, str]]:
    """The accessibility statement's blocks: one text block, rendered from its template
    with the template's layout (line breaks, indentation) taken out."""
    html = render_to_string(ACCESSIBILITY_STATEMENT_TEMPLATE)
    return [("text", strip_spaces_between_tags(" ".join(html.split())))]


@transaction.atomic
def academy_site_ensure() -> HomePage:
    """Create the home page, the catalogue at /courses/ and the footer pages, and point
    the default site at them. Returns the home page."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's initial migration makes a placeholder "Welcome" page: replace it.
        Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
        root = Page.get_first_root_node()
        home = HomePage(
            title="Learn the ways of digital government",
            slug="home",
            introduction="Short, practical courses for civil servants on agile, Scrum, "
            "user research and designing public services.",
            body="<h2>How it works</h2><ol><li>Find a course in the catalogue.</li>"
            "<li>Enrol and work through its lessons at your own pace.</li>"
            "<li>Check your understanding as you go, and earn a certificate.</li></ol>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True,
                            site_name="Digital Academy")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()

    if not CataloguePage.objects.exists():
        catalogue = CataloguePage(
            title="Courses", slug="courses", show_in_menus=True,
            introduction="Find a course by searching, or narrow the list by topic, level, "
            "length and format.",
        )
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    for slug, title, body in (
        ("accessibility", "Accessibility statement", accessibility_statement()),
        ("privacy", "Privacy notice", PRIVACY_NOTICE),
    ):
        if not StandardPage.objects.filter(slug=slug).exists():
            page = StandardPage(title=title, slug=slug, body=_stream(body))
            home.add_child(instance=page)
            page.save_revision().publish()
    return home


@transaction.atomic
def academy_roles_ensure() -> None:
    """Create the Trainers and HR reporters groups with their permissions. Trainers
    add and edit courses under the catalogue and submit them for moderation; Wagtail's
    Moderators group approves and publishes."""
    catalogue = CataloguePage.objects.get()
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    Group.objects.get_or_create(name=HR_REPORTERS)
    trainers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="content", codename__in=["add_glossaryterm",
                                                            "change_glossaryterm"]),
        # SCORM packages (issue 17): a trainer uploads one and corrects its title;
        # nobody deletes one (content.scorm_admin).
        *Permission.objects.filter(
            content_type__app_label="content", codename__in=[
                "add_scormpackage", "change_scormpackage", "view_scormpackage"]),
        *Permission.objects.filter(
            content_type__app_label="courses", codename__in=["view_topic"]),
        # Programmes (model, pair, coach): a trainer sets one up and coaches it.
        *Permission.objects.filter(
            content_type__app_label="learners",
            codename__in=["add_programme", "change_programme", "view_programme"]),
    )
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.get_or_create(
            group=trainers, page=catalogue,
            permission=Permission.objects.get(content_type__app_label="wagtailcore",
                                              codename=codename),
        )
    # The documents and images libraries: lesson blocks choose video files, captions,
    # resources, pictures and diagrams from them.
    root_collection = Collection.get_first_root_node()
    for app_label, model in (("wagtaildocs", "document"), ("wagtailimages", "image")):
        for action in ("add", "change", "choose"):
            GroupCollectionPermission.objects.get_or_create(
                group=trainers, collection=root_collection,
                permission=Permission.objects.get(content_type__app_label=app_label,
                                                  codename=f"{action}_{model}"),
            )
    course_review_ensure(catalogue)
    glossary_moderation_ensure()


MODERATORS_APPROVAL = "Moderators approval"  # Wagtail's own workflow, from its migrations


def glossary_moderation_ensure() -> None:
    """Glossary terms are moderated: trainers add and change them as drafts (they have
    no publish permission) and submit them to the "Moderators approval" workflow;
    Moderators publish. An admin may change the workflow in Settings → Workflows."""
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="content", codename__in=[
            "add_glossaryterm", "change_glossaryterm", "publish_glossaryterm"]))
    content_type = ContentType.objects.get_for_model(GlossaryTerm)
    if WorkflowContentType.objects.filter(content_type=content_type).exists():
        return
    workflow = Workflow.objects.filter(name=MODERATORS_APPROVAL).first()
    if workflow is None:
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        task.groups.set([moderators])
        workflow = Workflow.objects.create(name=MODERATORS_APPROVAL)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(content_type=content_type, workflow=workflow)


COURSE_REVIEW = "Course review"


def course_review_ensure(catalogue: CataloguePage) -> None:
    """The "Course review" workflow on the catalogue: Moderators approve a course and its
    changed pages at once (courses.review), or a single page of a live course on its own.
    An admin may change or replace it in Settings → Workflows; this only creates it."""
    if Workflow.objects.filter(name=COURSE_REVIEW).exists():
        return
    task = CourseReviewTask.objects.create(name="Moderators review the course")
    task.groups.set(Group.objects.filter(name=MODERATORS))
    workflow = Workflow.objects.create(name=COURSE_REVIEW)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
