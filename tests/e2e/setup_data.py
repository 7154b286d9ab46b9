"""Extra records for the browser tests, on top of the demo academy: a lesson with every
block type, a revoked certificate and an export still running. Run with
`manage.py shell < tests/e2e/setup_data.py` against the e2e database."""

import uuid

from django.utils import timezone
from wagtail.documents.models import Document

from academy.models import Export
from courses.models import LessonPage, ModulePage
from learners.models import Certificate, Enrolment, User
from learners.services import certificate_issue, certificate_revoke

module = ModulePage.objects.live().order_by("path").first()
first = LessonPage.objects.live().child_of(module).order_by("path").first()
blocks = list(first.body.raw_data)
blocks.append({"type": "video", "id": str(uuid.uuid4()), "value": {
    "title": "A stand-up in two minutes", "video": None,
    "video_url": "https://video.example.gov.uk/stand-up",
    "transcript": "<p>Each person says what they did yesterday, what they will do today "
                  "and anything in their way.</p>"}})
blocks.append({"type": "resource", "id": str(uuid.uuid4()), "value": {
    "title": "A template to use", "description": "Plain text; opens in any editor.",
    "document": Document.objects.order_by("pk").first().pk}})

# Teaching blocks (issue 13): a picture, an SVG diagram, a table, and a video file the
# academy serves with WebVTT captions.
from io import BytesIO  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from wagtail.images.models import Image  # noqa: E402

_png = BytesIO()
PILImage.new("RGB", (1600, 900), "#1d70b8").save(_png, "PNG")
photo = Image.objects.create(title="A team at a board",
                             file=ContentFile(_png.getvalue(), name="team-board.png"))
diagram = Image.objects.create(title="The Scrum cycle", file=ContentFile(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
    b'<circle cx="200" cy="100" r="80" fill="none" stroke="#0b0c0c" stroke-width="8"/></svg>',
    name="scrum-cycle.svg"))
video_file = Document.objects.create(title="Retrospective video", file=ContentFile(
    b"\x00\x00\x00\x18ftypmp42", name="retrospective.mp4"))
captions = Document.objects.create(title="Retrospective captions", file=ContentFile(
    b"WEBVTT\n\n00:00.000 --> 00:02.000\nWhat went well?\n", name="retrospective.vtt"))
blocks.append({"type": "image", "id": str(uuid.uuid4()), "value": {
    "image": photo.pk, "alt_text": "Five people standing at a wall of sticky notes",
    "decorative": False, "caption": "Sprint planning", "credit": "Digital Academy"}})
blocks.append({"type": "diagram", "id": str(uuid.uuid4()), "value": {
    "image": diagram.pk, "alt_text": "The Scrum cycle: plan, build, review, improve",
    "decorative": False, "caption": "The Scrum cycle", "credit": "",
    "description": "<p>Four steps in a loop: plan, build, review, improve.</p>"}})
blocks.append({"type": "table", "id": str(uuid.uuid4()), "value": {
    "data": [["Step", "Who takes part", "When it happens", "What comes out of it"],
             ["Sprint planning", "The whole team", "First day of the sprint", "A sprint goal"],
             ["Sprint review", "The team and the people it serves", "Last day",
              "Feedback on what was built"]],
    "table_caption": "A research plan", "table_header_choice": "both",
    "first_row_is_table_header": True, "first_col_is_header": True}})
blocks.append({"type": "video", "id": str(uuid.uuid4()), "value": {
    "title": "Running a retrospective", "video": video_file.pk, "captions": captions.pk,
    "video_url": "", "transcript": "<p>The team asks what went well and what to change.</p>"}})

kinds = {block["type"] for block in blocks}
assert kinds == {"text", "video", "knowledge_check", "activity", "callout", "resource",
                 "glossary_term", "image", "diagram", "table"}, kinds
lesson = LessonPage(title="Every kind of block", slug="every-kind-of-block", body=blocks,
                    summary="A lesson showing each block a trainer can use.",
                    required=False)
module.add_child(instance=lesson)
lesson.save_revision().publish()

hr = User.objects.get(email="hr@example.gov.uk")
completed = Enrolment.objects.filter(completed_at__isnull=False).order_by("pk")
for enrolment in completed[:2]:
    certificate_issue(enrolment_id=enrolment.pk)
revoked = Certificate.objects.order_by("pk").first()
certificate_revoke(certificate=revoked, reason="Issued in error")
Export.objects.create(id=uuid.UUID("00000000-0000-4000-8000-000000000001"), requested_by=hr,
                      format="xlsx", status=Export.RUNNING, total=1000, processed=400,
                      started_at=timezone.now())
valid = Certificate.objects.exclude(pk=revoked.pk).first()
print(f"E2E revoked={revoked.code} valid={valid.code} lesson={lesson.get_url()}")  # noqa: T201 - read by the fixture

# Final assessment (tests/e2e/test_assessment.py): one learner per run, on Agile
# foundations. The "retry" learners failed one attempt two hours ago, so they may try
# again; the "fresh" one has not started.
from datetime import timedelta  # noqa: E402

from courses.models import CoursePage  # noqa: E402
from learners.models import AssessmentAttempt  # noqa: E402
from learners.services import (  # noqa: E402
    assessment_attempt_start,
    assessment_attempt_submit,
    enrolment_create,
)

agile = CoursePage.objects.get(slug="agile-foundations")
final = agile.final_assessment()
for label in ("retry-320", "retry-375", "retry-1280", "fresh-keyboard"):
    person = User.objects.create_user(email=f"assess-{label}@example.gov.uk",
                                      password="learn-digital-2026", first_name="Asha",
                                      last_name=f"Assessor {label}",
                                      email_verified_at=timezone.now())
    enrolment, _ = enrolment_create(user=person, course=agile)
    if label.startswith("retry"):
        attempt = assessment_attempt_start(enrolment=enrolment, assessment=final)
        assessment_attempt_submit(attempt=attempt, answers={
            q["id"]: q["options"] for q in attempt.questions})  # every option: all wrong
        AssessmentAttempt.objects.filter(pk=attempt.pk).update(
            submitted_at=timezone.now() - timedelta(hours=2))

# Course review (tests/e2e/test_course_review.py): a member of Wagtail's Moderators group,
# who decides on a course the trainer builds and submits in the browser (the demo academy
# may already have one).
from django.contrib.auth.models import Group  # noqa: E402

from academy.setup import MODERATORS  # noqa: E402

if not User.objects.filter(email="moderator@example.gov.uk").exists():
    User.objects.create_user(email="moderator@example.gov.uk", password="learn-digital-2026",
                             first_name="Rowan", last_name="Moderator",
                             email_verified_at=timezone.now())
User.objects.get(email="moderator@example.gov.uk").groups.add(Group.objects.get(name=MODERATORS))
