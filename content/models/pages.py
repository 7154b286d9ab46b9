"""Generic pages: the home page and plain pages such as the accessibility statement."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import StandardPageBlock


class HomePage(Page):
    """The academy's front door."""

    introduction = models.TextField(
        blank=True, help_text="One or two sentences under the heading."
    )
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().public().in_menu()
        return context


class StandardPage(Page):
    """A page of text: accessibility statement, privacy notice, help."""

    introduction = models.TextField(blank=True)
    body = StreamField(StandardPageBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]
