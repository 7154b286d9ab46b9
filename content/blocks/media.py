"""Teaching blocks for pictures, diagrams and tables (issue 13).

Images come from Wagtail's image library, so each is shown as a rendition the size the
screen needs (``srcset``/``sizes``), and a slow laptop downloads a small file. An SVG
diagram is only ever shown through an ``<img>`` element, never inlined in the page, so
anything scripted inside it cannot run in the lesson (docs/decisions.md).

Required checks follow RequiredTextStructBlock: a draft may be incomplete, publishing
and submitting for review may not (Wagtail marks a draft's validation as deferred).
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock as WagtailTableBlock
from wagtail.images.blocks import ImageChooserBlock

from .base import SHORT_FEATURES, RequiredTextStructBlock

ALT_TEXT_HELP = (
    "Say what the picture shows and why it is here, in a sentence or two, for people "
    "who cannot see it. Do not start with 'Image of'. If the words around it already "
    "say everything the picture shows, tick 'Decorative' instead."
)


def _required(message="This field is required."):
    return ErrorList([ValidationError(message)])


class ImageBlock(RequiredTextStructBlock):
    """A picture with alt text (required, unless the trainer says it is decorative),
    and an optional caption and credit."""

    image = ImageChooserBlock(help_text="A JPEG, PNG, WebP or SVG from the image library.")
    alt_text = blocks.CharBlock(required=False, max_length=400, help_text=ALT_TEXT_HELP)
    decorative = blocks.BooleanBlock(
        required=False, label="Decorative",
        help_text="Only for a picture that adds nothing the text does not say. "
                  "Screen readers will skip it.",
    )
    caption = blocks.CharBlock(required=False, max_length=300,
                               help_text="Shown under the picture, for everyone.")
    credit = blocks.CharBlock(required=False, max_length=200,
                              help_text="Who made the picture, if they must be named.")

    class Meta:
        icon = "image"
        template = "content/blocks/image.html"

    def clean(self, value):
        value = super().clean(value)
        if getattr(self, "is_deferred_validation", False):
            return value
        if value["image"] and not value["decorative"] and not (value["alt_text"] or "").strip():
            raise StructBlockValidationError(block_errors={"alt_text": _required(
                "Describe the picture in the alt text, or tick 'Decorative'"
            )})
        return value


class DiagramBlock(ImageBlock):
    """A diagram (often an SVG) with a description in words: alt text is short, and a
    diagram can hold more than a sentence says."""

    description = blocks.RichTextBlock(
        features=SHORT_FEATURES,
        help_text="Everything the diagram shows, in words: its parts and how they "
                  "connect. Learners can open this under the diagram.",
    )

    class Meta:
        icon = "image"
        template = "content/blocks/diagram.html"


class TableBlock(WagtailTableBlock):
    """A table with a caption and a header row, in GOV.UK table styles, that scrolls
    inside its own region on a small screen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Give the table a caption and a header row: "
                                       "screen readers read both out with each cell.")
        super().__init__(**kwargs)

    class Meta:
        icon = "table"
        template = "content/blocks/table.html"

    def clean(self, value):
        value = super().clean(value)
        if not value or getattr(self, "is_deferred_validation", False):
            return value
        if not (value.get("table_caption") or "").strip():
            raise ValidationError("Give the table a caption that says what it shows")
        if not value.get("first_row_is_table_header"):
            raise ValidationError("Make the first row the table's header row")
        return value
