"""The "SCORM package" lesson block (issue 17): e-learning bought from a supplier,
uploaded in the admin (content.scorm_admin) and chosen here, with an optional short
introduction. Its template shows the package in the lesson (the launch frame)."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from .base import SHORT_FEATURES


class ScormPackageBlock(blocks.StructBlock):
    """A SCORM package in the lesson. A draft may leave the package to choose later;
    publishing (or sending for review) needs one."""

    package = SnippetChooserBlock(
        "content.ScormPackage", required=False,
        help_text="Choose a package uploaded in SCORM packages, or upload one there first.")
    minutes = blocks.IntegerBlock(
        required=False, min_value=1, max_value=600,
        help_text="Optional: about how long the package takes, in minutes, for the "
                  "lesson's duration.")
    introduction = blocks.RichTextBlock(
        features=SHORT_FEATURES, required=False,
        help_text="Optional: a sentence or two on what the learner will do in the package.")

    class Meta:
        icon = "folder-open-inverse"
        label = "SCORM package"
        template = "content/blocks/scorm_package.html"

    def clean(self, value):
        value = super().clean(value)
        if getattr(self, "is_deferred_validation", False):
            return value
        if not value.get("package"):
            raise StructBlockValidationError(block_errors={"package": ErrorList([
                ValidationError("Choose the SCORM package to show in this lesson")])})
        return value
