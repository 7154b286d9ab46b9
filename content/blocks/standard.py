from wagtail import blocks

from .lesson import PROSE_FEATURES, CalloutBlock


class StandardPageBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=PROSE_FEATURES, template="content/blocks/text.html")
    callout = CalloutBlock()
