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
kinds = {block["type"] for block in blocks}
assert kinds == {"text", "video", "knowledge_check", "activity", "callout", "resource",
                 "glossary_term"}, kinds
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
