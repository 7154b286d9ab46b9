"""A course's final assessment: a pool of questions authored in Wagtail, a few drawn
for each attempt. Learners take it through the learners app (learners.assessment_views);
this page holds what the trainer decides."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from content.blocks import AssessmentPoolBlock
from courses.models.review import CourseChildPage


class AssessmentPage(CourseChildPage, Page):
    """The final assessment of its course (at most one a course). Where a course has a
    live one, the course's pass mark applies to it, and lesson knowledge checks are
    practice."""

    intro = RichTextField(
        features=["bold", "italic", "ul", "link"], blank=True,
        help_text="Shown before a learner starts: what the assessment covers.",
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1)],
        help_text="How many questions are drawn from the pool for each attempt.",
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many times a learner may submit the assessment.",
    )
    wait_hours = models.PositiveSmallIntegerField(
        "hours to wait between attempts", default=1, validators=[MaxValueValidator(24 * 30)],
        help_text="0 lets a learner try again at once.",
    )
    pool = StreamField(
        AssessmentPoolBlock(), blank=True, verbose_name="question pool",
        help_text="Write more questions than are drawn, so each attempt differs.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("questions_per_attempt"),
                FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("wait_hours")]),
            ],
            heading="Attempts",
        ),
        FieldPanel("pool"),
    ]

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "final assessment"

    def clean(self):
        super().clean()
        size = sum(1 for block in self.pool.raw_data if block["type"] == "question")
        if self.questions_per_attempt and self.questions_per_attempt > size:
            raise ValidationError({"questions_per_attempt": (
                f"The pool has {size} question{'s' if size != 1 else ''}: draw no more "
                "than that, or add questions to the pool."
            )})

    def question_ids(self) -> list[str]:
        """The ids of the questions in the pool, read from the stored JSON."""
        return [block["id"] for block in self.pool.raw_data if block["type"] == "question"]

    def questions_by_id(self) -> dict:
        """The pool's question blocks by id."""
        return {block.id: block for block in self.pool if block.block_type == "question"}

    def serve(self, request, *args, **kwargs):
        if getattr(request, "is_preview", False):
            # A trainer's preview: the whole pool with the right answers marked.
            return TemplateResponse(request, self.get_template(request),
                                    self.get_context(request))
        # Learners take it on the learning pages, which know who they are.
        return redirect(reverse("assessment", args=[self.pk]))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = self.get_parent().specific
        return context
