"""The blocks a trainer builds a course's final assessment from: a pool of questions,
a few of which are drawn for each attempt (courses.AssessmentPage)."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .lesson import SHORT_FEATURES, KnowledgeCheckOptionBlock, RequiredTextStructBlock


class AssessmentQuestionBlock(RequiredTextStructBlock):
    """One question in the pool. One correct option shows radio buttons; more than one
    shows checkboxes ("Select all that apply"). Options are shuffled for each attempt,
    so do not write "all of the above"."""

    question = blocks.CharBlock(max_length=300)
    options = blocks.ListBlock(KnowledgeCheckOptionBlock(), min_num=2, max_num=8)
    explanation = blocks.RichTextBlock(
        features=SHORT_FEATURES,
        help_text="Why the right answers are right. Shown once the learner has passed or "
        "used every attempt.",
    )
    lesson = blocks.PageChooserBlock(
        page_type="courses.LessonPage", required=False,
        help_text="The lesson that teaches this. A learner who gets it wrong is sent there.",
    )

    class Meta:
        icon = "help"
        preview_value = {
            "question": "Which of these are Scrum events?",
            "options": [
                {"text": "The Sprint Review", "correct": True},
                {"text": "The Daily Scrum", "correct": True},
                {"text": "The project board", "correct": False},
            ],
            "explanation": "<p>The review and the daily scrum are both Scrum events.</p>",
        }

    def get_default(self):
        """A new question starts with the two options it needs (as a knowledge check
        does; not the list's default, so the block definition and migrations stay)."""
        value = super().get_default()
        value["options"] = self.child_blocks["options"].normalize(
            [{"text": "", "correct": False}, {"text": "", "correct": False}])
        return value

    def clean(self, value):
        value = super().clean(value)  # also: the explanation must have words in it
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ErrorList([ValidationError(
                    "Tick at least one correct answer."
                )])}
            )
        return value


class AssessmentPoolBlock(blocks.StreamBlock):
    question = AssessmentQuestionBlock()
