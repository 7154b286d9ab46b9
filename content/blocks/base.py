"""What the lesson blocks share: the rich text features, and the check that required
rich text has words in it before a page is published."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.html import strip_tags
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

PROSE_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]
SHORT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class RequiredTextStructBlock(blocks.StructBlock):
    """A block whose required rich text must have words in it. The editor can post an
    empty paragraph (``<p></p>``) for a box the trainer cleared, which Wagtail's own
    required check accepts; so a callout, a video's transcript or a check's explanation
    could be published empty. Drafts may still be incomplete (Wagtail defers required
    checks when saving a draft); publishing and submitting for review may not."""

    def clean(self, value):
        value = super().clean(value)
        if getattr(self, "is_deferred_validation", False):
            return value
        empty = {
            name: ErrorList([ValidationError("This field is required.")])
            for name, child in self.child_blocks.items()
            if isinstance(child, blocks.RichTextBlock) and child.required
            and not strip_tags(value[name].source if value[name] else "").strip()
        }
        if empty:
            raise StructBlockValidationError(block_errors=empty)
        return value
