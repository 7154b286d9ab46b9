"""The blocks a trainer builds a lesson from."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.html import strip_tags
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .base import PROSE_FEATURES, SHORT_FEATURES, RequiredTextStructBlock
from .media import DiagramBlock, ImageBlock, TableBlock
from .scorm import ScormPackageBlock


class CalloutBlock(RequiredTextStructBlock):
    style = blocks.ChoiceBlock(
        choices=[
            ("information", "Information"),
            ("warning", "Warning"),
            ("example", "Example from practice"),
        ],
        default="information",
    )
    title = blocks.CharBlock(required=False, max_length=120)
    text = blocks.RichTextBlock(features=SHORT_FEATURES)

    class Meta:
        icon = "info-circle"
        template = "content/blocks/callout.html"
        preview_value = {
            "style": "example",
            "title": "In practice",
            "text": "<p>A benefits team tested a new letter with five claimants.</p>",
        }


class VideoBlock(RequiredTextStructBlock):
    """A video with its transcript. The transcript is required: some learners cannot
    hear or watch, and slow connections may not play video at all. A video file the
    academy serves must have captions (a WebVTT file) before it is published."""

    title = blocks.CharBlock(max_length=200)
    video = DocumentChooserBlock(
        required=False, help_text="An MP4 or WebM file uploaded to the documents library."
    )
    captions = DocumentChooserBlock(
        required=False,
        help_text="The captions for the video file: a WebVTT (.vtt) file uploaded to the "
                  "documents library. Needed before the lesson can be published.",
    )
    video_url = blocks.URLBlock(
        required=False,
        help_text="Or the address of the video on your department's video service.",
    )
    minutes = blocks.IntegerBlock(
        required=False, min_value=1, max_value=600,
        help_text="Optional: how long the video runs, in minutes, for the lesson's "
                  "duration. Without it, the duration counts reading the transcript.",
    )
    transcript = blocks.RichTextBlock(features=SHORT_FEATURES)

    class Meta:
        icon = "media"
        template = "content/blocks/video.html"
        preview_value = {
            "title": "A stand-up in two minutes",
            "transcript": "<p>Each person says what they did, what they will do next, "
            "and anything in their way.</p>",
        }

    def clean(self, value):
        value = super().clean(value)
        if getattr(self, "is_deferred_validation", False):
            return value
        captions = value.get("captions")
        if value.get("video") and not captions:
            raise StructBlockValidationError(block_errors={"captions": ErrorList([
                ValidationError("Add the captions for the video file (a .vtt file)")])})
        if captions and not captions.file_extension.lower() == "vtt":
            raise StructBlockValidationError(block_errors={"captions": ErrorList([
                ValidationError("The captions must be a WebVTT file, ending .vtt")])})
        return value


class KnowledgeCheckOptionBlock(blocks.StructBlock):
    """An answer option, in a lesson's knowledge check or a final assessment's question."""

    text = blocks.CharBlock(max_length=300)
    correct = blocks.BooleanBlock(required=False, help_text="Tick every correct answer.")

    class Meta:
        icon = "tick"


class KnowledgeCheckBlock(RequiredTextStructBlock):
    """A question answered on the page and marked on the server. One correct option
    shows radio buttons; more than one shows checkboxes ("select all that apply")."""

    question = blocks.CharBlock(max_length=300)
    options = blocks.ListBlock(KnowledgeCheckOptionBlock(), min_num=2, max_num=8)
    explanation = blocks.RichTextBlock(
        features=SHORT_FEATURES, help_text="Shown after answering: why the answer is right."
    )

    class Meta:
        icon = "help"
        template = "content/blocks/knowledge_check.html"
        preview_value = {
            "question": "How long is a sprint?",
            "options": [
                {"text": "A fixed length of a month or less", "correct": True},
                {"text": "As long as the work takes", "correct": False},
            ],
            "explanation": "<p>Sprints are time-boxed: the length is fixed.</p>",
        }

    def get_default(self):
        """A new check starts with the two options it needs, not one the trainer must
        add to. (Set here, not as the list's default, so the stored block definition,
        and so the migrations, stay the same.)"""
        value = super().get_default()
        value["options"] = self.child_blocks["options"].normalize(
            [{"text": "", "correct": False}, {"text": "", "correct": False}])
        return value

    def clean(self, value):
        value = super().clean(value)
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ErrorList([ValidationError(
                    "Tick at least one correct answer."
                )])}
            )
        return value


class ActivityBlock(RequiredTextStructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("activity", "Activity"), ("reflection", "Reflection")], default="activity"
    )
    title = blocks.CharBlock(max_length=200)
    prompt = blocks.RichTextBlock(features=SHORT_FEATURES)

    class Meta:
        icon = "edit"
        template = "content/blocks/activity.html"
        preview_value = {
            "kind": "reflection",
            "title": "Think about your own work",
            "prompt": "<p>When did you last learn something from a user?</p>",
        }


class ResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    description = blocks.TextBlock(required=False)
    document = DocumentChooserBlock()

    class Meta:
        icon = "doc-full"
        template = "content/blocks/resource.html"


class GlossaryTermBlock(blocks.StructBlock):
    """Shows a glossary definition in full inside the lesson."""

    term = SnippetChooserBlock("content.GlossaryTerm")

    class Meta:
        icon = "openquote"
        template = "content/blocks/glossary_term.html"


class LessonBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=PROSE_FEATURES, template="content/blocks/text.html")
    video = VideoBlock()
    knowledge_check = KnowledgeCheckBlock()
    activity = ActivityBlock()
    callout = CalloutBlock()
    resource = ResourceBlock()
    glossary_term = GlossaryTermBlock()
    image = ImageBlock()
    diagram = DiagramBlock()
    table = TableBlock()
    scorm_package = ScormPackageBlock()

    def clean(self, value):
        """A text block with no words in it (an empty paragraph) is empty, like the
        required rich text inside the other blocks (RequiredTextStructBlock)."""
        value = super().clean(value)
        if getattr(self, "is_deferred_validation", False):
            return value
        empty = {
            index: ValidationError("This field is required.")
            for index, child in enumerate(value)
            if child.block_type == "text" and not strip_tags(child.value.source).strip()
        }
        if empty:
            raise StreamBlockValidationError(block_errors=empty)
        return value


@dataclass(frozen=True)
class OptionState:
    id: str
    text: str
    chosen: bool


@dataclass(frozen=True)
class KnowledgeCheckResult:
    """A knowledge check as one learner sees it: the options, what they chose and,
    once answered, whether they were right."""

    options: list[OptionState]
    multiple: bool
    answered: bool = False
    correct: bool = False
    correct_texts: list[str] = field(default_factory=list)
    error: str = ""


def knowledge_check_mark(*, value, chosen_ids: Iterable[str] | None = None) -> KnowledgeCheckResult:
    """Mark an answer to a knowledge check on the server. With no answer given, returns
    the unanswered state. An answer is correct when exactly the correct options are
    chosen. Option ids that are not in the question are an error, not a wrong answer."""
    bound_options = value["options"].bound_blocks
    correct_ids = {option.id for option in bound_options if option.value["correct"]}
    multiple = len(correct_ids) > 1
    if chosen_ids is None:
        options = [OptionState(o.id, o.value["text"], False) for o in bound_options]
        return KnowledgeCheckResult(options=options, multiple=multiple)

    chosen = set(chosen_ids)
    options = [OptionState(o.id, o.value["text"], o.id in chosen) for o in bound_options]
    known = {o.id for o in bound_options}
    if not chosen or not chosen <= known:
        error = "Select all the answers that apply" if multiple else "Select an answer"
        return KnowledgeCheckResult(options=options, multiple=multiple, error=error)
    return KnowledgeCheckResult(
        options=options,
        multiple=multiple,
        answered=True,
        correct=chosen == correct_ids,
        correct_texts=[o.value["text"] for o in bound_options if o.id in correct_ids],
    )
