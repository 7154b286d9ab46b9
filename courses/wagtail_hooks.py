from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Course topics"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug"]


register_snippet(TopicViewSet)
