from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.models import GlossaryTerm
from content.scorm_admin import ScormPackageViewSet


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "openquote"
    menu_label = "Glossary"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["term", "definition"]
    search_fields = ["term", "definition"]


register_snippet(GlossaryTermViewSet)
register_snippet(ScormPackageViewSet)
